// The error paths users hit most, for every operation: wrong scope (403), unknown id (404), invalid body
// (400 with a pointer) and a filter the operation does not allow (400 naming the parameter).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { createKeyWithCli, http, startServer, type RunningServer } from './support/server.ts';

const UNKNOWN = '$custom:::$default:::NO-SUCH-THING';
type Body = 'create' | 'update' | 'job' | 'links' | 'subscription' | undefined;
interface Case {
  op: string;
  method: string;
  /** {id} is replaced by an id that does not exist */
  path: string;
  write: boolean;
  list?: boolean;
  body?: Body;
  /** JSON:API type of the resource (or job) in the body */
  type?: string;
  listName?: string;
}

const cases: Case[] = [];
for (const [one, many, path, type] of [['item', 'items', 'catalog-items', 'catalog-item'], ['variant', 'variants', 'catalog-variants', 'catalog-variant'], ['category', 'categories', 'catalog-categories', 'catalog-category']]) {
  cases.push(
    { op: `get_catalog_${many}`, method: 'GET', path: `/api/${path}`, write: false, list: true },
    { op: `create_catalog_${one}`, method: 'POST', path: `/api/${path}`, write: true, body: 'create', type },
    { op: `get_catalog_${one}`, method: 'GET', path: `/api/${path}/{id}`, write: false },
    { op: `update_catalog_${one}`, method: 'PATCH', path: `/api/${path}/{id}`, write: true, body: 'update', type },
    { op: `delete_catalog_${one}`, method: 'DELETE', path: `/api/${path}/{id}`, write: true },
  );
  for (const action of ['create', 'update', 'delete']) {
    const jobPath = `/api/${type}-bulk-${action}-jobs`;
    cases.push(
      { op: `list ${type}-bulk-${action}-jobs`, method: 'GET', path: jobPath, write: false, list: true },
      { op: `bulk_${action}_catalog_${many}`, method: 'POST', path: jobPath, write: true, body: 'job', type: `${type}-bulk-${action}-job`, listName: many },
      { op: `get ${type}-bulk-${action}-job`, method: 'GET', path: `${jobPath}/{id}`, write: false },
    );
  }
}
cases.push(
  { op: 'create_back_in_stock_subscription', method: 'POST', path: '/api/back-in-stock-subscriptions', write: true, body: 'subscription' },
  { op: 'get_items_for_catalog_category', method: 'GET', path: '/api/catalog-categories/{id}/items', write: false, list: true },
  { op: 'get_item_ids_for_catalog_category', method: 'GET', path: '/api/catalog-categories/{id}/relationships/items', write: false, list: true },
  { op: 'add_items_to_catalog_category', method: 'POST', path: '/api/catalog-categories/{id}/relationships/items', write: true, body: 'links', type: 'catalog-item' },
  { op: 'update_items_for_catalog_category', method: 'PATCH', path: '/api/catalog-categories/{id}/relationships/items', write: true, body: 'links', type: 'catalog-item' },
  { op: 'remove_items_from_catalog_category', method: 'DELETE', path: '/api/catalog-categories/{id}/relationships/items', write: true, body: 'links', type: 'catalog-item' },
  { op: 'get_variants_for_catalog_item', method: 'GET', path: '/api/catalog-items/{id}/variants', write: false, list: true },
  { op: 'get_variant_ids_for_catalog_item', method: 'GET', path: '/api/catalog-items/{id}/relationships/variants', write: false, list: true },
  { op: 'get_categories_for_catalog_item', method: 'GET', path: '/api/catalog-items/{id}/categories', write: false, list: true },
  { op: 'get_category_ids_for_catalog_item', method: 'GET', path: '/api/catalog-items/{id}/relationships/categories', write: false, list: true },
  { op: 'add_categories_to_catalog_item', method: 'POST', path: '/api/catalog-items/{id}/relationships/categories', write: true, body: 'links', type: 'catalog-category' },
  { op: 'update_categories_for_catalog_item', method: 'PATCH', path: '/api/catalog-items/{id}/relationships/categories', write: true, body: 'links', type: 'catalog-category' },
  { op: 'remove_categories_from_catalog_item', method: 'DELETE', path: '/api/catalog-items/{id}/relationships/categories', write: true, body: 'links', type: 'catalog-category' },
);

