// Query parameters of JSON:API lists and documents: sparse fieldsets, include, filter, sort and cursor
// pages. Each route declares what it accepts; anything else is a 400 naming the parameter.
import type { FastifyRequest } from 'fastify';
import type { Cursor } from './cursors.js';
import { externalIdOf, ID_FORM } from '../catalog/ids.js';
import type { Filter, JobStatus, Page } from '../catalog/model.js';
import type { FilterOperator } from '../catalog/filters.js';
import { invalid } from './errors.js';
import { routeConfig } from './route-config.js';

export type { FilterOperator };

export interface QuerySpec {
  /** Sparse fieldsets: JSON:API type -> the names `fields[type]` may list. */
  fields?: Record<string, readonly string[]>;
  include?: readonly string[];
  /** Filterable fields and the one operator each allows. */
  filter?: Record<string, FilterOperator>;
  /** `page[cursor]`, with `page[size]` when pageSize is set. */
  page?: { pageSize: boolean };
  sort?: boolean;
}

export interface ParsedQuery {
  fields: Map<string, Set<string>>;
  include: Set<string>;
  filters: Filter[];
  page: Page;
}

const JOB_STATUSES: JobStatus[] = ['queued', 'processing', 'complete', 'cancelled'];
const DEFAULT_PAGE_SIZE = 100;

function single(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalid(`'${name}' may be given only once.`, { parameter: name });
  return value;
}

function list(name: string, value: string, allowed: readonly string[]): Set<string> {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!allowed.includes(n)) throw invalid(`'${n}' is not a valid value for '${name}'; allowed: ${allowed.join(', ')}.`, { parameter: name });
  }
  return new Set(names);
}

/**
 * The cursor in a page[cursor] value, as the SDKs send it: the official Node SDK sends the whole `links.next`
 * URL when that link is not https, and the Python and PHP SDKs cut the cursor out of the link with the `=`
 * before it. Our cursors are base64url (cursors.ts), which never starts with `=`, so one leading `=` is safely dropped.
 */
function cursorText(raw: string): string {
  if (!/^https?:\/\//i.test(raw)) return raw.startsWith('=') ? raw.slice(1) : raw;
  let fromUrl: string | null = null;
  try {
    fromUrl = new URL(raw).searchParams.get('page[cursor]');
  } catch {
    // reported below
  }
  if (!fromUrl) throw invalid('The page[cursor] URL carries no page[cursor].', { parameter: 'page[cursor]' });
  return fromUrl;
}

/** The position a page[cursor] value names; a cursor this deployment did not issue to this account is a 400. */
function decodeCursor(request: FastifyRequest, raw: string): Cursor {
  const cursor = request.server.cursors.decode(request.account, cursorText(raw));
  if (!cursor) throw invalid('page[cursor] is not a cursor this server issued for this account; use links.next or links.prev.', { parameter: 'page[cursor]' });
  return cursor;
}

// --- filter grammar: equals(f,v) any(f,[v,...]) contains(f,v), joined by commas or and(...) ---

type Value = string | number | boolean | null | Value[];
interface Call {
  op: string;
  args: Value[];
  field: string;
}

class FilterParser {
  private i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw invalid(`The filter could not be parsed: ${what} at position ${this.i}.`, { parameter: 'filter' });
  }

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private eat(ch: string): boolean {
    this.ws();
    if (this.s[this.i] === ch) {
      this.i++;
      return true;
    }
    return false;
  }

  private expect(ch: string): void {
    if (!this.eat(ch)) this.fail(`expected '${ch}'`);
  }

  /** Matches `pattern` (sticky) at the current position, without copying the rest of the input. */
  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.i;
    return pattern.exec(this.s)?.[0];
  }

  private word(): string {
    this.ws();
    const m = this.match(/[A-Za-z_][A-Za-z0-9_.-]*/y);
    if (m === undefined) this.fail('expected a name');
    this.i += m.length;
    return m;
  }

  /** A scalar, or a list of scalars (lists do not nest). */
  private value(): Value {
    this.ws();
    if (this.s[this.i] === '[') {
      this.i++;
      const items: Value[] = [];
      if (!this.eat(']')) {
        do items.push(this.scalar());
        while (this.eat(','));
        this.expect(']');
      }
      return items;
    }
    return this.scalar();
  }

  private scalar(): Value {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '"' || ch === "'") {
      let j = this.i + 1;
      let out = '';
      while (j < this.s.length && this.s[j] !== ch) {
        if (this.s[j] === '\\' && j + 1 < this.s.length) j++;
        out += this.s[j++];
      }
      if (j >= this.s.length) this.fail('unterminated string');
      this.i = j + 1;
      return out;
    }
    const m = this.match(/true|false|null|-?\d+(?:\.\d+)?/y);
    if (m === undefined) this.fail('expected a value');
    this.i += m.length;
    return m === 'true' ? true : m === 'false' ? false : m === 'null' ? null : Number(m);
  }

  private call(into: Call[], depth = 0): void {
    if (depth > 8) this.fail('and(...) nested too deeply');
    const op = this.word();
    this.expect('(');
    if (op === 'and') {
      do this.call(into, depth + 1);
      while (this.eat(','));
      this.expect(')');
      return;
    }
    const field = this.word();
    const args: Value[] = [];
    while (this.eat(',')) args.push(this.value());
    this.expect(')');
    into.push({ op, field, args });
  }

  parse(): Call[] {
    const calls: Call[] = [];
    do this.call(calls);
    while (this.eat(','));
    this.ws();
    if (this.i !== this.s.length) this.fail('unexpected text');
    return calls;
  }
}

