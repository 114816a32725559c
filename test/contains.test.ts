// contains(title|name, "...") through the substring index: exact, case-sensitive substring semantics for any
// needle (short ones, quotes, LIKE and GLOB wildcards), kept in step with creates, updates and deletes, paged
// in both orders and directions, and confined to the account. Needles too short for the index read a bounded
// number of rows per request, and links.next leads on to the rest.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { createKeyWithCli, eventually, http, startServer, type RunningServer } from './support/server.ts';

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

  it('reads at most 2,000 rows per request for a one- or two-character needle, and links on to the rest', async () => {
    // 2,050 items of their own account: a match among the first rows, one past the 2,000th, the rest without.
    const account = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'contains-short') };
    const titles = Array.from({ length: 2_050 }, (_, i) => (i === 5 ? 'Ω early' : i === 2_040 ? 'late Ω' : `Plain ${i}`));
    const jobs = [];
    for (let at = 0; at < titles.length; at += 100) {
      const data = titles.slice(at, at + 100).map((title, j) => item(`S${String(at + j).padStart(4, '0')}`, title).data);
      const res = await http(account, 'POST', '/api/catalog-item-bulk-create-jobs', { data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data } } } });
      assert.equal(res.status, 202);
      jobs.push(res.body.data.id);
    }
    for (const job of jobs) {
      await eventually(async () => ((await http(account, 'GET', `/api/catalog-item-bulk-create-jobs/${job}`)).body.data.attributes.status === 'complete' ? true : undefined), 60_000);
    }
    const read = async (path: string) => {
      const res = await http(account, 'GET', path);
      assert.equal(res.status, 200);
      return { ids: res.body.data.map((r: any) => r.attributes.external_id), next: res.body.links.next, prev: res.body.links.prev };
    };
    const local = (link: string) => new URL(link).pathname + new URL(link).search;
    const filter = `filter=${encodeURIComponent('contains(title,"Ω")')}&page[size]=10`;

    const first = await read(`/api/catalog-items?${filter}`);
    assert.deepEqual(first.ids, ['S0005'], 'the first 2,000 rows hold one match');
    assert.ok(first.next, 'the reading stopped at 2,000 rows: more may follow');
    assert.equal(first.prev, null);
    const second = await read(local(first.next));
    assert.deepEqual(second.ids, ['S2040']);
    assert.equal(second.next, null, 'the last 50 rows were read to the end');
    // Back: the 2,000 rows before S2040 hold no match (an empty page that links on both ways), then S0005.
    const back = await read(local(second.prev));
    assert.deepEqual(back.ids, []);
    assert.deepEqual((await read(local(back.next))).ids, ['S2040']);
    const start = await read(local(back.prev));
    assert.deepEqual(start.ids, ['S0005']);
    assert.equal(start.prev, null);

    const newestFirst = await read(`/api/catalog-items?${filter}&sort=-created`);
    assert.deepEqual(newestFirst.ids, ['S2040']);
    assert.deepEqual((await read(local(newestFirst.next))).ids, ['S0005']);
    // Two characters: no match in the first 2,000 rows is an empty page that links on.
    const none = await read(`/api/catalog-items?filter=${encodeURIComponent('contains(title," Ω")')}`);
    assert.deepEqual(none.ids, []);
    assert.deepEqual((await read(local(none.next))).ids, ['S2040']);
    // A needle that fills the page within the rows read: a full page, as usual.
    const full = await read(`/api/catalog-items?filter=${encodeURIComponent('contains(title,"Pl")')}&page[size]=100`);
    assert.equal(full.ids.length, 100);
    assert.equal((await read(local(full.next))).ids[0], 'S0101');
  });
});
