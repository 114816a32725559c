// Details in which Klaviyo's live API is stricter than its spec, and on which integrations rely: timestamp format,
// empty values, top-level links, null pagination links, `included`, relationship shapes, 404s and cursors sent by
// other SDKs.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { http, sdk, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const KLAVIYO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const item = (externalId: string) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title: 'T', description: 'D', url: 'https://shop.example/x' } },
});
const variant = (externalId: string, itemId: string) => ({
  data: {
    type: 'catalog-variant',
    attributes: { external_id: externalId, title: 'V', description: 'D', sku: `SKU-${externalId}`, inventory_quantity: 1, price: 2, url: 'https://shop.example/v' },
    relationships: { item: { data: { type: 'catalog-item', id: id(itemId) } } },
  },
});

await forEachStore('fidelity to the live API', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
    assert.equal((await http(server, 'POST', '/api/catalog-items', item('LONE'))).status, 201);
    assert.equal((await http(server, 'POST', '/api/catalog-items', item('WITH-V'))).status, 201);
    assert.equal((await http(server, 'POST', '/api/catalog-variants', variant('V1', 'WITH-V'))).status, 201);
    assert.equal((await http(server, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'CAT', name: 'C' } } })).status, 201);
  });
  after(() => server.stop());

  it('writes created and updated in UTC with six fractional digits and +00:00, on every read', async () => {
    const before = Date.now();
    const created = await http(server, 'POST', '/api/catalog-items', item('TIME'));
    const patched = await http(server, 'PATCH', `/api/catalog-items/${id('TIME')}`, { data: { type: 'catalog-item', id: id('TIME'), attributes: { title: 'later' } } });
    const category = await http(server, 'GET', `/api/catalog-categories/${id('CAT')}`);
    const variantRead = await http(server, 'GET', `/api/catalog-variants/${id('V1')}`);
    const listed = await http(server, 'GET', '/api/catalog-items?include=variants');
    const stamps = [
      created.body.data.attributes.created, created.body.data.attributes.updated, patched.body.data.attributes.updated,
      category.body.data.attributes.updated, variantRead.body.data.attributes.created, variantRead.body.data.attributes.updated,
      ...listed.body.data.flatMap((r: any) => [r.attributes.created, r.attributes.updated]),
      ...listed.body.included.flatMap((r: any) => [r.attributes.created, r.attributes.updated]),
    ];
    for (const stamp of stamps) assert.match(stamp, KLAVIYO_TIME);
    const at = Date.parse(created.body.data.attributes.created);
    assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `${created.body.data.attributes.created} is the time of the create`);
    assert.ok(patched.body.data.attributes.updated >= created.body.data.attributes.updated);
    assert.equal(patched.body.data.attributes.created, created.body.data.attributes.created);
  });

  it('reads image urls not given as "" and images not given as [], on items and variants', async () => {
    const api = sdk(server.url, server.key);
    for (const path of [`/api/catalog-items/${id('LONE')}`, `/api/catalog-variants/${id('V1')}`]) {
      const { attributes } = (await http(server, 'GET', path)).body.data;
      assert.equal(attributes.image_full_url, '', path);
      assert.equal(attributes.image_thumbnail_url, '', path);
      assert.deepEqual(attributes.images, [], path);
    }
    const cleared = await http(server, 'PATCH', `/api/catalog-items/${id('WITH-V')}`, {
      data: { type: 'catalog-item', id: id('WITH-V'), attributes: { image_full_url: null, images: null } },
    });
    assert.equal(cleared.body.data.attributes.image_full_url, '');
    assert.deepEqual(cleared.body.data.attributes.images, []);
    const viaSdk = await api.getCatalogItems({ filter: `any(ids,["${id('LONE')}"])` });
    assert.deepEqual(viaSdk.body.data[0].attributes.images, []);
    assert.equal(viaSdk.body.data[0].attributes.imageFullUrl, '');
  });

  it('echoes the collection URL after a create and the request URL on a single read or update', async () => {
    const created = await http(server, 'POST', '/api/catalog-items?fields[catalog-item]=title', item('SELF'));
    assert.equal(created.body.links.self, `${server.url}/api/catalog-items?fields%5Bcatalog-item%5D=title`);
    assert.equal(created.body.data.links.self, `${server.url}/api/catalog-items/${id('SELF')}/`, 'the resource keeps its trailing slash');
    const createdVariant = await http(server, 'POST', '/api/catalog-variants/', variant('SELF-V', 'SELF'));
    assert.equal(createdVariant.body.links.self, `${server.url}/api/catalog-variants`);

    const read = await http(server, 'GET', `/api/catalog-items/${id('SELF')}/?include=variants&fields[catalog-variant]=sku`);
    assert.equal(read.body.links.self, `${server.url}/api/catalog-items/${id('SELF')}?include=variants&fields%5Bcatalog-variant%5D=sku`);
    // The SDK percent-encodes the whole id; the link writes `$` and `:` plain, as resource links do.
    const api = sdk(server.url, server.key);
    assert.equal((await api.getCatalogVariant(id('SELF-V'))).response.data.links.self, `${server.url}/api/catalog-variants/${id('SELF-V')}`);
    const category = await api.updateCatalogCategory(id('CAT'), { data: { type: 'catalog-category', id: id('CAT'), attributes: { name: 'C2' } } });
    assert.equal(category.response.data.links.self, `${server.url}/api/catalog-categories/${id('CAT')}`);

    await http(server, 'POST', '/api/catalog-items', item('with space/slash'));
    const odd = await http(server, 'PATCH', `/api/catalog-items/${encodeURIComponent(id('with space/slash'))}`, {
      data: { type: 'catalog-item', id: id('with space/slash'), attributes: { title: 'x' } },
    });
    assert.equal(odd.body.links.self, `${server.url}/api/catalog-items/$custom:::$default:::with%20space%2Fslash`);
    assert.equal(odd.body.data.links.self, `${odd.body.links.self}/`);
  });

  it('always sends links.next and links.prev, null where there is no such page, on every list', async () => {
    const lists = [
      '/api/catalog-items', '/api/catalog-variants', '/api/catalog-categories',
      `/api/catalog-items/${id('WITH-V')}/variants`, `/api/catalog-items/${id('WITH-V')}/relationships/variants`,
      `/api/catalog-items/${id('WITH-V')}/categories`, `/api/catalog-items/${id('WITH-V')}/relationships/categories`,
      `/api/catalog-categories/${id('CAT')}/items`, `/api/catalog-categories/${id('CAT')}/relationships/items`,
    ];
    for (const path of lists) {
      const res = await http(server, 'GET', path);
      assert.equal(res.status, 200, path);
      assert.equal(res.body.links.self, `${server.url}${path}`, path);
      assert.equal(res.body.links.next, null, path);
      assert.equal(res.body.links.prev, null, path);
    }
    const first = await http(server, 'GET', '/api/catalog-items?page[size]=1');
    assert.match(first.body.links.next, /page%5Bcursor%5D=/);
    assert.equal(first.body.links.prev, null);
  });

  it('sends included, possibly empty, whenever include was asked for', async () => {
    const single = await http(server, 'GET', `/api/catalog-items/${id('LONE')}?include=variants`);
    assert.deepEqual(single.body.included, []);
    assert.deepEqual(single.body.data.relationships.variants.data, []);
    const list = await http(server, 'GET', `/api/catalog-items?include=variants&filter=${encodeURIComponent(`any(ids,["${id('LONE')}"])`)}`);
    assert.deepEqual(list.body.included, []);
    const inCategory = await http(server, 'GET', `/api/catalog-categories/${id('CAT')}/items?include=variants`);
    assert.deepEqual(inCategory.body, { data: [], included: [], links: { self: inCategory.body.links.self, next: null, prev: null } });
    const without = await http(server, 'GET', `/api/catalog-items/${id('LONE')}`);
    assert.equal('included' in without.body, false, 'not asked, not sent');
    const withVariant = await http(server, 'GET', `/api/catalog-items/${id('WITH-V')}?include=variants`);
    assert.deepEqual(withVariant.body.included.map((r: any) => r.id), [id('V1')]);
  });

  it('gives a variant\'s item relationship as links only', async () => {
    const res = await http(server, 'GET', `/api/catalog-variants/${id('V1')}`);
    assert.deepEqual(res.body.data.relationships, {
      item: { links: { self: `${server.url}/api/catalog-variants/${id('V1')}/relationships/item/`, related: `${server.url}/api/catalog-variants/${id('V1')}/item/` } },
    });
  });

  it('answers PATCH of an item\'s categories with 200 and no body, as the live API does', async () => {
    const path = `/api/catalog-items/${id('LONE')}/relationships/categories`;
    const res = await fetch(server.url + path, {
      method: 'PATCH',
      headers: { authorization: `Klaviyo-API-Key ${server.key}`, revision: '2026-04-15', 'content-type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: [{ type: 'catalog-category', id: id('CAT') }] }),
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.deepEqual((await http(server, 'GET', path)).body.data, [{ type: 'catalog-category', id: id('CAT') }]);
    const category = await http(server, 'PATCH', `/api/catalog-categories/${id('CAT')}/relationships/items`, { data: [] });
    assert.equal(category.status, 204, 'the category side keeps the spec\'s 204');
  });

  it('points 404s at /data/ and carries the status as an integer', async () => {
    for (const [method, path, body] of [
      ['GET', `/api/catalog-items/${id('NOPE')}`, undefined],
      ['PATCH', `/api/catalog-variants/${id('NOPE')}`, { data: { type: 'catalog-variant', id: id('NOPE'), attributes: {} } }],
      ['DELETE', `/api/catalog-categories/${id('NOPE')}`, undefined],
      ['GET', `/api/catalog-items/${id('NOPE')}/relationships/variants`, undefined],
      ['POST', `/api/catalog-items/${id('NOPE')}/relationships/categories`, { data: [{ type: 'catalog-category', id: id('CAT') }] }],
      ['GET', '/api/catalog-widgets', undefined],
    ] as const) {
      const res = await http(server, method, path, body);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.deepEqual(res.body.errors[0].source, { pointer: '/data/' }, `${method} ${path}`);
      assert.equal(res.body.errors[0].status, 404);
    }
  });

  it('takes a cursor with a leading "=" (Python and PHP SDKs) or as a whole links.next URL', async () => {
    const first = await http(server, 'GET', '/api/catalog-items?page[size]=2');
    const next = new URL(first.body.links.next);
    const cursor = next.searchParams.get('page[cursor]')!;
    const expected = (await http(server, 'GET', `${next.pathname}${next.search}`)).body.data.map((r: any) => r.id);
    assert.equal(expected.length, 2);
    for (const sent of [`=${cursor}`, first.body.links.next]) {
      const res = await http(server, 'GET', `/api/catalog-items?page[size]=2&page[cursor]=${encodeURIComponent(sent)}`);
      assert.equal(res.status, 200, sent);
      assert.deepEqual(res.body.data.map((r: any) => r.id), expected, sent);
    }
    const forged = await http(server, 'GET', `/api/catalog-items?page[cursor]=${encodeURIComponent('==x')}`);
    assert.equal(forged.status, 400);
  });
});
