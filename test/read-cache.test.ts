// Reads that render many rows (lists, related lists, a job with its items) may be answered from memory while
// the store is unchanged (src/http/read-cache.ts). Whatever is cached, a read repeated after a change shows the
// change: one made through this server, through a second server process on the same database, or by the clock
// (a job that expires between two identical reads). A finished job polled without `include` is kept apart
// (src/api/jobs/finished-cache.ts) and follows a reset made through the other process within seconds.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { ADMIN_TOKEN, control } from './support/controls.ts';
import { eventually, http, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const item = (externalId: string) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title: `T ${externalId}`, description: 'd', url: 'https://shop.example/x' } },
});
const retitle = (externalId: string, title: string) => ({ data: { type: 'catalog-item', id: id(externalId), attributes: { title } } });
const titles = (body: any) => body.data.map((r: any) => r.attributes.title);

await forEachStore('repeated reads see every change', (target) => {
  let server: RunningServer;
  let second: RunningServer;
  before(async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    server = await startServer({ databaseUrl, env: { CATALOG_ADMIN_TOKEN: ADMIN_TOKEN } });
    // A second process on the same database, with the same key: its writes must reach the first one's reads.
    second = await startServer({ databaseUrl, key: server.key, args: ['--no-worker'] });
    for (const x of ['R1', 'R2', 'R3']) assert.equal((await http(server, 'POST', '/api/catalog-items', item(x))).status, 201);
  });
  after(async () => {
    await second.stop();
    await server.stop();
  });

  const LIST = '/api/catalog-items?sort=created&fields[catalog-item]=title';

  it('a list read again after a write through this server shows the write', async () => {
    const first = await http(server, 'GET', LIST);
    assert.deepEqual(titles(first.body), ['T R1', 'T R2', 'T R3']);
    assert.deepEqual((await http(server, 'GET', LIST)).body, first.body, 'the same read, the same answer');
    assert.equal((await http(server, 'PATCH', `/api/catalog-items/${id('R2')}`, retitle('R2', 'changed here'))).status, 200);
    assert.deepEqual(titles((await http(server, 'GET', LIST)).body), ['T R1', 'changed here', 'T R3']);
  });

  it('a list read again after a write through another process shows the write', async () => {
    assert.deepEqual(titles((await http(server, 'GET', LIST)).body), ['T R1', 'changed here', 'T R3']);
    assert.equal((await http(second, 'PATCH', `/api/catalog-items/${id('R3')}`, retitle('R3', 'changed there'))).status, 200);
    assert.deepEqual(titles((await http(server, 'GET', LIST)).body), ['T R1', 'changed here', 'changed there']);
    assert.equal((await http(second, 'DELETE', `/api/catalog-items/${id('R1')}`)).status, 204);
    assert.deepEqual(titles((await http(server, 'GET', LIST)).body), ['changed here', 'changed there']);
  });

  it('related lists follow links made and removed', async () => {
    const category = { data: { type: 'catalog-category', attributes: { external_id: 'RC', name: 'C' } } };
    assert.equal((await http(server, 'POST', '/api/catalog-categories', category)).status, 201);
    const related = `/api/catalog-categories/${id('RC')}/items?fields[catalog-item]=title`;
    const ids = `/api/catalog-categories/${id('RC')}/relationships/items`;
    assert.deepEqual((await http(server, 'GET', related)).body.data, []);
    assert.deepEqual((await http(server, 'GET', ids)).body.data, []);
    const link = { data: [{ type: 'catalog-item', id: id('R2') }] };
    assert.equal((await http(second, 'POST', `/api/catalog-categories/${id('RC')}/relationships/items`, link)).status, 204);
    assert.deepEqual(titles((await http(server, 'GET', related)).body), ['changed here']);
    assert.deepEqual((await http(server, 'GET', ids)).body.data, [{ type: 'catalog-item', id: id('R2') }]);
    assert.equal((await http(server, 'DELETE', `/api/catalog-categories/${id('RC')}/relationships/items`, link)).status, 204);
    assert.deepEqual((await http(server, 'GET', related)).body.data, []);
    assert.deepEqual((await http(server, 'GET', ids)).body.data, []);
  });

  it('a job read with its items follows the items, and expires when the clock passes expires_at', async () => {
    const job = { data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [retitle('R2', 'by a job').data] } } } };
    const posted = await http(server, 'POST', '/api/catalog-item-bulk-update-jobs', job);
    assert.equal(posted.status, 202);
    const path = `/api/catalog-item-bulk-update-jobs/${posted.body.data.id}?include=items&fields[catalog-item]=title`;
    const done = await eventually(async () => {
      const read = await http(server, 'GET', path);
      return read.body.data.attributes.status === 'complete' ? read.body : undefined;
    });
    assert.deepEqual(titles({ data: done.included }), ['by a job']);
    assert.deepEqual((await http(server, 'GET', path)).body, done);
    assert.equal((await http(second, 'PATCH', `/api/catalog-items/${id('R2')}`, retitle('R2', 'after the job'))).status, 200);
    assert.deepEqual(titles({ data: (await http(server, 'GET', path)).body.included }), ['after the job']);

    const expiresAt = Date.parse(done.data.attributes.expires_at);
    const admin = { token: ADMIN_TOKEN };
    try {
      const moved = await control(server.url, admin, 'PUT', '/__admin/clock', { time: new Date(expiresAt + 1000).toISOString() });
      assert.equal(moved.status, 200);
      assert.equal((await http(server, 'GET', path)).status, 404, 'an expired job is gone, even for a read made before');
    } finally {
      await control(server.url, admin, 'PUT', '/__admin/clock', { real: true });
    }
  });

  // Last: the reset empties the account the tests above share.
  it('a finished job polled here is gone soon after a reset made through the other process', async () => {
    const job = { data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [retitle('R1', 'polled').data] } } } };
    const posted = await http(server, 'POST', '/api/catalog-item-bulk-update-jobs', job);
    assert.equal(posted.status, 202);
    const path = `/api/catalog-item-bulk-update-jobs/${posted.body.data.id}`;
    const done = await eventually(async () => {
      const read = await http(server, 'GET', path);
      return read.body.data.attributes.status === 'complete' ? read.body : undefined;
    });
    assert.deepEqual((await http(server, 'GET', path)).body, done, 'polled again: the same answer');
    assert.equal((await control(second.url, { key: server.key }, 'POST', '/__admin/reset')).status, 204);
    assert.equal((await http(second, 'GET', path)).status, 404, 'the process that reset it');
    // This process trusts its copy for FINISHED_JOB_TRUST_MS (2 s of real time), then reads the job again.
    const gone = await eventually(async () => ((await http(server, 'GET', path)).status === 404 ? true : undefined), 10_000);
    assert.equal(gone, true);
  });
});
