// What the journal keeps of one request, and how it is shown. Recording must stay cheap (it runs on every
// API request), so a capture holds references to what the request already has (its headers object, the
// body text, the response bytes) and cuts only bodies past BODY_LIMIT; redacting, decoding and parsing
// happen when an entry is read.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/** Bodies are kept up to this many bytes (characters for request bodies); longer ones are cut and marked. */
export const BODY_LIMIT = 64 * 1024;

export interface BodyCapture {
  data: string | Buffer;
  /** The body was longer than BODY_LIMIT and `data` is its beginning. */
  truncated: boolean;
  /** Sent as JSON: shown parsed when it is whole and parses. */
  json: boolean;
}

export interface ResponseCapture {
  /** null: no answer was sent (the connection was dropped). */
  status: number | null;
  headers: Record<string, unknown>;
  body: BodyCapture | undefined;
}

/** A fault rule as an entry names it. */
export interface FiredFault {
  id: string;
  when: 'before' | 'after';
  action: object;
}

export interface Capture {
  id: string;
  /** Epoch ms when the request arrived. */
  time: number;
  /** performance.now() when the request arrived: orders entries, as `time` (whole ms) cannot. */
  arrival: number;
  method: string;
  /** Path and query as sent. */
  url: string;
  operation: string | undefined;
  requestHeaders: IncomingHttpHeaders;
  requestBody: BodyCapture | undefined;
  response: ResponseCapture;
  /** What the operation answered when an `after` fault replaced or dropped it. */
  lost: ResponseCapture | undefined;
  durationMs: number;
  fault: FiredFault | undefined;
  /** The decoded path, worked out on first use (filters, rendering). */
  decodedPath?: string;
}

export const NO_ANSWER: ResponseCapture = Object.freeze({ status: null, headers: {}, body: undefined });

/** A request body as the journal keeps it (the text the JSON parser was given). */
export function captureText(text: string | undefined, json = true): BodyCapture | undefined {
  if (text === undefined) return undefined;
  if (text.length <= BODY_LIMIT) return { data: text, truncated: false, json };
  // Copied through a Buffer: a slice would be a view that keeps the whole (up to 5 MB) text alive.
  return { data: Buffer.from(text.slice(0, BODY_LIMIT)), truncated: true, json };
}

/** A response payload as the journal keeps it; streams and empty bodies are not kept. */
export function capturePayload(payload: unknown, contentType: unknown): BodyCapture | undefined {
  const json = typeof contentType === 'string' && contentType.includes('json');
  if (typeof payload === 'string') return payload.length === 0 ? undefined : captureText(payload, json);
  if (!Buffer.isBuffer(payload) || payload.length === 0) return undefined;
  if (payload.length <= BODY_LIMIT) return { data: payload, truncated: false, json };
  return { data: Buffer.from(payload.subarray(0, BODY_LIMIT)), truncated: true, json };
}

/** The answer as it stands in an onSend hook: Fastify adds Content-Length after, so it is added here. */
export function captureResponse(reply: FastifyReply, payload: unknown): ResponseCapture {
  const headers = reply.getHeaders();
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : Buffer.isBuffer(payload) ? payload.length : undefined;
  if (size !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(size);
  return { status: reply.statusCode, headers, body: capturePayload(payload, headers['content-type']) };
}

/** The bytes of body a capture holds (characters for request text): what bounds a ring's memory. */
export function bodyBytes(c: Capture): number {
  return (c.requestBody?.data.length ?? 0) + (c.response.body?.data.length ?? 0) + (c.lost?.body?.data.length ?? 0);
}

/** Headers that carry credentials; `Klaviyo-API-Key pk_...` keeps the 7-character prefix `keys list` shows. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const KLAVIYO_KEY = /^Klaviyo-API-Key\s+(pk_[A-Za-z0-9]{4})[A-Za-z0-9]{4,}\s*$/;

function redact(name: string, value: unknown): string {
  const m = name === 'authorization' && typeof value === 'string' ? KLAVIYO_KEY.exec(value) : null;
  return m ? `Klaviyo-API-Key ${m[1]}... (redacted)` : '(redacted)';
}

function requestHeaders(headers: IncomingHttpHeaders): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) shown[name] = SECRET_HEADERS.has(name) ? redact(name, value) : value;
  return shown;
}

function renderBody(body: BodyCapture | undefined): { body: unknown; body_truncated: boolean } {
  if (!body) return { body: null, body_truncated: false };
  const text = typeof body.data === 'string' ? body.data : body.data.toString('utf8');
  if (body.json && !body.truncated) {
    try {
      return { body: JSON.parse(text), body_truncated: false };
    } catch {
      // shown as the text it was
    }
  }
  return { body: text, body_truncated: body.truncated };
}

function renderResponse(response: ResponseCapture) {
  return { status: response.status, headers: { ...response.headers }, ...renderBody(response.body) };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray `%` stays as sent
  }
}

/** The path of a URL with each segment percent-decoded: `/api/catalog-items/$custom:::$default:::A`. */
export function decodedPath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.includes('%') ? path.split('/').map(decodeSegment).join('/') : path;
}

export function pathOf(capture: Capture): string {
  capture.decodedPath ??= decodedPath(capture.url);
  return capture.decodedPath;
}

function queryOf(url: string): Record<string, string | string[]> {
  const q = url.indexOf('?');
  const query: Record<string, string | string[]> = {};
  if (q === -1) return query;
  for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [seen, value].flat();
  }
  return query;
}

export interface JournalEntry {
  type: 'journal-entry';
  id: string;
  attributes: Record<string, unknown>;
}

export function renderEntry(c: Capture): JournalEntry {
  const revision = c.requestHeaders.revision;
  return {
    type: 'journal-entry',
    id: c.id,
    attributes: {
      time: new Date(c.time).toISOString(),
      method: c.method,
      path: pathOf(c),
      query: queryOf(c.url),
      operation: c.operation ?? null,
      revision: revision ?? null,
      duration_ms: Math.round(c.durationMs * 1000) / 1000,
      fault: c.fault ?? null,
      request: { headers: requestHeaders(c.requestHeaders), ...renderBody(c.requestBody) },
      response: renderResponse(c.response),
      lost_response: c.lost ? renderResponse(c.lost) : null,
    },
  };
}
