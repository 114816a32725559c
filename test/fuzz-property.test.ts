// Property: whatever a client sends (method, path, headers, query parameters, body), the answer is never a 5xx,
// and every error is a JSON:API error document (the http helper checks each body against the response
// schemas). fast-check, with a fixed seed and a bounded number of runs, so that a failure repeats.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import fc from 'fast-check';
import { forEachStore } from './support/targets.ts';
import { rawAuth, rawRequest } from './support/raw.ts';
import { REVISION, http, startServer, type RunningServer } from './support/server.ts';

const id = (x: string) => `$custom:::$default:::${x}`;
const SEED = 20_261_124;
const RUNS = 600;

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
/** Text that now and then holds a lone UTF-16 surrogate (sent in JSON as an escape, `"\\ud800"`). */
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const rawText = fc.string({ unit: fc.oneof({ arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), weight: 8 }, { arbitrary: loneSurrogate, weight: 1 }), maxLength: 40 });
const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
const anyId = fc.oneof(fc.constantFrom(id('F0'), id('V0'), id('C'), id('nope')), text.map(id), text);

const PATHS = [
  '/api/catalog-items', '/api/catalog-items/{id}', '/api/catalog-items/{id}/variants', '/api/catalog-items/{id}/relationships/categories',
  '/api/catalog-variants', '/api/catalog-variants/{id}', '/api/catalog-categories', '/api/catalog-categories/{id}/relationships/items',
  '/api/catalog-item-bulk-create-jobs', '/api/catalog-item-bulk-update-jobs/{id}', '/api/back-in-stock-subscriptions', '/api/{id}', '/{id}',
];
// Segments percent-encoded from text, or malformed: a stray `%`, bad hex, cut UTF-8, an encoded lone surrogate.
const badEncoding = fc.tuple(fc.constantFrom('%', '%ZZ', '%E0%A4%A', '%ED%A0%80', '%FF', '%C0%AF'), text).map(([bad, rest]) => `${encodeURIComponent(rest)}${bad}`);
const path = fc.tuple(fc.constantFrom(...PATHS), fc.oneof({ arbitrary: anyId.map(encodeURIComponent), weight: 4 }, { arbitrary: badEncoding, weight: 1 }))
  .map(([template, x]) => template.replace('{id}', x));

