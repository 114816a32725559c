// JSON:API rendering shared by every resource: absolute links, and the links of a paginated list.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageResult } from '../catalog/model.js';
import type { Cursor } from './cursors.js';
import { hostOf } from './host.js';

export const JSONAPI = 'application/vnd.api+json';

/** The scheme and host links start with: CATALOG_PUBLIC_URL, or what the request came to (host.ts). */
export function baseUrl(request: FastifyRequest): string {
  return request.server.publicUrl ?? `${request.protocol}://${hostOf(request)}`;
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

/**
 * The URL of this request as Klaviyo echoes it in a document's top-level `links.self`: the path without a
 * trailing slash, ids written as in resource links, and the query percent-encoded (the brackets of page[...]
 * and fields[...] too: a valid URI). After a create this is the collection the client posted to.
 */
export function requestLink(request: FastifyRequest): string {
  const { url } = request;
  // The common case, a plain path with no query and nothing to decode or escape, is already in its final form.
  if (SAFE_PATH.test(url)) return `${baseUrl(request)}${url.replace(TRAILING_SLASHES, '')}`;
  return linkFor(request, new URL(url, 'http://h').searchParams);
}

const SAFE_PATH = /^[A-Za-z0-9$:._~/-]*$/;
const TRAILING_SLASHES = /\/+$/;

function linkFor(request: FastifyRequest, query: URLSearchParams): string {
  const path = request.url.split('?')[0].replace(TRAILING_SLASHES, '');
  const search = query.toString();
  return `${baseUrl(request)}${path.split('/').map((s) => pathId(decodeSegment(s))).join('/')}${search ? `?${search}` : ''}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray `%` stays as sent, and pathId escapes it
  }
}

export interface ListLinks {
  self: string;
  next: string | null;
  prev: string | null;
}

/** links of a page: self, and next/prev carrying cursors around the page's first and last rows (null at the ends). */
export function listLinks(request: FastifyRequest, page: PageResult<unknown>): ListLinks {
  const query = new URL(request.url, 'http://h').searchParams;
  const at = (cursor: Cursor) => {
    query.set('page[cursor]', request.server.cursors.encode(request.account, cursor));
    return linkFor(request, query);
  };
  return {
    self: linkFor(request, query),
    next: page.hasNext && page.last !== undefined ? at({ seq: page.last, direction: 'next' }) : null,
    prev: page.hasPrev && page.first !== undefined ? at({ seq: page.first, direction: 'prev' }) : null,
  };
}
