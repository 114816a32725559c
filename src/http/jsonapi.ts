// JSON:API rendering shared by every resource: absolute links, and the links of a paginated list.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageResult } from '../catalog/model.js';
import { encodeCursor } from './query.js';

export const JSONAPI = 'application/vnd.api+json';

/** The scheme and host links start with: CATALOG_PUBLIC_URL, or what the request came to. */
export function baseUrl(request: FastifyRequest): string {
  return request.server.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Ids go into paths as Klaviyo writes them: `$` and `:` plain, anything unsafe escaped. */
export function pathId(id: string): string {
  if (SAFE_IN_PATH.test(id)) return id; // the common case, on every link of every resource
  return encodeURIComponent(id).replace(/%24/g, '$').replace(/%3A/gi, ':');
}

const SAFE_IN_PATH = /^[A-Za-z0-9$:._~-]*$/;

/**
 * Sends a JSON:API document (or one already encoded). As a Buffer, because Fastify appends `; charset=utf-8`
 * to JSON it serialises, and JSON:API wants the media type without parameters, as Klaviyo sends it.
 */
export function send(reply: FastifyReply, status: number, document: unknown): FastifyReply {
  return reply.code(status).type(JSONAPI).send(Buffer.isBuffer(document) ? document : Buffer.from(JSON.stringify(document)));
}

/** links.self for this request, and links.next/prev carrying cursors around the page's first and last rows. */
export function listLinks(request: FastifyRequest, page: PageResult<unknown>): { self: string; next?: string; prev?: string } {
  const url = new URL(request.url, baseUrl(request));
  url.search = url.searchParams.toString(); // percent-encodes the brackets of page[...] and fields[...]: a valid URI
  const self = url.toString();
  const at = (cursor: string) => {
    url.searchParams.set('page[cursor]', cursor);
    return url.toString();
  };
  const links: { self: string; next?: string; prev?: string } = { self };
  if (page.hasNext && page.last !== undefined) links.next = at(encodeCursor({ s: page.last, d: 'n' }));
  if (page.hasPrev && page.first !== undefined) links.prev = at(encodeCursor({ s: page.first, d: 'p' }));
  return links;
}
