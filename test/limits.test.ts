// Bounds on what one request may carry or cost: lengths checked before any pattern (no catastrophic
// backtracking), relationship arrays and attribute strings with a maximum, include=variants with a cap. Each is
// a 400 with a pointer, or a bounded answer, never a server that stalls.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { http, startServer, type RunningServer } from './support/server.ts';

const id = (x: string) => `$custom:::$default:::${x}`;
const item = (externalId: string, attributes: Record<string, unknown> = {}, relationships?: unknown) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title: 'T', description: 'D', url: 'https://shop.example/i', ...attributes }, ...(relationships ? { relationships } : {}) },
});
const variant = (externalId: string, itemId: string) => ({
  data: {
    type: 'catalog-variant',
    attributes: { external_id: externalId, title: 'T', description: 'D', sku: externalId, inventory_quantity: 1, price: 1, url: 'https://shop.example/v' },
    relationships: { item: { data: { type: 'catalog-item', id: id(itemId) } } },
  },
});
const subscription = (email: string) => ({
  data: {
    type: 'back-in-stock-subscription',
    attributes: { channels: ['EMAIL'], profile: { data: { type: 'profile', attributes: { email } } } },
    relationships: { variant: { data: { type: 'catalog-variant', id: id('LV') } } },
  },
});

await forEachStore('limits', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
    assert.equal((await http(server, 'POST', '/api/catalog-items', item('LI'))).status, 201);
    assert.equal((await http(server, 'POST', '/api/catalog-variants', variant('LV', 'LI'))).status, 201);
  });
  after(() => server.stop());

  it('refuses the email that made the old pattern backtrack quadratically, and over-long emails, with a pointer', async () => {
    const pointer = '/data/attributes/profile/data/attributes/email';
    // Short enough for the length bound: the pattern itself must answer at once.
    const backtracking = await http(server, 'POST', '/api/back-in-stock-subscriptions', subscription(`a@${'.'.repeat(200)}@`));
    assert.equal(backtracking.status, 400);
    assert.equal(backtracking.body.errors[0].source.pointer, pointer);
    // The reported worst case: refused by length before any pattern sees it.
    const huge = await http(server, 'POST', '/api/back-in-stock-subscriptions', subscription(`a@${'.'.repeat(30_000)}@`));
    assert.equal(huge.status, 400);
    assert.equal(huge.body.errors[0].source.pointer, pointer);
    for (const bad of ['a@b', 'a@b..c', 'a@b.', 'a b@c.d']) {
      assert.equal((await http(server, 'POST', '/api/back-in-stock-subscriptions', subscription(bad))).status, 400, bad);
    }
    assert.equal((await http(server, 'POST', '/api/back-in-stock-subscriptions', subscription('first.last@mail.shop.example'))).status, 202);
  });

  it('refuses more than 100 related resources in one create, update or relationship change', async () => {
    const categories = (n: number) => ({ categories: { data: Array.from({ length: n }, (_, i) => ({ type: 'catalog-category', id: id(`C${i}`) })) } });
    const create = await http(server, 'POST', '/api/catalog-items', item('MANY', {}, categories(101)));
    assert.equal(create.status, 400);
    assert.equal(create.body.errors[0].source.pointer, '/data/relationships/categories/data');
    const update = await http(server, 'PATCH', `/api/catalog-items/${id('LI')}`, { data: { type: 'catalog-item', id: id('LI'), attributes: {}, relationships: categories(101) } });
    assert.equal(update.status, 400);
    assert.equal(update.body.errors[0].source.pointer, '/data/relationships/categories/data');
    const items = { data: Array.from({ length: 101 }, (_, i) => ({ type: 'catalog-item', id: id(`I${i}`) })) };
    const category = await http(server, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'LC', name: 'N' }, relationships: { items } } });
    assert.equal(category.status, 400);
    assert.equal(category.body.errors[0].source.pointer, '/data/relationships/items/data');
    // 100 is within the limit: the request gets past the schema to the domain, which finds no such categories.
    const hundred = await http(server, 'POST', '/api/catalog-items', item('HUNDRED', {}, categories(100)));
    assert.equal(hundred.status, 404);
    assert.equal(hundred.body.errors[0].code, 'not_found');
  });

  it('refuses attribute strings beyond their limits, with a pointer to the attribute', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ title: 'x'.repeat(1_001) }, '/data/attributes/title'],
      [{ description: 'x'.repeat(100_001) }, '/data/attributes/description'],
      [{ url: `https://shop.example/${'x'.repeat(4_096)}` }, '/data/attributes/url'],
      [{ image_full_url: 'x'.repeat(4_097) }, '/data/attributes/image_full_url'],
      [{ images: ['x'.repeat(4_097)] }, '/data/attributes/images/0'],
      [{ images: Array.from({ length: 101 }, () => 'https://shop.example/i.png') }, '/data/attributes/images'],
    ];
    for (const [attributes, pointer] of cases) {
      const res = await http(server, 'POST', '/api/catalog-items', item('LONG', attributes));
      assert.equal(res.status, 400, pointer);
      assert.equal(res.body.errors[0].source.pointer, pointer);
    }
    const category = await http(server, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'LONG', name: 'x'.repeat(1_001) } } });
    assert.equal(category.body.errors[0].source.pointer, '/data/attributes/name');
    const atLimits = await http(server, 'POST', '/api/catalog-items', item('AT-LIMITS', { title: 'x'.repeat(1_000), description: 'd'.repeat(100_000) }));
    assert.equal(atLimits.status, 201);
    assert.equal(atLimits.body.data.attributes.title.length, 1_000);
  });

  it('includes at most the first 100 variants of each item; the rest are listed through the item\'s variants', async () => {
    assert.equal((await http(server, 'POST', '/api/catalog-items', item('BIG'))).status, 201);
    for (let i = 0; i < 101; i += 20) {
      const batch = Array.from({ length: Math.min(20, 101 - i) }, (_, j) => http(server, 'POST', '/api/catalog-variants', variant(`BIG-${String(i + j).padStart(3, '0')}`, 'BIG')));
      for (const res of await Promise.all(batch)) assert.equal(res.status, 201);
    }
    const one = await http(server, 'GET', `/api/catalog-items/${id('BIG')}?include=variants`);
    assert.equal(one.status, 200);
    assert.equal(one.body.included.length, 100);
    assert.equal(one.body.data.relationships.variants.data.length, 100);
    const listed = await http(server, 'GET', `/api/catalog-items?filter=${encodeURIComponent(`any(ids,["${id('BIG')}"])`)}&include=variants`);
    assert.equal(listed.body.included.length, 100);
    const all = await http(server, 'GET', `/api/catalog-items/${id('BIG')}/variants?page[size]=100`);
    assert.equal(all.body.data.length, 100);
    assert.ok(all.body.links.next, 'the 101st variant is on the next page');
  });
});