/** A well-formed body (for the 403 and 404 checks). */
function validBody(c: Case): unknown {
  switch (c.body) {
    case 'create': return { data: { type: c.type, attributes: { external_id: 'X' } } };
    case 'update': return { data: { type: c.type, id: UNKNOWN, attributes: {} } };
    case 'links': return { data: [{ type: c.type, id: UNKNOWN }] };
    default: return c.body ? { data: {} } : undefined;
  }
}

/** A body with one mistake, and the pointer the error must carry. */
function invalidBody(c: Case): [unknown, string] {
  switch (c.body) {
    case 'create': {
      const relationships = c.type === 'catalog-variant' ? { item: { data: { type: 'catalog-item', id: UNKNOWN } } } : undefined;
      return [{ data: { type: c.type, attributes: {}, relationships } }, '/data/attributes/external_id'];
    }
    case 'update': return [{ data: { type: c.type, id: UNKNOWN, attributes: { external_id: 'changed' } } }, '/data/attributes/external_id'];
    case 'job': return [{ data: { type: c.type, attributes: { [c.listName!]: { data: [] } } } }, `/data/attributes/${c.listName}/data`];
    case 'links': return [{ data: [{ type: c.type }] }, '/data/0/id'];
    case 'subscription': return [{ data: { type: 'back-in-stock-subscription', attributes: {}, relationships: {} } }, '/data/attributes/channels'];
    default: throw new Error(`no body for ${c.op}`);
  }
}

await forEachStore('error paths of every operation', (target) => {
  let server: RunningServer;
  let readOnly: { url: string; key: string };
  let profilesOnly: { url: string; key: string };
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
    readOnly = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'default', 'catalogs:read') };
    profilesOnly = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'default', 'profiles:write') };
  });
  after(() => server.stop());

  it('covers all 55 operations', () => assert.equal(cases.length, 55));

  it('answers 403 to a key without the operation\'s scope', async () => {
    for (const c of cases) {
      const res = await http(c.write ? readOnly : profilesOnly, c.method, c.path.replace('{id}', UNKNOWN), validBody(c));
      assert.equal(res.status, 403, c.op);
      assert.equal(res.body.errors[0].code, 'permission_denied', c.op);
      assert.deepEqual(res.body.errors[0].source, { pointer: '/data/' }, c.op);
    }
  });

  it('answers 404 for an unknown id', async () => {
    for (const c of cases.filter((c) => c.path.includes('{id}'))) {
      const res = await http(server, c.method, c.path.replace('{id}', c.path.includes('jobs') ? '01JUNKNOWNJOB0000000000000' : UNKNOWN), validBody(c));
      assert.equal(res.status, 404, c.op);
      assert.equal(res.body.errors[0].code, 'not_found', c.op);
      assert.deepEqual(res.body.errors[0].source, { pointer: '/data/' }, c.op);
      assert.equal(res.body.errors[0].status, 404, c.op);
    }
  });

  it('answers 400 with a pointer to the mistake in the body', async () => {
    for (const c of cases.filter((c) => c.body)) {
      const [body, pointer] = invalidBody(c);
      const res = await http(server, c.method, c.path.replace('{id}', UNKNOWN), body);
      assert.equal(res.status, 400, c.op);
      assert.equal(res.body.errors[0].code, 'invalid', c.op);
      assert.equal(res.body.errors[0].source.pointer, pointer, c.op);
    }
  });

  it('answers 400 naming the filter parameter for a filter the operation does not allow', async () => {
    for (const c of cases.filter((c) => c.list)) {
      for (const filter of ['equals(colour,"red")', 'equals(title', 'greater-than(created,2020-01-01)']) {
        const res = await http(server, 'GET', `${c.path.replace('{id}', UNKNOWN)}?filter=${encodeURIComponent(filter)}`);
        assert.equal(res.status, 400, `${c.op} ${filter}`);
        assert.equal(res.body.errors[0].source.parameter, 'filter', c.op);
        assert.match(res.body.errors[0].detail, /filter|allowed/i, c.op);
      }
    }
  });
});
