// Bulk update jobs through the official SDK: accepted, run in the background, followed to completion.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { eventually, http, sdk, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;

async function createItems(server: RunningServer, ids: string[]): Promise<void> {
  const api = sdk(server.url, server.key);
  for (const externalId of ids) {
    await api.createCatalogItem({
      data: { type: 'catalog-item' as any, attributes: { externalId, title: `Old ${externalId}`, description: 'd', url: `https://shop.example/${externalId}`, price: 1 } },
    });
  }
}

function updateJob(updates: [string, Record<string, unknown>][]) {
  return {
    data: {
      type: 'catalog-item-bulk-update-job' as any,
      attributes: { items: { data: updates.map(([externalId, attributes]) => ({ type: 'catalog-item' as any, id: id(externalId), attributes })) } },
    },
  };
}

async function completed(server: RunningServer, jobId: string) {
  const api = sdk(server.url, server.key);
  return eventually(async () => {
    const job = await api.getBulkUpdateCatalogItemsJob(jobId);
    return job.body.data.attributes.status === 'complete' ? job : undefined;
  });
}

await forEachStore('bulk update jobs', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('updates the items that exist, fails the one that does not, and reports both', async () => {
    await createItems(server, ['J1', 'J2', 'J3']);
    const api = sdk(server.url, server.key);
    const accepted = await api.bulkUpdateCatalogItems(updateJob([
      ['J1', { title: 'New J1', price: 10 }],
      ['J2', { published: false }],
      ['MISSING', { title: 'nobody' }],
      ['J3', { customMetadata: { size: 'L' }, images: ['https://img/3'] }],
    ]));
    assert.equal(accepted.response.status, 202);
    const queued = accepted.body.data;
    assert.equal(queued.type, 'catalog-item-bulk-update-job');
    assert.equal(queued.attributes.status, 'processing');
    assert.equal(queued.attributes.totalCount, 4);
    assert.equal(queued.attributes.completedAt, null);

    const finished = await completed(server, queued.id!);
    const done = finished.body.data;
    assert.equal(done.attributes.completedCount, 3);
    assert.equal(done.attributes.failedCount, 1);
    assert.equal(done.attributes.errors!.length, 1);
    assert.equal(done.attributes.errors![0].code, 'invalid');
    assert.equal(done.attributes.errors![0].source.pointer, '/data/attributes/items/data/id');
    // The SDK's model has no `meta` on job errors (the spec omits it); the wire carries it, as Klaviyo's does.
    assert.equal(finished.response.data.data.attributes.errors[0].meta.id, id('MISSING'));
    assert.ok(done.attributes.completedAt);
    assert.ok(new Date(done.attributes.expiresAt!) > new Date(done.attributes.completedAt!));
    assert.deepEqual(done.relationships!.items!.data!.map((r) => r.id), [id('J1'), id('J2'), id('J3')]);

    const j1 = (await api.getCatalogItem(id('J1'))).response.data.data.attributes;
    assert.equal(j1.title, 'New J1');
    assert.equal(j1.price, 10);
    assert.equal(j1.description, 'd', 'attributes not given keep their values');
    assert.equal((await api.getCatalogItem(id('J2'))).response.data.data.attributes.published, false);
    const j3 = (await api.getCatalogItem(id('J3'))).response.data.data.attributes;
    assert.deepEqual(j3.custom_metadata, { size: 'L' });
    assert.deepEqual(j3.images, ['https://img/3']);
    assert.equal(j3.title, 'Old J3');
  });

  it('includes the updated items and honours sparse fieldsets', async () => {
    await createItems(server, ['INC1', 'INC2']);
    const api = sdk(server.url, server.key);
    const accepted = await api.bulkUpdateCatalogItems(updateJob([['INC1', { title: 'I1' }], ['INC2', { title: 'I2' }]]));
    await completed(server, accepted.body.data.id!);
    const job = await api.getBulkUpdateCatalogItemsJob(accepted.body.data.id!, {
      include: ['items'], fieldsCatalogItem: ['title'], fieldsCatalogItemBulkUpdateJob: ['status', 'completed_count'],
    });
    const wire = job.response.data;
    assert.deepEqual(wire.data.attributes, { status: 'complete', completed_count: 2 });
    assert.deepEqual(wire.included.map((r: any) => [r.id, r.attributes]), [[id('INC1'), { title: 'I1' }], [id('INC2'), { title: 'I2' }]]);
    const bad = await http(server, 'GET', `/api/catalog-item-bulk-update-jobs/${accepted.body.data.id}?include=variants`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].source.parameter, 'include');
  });

  it('reads a finished job the same through any spelling of a fieldset, each answer with its own links.self', async () => {
    await createItems(server, ['FS1']);
    const api = sdk(server.url, server.key);
    const accepted = await api.bulkUpdateCatalogItems(updateJob([['FS1', { title: 'F' }], ['FS-MISSING', { title: 'F' }]]));
    const jobId = accepted.body.data.id!;
    await completed(server, jobId);
    const path = `/api/catalog-item-bulk-update-jobs/${jobId}`;
    const fields = (value: string) => `fields[catalog-item-bulk-update-job]=${encodeURIComponent(value)}`;
    // Read twice each, so the second answer of each spelling comes from what the first one kept.
    const spellings = [fields('status,failed_count'), fields('failed_count,status'), fields('failed_count,,,status,'), `${fields('status,failed_count')}&fields[catalog-item]=title`];
    for (const query of [...spellings, ...spellings]) {
      const res = await http(server, 'GET', `${path}?${query}`);
      assert.equal(res.status, 200, query);
      assert.deepEqual(res.body.data.attributes, { status: 'complete', failed_count: 1 }, query);
      assert.equal(res.body.links.self, `${server.url}${path}?${new URLSearchParams(query)}`, query);
      assert.equal(res.body.data.links.self, `${server.url}${path}/`);
    }
    // Other fieldsets, or none, are other documents.
    const errorsOnly = await http(server, 'GET', `${path}?${fields('errors')}`);
    assert.deepEqual(Object.keys(errorsOnly.body.data.attributes), ['errors']);
    assert.equal(errorsOnly.body.data.attributes.errors[0].meta.id, id('FS-MISSING'));
    for (let i = 0; i < 2; i++) {
      const whole = await http(server, 'GET', path);
      assert.equal(Object.keys(whole.body.data.attributes).length, 8);
      assert.equal(whole.body.links.self, `${server.url}${path}`);
    }
    const none = await http(server, 'GET', `${path}?${fields('')}`);
    assert.deepEqual(none.body.data.attributes, {});
  });

  it('applies jobs that touch the same item in the order they were accepted', async () => {
    await createItems(server, ['ORD']);
    const api = sdk(server.url, server.key);
    const ids: string[] = [];
    for (let i = 1; i <= 20; i++) ids.push((await api.bulkUpdateCatalogItems(updateJob([['ORD', { title: `v${i}`, price: i }]]))).body.data.id!);
    for (const jobId of ids) await completed(server, jobId);
    const attributes = (await api.getCatalogItem(id('ORD'))).response.data.data.attributes;
    assert.equal(attributes.title, 'v20');
    assert.equal(attributes.price, 20);
  });

  it('validates the whole payload before accepting it', async () => {
    const path = '/api/catalog-item-bulk-update-jobs';
    const many = Array.from({ length: 101 }, (_, i) => ({ type: 'catalog-item', id: id(`M${i}`), attributes: { title: 't' } }));
    const cases: [unknown, number, string][] = [
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: many } } } }, 400, '/data/attributes/items/data'],
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [] } } } }, 400, '/data/attributes/items/data'],
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: 'J1', attributes: {} }] } } } }, 400, '/data/attributes/items/data/0/id'],
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id('J1'), attributes: { price: 'ten' } }] } } } }, 400, '/data/attributes/items/data/0/attributes/price'],
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id('J1'), attributes: { external_id: 'other' } }] } } } }, 400, '/data/attributes/items/data/0/attributes/external_id'],
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id('J1'), attributes: {} }, { type: 'catalog-item', id: id('J1'), attributes: {} }] } } } }, 400, '/data/attributes/items/data/1'],
      [{ data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: [] } } } }, 409, '/data/type'],
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id('J1'), attributes: {} }, { type: 'catalog-item', id: id('J2'), attributes: { custom_metadata: { a: { b: 1 } } } }] } } } }, 400, '/data/attributes/items/data/1/attributes/custom_metadata/a'],
      [{ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id('J1'), attributes: {}, relationships: { categories: { data: [{ type: 'catalog-category', id: 'bad' }] } } }] } } } }, 400, '/data/attributes/items/data/0/relationships/categories/data/0/id'],
    ];
    for (const [body, status, pointer] of cases) {
      const res = await http(server, 'POST', path, body);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.errors[0].source.pointer, pointer, JSON.stringify(res.body));
    }
    const list = await http(server, 'GET', '/api/catalog-item-bulk-update-jobs');
    assert.equal(list.status, 200);
    assert.ok(list.body.data.every((job: any) => job.attributes.total_count <= 100), 'no invalid job was stored');
  });

  it('answers 404 for an unknown job', async () => {
    const api = sdk(server.url, server.key);
    await assert.rejects(api.getBulkUpdateCatalogItemsJob('01HZZZZZZZZZZZZZZZZZZZZZZZ'), (err: any) => err.response.status === 404);
  });
});

