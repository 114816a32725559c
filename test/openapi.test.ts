// GET /openapi.json: a valid OpenAPI 3.1 document of exactly the routes the server answers, with the request
// schemas the server validates with. Checked three ways: against the OpenAPI 3.1 schema, against Fastify's own
// route table, and by calling every operation it lists on a running server (metrics then show each request
// counted under that operation's id).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createResourceObject, document } from '../src/api/schemas.ts';
import { ITEM } from '../src/catalog/resources.ts';
import { createKey, parseScopes } from '../src/keys.ts';
import { inProcessApp, registeredRoutes, type InProcessApp } from './support/app.ts';
import { moved, scrape, series } from './support/metrics.ts';
import { REVISION, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface DocOperation {
  method: string;
  path: string;
  operation: any;
}

function operationsOf(doc: any): DocOperation[] {
  return Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) =>
    Object.entries(item).filter(([method]) => METHODS.includes(method)).map(([method, operation]) => ({ method, path, operation })));
}

/** `/api/catalog-items/{id}` -> `/api/catalog-items/:id`, as Fastify writes it. */
const fastifyPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

async function openApi(app: InProcessApp): Promise<any> {
  const res = await app.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  return res.json();
}

describe('OpenAPI document', () => {
  let app: InProcessApp;
  let doc: any;
  before(async () => {
    app = await inProcessApp();
    doc = await openApi(app);
  });
  after(() => app.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.equal(validator.version, '3.1');
    assert.deepEqual(result, { valid: true });
  });

  it('lists every route Fastify has, and nothing else (HEAD aside: every GET answers it)', () => {
    const routes = registeredRoutes(app.app).filter((r) => !r.startsWith('HEAD '));
    const listed = operationsOf(doc).map((o) => `${o.method.toUpperCase()} ${fastifyPath(o.path)}`);
    assert.ok(routes.length >= 60, `${routes.length} routes`);
    assert.deepEqual([...listed].sort(), [...routes].sort());
    for (const { method, path } of operationsOf(doc)) assert.ok(app.app.hasRoute({ method: method.toUpperCase() as any, url: fastifyPath(path) }), `${method} ${path}`);
  });

  it('names every operation once: the spec operationIds, control and server names', () => {
    const ids = operationsOf(doc).map((o) => o.operation.operationId);
    assert.equal(new Set(ids).size, ids.length);
    const byRoute = new Map(operationsOf(doc).map((o) => [`${o.method} ${o.path}`, o.operation.operationId]));
    assert.equal(byRoute.get('post /api/catalog-items'), 'create_catalog_item');
    assert.equal(byRoute.get('get /api/catalog-item-bulk-update-jobs/{job_id}'), 'get_bulk_update_catalog_items_job');
    assert.equal(byRoute.get('delete /api/catalog-categories/{id}/relationships/items'), 'remove_items_from_catalog_category');
    assert.equal(byRoute.get('get /healthz'), 'get_healthz');
    assert.ok(byRoute.get('post /__admin/jobs/{job_id}/actions'));
    for (const id of ids) assert.match(id, /^[a-z][a-z0-9_]*$/);
  });

  it('declares every path parameter, and the revision header and key of Klaviyo operations', () => {
    for (const { method, path, operation } of operationsOf(doc)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      assert.deepEqual(declared, names, `${method} ${path}`);
      if (path.startsWith('/api/')) {
        assert.ok(operation.parameters.some((p: any) => p.in === 'header' && p.name === 'revision' && p.required), `${method} ${path}`);
        assert.deepEqual(operation.security, [{ KlaviyoApiKey: [] }], `${method} ${path}`);
        assert.match(operation.description, /Scopes: catalogs:(read|write)/);
      }
    }
  });

  it('carries the request schemas the server validates with', () => {
    const create = doc.paths['/api/catalog-items'].post.requestBody.content;
    assert.deepEqual(create['application/vnd.api+json'].schema, document(createResourceObject(ITEM)));
    assert.deepEqual(create['application/json'].schema, document(createResourceObject(ITEM)));
    const step = doc.paths['/__admin/jobs/{job_id}/actions'].post;
    assert.deepEqual(step.requestBody.content['application/vnd.api+json'].schema.properties.action, { enum: ['apply', 'complete', 'fail', 'cancel'] });
    assert.deepEqual(step.tags, ['Controls']);
  });

  it('lists the query parameters each Catalogs operation takes, and the server takes each of them', async () => {
    const queryOf = (path: string, method = 'get') =>
      (doc.paths[path][method].parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name).sort();
    assert.deepEqual(queryOf('/api/catalog-items'),
      ['fields[catalog-item]', 'fields[catalog-variant]', 'filter', 'include', 'page[cursor]', 'page[size]', 'sort']);
    assert.deepEqual(queryOf('/api/catalog-item-bulk-update-jobs'), ['fields[catalog-item-bulk-update-job]', 'filter', 'page[cursor]']);
    assert.deepEqual(queryOf('/api/catalog-items/{id}', 'delete'), []);
    // Every parameter listed for the item list is one the server takes (an unknown one would be a 400).
    const { key } = await createKey(app.store, 'openapi-query', parseScopes(undefined));
    const sample: Record<string, string> = { sort: 'created', 'page[size]': '5', filter: 'equals(published,true)', include: 'variants' };
    for (const name of queryOf('/api/catalog-items').filter((n: string) => n !== 'page[cursor]')) {
      const query = new URLSearchParams({ [name]: sample[name] ?? 'title' });
      const res = await app.app.inject({ method: 'GET', url: `/api/catalog-items?${query}`, headers: { revision: '2026-04-15', authorization: `Klaviyo-API-Key ${key}` } });
      assert.equal(res.statusCode, 200, `${name}: ${res.body}`);
    }
  });

  it('has no control paths when the controls are off', async () => {
    const off = await inProcessApp({ CATALOG_CONTROLS: 'off' });
    try {
      const paths = Object.keys((await openApi(off)).paths);
      assert.ok(paths.length > 30);
      assert.deepEqual(paths.filter((p) => p.startsWith('/__admin/')), []);
      assert.deepEqual(registeredRoutes(off.app).filter((r) => r.includes('/__admin/')), []);
    } finally {
      await off.close();
    }
  });
});

