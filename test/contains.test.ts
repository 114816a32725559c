// contains(title|name, "...") through the substring index: exact, case-sensitive substring semantics for any
// needle (short ones, quotes, LIKE and GLOB wildcards), kept in step with creates, updates and deletes, paged
// in both orders and directions, and confined to the account.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { createKeyWithCli, http, startServer, type RunningServer } from './support/server.ts';

const id = (x: string) => `$custom:::$default:::${x}`;
const item = (externalId: string, title: string) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title, description: 'd', url: 'https://shop.example/x' } },
});
const TITLES: Record<string, string> = {
  A: 'Blue Shirt',
  B: 'blue shirt',
  C: '100% cotton_tee',
  D: 'Say "hi" * ? [x]',
  E: 'Hat',
  F: 'Ünïcödé Scarf',
};

async function matching(server: RunningServer, kind: 'catalog-items' | 'catalog-categories', field: string, needle: string, extra = ''): Promise<string[]> {
  const filter = encodeURIComponent(`contains(${field},${JSON.stringify(needle)})`);
  const res = await http(server, 'GET', `/api/${kind}?filter=${filter}${extra}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.map((r: any) => r.attributes.external_id).sort();
}

await forEachStore('contains filters', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
    for (const [x, title] of Object.entries(TITLES)) assert.equal((await http(server, 'POST', '/api/catalog-items', item(x, title))).status, 201);
  });
  after(() => server.stop());

  it('matches exact, case-sensitive substrings of any length and content', async () => {
    const cases: [string, string[]][] = [
      ['Shirt', ['A']],
      ['shirt', ['B']],
      ['SHIRT', []],
      ['lue s', ['B']],
      ['Sh', ['A']],
      ['t', ['A', 'B', 'C', 'E']],
      ['%', ['C']],
      ['0% c', ['C']],
      ['_tee', ['C']],
      ['n_t', ['C']],
      ['"hi"', ['D']],
      ['* ? [x]', ['D']],
      ['*', ['D']],
      ['ïcö', ['F']],
      ['Blue Shirts', []],
      ['', ['A', 'B', 'C', 'D', 'E', 'F']],
    ];
    for (const [needle, expected] of cases) assert.deepEqual(await matching(server, 'catalog-items', 'title', needle), expected, `contains(title,${JSON.stringify(needle)})`);
  });

  it('follows updates and deletes, and never crosses accounts', async () => {
    await http(server, 'POST', '/api/catalog-items', item('G', 'Green Gloves'));
    assert.deepEqual(await matching(server, 'catalog-items', 'title', 'Gloves'), ['G']);
    const patched = await http(server, 'PATCH', `/api/catalog-items/${id('G')}`, { data: { type: 'catalog-item', id: id('G'), attributes: { title: 'Red Mittens' } } });
    assert.equal(patched.status, 200);
    assert.deepEqual(await matching(server, 'catalog-items', 'title', 'Gloves'), []);
    assert.deepEqual(await matching(server, 'catalog-items', 'title', 'Mittens'), ['G']);
    // An update that leaves the title alone (the store then writes only what changed) keeps it found,
    // and the other indexed columns it does change are filtered on at once.
    const repriced = await http(server, 'PATCH', `/api/catalog-items/${id('G')}`, { data: { type: 'catalog-item', id: id('G'), attributes: { price: 3, published: false } } });
    assert.equal(repriced.status, 200);
    assert.deepEqual(await matching(server, 'catalog-items', 'title', 'Mittens'), ['G']);
    const unpublished = await http(server, 'GET', `/api/catalog-items?filter=${encodeURIComponent('contains(title,"Mittens"),equals(published,false)')}`);
    assert.deepEqual(unpublished.body.data.map((r: any) => r.attributes.external_id), ['G']);
    assert.equal((await http(server, 'DELETE', `/api/catalog-items/${id('G')}`)).status, 204);
    assert.deepEqual(await matching(server, 'catalog-items', 'title', 'Mittens'), []);

    const other = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'contains-other') };
    await http(other, 'POST', '/api/catalog-items', item('THEIRS', 'Blue Shirt'));
    assert.deepEqual(await matching(server, 'catalog-items', 'title', 'Blue Shirt'), ['A']);
    await http(server, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'SALE', name: 'Summer Sale' } } });
    assert.deepEqual(await matching(server, 'catalog-categories', 'name', 'Sale'), ['SALE']);
    assert.deepEqual(await matching(server, 'catalog-items', 'title', 'Sale'), [], 'a category name is not an item title');
  });

  it('pages through many matches in both orders and both directions', async () => {
    for (let i = 0; i < 25; i++) assert.equal((await http(server, 'POST', '/api/catalog-items', item(`M${String(i).padStart(2, '0')}`, `Match ${i}`))).status, 201);
    for (const sort of ['created', '-created']) {
      const seen: string[] = [];
      let path: string | undefined = `/api/catalog-items?filter=${encodeURIComponent('contains(title,"Match")')}&page[size]=10&sort=${sort}`;
      let last: any;
      while (path) {
        last = (await http(server, 'GET', path)).body;
        seen.push(...last.data.map((r: any) => r.attributes.external_id));
        path = last.links.next && new URL(last.links.next).pathname + new URL(last.links.next).search;
      }
      const expected = Array.from({ length: 25 }, (_, i) => `M${String(i).padStart(2, '0')}`);
      assert.deepEqual(seen, sort === 'created' ? expected : expected.reverse());
      const back = (await http(server, 'GET', new URL(last.links.prev).pathname + new URL(last.links.prev).search)).body;
      assert.deepEqual(back.data.map((r: any) => r.attributes.external_id), seen.slice(10, 20));
    }
  });
});
