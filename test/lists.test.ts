// Cursor pagination: every item that exists throughout is seen exactly once, even while items are created and
// deleted between pages, in both sort orders and in both directions.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { http, sdk, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const item = (externalId: string, published = true) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title: `T ${externalId}`, description: 'd', url: 'https://shop.example/x', published } },
});

await forEachStore('lists and cursors', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
    for (let i = 0; i < 45; i++) assert.equal((await http(server, 'POST', '/api/catalog-items', item(`P${i}`, i % 3 !== 0))).status, 201);
  });
  after(() => server.stop());

  for (const sort of ['created', '-created']) {
    it(`neither skips nor repeats items changed between pages (sort=${sort})`, async () => {
      const stable = new Set(Array.from({ length: 45 }, (_, i) => `P${i}`).filter((x) => !['P5', 'P40'].includes(x)));
      const seen: string[] = [];
      let path: string | undefined = `/api/catalog-items?page[size]=10&sort=${sort}&fields[catalog-item]=external_id`;
      let round = 0;
      while (path) {
        const res = await http(server, 'GET', path);
        assert.equal(res.status, 200);
        seen.push(...res.body.data.map((r: any) => r.attributes.external_id));
        // Between pages: a new item, and one deleted on each side of the cursor.
        assert.equal((await http(server, 'POST', '/api/catalog-items', item(`NEW-${sort}-${round++}`))).status, 201);
        if (round === 2) {
          await http(server, 'DELETE', `/api/catalog-items/${id('P5')}`);
          await http(server, 'DELETE', `/api/catalog-items/${id('P40')}`);
        }
        path = res.body.links.next && new URL(res.body.links.next).pathname + new URL(res.body.links.next).search;
      }
      const counts = new Map<string, number>();
      for (const x of seen) counts.set(x, (counts.get(x) ?? 0) + 1);
      assert.deepEqual([...counts].filter(([, n]) => n > 1), [], 'no item twice');
      assert.deepEqual([...stable].filter((x) => !counts.has(x)), [], 'no item that existed throughout was skipped');
      // restore for the next run
      for (const x of ['P5', 'P40']) await http(server, 'POST', '/api/catalog-items', item(x));
    });
  }

  it('pages back with links.prev through the SDK and keeps filters in the links', async () => {
    const api = sdk(server.url, server.key);
    const pages: string[][] = [];
    let res = await api.getCatalogItems({ filter: 'equals(published,false)', pageSize: 4 });
    pages.push(res.response.data.data.map((r: any) => r.id));
    while (res.body.links?.next) {
      assert.match(decodeURIComponent(res.body.links.next), /filter=equals\(published,false\)/);
      res = await api.getCatalogItems({ filter: 'equals(published,false)', pageSize: 4, pageCursor: res.body.links.next });
      pages.push(res.response.data.data.map((r: any) => r.id));
    }
    assert.equal(pages.flat().length, 15, '15 of the first 45 items are unpublished');
    for (let i = pages.length - 2; i >= 0; i--) {
      res = await api.getCatalogItems({ filter: 'equals(published,false)', pageSize: 4, pageCursor: res.body.links!.prev });
      assert.deepEqual(res.response.data.data.map((r: any) => r.id), pages[i]);
    }
    assert.equal(res.body.links!.prev, null);
  });

  it('rejects a page size outside 1..100, an unknown sort and a forged cursor', async () => {
    for (const [query, parameter] of [['page[size]=0', 'page[size]'], ['page[size]=101', 'page[size]'], ['sort=title', 'sort'], ['page[cursor]=abc', 'page[cursor]']]) {
      const res = await http(server, 'GET', `/api/catalog-items?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.errors[0].source.parameter, parameter);
    }
  });
});
