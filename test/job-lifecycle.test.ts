// A bulk job's life as Klaviyo shows it, at each pace (CATALOG_JOB_PACE), through the official SDK: processing
// from the 202 on, the changed resources listed once it has finished, and the job controls that step a held job.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { eventually, http, sdk, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const DAY_MS = 86_400_000;

function createJob(externalIds: string[]) {
  return {
    data: {
      type: 'catalog-item-bulk-create-job' as any,
      attributes: { items: { data: externalIds.map((externalId) => ({
        type: 'catalog-item' as any,
        attributes: { externalId, title: `T ${externalId}`, description: 'd', url: `https://shop.example/${externalId}` },
      })) } },
    },
  };
}

function updateJob(updates: [string, string][]) {
  return {
    data: {
      type: 'catalog-item-bulk-update-job' as any,
      attributes: { items: { data: updates.map(([externalId, title]) => ({ type: 'catalog-item' as any, id: id(externalId), attributes: { title } })) } },
    },
  };
}

async function finished(server: RunningServer, jobId: string, get = 'getBulkCreateCatalogItemsJob' as 'getBulkCreateCatalogItemsJob' | 'getBulkUpdateCatalogItemsJob') {
  const api = sdk(server.url, server.key);
  return eventually(async () => {
    const job = await api[get](jobId);
    return job.body.data.attributes.status === 'processing' ? undefined : job.response.data;
  });
}

const step = (server: RunningServer, jobId: string, body: unknown) => http(server, 'POST', `/__admin/jobs/${jobId}/actions`, body);

await forEachStore('job lifecycle, instant pace', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('answers the POST with the job already processing, then completes it with the changed resources', async () => {
    const api = sdk(server.url, server.key);
    const accepted = await api.bulkCreateCatalogItems(createJob(['LC1', 'LC2']));
    assert.equal(accepted.response.status, 202);
    const wire = accepted.response.data;
    assert.equal(wire.links.self, `${server.url}/api/catalog-item-bulk-create-jobs`);
    assert.equal(wire.data.relationships, undefined, 'no relationships member on the 202');
    const a = wire.data.attributes;
    assert.deepEqual([a.status, a.total_count, a.completed_count, a.failed_count, a.errors, a.completed_at], ['processing', 2, 0, 0, [], null]);
    assert.match(a.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    assert.equal(Date.parse(a.expires_at) - Date.parse(a.created_at), 7 * DAY_MS);

    const done = await finished(server, wire.data.id);
    assert.equal(done.data.attributes.status, 'complete');
    assert.equal(done.data.attributes.completed_count, 2);
    assert.ok(Date.parse(done.data.attributes.completed_at) >= Date.parse(a.created_at));
    assert.equal(done.data.attributes.expires_at, a.expires_at, 'expires_at is fixed when the job is accepted');
    assert.deepEqual(done.data.relationships, { items: { data: [{ type: 'catalog-item', id: id('LC1') }, { type: 'catalog-item', id: id('LC2') }] } });
    assert.equal(done.links.self, `${server.url}/api/catalog-item-bulk-create-jobs/${wire.data.id}`);
  });

  it('reports each failed resource as Klaviyo does, and lists no relationships when nothing changed', async () => {
    const api = sdk(server.url, server.key);
    const accepted = await api.bulkUpdateCatalogItems(updateJob([['NOPE-1', 'x'], ['NOPE-2', 'y']]));
    const done = await finished(server, accepted.body.data.id!, 'getBulkUpdateCatalogItemsJob');
    assert.equal(done.data.attributes.status, 'complete');
    assert.deepEqual([done.data.attributes.completed_count, done.data.attributes.failed_count], [0, 2]);
    assert.equal(done.data.relationships, undefined);
    const [first] = done.data.attributes.errors;
    assert.deepEqual({ ...first, id: undefined }, {
      id: undefined, code: 'invalid', title: 'Invalid input',
      detail: `An item with the id \`${id('NOPE-1')}\` does not exist.`,
      source: { pointer: '/data/attributes/items/data/id' }, meta: { id: id('NOPE-1') },
    });
    assert.equal(done.data.attributes.errors[1].meta.id, id('NOPE-2'));
  });
});

