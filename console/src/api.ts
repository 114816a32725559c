// Talks to the server the console is served by: the Catalogs API, the control API and event streams, with
// the signed-in credential in the Authorization header (never in a URL) and the API's revision header.
import { authorization, type Credential } from './session.ts';
import { readEvents, type ServerEvent } from './sse.ts';

export const REVISION = '2026-04-15';

export interface ErrorObject {
  status?: number | string;
  code?: string;
  title?: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
}

/** A request that failed: the HTTP status (0 when the server could not be reached) and the JSON:API errors. */
export class ApiProblem extends Error {
  constructor(readonly status: number, message: string, readonly errors: ErrorObject[] = []) {
    super(message);
  }
}

export interface Answer<T = any> {
  status: number;
  /** The parsed JSON:API document (undefined for an empty body). */
  document: T;
  /** The body exactly as the server sent it. */
  text: string;
  path: string;
}

/** A link from a document as a path on this origin: links carry the server's public URL, requests stay here. */
export function localPath(link: string): string {
  const url = new URL(link, location.origin);
  return url.pathname + url.search;
}

/** The page[cursor] of a links.next / links.prev link, for the route of the page it leads to. */
export function cursorOf(link: string | null | undefined): string | undefined {
  return link ? new URL(link, location.origin).searchParams.get('page[cursor]') ?? undefined : undefined;
}

function parse(text: string): any {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function problemFrom(status: number, text: string): ApiProblem {
  const errors: ErrorObject[] = Array.isArray(parse(text)?.errors) ? parse(text).errors : [];
  const message = errors.map((e) => e.detail || e.title).filter(Boolean).join(' ') || `The server answered ${status}.`;
  return new ApiProblem(status, message, errors);
}

function headers(credential: Credential, accept: string, body: boolean): Record<string, string> {
  return {
    Authorization: authorization(credential),
    revision: REVISION,
    Accept: accept,
    ...(body ? { 'Content-Type': 'application/vnd.api+json' } : {}),
  };
}

async function send(credential: Credential, path: string, init: { method: string; body?: unknown; signal?: AbortSignal; accept: string }): Promise<Response> {
  try {
    return await fetch(path, {
      method: init.method,
      headers: headers(credential, init.accept, init.body !== undefined),
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiProblem(0, 'The server could not be reached.');
  }
}

export async function request<T = any>(credential: Credential, path: string, options: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<Answer<T>> {
  const response = await send(credential, path, { method: options.method ?? 'GET', body: options.body, signal: options.signal, accept: 'application/vnd.api+json' });
  const text = await response.text();
  if (!response.ok) throw problemFrom(response.status, text);
  return { status: response.status, document: parse(text), text, path };
}

/**
 * Reads an event stream until it ends or `signal` aborts; a refused stream throws its ApiProblem. `onOpen` is
 * called once the server has answered: from then on, nothing it sends is missed.
 */
export async function stream(credential: Credential, path: string, onEvent: (event: ServerEvent) => void, signal: AbortSignal, onOpen?: () => void): Promise<void> {
  const response = await send(credential, path, { method: 'GET', signal, accept: 'text/event-stream' });
  if (!response.ok || !response.body) throw problemFrom(response.status, await response.text());
  onOpen?.();
  await readEvents(response.body, onEvent, signal);
}

/** A 404 from a control path: the server does not have that control (not built in, or CATALOG_CONTROLS=off). */
export const isMissing = (error: unknown) => error instanceof ApiProblem && error.status === 404;
