// Library mode, as a test suite uses it: `startCatalogServer()` from the package (resolved through its
// `exports`, the built dist/), the official SDK against it, and every control through the typed client.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ApiKeySession, CatalogsApi, RetryWithExponentialBackoff } from 'klaviyo-api';
import { CatalogControls, ControlError, startCatalogServer, type CatalogServer } from 'klaviyo-catalog-server';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;

function sdk(server: { url: string }, apiKey: string): CatalogsApi {
  const api = new CatalogsApi(new ApiKeySession(apiKey, new RetryWithExponentialBackoff({ numRetries: 0 })));
  api.basePath = server.url;
  return api;
}

const item = (externalId: string, title = externalId) => ({
  data: { type: 'catalog-item' as any, attributes: { externalId, title, description: 'd', url: `https://shop.example/${externalId}` } },
});

const createJob = (externalIds: string[]) => ({
  data: { type: 'catalog-item-bulk-create-job' as any, attributes: { items: { data: externalIds.map((x) => item(x).data) } } },
});

async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; ; i++) {
    const value = await check();
    if (value !== undefined) return value;
    if (i > 300) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const titles = async (api: CatalogsApi) => (await api.getCatalogItems()).body.data.map((r) => [r.attributes.externalId, r.attributes.title]);

let server: CatalogServer;
before(async () => {
  server = await startCatalogServer();
});
after(() => server.stop());

it('starts on a free port with an in-memory database and a full-access key for the default account', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.account, 'default');
  assert.match(server.apiKey, /^pk_[0-9a-f]{40}$/);
  const api = sdk(server, server.apiKey);
  assert.equal((await api.createCatalogItem(item('FIRST'))).response.status, 201);
  const seeded = await startCatalogServer({ seed: { data: { type: 'catalog-fixture', attributes: { items: [{ external_id: 'SEED', title: 'Seed', description: 'd', url: 'u' }] } } } });
  try {
    assert.notEqual(seeded.url, server.url);
    assert.deepEqual(await titles(sdk(seeded, seeded.apiKey)), [['SEED', 'Seed']], 'its own database, seeded');
  } finally {
    await seeded.stop();
  }
  await assert.rejects(fetch(`${seeded.url}/healthz`), 'stopped');
});

it('isolates two accounts used in parallel: same ids, own data, a reset of one leaves the other', async () => {
  const [a, b] = await Promise.all([server.newAccount(), server.newAccount()]);
  assert.notEqual(a.account, b.account);
  const ids = Array.from({ length: 20 }, (_, i) => `X${i}`);
  const fill = async (account: typeof a, label: string) => {
    const api = sdk(server, account.apiKey);
    await Promise.all(ids.map((x) => api.createCatalogItem(item(x, `${label} ${x}`))));
    const jobId = (await api.bulkCreateCatalogItems(createJob([`${label}-JOB`]))).body.data.id!;
    await until(async () => ((await api.getBulkCreateCatalogItemsJob(jobId)).body.data.attributes.status === 'complete' ? true : undefined));
    return jobId;
  };
  const [jobA, jobB] = await Promise.all([fill(a, 'A'), fill(b, 'B')]);
  const [apiA, apiB] = [sdk(server, a.apiKey), sdk(server, b.apiKey)];
  for (const [api, label, own, other] of [[apiA, 'A', jobA, jobB], [apiB, 'B', jobB, jobA]] as const) {
    const seen = await titles(api);
    assert.equal(seen.length, 21);
    assert.ok(seen.every(([, title]) => title!.startsWith(label)), `${label} sees only its own items`);
    assert.equal((await api.getBulkCreateCatalogItemsJob(own)).response.status, 200);
    await assert.rejects(api.getBulkCreateCatalogItemsJob(other), (err: any) => err.response.status === 404);
  }
  // A reset of A while B keeps writing.
  await Promise.all([a.controls.reset(), apiB.createCatalogItem(item('MORE', 'B more'))]);
  assert.deepEqual(await titles(apiA), []);
  assert.equal((await titles(apiB)).length, 22);
  assert.equal((await b.controls.exportFixture()).data.attributes.items!.length, 22);
  assert.deepEqual((await a.controls.exportFixture()).data.attributes.items, []);
});

