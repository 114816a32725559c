// Creating and reading catalog items through the official SDK.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { http, sdk, startServer, type RunningServer } from './support/server.ts';

const item = (externalId: string, extra: Record<string, unknown> = {}) => ({
  data: {
    type: 'catalog-item' as any,
    attributes: { externalId, title: `Title ${externalId}`, description: 'A shirt', url: `https://shop.example/${externalId}`, ...extra },
  },
});

await forEachStore('catalog items', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('creates an item and reads it back with every attribute', async () => {
    const api = sdk(server.url, server.key);
    const created = await api.createCatalogItem(item('SHIRT-1', { price: 42.5, images: ['https://img/1'], customMetadata: { color: 'blue' }, imageFullUrl: 'https://img/full' }));
    assert.equal(created.response.status, 201);
    const data = created.body.data;
    assert.equal(data.id, '$custom:::$default:::SHIRT-1');
    assert.equal(data.type, 'catalog-item');
    assert.equal(data.attributes.externalId, 'SHIRT-1');
    assert.equal(data.attributes.title, 'Title SHIRT-1');
    assert.equal(data.attributes.price, 42.5);
    assert.equal(data.attributes.published, true, 'published defaults to true');
    assert.deepEqual(data.attributes.images, ['https://img/1']);
    assert.deepEqual(data.attributes.customMetadata, { color: 'blue' });
    assert.equal(data.attributes.imageThumbnailUrl, '', 'not given reads as "", as in Klaviyo');
    assert.equal(data.links.self, `${server.url}/api/catalog-items/$custom:::$default:::SHIRT-1/`);
    assert.equal(data.relationships!.variants!.links!.related, `${server.url}/api/catalog-items/$custom:::$default:::SHIRT-1/variants/`);

    const read = await api.getCatalogItem('$custom:::$default:::SHIRT-1');
    assert.equal(read.response.status, 200);
    assert.deepEqual(read.body.data.attributes, data.attributes);
  });

  it('answers 409 when the external id exists', async () => {
    const api = sdk(server.url, server.key);
    await api.createCatalogItem(item('DUP-1'));
    await assert.rejects(api.createCatalogItem(item('DUP-1')), (err: any) => {
      assert.equal(err.response.status, 409);
      assert.equal(err.response.data.errors[0].code, 'conflict');
      assert.equal(err.response.data.errors[0].source.pointer, '/data/attributes/external_id');
      return true;
    });
  });

  it('limits attributes with fields[catalog-item]', async () => {
    const api = sdk(server.url, server.key);
    const created = await api.createCatalogItem(item('SPARSE-1', { price: 5 }), { fieldsCatalogItem: ['title', 'price'] });
    // The SDK's models list every attribute (undefined when absent), so look at the wire document.
    assert.deepEqual(created.response.data.data.attributes, { title: 'Title SPARSE-1', price: 5 });
    const read = await api.getCatalogItem('$custom:::$default:::SPARSE-1', { fieldsCatalogItem: ['url'] });
    assert.deepEqual(read.response.data.data.attributes, { url: 'https://shop.example/SPARSE-1' });
    const bad = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::SPARSE-1?fields[catalog-item]=title,colour');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].source.parameter, 'fields[catalog-item]');
  });

  it('rejects invalid bodies with a pointer to the problem', async () => {
    const cases: [unknown, number, string][] = [
      [{ data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D' } } }, 400, '/data/attributes/url'],
      [{ data: { type: 'catalog-item', attributes: { external_id: '', title: 'T', description: 'D', url: 'u' } } }, 400, '/data/attributes/external_id'],
      [{ data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u', price: 'cheap' } } }, 400, '/data/attributes/price'],
      [{ data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u', colour: 'red' } } }, 400, '/data/attributes/colour'],
      [{ data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u', integration_type: '$shopify' } } }, 400, '/data/attributes/integration_type'],
      [{ data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u', published: 'yes' } } }, 400, '/data/attributes/published'],
      [{ data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u', custom_metadata: { a: { b: 1 } } } } }, 400, '/data/attributes/custom_metadata/a'],
      [{ data: { type: 'catalog-variant', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u' } } }, 409, '/data/type'],
      [{ data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u' }, relationships: { categories: { data: [{ type: 'catalog-category', id: '$custom:::$default:::NOPE' }] } } } }, 404, '/data/relationships/categories/data/0/id'],
      [{ data: [] }, 400, '/data'],
    ];
    for (const [body, status, pointer] of cases) {
      const res = await http(server, 'POST', '/api/catalog-items', body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.errors[0].source.pointer, pointer, JSON.stringify(res.body));
    }
    const big = await http(server, 'POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'X', title: 'T', description: 'D', url: 'u', custom_metadata: { a: 'x'.repeat(101 * 1024) } } } });
    assert.equal(big.status, 400);
    assert.equal(big.body.errors[0].source.pointer, '/data/attributes/custom_metadata');
    const malformed = await http(server, 'POST', '/api/catalog-items', '{"data": ');
    assert.equal(malformed.status, 400);
    const missing = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::X');
    assert.equal(missing.status, 404, 'nothing invalid was stored');
  });

  it('handles long external ids and ids with characters that need escaping', async () => {
    const api = sdk(server.url, server.key);
    for (const externalId of ['L'.repeat(300), 'with space/and?query&#hash', 'ünïcödé-✓']) {
      const created = await api.createCatalogItem(item(externalId));
      assert.equal(created.body.data.id, `$custom:::$default:::${externalId}`);
      const read = await api.getCatalogItem(`$custom:::$default:::${externalId}`);
      assert.equal(read.response.data.data.attributes.external_id, externalId);
      const self = await fetch(read.response.data.data.links.self, { headers: { authorization: `Klaviyo-API-Key ${server.key}`, revision: '2026-04-15' } });
      assert.equal(self.status, 200, 'links.self leads back to the item');
    }
  });

  it('answers 404 for an unknown item', async () => {
    const api = sdk(server.url, server.key);
    await assert.rejects(api.getCatalogItem('$custom:::$default:::NOPE'), (err: any) => {
      assert.equal(err.response.status, 404);
      assert.equal(err.response.data.errors[0].code, 'not_found');
      return true;
    });
  });
});