function compound(value: Value, field: string): string {
  const id = externalIdOf(value);
  if (id === undefined) throw invalid(`'${field}' takes ids; ${ID_FORM}.`, { parameter: 'filter' });
  return id;
}

function toFilter(call: Call, allowed: Record<string, FilterOperator>): Filter {
  const describe = () => Object.entries(allowed).map(([f, o]) => `${o}(${f},...)`).join(', ');
  if (allowed[call.field] === undefined) {
    throw invalid(`Filtering on '${call.field}' is not supported here; allowed: ${describe()}.`, { parameter: 'filter' });
  }
  if (allowed[call.field] !== call.op) {
    throw invalid(`'${call.field}' can only be filtered with '${allowed[call.field]}'; allowed: ${describe()}.`, { parameter: 'filter' });
  }
  if (call.args.length !== 1) throw invalid(`${call.op}(${call.field}, ...) takes exactly one value.`, { parameter: 'filter' });
  const v = call.args[0];
  const wrong = (type: string) => invalid(`${call.op}(${call.field}, ...) takes ${type}.`, { parameter: 'filter' });
  switch (call.field) {
    case 'ids':
      if (!Array.isArray(v) || v.length === 0 || v.length > 100) throw wrong('a list of 1 to 100 ids');
      return { field: 'ids', values: v.map((x) => compound(x, 'ids')) };
    case 'title':
    case 'name':
      if (typeof v !== 'string') throw wrong('a string');
      return { field: call.field, contains: v };
    case 'published':
      if (typeof v !== 'boolean') throw wrong('true or false');
      return { field: 'published', equals: v };
    case 'sku':
      if (typeof v !== 'string') throw wrong('a string');
      return { field: 'sku', equals: v };
    case 'item.id':
    case 'category.id':
      return { field: call.field, equals: compound(v, call.field) };
    case 'status':
      if (!JOB_STATUSES.includes(v as JobStatus)) throw wrong(`one of ${JOB_STATUSES.join(', ')}`);
      return { field: 'status', equals: v as JobStatus };
  }
  throw invalid(`Filtering on '${call.field}' is not supported.`, { parameter: 'filter' });
}

/** The query of a request, read by the QuerySpec in its route's config (which the OpenAPI document lists too). */
export function parseQuery(request: FastifyRequest): ParsedQuery {
  const spec: QuerySpec = routeConfig(request).query ?? {};
  const query = request.query as Record<string, unknown>;
  const parsed: ParsedQuery = { fields: new Map(), include: new Set(), filters: [], page: { size: DEFAULT_PAGE_SIZE, descending: false } };
  for (const [name, raw] of Object.entries(query)) {
    const value = single(name, raw);
    const fieldsOf = /^fields\[(.+)\]$/.exec(name)?.[1];
    if (fieldsOf !== undefined && spec.fields?.[fieldsOf]) {
      parsed.fields.set(fieldsOf, list(name, value, spec.fields[fieldsOf]));
    } else if (name === 'include' && spec.include) {
      parsed.include = list(name, value, spec.include);
    } else if (name === 'filter' && spec.filter) {
      parsed.filters = new FilterParser(value).parse().map((c) => toFilter(c, spec.filter!));
    } else if (name === 'sort' && spec.sort) {
      if (value !== 'created' && value !== '-created') throw invalid(`sort must be 'created' or '-created'.`, { parameter: 'sort' });
      parsed.page.descending = value === '-created';
    } else if (name === 'page[size]' && spec.page?.pageSize) {
      const size = Number(value);
      if (!/^\d+$/.test(value) || size < 1 || size > 100) throw invalid('page[size] must be an integer from 1 to 100.', { parameter: 'page[size]' });
      parsed.page.size = size;
    } else if (name === 'page[cursor]' && spec.page) {
      const cursor = decodeCursor(request, value);
      if (cursor.direction === 'next') parsed.page.after = cursor.seq;
      else parsed.page.before = cursor.seq;
    } else {
      throw invalid(`'${name}' is not a valid query parameter for this endpoint.`, { parameter: name });
    }
  }
  return parsed;
}