it('exports, resets and imports a catalog through the typed client, identically', async () => {
  const a = await server.newAccount();
  const api = sdk(server, a.apiKey);
  await api.createCatalogCategory({ data: { type: 'catalog-category', attributes: { externalId: 'C', name: 'Cat' } } });
  await api.createCatalogItem({ data: { ...item('I').data, relationships: { categories: { data: [{ type: 'catalog-category', id: id('C') }] } } } });
  await api.createCatalogVariant({ data: { type: 'catalog-variant', attributes: { externalId: 'I-1', title: 'v', description: 'd', sku: 'S', inventoryQuantity: 2, price: 5, url: 'u' }, relationships: { item: { data: { type: 'catalog-item', id: id('I') } } } } });
  const before = await a.controls.exportFixture();
  await a.controls.reset();
  assert.deepEqual((await a.controls.exportFixture()).data.attributes, { categories: [], items: [], variants: [] });
  assert.deepEqual(await a.controls.importFixture(before), { categories: 1, items: 1, variants: 1 });
  assert.deepEqual(await a.controls.exportFixture(), before);
  assert.deepEqual((await api.getCatalogVariant(id('I-1'))).body.data.attributes.sku, 'S');

  const broken = structuredClone(before);
  broken.data.attributes.variants![0].item = 'GONE';
  await a.controls.reset();
  await assert.rejects(a.controls.importFixture(broken), (err: unknown) => {
    assert.ok(err instanceof ControlError);
    assert.equal(err.status, 400);
    assert.equal(err.errors[0].source?.pointer, '/data/attributes/variants/0/item');
    return true;
  });
  assert.deepEqual((await a.controls.exportFixture()).data.attributes.items, [], 'all or nothing');
});

it('imports a CSV feed of 10,000 rows through the typed client', async () => {
  const a = await server.newAccount();
  const rows = ['external_id,title,description,url,price,categories'];
  for (let i = 0; i < 10_000; i++) rows.push(`P${i},Product ${i},"A product, number ${i}",https://shop.example/${i},${i}.5,${i % 2 ? 'odd' : 'even'}`);
  assert.deepEqual(await a.controls.importCsv(rows.join('\n')), { categories: 2, items: 10_000, variants: 0 });
  const api = sdk(server, a.apiKey);
  assert.deepEqual([(await api.getCatalogItem(id('P9999'))).body.data.attributes.price, (await api.getCatalogItem(id('P9999'))).body.data.attributes.description], [9999.5, 'A product, number 9999']);
  const odd = await api.getItemIdsForCatalogCategory(id('odd'));
  assert.deepEqual(odd.body.data.slice(0, 3).map((r) => r.id), [id('P1'), id('P3'), id('P5')]);
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = await api.getCatalogItems({ pageCursor: cursor, fieldsCatalogItem: ['external_id'] });
    cursor = page.body.links?.next ?? undefined;
    pages++;
  } while (cursor);
  assert.equal(pages, 100, '10,000 items in pages of 100');

  await assert.rejects(a.controls.importCsv('external_id,title,description,url\nQ,q,d,u\nR,r,d\n'), /line 3|Invalid Record Length/);
  await assert.rejects(a.controls.importCsv('external_id,title,description,url\nQ,q,d,u\nQ,again,d,u\n'), (err: unknown) => {
    assert.ok(err instanceof ControlError);
    assert.match(err.message, /\(at line 3, column external_id\)/);
    return true;
  });
});

it('steps a manual job to each terminal state, as the official SDK sees it', async () => {
  const a = await server.newAccount();
  assert.deepEqual(await a.controls.setJobPace('manual'), { pace: 'manual', serverPace: 'instant' });
  assert.deepEqual(await a.controls.getJobPace(), { pace: 'manual', serverPace: 'instant' });
  const api = sdk(server, a.apiKey);
  const submit = async (ids: string[]) => (await api.bulkCreateCatalogItems(createJob(ids))).body.data.id!;
  const seen = async (jobId: string) => (await api.getBulkCreateCatalogItemsJob(jobId, { include: ['items'] })).body;

  const complete = await submit(['A1', 'A2']);
  assert.equal((await seen(complete)).data.attributes.status, 'processing');
  assert.equal((await a.controls.applyJob(complete)).attributes.completed_count, 1);
  await a.controls.completeJob(complete);
  const completed = await seen(complete);
  assert.deepEqual([completed.data.attributes.status, completed.data.attributes.completedCount, completed.included?.map((r) => r.id)], ['complete', 2, [id('A1'), id('A2')]]);

  const failing = await submit(['F1', 'F2']);
  await a.controls.failJob(failing, [{ id: id('F1'), detail: 'Rejected by the test.' }]);
  const failedOne = (await a.controls.completeJob(failing)).attributes;
  assert.deepEqual([failedOne.status, failedOne.completed_count, failedOne.failed_count], ['complete', 1, 1]);
  const viaSdk = (await seen(failing)).data.attributes;
  assert.deepEqual([viaSdk.status, viaSdk.failedCount, viaSdk.errors?.[0].detail], ['complete', 1, 'Rejected by the test.']);
  // The SDK's model has no `meta`; the wire document names the resource there, as Klaviyo does.
  assert.equal((await api.getBulkCreateCatalogItemsJob(failing)).response.data.data.attributes.errors[0].meta.id, id('F1'));

  const allFailed = await submit(['G1']);
  await a.controls.failJob(allFailed, [{ id: id('G1') }]);
  assert.deepEqual([(await seen(allFailed)).data.attributes.status, (await seen(allFailed)).data.attributes.completedCount], ['complete', 0]);

  const cancelled = await submit(['X1', 'X2']);
  assert.equal((await a.controls.cancelJob(cancelled)).attributes.status, 'cancelled');
  const gone = (await seen(cancelled)).data.attributes;
  assert.deepEqual([gone.status, gone.completedCount], ['cancelled', 0]);
  await assert.rejects(api.getCatalogItem(id('X1')), (err: any) => err.response.status === 404);

  await a.controls.setJobPace(null);
  const instant = await submit(['I1']);
  await until(async () => ((await seen(instant)).data.attributes.status === 'complete' ? true : undefined));
});

