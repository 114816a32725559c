// The journal's query parameters: which entries (operation, method, path prefix, status or status class, time
// range), in which order and how many. Shared by the query, the count and the live stream; anything it does
// not know is a 400 naming the parameter, as the API answers.
import { invalid } from '../http/errors.js';
import { OPERATIONS } from '../http/operations.js';
import { pathOf, type Capture } from './entry.js';

export interface JournalFilter {
  operation?: string;
  method?: string;
  pathPrefix?: string;
  status?: number;
  /** 1 to 5: the hundreds digit of the status. */
  statusClass?: number;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
}

export interface JournalQuery extends JournalFilter {
  order: 'newest' | 'oldest';
  limit: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const FILTERS = ['operation', 'method', 'path_prefix', 'status', 'status_class', 'since', 'until'];
export const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'HEAD'];

type Raw = Record<string, unknown>;

function single(raw: Raw, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`'${name}' may be given once.`, { parameter: name });
  return value;
}

function time(raw: Raw, name: string): number | undefined {
  const value = single(raw, name);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(ms)) throw invalid(`'${name}' must be an ISO 8601 date-time such as 2026-04-15T12:00:00Z.`, { parameter: name });
  return ms;
}

function integer(raw: Raw, name: string, min: number, max: number): number | undefined {
  const value = single(raw, name);
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw invalid(`'${name}' must be an integer from ${min} to ${max}.`, { parameter: name });
  return n;
}

function unknownParameters(raw: Raw, known: string[]): void {
  for (const name of Object.keys(raw)) {
    if (!known.includes(name)) throw invalid(`'${name}' is not a parameter here; known: ${known.join(', ')}.`, { parameter: name });
  }
}

/** The filter parameters alone (the count and the stream take no order or limit). */
export function parseFilter(raw: Raw, extra: string[] = []): JournalFilter {
  unknownParameters(raw, [...FILTERS, ...extra]);
  const filter: JournalFilter = {};
  const operation = single(raw, 'operation');
  if (operation !== undefined) {
    if (!OPERATIONS.has(operation)) throw invalid(`'${operation}' is not an operationId of the Catalogs API (such as get_catalog_items).`, { parameter: 'operation' });
    filter.operation = operation;
  }
  const method = single(raw, 'method')?.toUpperCase();
  if (method !== undefined) {
    if (!METHODS.includes(method)) throw invalid(`'method' must be one of ${METHODS.join(', ')}.`, { parameter: 'method' });
    filter.method = method;
  }
  const pathPrefix = single(raw, 'path_prefix');
  if (pathPrefix !== undefined) {
    if (!pathPrefix.startsWith('/')) throw invalid(`'path_prefix' must start with '/', as in /api/catalog-items.`, { parameter: 'path_prefix' });
    filter.pathPrefix = pathPrefix;
  }
  filter.status = integer(raw, 'status', 100, 599);
  const statusClass = single(raw, 'status_class');
  if (statusClass !== undefined) {
    if (!/^[1-5]xx$/i.test(statusClass)) throw invalid(`'status_class' must be one of 1xx, 2xx, 3xx, 4xx, 5xx.`, { parameter: 'status_class' });
    filter.statusClass = Number(statusClass[0]);
  }
  filter.since = time(raw, 'since');
  filter.until = time(raw, 'until');
  return filter;
}

export function parseQuery(raw: Raw): JournalQuery {
  const filter = parseFilter(raw, ['order', 'limit']);
  const order = single(raw, 'order') ?? 'newest';
  if (order !== 'newest' && order !== 'oldest') throw invalid(`'order' must be newest or oldest.`, { parameter: 'order' });
  return { ...filter, order, limit: integer(raw, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT };
}

export function matches(f: JournalFilter, c: Capture): boolean {
  const status = c.status;
  return (f.operation === undefined || c.operation === f.operation)
    && (f.method === undefined || c.method === f.method)
    && (f.status === undefined || status === f.status)
    && (f.statusClass === undefined || (status !== null && Math.floor(status / 100) === f.statusClass))
    && (f.since === undefined || c.time >= f.since)
    && (f.until === undefined || c.time < f.until)
    && (f.pathPrefix === undefined || pathOf(c).startsWith(f.pathPrefix));
}

export function select(entries: Iterable<Capture>, q: JournalQuery): Capture[] {
  const chosen: Capture[] = [];
  for (const c of entries) {
    if (!matches(q, c)) continue;
    chosen.push(c);
    if (chosen.length === q.limit) break;
  }
  return chosen;
}

export function count(entries: Iterable<Capture>, f: JournalFilter): number {
  let n = 0;
  for (const c of entries) if (matches(f, c)) n++;
  return n;
}
