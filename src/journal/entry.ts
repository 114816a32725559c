// What the journal keeps of one request, and how it is shown. Recording must stay cheap (it runs on every
// API request), so a capture holds references to what the request already has (its headers object, the body
// text, the response bytes; large bodies are copied, see bodies.ts); redacting, decoding and parsing happen
// when an entry is read.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { BodyCopy, keptText, type Kept } from './bodies.js';

/** An answer as kept: the operation's own one when an `after` fault replaced it. */
export interface Answer {
  /** null: no answer was sent (the connection was dropped). */
  status: number | null;
  headers: Record<string, unknown>;
  body: Kept;
}

/** A fault rule as an entry names it. */
export interface FiredFault {
  id: string;
  when: 'before' | 'after';
  action: object;
}

/**
 * One request. Flat, with bodies as they were, because one is made for every API request and lives until the
 * ring overwrites it: each object more is one more for the garbage collector to move and trace.
 */
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
  /** The JSON text the request carried (only JSON bodies are read). */
  requestBody: Kept;
  status: number | null;
  responseHeaders: Record<string, unknown>;
  responseBody: Kept;
  /** What the operation answered when an `after` fault replaced, cut or dropped it. */
  lost: Answer | undefined;
  durationMs: number;
  fault: FiredFault | undefined;
  /** Memory its bodies hold (characters for request text): what bounds a ring's memory. */
  bytes: number;
  /** The decoded path, worked out on first use (filters, rendering). */
  decodedPath?: string;
}

/** The headers as they stand in an onSend hook, with the Content-Length Fastify adds after it. */
export function answeredHeaders(reply: FastifyReply, payload: unknown): Record<string, unknown> {
  const headers = reply.getHeaders();
  if (headers['content-length'] === undefined) {
    if (typeof payload === 'string') headers['content-length'] = String(Buffer.byteLength(payload));
    else if (Buffer.isBuffer(payload)) headers['content-length'] = String(payload.length);
  }
  return headers;
}

/** The answer as it stands in an onSend hook, before the journal keeps its body. */
export interface SentAnswer {
  status: number;
  headers: Record<string, unknown>;
  payload: unknown;
}

export function captureAnswer(reply: FastifyReply, payload: unknown): SentAnswer {
  return { status: reply.statusCode, headers: answeredHeaders(reply, payload), payload };
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

function renderBody(body: Kept, json: boolean): { body: unknown; body_truncated: boolean } {
  if (body === undefined) return { body: null, body_truncated: false };
  const text = keptText(body);
  if (body instanceof BodyCopy && body.truncated) return { body: text, body_truncated: true };
  if (json) {
    try {
      return { body: JSON.parse(text), body_truncated: false };
    } catch {
      // shown as the text it was
    }
  }
  return { body: text, body_truncated: false };
}

function renderAnswer(answer: Answer) {
  const type = answer.headers['content-type'];
  return { status: answer.status, headers: { ...answer.headers }, ...renderBody(answer.body, typeof type === 'string' && type.includes('json')) };
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
      request: { headers: requestHeaders(c.requestHeaders), ...renderBody(c.requestBody, true) },
      response: renderAnswer({ status: c.status, headers: c.responseHeaders, body: c.responseBody }),
      lost_response: c.lost ? renderAnswer(c.lost) : null,
    },
  };
}