await forEachStore('job lifecycle, manual pace', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl(), env: { CATALOG_JOB_PACE: 'manual' } });
  });
  after(() => server.stop());

  it('keeps a job processing until it is stepped, one resource at a time or to the end', async () => {
    const api = sdk(server.url, server.key);
    const accepted = await api.bulkCreateCatalogItems(createJob(['M1', 'M2', 'M3']));
    const jobId = accepted.body.data.id!;
    // The worker polls every 50 ms in tests: several polls pass, and the job is still held.
    await new Promise((r) => setTimeout(r, 300));
    let job = (await api.getBulkCreateCatalogItemsJob(jobId)).response.data;
    assert.equal(job.data.attributes.status, 'processing');
    assert.equal(job.data.attributes.completed_count, 0);
    assert.deepEqual(job.data.relationships, { items: { data: [] } }, 'an empty list while it processes');
    await assert.rejects(api.getCatalogItem(id('M1')), (err: any) => err.response.status === 404);

    const stepped = await step(server, jobId, { action: 'apply', count: 1 });
    assert.equal(stepped.status, 200);
    assert.equal(stepped.body.data.attributes.completed_count, 1);
    job = (await api.getBulkCreateCatalogItemsJob(jobId)).response.data;
    assert.deepEqual([job.data.attributes.status, job.data.attributes.completed_count], ['processing', 1]);
    assert.deepEqual(job.data.relationships.items.data, []);
    assert.equal((await api.getCatalogItem(id('M1'))).body.data.attributes.title, 'T M1');
    await assert.rejects(api.getCatalogItem(id('M2')), (err: any) => err.response.status === 404);

    assert.equal((await step(server, jobId, { action: 'complete' })).status, 200);
    job = (await api.getBulkCreateCatalogItemsJob(jobId)).response.data;
    assert.deepEqual([job.data.attributes.status, job.data.attributes.completed_count], ['complete', 3]);
    assert.deepEqual(job.data.relationships.items.data.map((r: any) => r.id), [id('M1'), id('M2'), id('M3')]);
    assert.equal((await step(server, jobId, { action: 'complete' })).status, 404, 'a finished job cannot be stepped');
  });

  it('cancels a held job: what was applied stays, the rest never is', async () => {
    const api = sdk(server.url, server.key);
    const jobId = (await api.bulkCreateCatalogItems(createJob(['C1', 'C2']))).body.data.id!;
    await step(server, jobId, { action: 'apply', count: 1 });
    assert.equal((await step(server, jobId, { action: 'cancel' })).status, 200);
    const job = (await api.getBulkCreateCatalogItemsJob(jobId)).response.data;
    assert.deepEqual([job.data.attributes.status, job.data.attributes.completed_count], ['cancelled', 1]);
    assert.ok(job.data.attributes.completed_at);
    assert.deepEqual(job.data.relationships.items.data.map((r: any) => r.id), [id('C1')]);
    await assert.rejects(api.getCatalogItem(id('C2')), (err: any) => err.response.status === 404);
  });

  it('applies a released job only after the earlier jobs on the same items', async () => {
    const api = sdk(server.url, server.key);
    const create = (await api.bulkCreateCatalogItems(createJob(['O1', 'O2']))).body.data.id!;
    const first = (await api.bulkUpdateCatalogItems(updateJob([['O1', 'first']]))).body.data.id!;
    const second = (await api.bulkUpdateCatalogItems(updateJob([['O1', 'second']]))).body.data.id!;
    const unrelated = (await api.bulkUpdateCatalogItems(updateJob([['M1', 'unrelated']]))).body.data.id!;
    // Released out of order: the second waits for the first, which waits for the create.
    assert.equal((await step(server, second, { action: 'complete' })).body.data.attributes.status, 'processing');
    assert.equal((await step(server, unrelated, { action: 'complete' })).body.data.attributes.status, 'complete', 'other items are not held up');
    assert.equal((await step(server, first, { action: 'complete' })).body.data.attributes.status, 'processing');
    await step(server, create, { action: 'complete' });
    await finished(server, second, 'getBulkUpdateCatalogItemsJob');
    assert.equal((await api.getCatalogItem(id('O1'))).body.data.attributes.title, 'second');
    assert.equal((await api.getCatalogItem(id('M1'))).body.data.attributes.title, 'unrelated');
  });

  it('lets only a full-access key of the job\'s account step it', async () => {
    const api = sdk(server.url, server.key);
    const jobId = (await api.bulkCreateCatalogItems(createJob(['K1']))).body.data.id!;
    assert.equal((await http({ url: server.url, key: 'pk_nobody_at_all_000000000000000000' }, 'POST', `/__admin/jobs/${jobId}/actions`, { action: 'complete' })).status, 401);
    const bad = await step(server, jobId, { action: 'finish' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].source.pointer, '/action');
    assert.equal((await step(server, 'NO-SUCH-JOB', { action: 'complete' })).status, 404);
  });
});

await forEachStore('job lifecycle, realistic pace', (target) => {
  // Scaled by 0.02: the documented 10 s to 6 min become 200 ms to 7.2 s.
  const MIN_MS = 200;
  const MAX_MS = 7200;
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl(), env: { CATALOG_JOB_PACE: 'realistic', CATALOG_JOB_PACE_SCALE: '0.02' } });
  });
  after(() => server.stop());

  it('keeps jobs processing for a while, then completes them within the documented range', async () => {
    const api = sdk(server.url, server.key);
    const jobIds: string[] = [];
    for (const n of [1, 2, 3]) {
      const jobId = (await api.bulkCreateCatalogItems(createJob([`R${n}`]))).body.data.id!;
      assert.equal((await api.getBulkCreateCatalogItemsJob(jobId)).body.data.attributes.status, 'processing');
      jobIds.push(jobId);
    }
    for (const jobId of jobIds) {
      const done = (await finished(server, jobId)).data.attributes;
      const took = Date.parse(done.completed_at) - Date.parse(done.created_at);
      assert.ok(took >= MIN_MS && took <= MAX_MS + 1000, `took ${took} ms`);
      assert.equal(done.completed_count, 1);
    }
  });
});
