// Bad input always gets a JSON:API error, never a 5xx: valid requests mutated at random (seeded, so a failure
// repeats) are sent to every kind of write and to the list parameters; each answer must be a 2xx or a 4xx
// whose body is a JSON:API error document (checked by the http helper).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { http, startServer, type RunningServer } from './support/server.ts';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const id = (x: string) => `$custom:::$default:::${x}`;
const VALID: [string, string, unknown][] = [
  ['POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'F', title: 'T', description: 'D', url: 'u', price: 1, images: ['i'], custom_metadata: { a: 1 } }, relationships: { categories: { data: [{ type: 'catalog-category', id: id('C') }] } } } }],
  ['PATCH', `/api/catalog-items/${id('F0')}`, { data: { type: 'catalog-item', id: id('F0'), attributes: { title: 'T2', published: false } } }],
  ['POST', '/api/catalog-variants', { data: { type: 'catalog-variant', attributes: { external_id: 'V', title: 'T', description: 'D', sku: 'S', inventory_quantity: 1, price: 2, url: 'u', inventory_policy: 1 }, relationships: { item: { data: { type: 'catalog-item', id: id('F0') } } } } }],
  ['POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'C2', name: 'N' }, relationships: { items: { data: [{ type: 'catalog-item', id: id('F0') }] } } } }],
  ['POST', `/api/catalog-items/${id('F0')}/relationships/categories`, { data: [{ type: 'catalog-category', id: id('C') }] }],
  ['POST', '/api/catalog-item-bulk-update-jobs', { data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id('F0'), attributes: { title: 'J' } }] } } } }],
  ['POST', '/api/catalog-variant-bulk-create-jobs', { data: { type: 'catalog-variant-bulk-create-job', attributes: { variants: { data: [{ type: 'catalog-variant', attributes: { external_id: 'JV', title: 'T', description: 'D', sku: 'S', inventory_quantity: 1, price: 2, url: 'u' }, relationships: { item: { data: { type: 'catalog-item', id: id('F0') } } } }] } } } }],
  ['POST', '/api/back-in-stock-subscriptions', { data: { type: 'back-in-stock-subscription', attributes: { channels: ['EMAIL'], profile: { data: { type: 'profile', attributes: { email: 'a@b.co' } } } }, relationships: { variant: { data: { type: 'catalog-variant', id: id('V0') } } } } }],
];

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5e308, true, '', 'x'.repeat(3000), '\u0000', '💥', [], [null], {}, { nested: { deep: [1] } }, '$custom:::$default:::', '__proto__'];

function mutate(value: unknown, random: () => number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  if (Array.isArray(value)) {
    if (value.length === 0 || random() < 0.2) return random() < 0.5 ? [] : [pick(ODD_VALUES)];
    const copy = [...value];
    const i = Math.floor(random() * copy.length);
    copy[i] = mutate(copy[i], random);
    return copy;
  }
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const roll = random();
    if (roll < 0.15) copy[`unknown_${Math.floor(random() * 3)}`] = pick(ODD_VALUES);
    else if (roll < 0.3 && keys.length) delete copy[pick(keys)];
    else if (keys.length) {
      const k = pick(keys);
      copy[k] = mutate(copy[k], random);
    }
    return copy;
  }
  return random() < 0.7 ? pick(ODD_VALUES) : value;
}

const FILTER_PARTS = ['equals(', 'any(', 'contains(', 'and(', 'ids', 'title', 'published', 'category.id', 'item.id', 'sku', 'status', ',', ')', '(', '"x"', '[', ']', 'true', '1', `"${id('F0')}"`, "'", '\\', ' '];
const PARAMS = ['filter', 'sort', 'page[size]', 'page[cursor]', 'fields[catalog-item]', 'include', 'fields[catalog-variant]'];

await forEachStore('fuzzed requests', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
    await http(server, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'C', name: 'C' } } });
    await http(server, 'POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'F0', title: 'T', description: 'D', url: 'u' } } });
    await http(server, 'POST', '/api/catalog-variants', VALID[2][2]);
    await http(server, 'POST', '/api/catalog-variants', { data: { type: 'catalog-variant', attributes: { external_id: 'V0', title: 'T', description: 'D', sku: 'S', inventory_quantity: 1, price: 2, url: 'u' }, relationships: { item: { data: { type: 'catalog-item', id: id('F0') } } } } });
  });
  after(() => server.stop());

  it('answers mutated bodies with 2xx or a 4xx JSON:API error', async () => {
    const random = prng(20261123);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const [method, path, body] = VALID[i % VALID.length];
      const res = await http(server, method, path, i % 10 === 0 ? body : mutate(body, random));
      assert.ok(res.status < 500, `${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    assert.ok((statuses.get(400) ?? 0) > 100, `mostly rejected: ${JSON.stringify([...statuses])}`);
  });

  it('answers random list parameters with 200 or a 400 naming a parameter', async () => {
    const random = prng(7);
    for (let i = 0; i < 300; i++) {
      const name = PARAMS[Math.floor(random() * PARAMS.length)];
      const value = Array.from({ length: 1 + Math.floor(random() * 8) }, () => FILTER_PARTS[Math.floor(random() * FILTER_PARTS.length)]).join('');
      const res = await http(server, 'GET', `/api/catalog-items?${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      assert.ok(res.status === 200 || res.status === 400, `${name}=${value} answered ${res.status}`);
      if (res.status === 400) assert.equal(res.body.errors[0].source.parameter, name, `${name}=${value}`);
    }
  });
});