describe('OpenAPI document on a running server', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('names its own address as the server, and is served without a key', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    assert.deepEqual(doc.servers, [{ url: server.url }]);
    assert.equal(doc.openapi, '3.1.0');
  });

  it('lists only operations the server answers: each call is counted under its operationId', async () => {
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    const operations = operationsOf(doc);
    const start = await scrape(server.url);
    /** Event streams closed by the client are not counted as answered requests: they are called, not counted. */
    const streamed = new Set<string>();
    for (const { method, path, operation } of operations) {
      const url = server.url + path.replace(/\{[^}]+\}/g, 'X');
      const body = operation.requestBody ? '{}' : undefined;
      const headers: Record<string, string> = { authorization: `Klaviyo-API-Key ${server.key}`, revision: REVISION };
      if (body) headers['content-type'] = 'application/json';
      // An event stream does not end by itself: its answer has begun once fetch() resolves.
      const streams = Object.values(operation.responses as Record<string, any>).some((r) => r.content?.['text/event-stream']);
      const stop = new AbortController();
      const res = await fetch(url, { method: method.toUpperCase(), headers, body, signal: stop.signal });
      if (streams) {
        streamed.add(operation.operationId);
        assert.equal(res.headers.get('content-type'), 'text/event-stream', `${method} ${path}`);
        stop.abort();
      } else await res.arrayBuffer();
      assert.ok(res.status < 500, `${method} ${path} answered ${res.status}`);
    }
    const end = await scrape(server.url);
    const counted = moved(start, end, 'catalog_http_requests_total');
    const byOperation = new Map<string, number>();
    for (const [key, n] of Object.entries(counted)) {
      const name = /operation="([^"]+)"/.exec(key)![1];
      byOperation.set(name, (byOperation.get(name) ?? 0) + n);
    }
    const expected = new Map(operations.filter((o) => !streamed.has(o.operation.operationId)).map((o) => [o.operation.operationId, 1]));
    expected.set('get_metrics', (expected.get('get_metrics') ?? 0) + 1); // the first scrape
    assert.deepEqual(Object.fromEntries([...byOperation].sort()), Object.fromEntries([...expected].sort()));
    assert.equal(counted[series('catalog_http_requests_total', { operation: 'unmatched', status: '404' })], undefined);
  });
});
