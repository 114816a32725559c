// Bounds on what one request may carry or cost: lengths checked before any pattern (no catastrophic
// backtracking), relationship arrays and attribute strings with a maximum, include=variants with a cap. Each is
// a 400 with a pointer, or a bounded answer, never a server that stalls.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { eventually, http, startServer, type RunningServer } from './support/server.ts';

/** A random character of 2, 3 or 4 bytes in UTF-8 (no surrogates): text that does not compress. */
function randomWideChar(): string {
  const ranges: [number, number][] = [[0x80, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xfffd], [0x10000, 0x10ffff]];
  const [lo, hi] = ranges[randomInt(ranges.length)];
  return String.fromCodePoint(randomInt(lo, hi + 1));
}

/** `chars` random multi-byte characters. */
const wide = (chars: number) => Array.from({ length: chars }, randomWideChar).join('');

/** Random multi-byte text of exactly `bytes` bytes of UTF-8 (topped up with ASCII letters). */
function wideOfBytes(bytes: number): string {
  let s = '';
  for (;;) {
    const c = randomWideChar();
    if (Buffer.byteLength(s + c) > bytes) break;
    s += c;
  }
  while (Buffer.byteLength(s) < bytes) s += String.fromCharCode(97 + randomInt(26));
  return s;
}

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

  it('takes ids and SKUs of up to 1,000 bytes, linked together, and refuses longer ones anywhere with a 400 and a pointer', async () => {
    // At the limit, on every index at once: an item and a category linked (their ids in one index entry, with
    // the account), a variant of the item with a SKU of the same size, and the same through a bulk job.
    const [itemId, categoryId, variantId, sku, jobItemId] = Array.from({ length: 5 }, () => wideOfBytes(1_000));
    const category = await http(server, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: categoryId, name: 'N' } } });
    assert.equal(category.status, 201);
    const linked = await http(server, 'POST', '/api/catalog-items', item(itemId, {}, { categories: { data: [{ type: 'catalog-category', id: id(categoryId) }] } }));
    assert.equal(linked.status, 201);
    const v = variant(variantId, itemId);
    v.data.attributes.sku = sku;
    assert.equal((await http(server, 'POST', '/api/catalog-variants', v)).status, 201);
    const job = await http(server, 'POST', '/api/catalog-item-bulk-create-jobs', { data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: [
      { ...item(jobItemId).data, relationships: { categories: { data: [{ type: 'catalog-category', id: id(categoryId) }] } } },
    ] } } } });
    assert.equal(job.status, 202);
    const done = await eventually(async () => {
      const res = await http(server, 'GET', `/api/catalog-item-bulk-create-jobs/${job.body.data.id}`);
      return res.body.data.attributes.status === 'processing' ? undefined : res.body.data.attributes;
    });
    assert.deepEqual([done.status, done.completed_count, done.failed_count], ['complete', 1, 0]);
    const items = await http(server, 'GET', `/api/catalog-categories/${encodeURIComponent(id(categoryId))}/relationships/items`);
    assert.deepEqual(items.body.data.map((r: any) => r.id).sort(), [id(itemId), id(jobItemId)].sort());
    const bySku = await http(server, 'GET', `/api/catalog-variants?filter=${encodeURIComponent(`equals(sku,${JSON.stringify(sku)})`)}`);
    assert.deepEqual(bySku.body.data.map((r: any) => r.id), [id(variantId)]);

    // Beyond it: ~1,975 random multi-byte characters (several kB), or one byte over, wherever an id or SKU goes.
    const long = wide(1_975);
    const oneOver = wideOfBytes(1_001);
    const categories = (x: string) => ({ categories: { data: [{ type: 'catalog-category', id: id(x) }] } });
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/catalog-items', item(long), '/data/attributes/external_id'],
      ['POST', '/api/catalog-items', item(oneOver), '/data/attributes/external_id'],
      ['POST', '/api/catalog-items', item('SHORT', {}, categories(long)), '/data/relationships/categories/data/0/id'],
      ['POST', '/api/catalog-variants', { data: { ...variant('SHORT', 'LI').data, attributes: { ...variant('SHORT', 'LI').data.attributes, sku: oneOver } } }, '/data/attributes/sku'],
      ['POST', '/api/catalog-variants', variant('SHORT', long), '/data/relationships/item/data/id'],
      ['PATCH', `/api/catalog-variants/${id('LV')}`, { data: { type: 'catalog-variant', id: id('LV'), attributes: { sku: long } } }, '/data/attributes/sku'],
      ['PATCH', `/api/catalog-items/${id('LI')}`, { data: { type: 'catalog-item', id: id('LI'), attributes: {}, relationships: categories(long) } }, '/data/relationships/categories/data/0/id'],
      ['POST', `/api/catalog-items/${id('LI')}/relationships/categories`, { data: [{ type: 'catalog-category', id: id(long) }] }, '/data/0/id'],
      ['PATCH', `/api/catalog-categories/${id('LC')}/relationships/items`, { data: [{ type: 'catalog-item', id: id(oneOver) }] }, '/data/0/id'],
      ['POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'SHORT', name: 'N' }, relationships: { items: { data: [{ type: 'catalog-item', id: id(long) }] } } } }, '/data/relationships/items/data/0/id'],
      ['POST', '/api/catalog-item-bulk-create-jobs', { data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: [item('J-OK').data, item(long).data] } } } }, '/data/attributes/items/data/1/attributes/external_id'],
      ['POST', '/api/catalog-item-bulk-create-jobs', { data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: [{ ...item('J-OK').data, relationships: categories(long) }] } } } }, '/data/attributes/items/data/0/relationships/categories/data/0/id'],
      ['POST', '/api/catalog-item-bulk-update-jobs', { data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id('LI'), attributes: {}, relationships: categories(oneOver) }] } } } }, '/data/attributes/items/data/0/relationships/categories/data/0/id'],
      ['POST', '/api/catalog-variant-bulk-update-jobs', { data: { type: 'catalog-variant-bulk-update-job', attributes: { variants: { data: [{ type: 'catalog-variant', id: id(long), attributes: {} }] } } } }, '/data/attributes/variants/data/0/id'],
      ['POST', '/api/catalog-category-bulk-delete-jobs', { data: { type: 'catalog-category-bulk-delete-job', attributes: { categories: { data: [{ type: 'catalog-category', id: id(long) }] } } } }, '/data/attributes/categories/data/0/id'],
      ['POST', '/api/back-in-stock-subscriptions', { data: { ...subscription('a@b.co').data, relationships: { variant: { data: { type: 'catalog-variant', id: id(long) } } } } }, '/data/relationships/variant/data/id'],
    ];
    for (const [method, path, body, pointer] of cases) {
      const res = await http(server, method, path, body);
      assert.equal(res.status, 400, `${method} ${path} ${pointer}`);
      assert.equal(res.body.errors[0].code, 'invalid');
      assert.deepEqual(res.body.errors[0].source, { pointer }, `${method} ${path}`);
      assert.match(res.body.errors[0].detail, /bytes/);
    }
    // Reading an id that long is a plain lookup: not found.
    assert.equal((await http(server, 'GET', `/api/catalog-items/${encodeURIComponent(id(oneOver))}`)).status, 404);
    assert.equal((await http(server, 'DELETE', `/api/catalog-categories/${encodeURIComponent(id(oneOver))}`)).status, 404);
    const jobs = await http(server, 'GET', '/api/catalog-item-bulk-create-jobs');
    assert.equal(jobs.body.data.length, 1, 'no refused job was queued');
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