await forEachStore('job limits and expiry', (target) => {
  it('reads a finished job as 404 once it has expired', async () => {
    const server = await startServer({ databaseUrl: await target.freshDatabaseUrl(), env: { CATALOG_JOB_TTL_SECONDS: '1' } });
    try {
      await createItems(server, ['EXP']);
      const accepted = await http(server, 'POST', '/api/catalog-item-bulk-update-jobs', updateJob([['EXP', { title: 'x' }]]));
      const done = await completed(server, accepted.body.data.id);
      const { expires_at, created_at } = done.response.data.data.attributes;
      const expiresAt = Date.parse(expires_at);
      assert.equal(expiresAt - Date.parse(created_at), 1000, 'a job expires its TTL after it was accepted');
      await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 50));
      assert.equal((await http(server, 'GET', `/api/catalog-item-bulk-update-jobs/${accepted.body.data.id}`)).status, 404);
      assert.deepEqual((await http(server, 'GET', '/api/catalog-item-bulk-update-jobs')).body.data, []);
    } finally {
      await server.stop();
    }
  });

  it('refuses more than 500 unfinished jobs per account with 429', async () => {
    // Without a worker every accepted job stays processing.
    const server = await startServer({ databaseUrl: await target.freshDatabaseUrl(), args: ['--no-worker'] });
    try {
      const body = updateJob([['ANY', { title: 'x' }]]);
      const post = (n: number) => Promise.all(Array.from({ length: n }, () => http(server, 'POST', '/api/catalog-item-bulk-update-jobs', body)));
      for (let sent = 0; sent < 450; sent += 50) assert.deepEqual([...new Set((await post(50)).map((r) => r.status))], [202]);
      // Submitted together across the limit: exactly as many as fit are accepted.
      const across = (await post(60)).map((r) => r.status);
      assert.deepEqual([across.filter((s) => s === 202).length, across.filter((s) => s === 429).length], [50, 10]);
      const refused = await http(server, 'POST', '/api/catalog-item-bulk-update-jobs', body);
      assert.equal(refused.status, 429);
      assert.match(refused.body.errors[0].detail, /500 jobs in progress/);
      const processing = await http(server, 'GET', '/api/catalog-item-bulk-update-jobs?filter=equals(status,"processing")');
      assert.equal(processing.body.data.length, 100, 'job lists come in pages of 100');
      assert.ok(processing.body.links.next);
    } finally {
      await server.stop();
    }
  });
});