const QUERY_NAMES = ['filter', 'sort', 'page[size]', 'page[cursor]', 'fields[catalog-item]', 'fields[catalog-variant]', 'include', 'colour'];
const filterValue = fc.oneof(
  text,
  fc.tuple(fc.constantFrom('equals', 'any', 'contains', 'and', 'nope'), fc.constantFrom('ids', 'title', 'published', 'sku', 'category.id', 'item.id', 'x'), fc.oneof(text.map((s) => JSON.stringify(s)), anyId.map((s) => `["${s}"]`), fc.constantFrom('true', '1', 'null', '')))
    .map(([op, field, value]) => `${op}(${field},${value})`),
);
// Cursors sent as whole links (the Node SDK on http), well-formed or not.
const cursorUrl = fc.tuple(fc.constantFrom('http://', 'https://', 'HTTP://'), fc.oneof(text, ascii)).map(([scheme, rest]) => scheme + rest);
const query = fc.array(fc.oneof(fc.tuple(fc.constantFrom(...QUERY_NAMES), fc.oneof(text, filterValue)), fc.tuple(fc.constant('page[cursor]'), cursorUrl)), { maxLength: 2 })
  .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs)}` : ''));

const VALID_BODIES: unknown[] = [
  { data: { type: 'catalog-item', attributes: { external_id: 'F', title: 'T', description: 'D', url: 'u' }, relationships: { categories: { data: [{ type: 'catalog-category', id: id('C') }] } } } },
  { data: { type: 'catalog-variant', attributes: { external_id: 'V', title: 'T', description: 'D', sku: 'S', inventory_quantity: 1, price: 2, url: 'u' }, relationships: { item: { data: { type: 'catalog-item', id: id('F0') } } } } },
  { data: [{ type: 'catalog-category', id: id('C') }] },
  { data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: [{ type: 'catalog-item', attributes: { external_id: 'J', title: 'T', description: 'D', url: 'u' } }] } } } },
  { data: { type: 'back-in-stock-subscription', attributes: { channels: ['EMAIL'], profile: { data: { type: 'profile', attributes: { email: 'a@b.co' } } } }, relationships: { variant: { data: { type: 'catalog-variant', id: id('V0') } } } } },
];

/** A valid body with one value somewhere in it replaced by arbitrary JSON. */
function replaceAt(value: unknown, steps: number[], replacement: unknown): unknown {
  if (steps.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return replacement;
  const [k, v] = entries[steps[0] % entries.length];
  const copy: any = Array.isArray(value) ? [...value] : { ...value };
  copy[k] = replaceAt(v, steps.slice(1), replacement);
  return copy;
}
const body = fc.oneof(
  fc.tuple(fc.constantFrom(...VALID_BODIES), fc.array(fc.nat(), { maxLength: 6 }), fc.oneof(fc.jsonValue({ maxDepth: 2 }), rawText, fc.dictionary(rawText, rawText, { maxKeys: 2 })))
    .map(([b, steps, r]) => replaceAt(b, steps, r)),
  fc.jsonValue({ maxDepth: 3 }),
  text, // not JSON at all
);

/** Mostly the valid value, so that requests get past the first gates; sometimes anything. */
const mostly = <T>(valid: T, others: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(valid), weight: 4 }, { arbitrary: others, weight: 1 });
const headers = fc.record({
  'content-type': mostly<string | undefined>('application/vnd.api+json', fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', undefined), ascii)),
  revision: mostly<string | undefined>(REVISION, fc.oneof(fc.constantFrom('2026-07-15', '2026-04-15.pre', '1999-01-01', '2026-02-30', undefined), ascii)),
  authorization: mostly<string | undefined>('valid', fc.oneof(fc.constant(undefined), ascii.map((s) => `Klaviyo-API-Key ${s}`), ascii)),
});

const request = fc.record({ method: fc.constantFrom('GET', 'GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'), path, query, body, headers });

await forEachStore('property: no 5xx, only JSON:API errors', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl(), env: { CATALOG_AUTH_FAILURES_PER_MINUTE: '1000000' } });
    await http(server, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'C', name: 'C' } } });
    await http(server, 'POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'F0', title: 'T', description: 'D', url: 'u' } } });
    await http(server, 'POST', '/api/catalog-variants', VALID_BODIES[1]);
  });
  after(() => server.stop());

  it('answers every generated request with a 2xx or a JSON:API 4xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(request, async (r) => {
      const sent = { ...r.headers, authorization: r.headers.authorization === 'valid' ? `Klaviyo-API-Key ${server.key}` : r.headers.authorization };
      const withBody = ['POST', 'PATCH', 'DELETE', 'PUT'].includes(r.method);
      // http() fails on a body that is not JSON or not a valid JSON:API document for its status.
      const res = await http(server, r.method, r.path + r.query, withBody ? (typeof r.body === 'string' ? r.body : r.body ?? null) : undefined, sent);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${r.method} ${r.path}${r.query} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }), { seed: SEED, numRuns: RUNS });
    // The generator reaches past authentication and validation, not only the first gate.
    assert.ok([...statuses.keys()].filter((s) => s >= 400).length >= 4, JSON.stringify([...statuses]));
    assert.ok([...statuses.keys()].some((s) => s < 300), JSON.stringify([...statuses]));
  });

  it('answers any Host header (or none) with links to a valid URL or a JSON:API 400', async () => {
    // fetch cannot set Host: raw HTTP/1.x over a socket. Header-safe characters only (no CR, LF or NUL).
    const hostText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 });
    const host = fc.oneof(fc.constantFrom('localhost', 'shop.example:8080', '[::1]:80', '127.0.0.1'), hostText, fc.constant(undefined));
    await fc.assert(fc.asyncProperty(host, fc.constantFrom('1.0', '1.1'), path, async (h, version, target) => {
      const res = await rawRequest(server, `GET ${target} HTTP/${version}\r\n${h === undefined ? '' : `Host: ${h.trim()}\r\n`}${rawAuth(server)}`);
      assert.ok(res.status < 500, `Host ${JSON.stringify(h)} ${target} answered ${res.status}: ${JSON.stringify(res.body)}`);
      for (const link of [res.body?.links?.self, res.body?.data?.links?.self].filter(Boolean)) new URL(link); // a valid URL
    }), { seed: SEED, numRuns: 150 });
  });
});