it('expires a job when the clock is advanced past its expires_at', async () => {
  const a = await server.newAccount();
  const api = sdk(server, a.apiKey);
  const jobId = (await api.bulkCreateCatalogItems(createJob(['E1']))).body.data.id!;
  const job = await until(async () => {
    const body = (await api.getBulkCreateCatalogItemsJob(jobId)).body;
    return body.data.attributes.status === 'complete' ? body.data.attributes : undefined;
  });
  try {
    const clock = await server.controls.advanceClock(7 * 86_400 - 3600);
    assert.equal(clock.real, false);
    assert.ok(clock.now.getTime() < job.expiresAt!.getTime());
    assert.equal((await api.getBulkCreateCatalogItemsJob(jobId)).response.status, 200, 'an hour before expiry');
    await server.controls.advanceClock(3601);
    await assert.rejects(api.getBulkCreateCatalogItemsJob(jobId), (err: any) => err.response.status === 404);
    const set = await server.controls.setClock('2040-02-29T12:00:00Z');
    assert.equal(set.now.toISOString().slice(0, 16), '2040-02-29T12:00');
    assert.equal((await api.createCatalogItem(item('LEAP'))).body.data.attributes.created!.toISOString().slice(0, 10), '2040-02-29');
  } finally {
    assert.deepEqual((await server.controls.useRealClock()).offsetSeconds, 0);
  }
});

it('manages accounts and keys, and refuses what it must with ControlError', async () => {
  const a = await server.newAccount({ scopes: [['catalogs:read']] });
  const b = await server.newAccount();
  assert.deepEqual(a.keys.map((k) => k.scopes), [['catalogs:read', 'catalogs:write', 'profiles:write'], ['catalogs:read']]);
  const listed = await server.controls.listAccounts();
  assert.deepEqual(listed.find((x) => x.account === a.account)?.keys.map((k) => k.prefix), a.keys.map((k) => k.key.slice(0, 7)));

  const refused = async (call: Promise<unknown>, status: number, code: string) => {
    await assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof ControlError, String(err));
      assert.deepEqual([err.status, err.errors[0].code], [status, code]);
      return true;
    });
  };
  await a.controls.setJobPace('manual');
  const jobOfA = (await sdk(server, a.apiKey).bulkCreateCatalogItems(createJob(['HELD']))).body.data.id!;
  await refused(b.controls.completeJob(jobOfA), 404, 'not_found');
  await refused(server.controls.forAccount(a.keys[1].key).reset(), 403, 'permission_denied');
  await refused(server.controls.forAccount(a.keys[1].key).exportFixture(), 403, 'permission_denied');
  await refused(server.controls.forAccount('pk_0000000000000000000000000000000000000000').reset(), 401, 'authentication_failed');
  await refused(new CatalogControls(server.url, { adminToken: 'not-the-admin-token' }).listAccounts(), 401, 'authentication_failed');
  await assert.rejects(new CatalogControls(server.url, { apiKey: a.apiKey }).createAccount(), /needs the adminToken/);
  assert.equal((await sdk(server, a.apiKey).getBulkCreateCatalogItemsJob(jobOfA)).body.data.attributes.status, 'processing', 'untouched');

  const key = await server.controls.createKey(a.account, ['catalogs:read']);
  assert.equal((await sdk(server, key.key).getCatalogItems()).response.status, 200);
  await server.controls.revokeKey(a.account, key.id);
  await assert.rejects(sdk(server, key.key).getCatalogItems(), (err: any) => err.response.status === 401);
  await server.controls.deleteAccount(a.account);
  await assert.rejects(sdk(server, a.apiKey).getCatalogItems(), (err: any) => err.response.status === 401);
  await refused(server.controls.deleteAccount(a.account), 404, 'not_found');
});
