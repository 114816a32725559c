// The control API over HTTP, against the real server (dist/cli.js) on each store: accounts, reset, fixtures,
// per-account job pace and job steps (seen through the official SDK), the clock (also followed by a separate
// worker process), and every refusal: another account's key, a read-only key, a missing or wrong admin token,
// no admin token configured, and CATALOG_CONTROLS=off.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { forEachStore } from './support/targets.ts';
import { eventually, sdk, startServer, startWorker, type RunningProcess, type RunningServer } from './support/server.ts';
import { ADMIN_TOKEN, control, createAccount, firstError } from './support/controls.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const admin = { token: ADMIN_TOKEN };
const DAY_S = 86_400;

/** Rows of `table` the account has, read from the database itself (subscriptions have no read operation). */
async function countRows(databaseUrl: string, table: string, account: string): Promise<number> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE account = ?`).get(account) as { n: number }).n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM ${table} WHERE account = $1`, [account])).rows[0].n);
  } finally {
    await client.end();
  }
}

const item = (externalId: string, extra: Record<string, unknown> = {}) => ({
  data: { type: 'catalog-item' as any, attributes: { externalId, title: `${externalId} title`, description: 'd', url: `https://shop.example/${externalId}`, price: 10, ...extra } },
});

function createJob(externalIds: string[]) {
  return {
    data: {
      type: 'catalog-item-bulk-create-job' as any,
      attributes: { items: { data: externalIds.map((externalId) => item(externalId).data) } },
    },
  };
}

/** Categories, items (one in two categories, one unpublished), a variant, a subscription and a finished job. */
async function buildCatalog(url: string, key: string): Promise<string> {
  const api = sdk(url, key);
  for (const c of ['APPAREL', 'SALE']) await api.createCatalogCategory({ data: { type: 'catalog-category', attributes: { externalId: c, name: `${c} name` } } });
  await api.createCatalogItem({ data: { ...item('SHIRT', { imageFullUrl: 'https://img.example/s.jpg', customMetadata: { color: 'blue' } }).data, relationships: { categories: { data: [{ type: 'catalog-category', id: id('SALE') }, { type: 'catalog-category', id: id('APPAREL') }] } } } });
  await api.createCatalogItem(item('HAT', { published: false, price: undefined }));
  await api.createCatalogVariant({ data: {
    type: 'catalog-variant',
    attributes: { externalId: 'SHIRT-M', title: 'M', description: 'v', sku: 'S-M', inventoryQuantity: 3, price: 12, url: 'https://shop.example/v', inventoryPolicy: 1 },
    relationships: { item: { data: { type: 'catalog-item', id: id('SHIRT') } } },
  } });
  await api.createBackInStockSubscription({ data: {
    type: 'back-in-stock-subscription',
    attributes: { channels: ['EMAIL'], profile: { data: { type: 'profile', attributes: { email: 'ada@example.com' } } } },
    relationships: { variant: { data: { type: 'catalog-variant', id: id('SHIRT-M') } } },
  } });
  const jobId = (await api.bulkCreateCatalogItems(createJob(['JOB-1']))).body.data.id!;
  await eventually(async () => ((await api.getBulkCreateCatalogItemsJob(jobId)).body.data.attributes.status === 'complete' ? true : undefined));
  return jobId;
}

const externalIds = (document: any) => document.data.map((r: any) => r.attributes.external_id);

await forEachStore('control API', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl(), env: { CATALOG_ADMIN_TOKEN: ADMIN_TOKEN } });
  });
  after(() => server.stop());

  it('creates accounts with keys in one call, lists them without secrets, adds and revokes keys, deletes an account with everything', async () => {
    const created = await control(server.url, admin, 'POST', '/__admin/accounts', { scopes: [['catalogs:read'], ['catalogs:read', 'profiles:write']] });
    assert.equal(created.status, 201);
    const { id: account, type, attributes } = created.body.data;
    assert.equal(type, 'account');
    assert.match(account, /^acct_[0-9a-f]{16}$/);
    assert.deepEqual(attributes.keys.map((k: any) => k.scopes), [['catalogs:read', 'catalogs:write', 'profiles:write'], ['catalogs:read'], ['catalogs:read', 'profiles:write']]);
    assert.equal(attributes.api_key, attributes.keys[0].key);
    const [full, readOnly] = attributes.keys;
    const api = sdk(server.url, full.key);
    await api.createCatalogItem(item('MINE'));
    assert.deepEqual(externalIds((await sdk(server.url, readOnly.key).getCatalogItems()).response.data), ['MINE']);
    await assert.rejects(sdk(server.url, readOnly.key).createCatalogItem(item('NOT-ALLOWED')), (err: any) => err.response.status === 403);

    const listed = await control(server.url, admin, 'GET', '/__admin/accounts');
    const entry = listed.body.data.find((a: any) => a.id === account);
    assert.deepEqual(entry.attributes.keys.map((k: any) => [k.id, k.prefix, k.revoked_at]), attributes.keys.map((k: any) => [k.id, k.key.slice(0, 7), null]));
    assert.doesNotMatch(JSON.stringify(listed.body), new RegExp(full.key), 'no key is ever listed');
    assert.ok(listed.body.data.some((a: any) => a.id === 'default'), 'the server\'s own account too');

    const added = await control(server.url, admin, 'POST', `/__admin/accounts/${account}/keys`, { scopes: ['catalogs:read'] });
    assert.equal(added.status, 201);
    assert.deepEqual([added.body.data.type, added.body.data.attributes.account, added.body.data.attributes.scopes], ['api-key', account, ['catalogs:read']]);
    const extra = sdk(server.url, added.body.data.attributes.key);
    assert.equal((await extra.getCatalogItems()).response.status, 200);
    assert.equal((await control(server.url, admin, 'DELETE', `/__admin/accounts/${account}/keys/${added.body.data.id}`)).status, 204);
    await assert.rejects(extra.getCatalogItems(), (err: any) => err.response.status === 401, 'a revoked key stops working at once');
    assert.equal((await control(server.url, admin, 'DELETE', `/__admin/accounts/${account}/keys/${added.body.data.id}`)).status, 404, 'revoked already');
    assert.equal((await control(server.url, admin, 'DELETE', `/__admin/accounts/default/keys/${full.id}`)).status, 404, 'a key of another account');

    assert.equal((await control(server.url, admin, 'DELETE', `/__admin/accounts/${account}`)).status, 204);
    await assert.rejects(api.getCatalogItems(), (err: any) => err.response.status === 401);
    assert.equal(await countRows(server.databaseUrl, 'resources', account), 0);
    assert.equal(await countRows(server.databaseUrl, 'api_keys', account), 0);
    assert.ok(!(await control(server.url, admin, 'GET', '/__admin/accounts')).body.data.some((a: any) => a.id === account));
    const again = await control(server.url, admin, 'DELETE', `/__admin/accounts/${account}`);
    assert.deepEqual([again.status, firstError(again).code], [404, 'not_found']);
    const bare = await control(server.url, admin, 'POST', '/__admin/accounts');
    assert.deepEqual([bare.status, bare.body.data.attributes.keys.length], [201, 1], 'the body is optional');
    const badScopes = await control(server.url, admin, 'POST', '/__admin/accounts', { scopes: [['catalogs:everything']] });
    assert.deepEqual([badScopes.status, firstError(badScopes).source.pointer], [400, '/scopes/0/0']);
  });

  it('refuses a missing, wrong or misplaced admin token with JSON:API errors', async () => {
    for (const path of ['/__admin/accounts', '/__admin/clock']) {
      const missing = await control(server.url, undefined, 'GET', path);
      assert.deepEqual([missing.status, firstError(missing).code], [401, 'not_authenticated']);
      const wrong = await control(server.url, { token: `${ADMIN_TOKEN}x` }, 'GET', path);
      assert.deepEqual([wrong.status, firstError(wrong).code], [401, 'authentication_failed']);
      const apiKey = await control(server.url, { key: server.key }, 'GET', path);
      assert.deepEqual([apiKey.status, firstError(apiKey).code], [401, 'authentication_failed'], 'an API key is not the admin token');
    }
    const bearerForAccountControl = await control(server.url, admin, 'POST', '/__admin/reset');
    assert.deepEqual([bearerForAccountControl.status, firstError(bearerForAccountControl).code], [401, 'authentication_failed'], 'the admin token is not an account key');
  });

  it('refuses account controls with a read-only key, and acts only on the account of the key', async () => {
    const a = await createAccount(server.url, [['catalogs:read'], ['catalogs:read', 'catalogs:write']]);
    const b = await createAccount(server.url);
    await sdk(server.url, a.key).createCatalogItem(item('A-ONLY'));
    await control(server.url, { key: a.key }, 'PUT', '/__admin/jobs/pace', { data: { type: 'job-pace', attributes: { pace: 'manual' } } });
    const jobOfA = (await sdk(server.url, a.key).bulkCreateCatalogItems(createJob(['HELD']))).body.data.id!;

    const readOnly = { key: a.keys[1].key };
    const withoutProfiles = { key: a.keys[2].key }; // catalogs:read and write, but not full access
    for (const [method, path, body] of [
      ['POST', '/__admin/reset'], ['GET', '/__admin/fixtures'], ['POST', '/__admin/fixtures', { data: { type: 'catalog-fixture', attributes: {} } }],
      ['GET', '/__admin/jobs/pace'], ['PUT', '/__admin/jobs/pace', { data: { type: 'job-pace', attributes: { pace: 'instant' } } }],
      ['POST', `/__admin/jobs/${jobOfA}/actions`, { action: 'complete' }],
    ] as [string, string, unknown?][]) {
      for (const key of [readOnly, withoutProfiles]) {
        const refused = await control(server.url, key, method, path, body);
        assert.deepEqual([refused.status, firstError(refused).code], [403, 'permission_denied'], `${method} ${path}`);
      }
      const anonymous = await control(server.url, undefined, method, path, body);
      assert.deepEqual([anonymous.status, firstError(anonymous).code], [401, 'not_authenticated'], `${method} ${path}`);
    }

    // B's key: A's job does not exist for it; B's reset and export do not touch or show A's catalog.
    const foreign = await control(server.url, { key: b.key }, 'POST', `/__admin/jobs/${jobOfA}/actions`, { action: 'complete' });
    assert.deepEqual([foreign.status, firstError(foreign).code], [404, 'not_found']);
    assert.equal((await control(server.url, { key: b.key }, 'POST', '/__admin/reset')).status, 204);
    assert.deepEqual((await control(server.url, { key: b.key }, 'GET', '/__admin/fixtures')).body.data.attributes.items, []);
    assert.equal((await control(server.url, { key: b.key }, 'GET', '/__admin/jobs/pace')).body.data.attributes.pace, 'instant');
    assert.deepEqual(externalIds((await sdk(server.url, a.key).getCatalogItems()).response.data), ['A-ONLY']);
    const job = (await sdk(server.url, a.key).getBulkCreateCatalogItemsJob(jobOfA)).body.data.attributes;
    assert.deepEqual([job.status, job.completedCount], ['processing', 0], 'still held');
  });

  it('resets an account: items, variants, categories, links, jobs and subscriptions go; keys, pace and other accounts stay', async () => {
    const a = await createAccount(server.url);
    const b = await createAccount(server.url);
    const jobA = await buildCatalog(server.url, a.key);
    await buildCatalog(server.url, b.key);
    await control(server.url, { key: a.key }, 'PUT', '/__admin/jobs/pace', { data: { type: 'job-pace', attributes: { pace: 'realistic' } } });
    const apiA = sdk(server.url, a.key);
    assert.equal((await apiA.getBulkCreateCatalogItemsJob(jobA)).response.status, 200, 'read once, so a finished job is served from memory');
    for (const table of ['resources', 'item_categories', 'back_in_stock_subscriptions', 'jobs']) assert.ok(await countRows(server.databaseUrl, table, a.account) > 0, table);

    assert.equal((await control(server.url, { key: a.key }, 'POST', '/__admin/reset')).status, 204);
    for (const table of ['resources', 'item_categories', 'back_in_stock_subscriptions', 'jobs']) assert.equal(await countRows(server.databaseUrl, table, a.account), 0, table);
    assert.deepEqual((await apiA.getCatalogItems()).response.data.data, []);
    assert.deepEqual((await apiA.getCatalogVariants()).response.data.data, []);
    assert.deepEqual((await apiA.getCatalogCategories()).response.data.data, []);
    await assert.rejects(apiA.getBulkCreateCatalogItemsJob(jobA), (err: any) => err.response.status === 404);
    assert.equal((await control(server.url, { key: a.key }, 'GET', '/__admin/jobs/pace')).body.data.attributes.pace, 'realistic', 'settings stay');
    await apiA.createCatalogItem(item('SHIRT'));
    assert.deepEqual(externalIds((await apiA.getCatalogItems()).response.data), ['SHIRT'], 'the key still works and ids are free again');

    const apiB = sdk(server.url, b.key);
    assert.deepEqual(externalIds((await apiB.getCatalogItems()).response.data), ['SHIRT', 'HAT', 'JOB-1']);
    assert.deepEqual(externalIds((await apiB.getCatalogVariants()).response.data), ['SHIRT-M']);
    assert.equal(await countRows(server.databaseUrl, 'back_in_stock_subscriptions', b.account), 1);
  });

  it('exports a catalog as one document, imports it into another account, and exports it identically', async () => {
    const a = await createAccount(server.url);
    await buildCatalog(server.url, a.key);
    const exported = await fetch(`${server.url}/__admin/fixtures`, { headers: { authorization: `Klaviyo-API-Key ${a.key}` } });
    const text = await exported.text();
    const document = JSON.parse(text);
    const { categories, items, variants } = document.data.attributes;
    assert.deepEqual(categories.map((c: any) => c.external_id), ['APPAREL', 'SALE']);
    assert.deepEqual(items.map((i: any) => i.external_id), ['HAT', 'JOB-1', 'SHIRT'], 'sorted by external id');
    const shirt = items[2];
    assert.deepEqual(Object.keys(shirt), ['external_id', 'title', 'description', 'price', 'url', 'image_full_url', 'custom_metadata', 'categories', 'created', 'updated']);
    assert.deepEqual([shirt.categories, shirt.custom_metadata], [['APPAREL', 'SALE'], { color: 'blue' }]);
    assert.deepEqual([items[0].published, 'price' in items[0]], [false, false], 'what an import would give anyway is left out');
    assert.deepEqual([variants[0].external_id, variants[0].item, variants[0].inventory_policy], ['SHIRT-M', 'SHIRT', 1]);

    const b = await createAccount(server.url);
    const imported = await control(server.url, { key: b.key }, 'POST', '/__admin/fixtures', document);
    assert.equal(imported.status, 200);
    assert.deepEqual(imported.body.data.attributes, { categories: 2, items: 3, variants: 1 });
    const again = await (await fetch(`${server.url}/__admin/fixtures`, { headers: { authorization: `Klaviyo-API-Key ${b.key}` } })).text();
    assert.equal(again, text, 'byte for byte');
    // What the API shows of the copy is what it shows of the original, timestamps included.
    const [itemsA, itemsB] = await Promise.all([a.key, b.key].map(async (key) => (await sdk(server.url, key).getCatalogItems({ include: ['variants'] })).response.data));
    assert.deepEqual(itemsB.data.map((r: any) => r.attributes), [...itemsA.data].sort((x: any, y: any) => (x.id < y.id ? -1 : 1)).map((r: any) => r.attributes));
    assert.deepEqual(itemsB.included, itemsA.included);
    const linked = (await sdk(server.url, b.key).getItemIdsForCatalogCategory(id('SALE'))).response.data.data;
    assert.deepEqual(linked, [{ type: 'catalog-item', id: id('SHIRT') }]);

    // Importing onto what exists replaces it: the same document again changes nothing.
    assert.equal((await control(server.url, { key: b.key }, 'POST', '/__admin/fixtures', document)).status, 200);
    assert.equal(await (await fetch(`${server.url}/__admin/fixtures`, { headers: { authorization: `Klaviyo-API-Key ${b.key}` } })).text(), text);
  });

  it('imports all or nothing, naming the bad entry by its pointer', async () => {
    const c = await createAccount(server.url);
    const good = { external_id: 'OK', title: 'ok', description: 'd', url: 'https://shop.example/ok' };
    const cases: [unknown, number, string, string, RegExp][] = [
      [{ items: [good, { ...good, external_id: 'BAD', price: 'cheap' }] }, 400, 'invalid', '/data/attributes/items/1/price', /type number/],
      [{ items: [good, { ...good }] }, 400, 'invalid', '/data/attributes/items/1/external_id', /also at \/data\/attributes\/items\/0/],
      [{ items: [{ ...good, categories: ['NOPE'] }] }, 400, 'invalid', '/data/attributes/items/0/categories/0', /does not exist/],
      [{ items: [good], variants: [{ external_id: 'V', item: 'MISSING', title: 't', description: 'd', sku: 's', inventory_quantity: 1, price: 1, url: 'u' }] }, 400, 'invalid', '/data/attributes/variants/0/item', /does not exist/],
      [{ items: [{ ...good, custom_metadata: { nested: { no: 1 } } }] }, 400, 'invalid', '/data/attributes/items/0/custom_metadata/nested', /flat/],
      [{ items: [{ ...good, created: '2026-13-45T00:00:00Z' }] }, 400, 'invalid', '/data/attributes/items/0/created', /date/],
      [{ items: [{ ...good, colour: 'red' }] }, 400, 'invalid', '/data/attributes/items/0/colour', /not a valid field/],
      [{ products: [] }, 400, 'invalid', '/data/attributes/products', /not a valid field/],
    ];
    for (const [attributes, status, code, pointer, detail] of cases) {
      const res = await control(server.url, { key: c.key }, 'POST', '/__admin/fixtures', { data: { type: 'catalog-fixture', attributes } });
      const error = firstError(res);
      assert.deepEqual([res.status, error.code, error.source.pointer], [status, code, pointer], JSON.stringify(res.body));
      assert.match(error.detail, detail);
    }
    const wrongType = await control(server.url, { key: c.key }, 'POST', '/__admin/fixtures', { data: { type: 'catalog-item', attributes: {} } });
    assert.deepEqual([wrongType.status, firstError(wrongType).source.pointer], [409, '/data/type']);
    assert.deepEqual((await sdk(server.url, c.key).getCatalogItems()).response.data.data, [], 'nothing of a failed import was stored');
  });

  it('keeps jobs of an account at its own pace, and steps a manual job to each terminal state', async () => {
    const manual = await createAccount(server.url);
    const other = await createAccount(server.url);
    const paced = await control(server.url, { key: manual.key }, 'PUT', '/__admin/jobs/pace', { data: { type: 'job-pace', attributes: { pace: 'manual' } } });
    assert.deepEqual(paced.body.data, { type: 'job-pace', id: manual.account, attributes: { pace: 'manual', server_pace: 'instant' } });
    const api = sdk(server.url, manual.key);
    const step = (jobId: string, body: unknown) => control(server.url, { key: manual.key }, 'POST', `/__admin/jobs/${jobId}/actions`, body);
    const status = async (jobId: string) => (await api.getBulkCreateCatalogItemsJob(jobId)).response.data.data;

    // Another account keeps the server's pace: its job completes without a step.
    const otherApi = sdk(server.url, other.key);
    const otherJob = (await otherApi.bulkCreateCatalogItems(createJob(['FREE']))).body.data.id!;
    await eventually(async () => ((await otherApi.getBulkCreateCatalogItemsJob(otherJob)).body.data.attributes.status === 'complete' ? true : undefined));

    const completed = (await api.bulkCreateCatalogItems(createJob(['C1', 'C2', 'C3']))).body.data.id!;
    const failed = (await api.bulkCreateCatalogItems(createJob(['F1', 'F2', 'F3']))).body.data.id!;
    const cancelled = (await api.bulkCreateCatalogItems(createJob(['X1', 'X2']))).body.data.id!;
    for (const jobId of [completed, failed, cancelled]) assert.equal((await status(jobId)).attributes.status, 'processing');

    assert.equal((await step(completed, { action: 'apply', count: 2 })).body.data.attributes.completed_count, 2);
    assert.deepEqual([(await status(completed)).attributes.status, (await status(completed)).attributes.completed_count], ['processing', 2]);
    assert.equal((await step(completed, { action: 'complete' })).status, 200);
    const done = await status(completed);
    assert.deepEqual([done.attributes.status, done.attributes.completed_count, done.attributes.failed_count], ['complete', 3, 0]);
    assert.deepEqual(done.relationships.items.data.map((r: any) => r.id), [id('C1'), id('C2'), id('C3')]);

    const marked = await step(failed, { action: 'fail', errors: [{ id: id('F3'), detail: 'Price must be positive.' }, { id: id('F1') }] });
    assert.deepEqual([marked.body.data.attributes.status, marked.body.data.attributes.failed_count, marked.body.data.attributes.completed_count], ['processing', 2, 0]);
    await step(failed, { action: 'complete' });
    const withErrors = await status(failed);
    assert.deepEqual([withErrors.attributes.status, withErrors.attributes.completed_count, withErrors.attributes.failed_count], ['complete', 1, 2]);
    assert.deepEqual(withErrors.attributes.errors.map((e: any) => [e.meta.id, e.code, e.title, e.detail]), [
      [id('F3'), 'invalid', 'Invalid input', 'Price must be positive.'],
      [id('F1'), 'invalid', 'Invalid input', `The item with the id \`${id('F1')}\` could not be stored.`],
    ]);
    assert.deepEqual(withErrors.relationships.items.data.map((r: any) => r.id), [id('F2')]);
    await assert.rejects(api.getCatalogItem(id('F1')), (err: any) => err.response.status === 404);

    await step(cancelled, { action: 'apply' });
    await step(cancelled, { action: 'cancel' });
    const ended = await status(cancelled);
    assert.deepEqual([ended.attributes.status, ended.attributes.completed_count], ['cancelled', 1]);
    assert.ok(ended.attributes.completed_at);

    const unknown = (await api.bulkCreateCatalogItems(createJob(['U1']))).body.data.id!;
    const notInJob = await step(unknown, { action: 'fail', errors: [{ id: id('U1') }, { id: id('ELSEWHERE') }] });
    assert.deepEqual([notInJob.status, firstError(notInJob).source.pointer], [400, '/errors/1/id']);
    const twice = await step(unknown, { action: 'fail', errors: [{ id: id('U1') }, { id: id('U1') }] });
    assert.deepEqual([twice.status, firstError(twice).source.pointer], [400, '/errors/1/id']);
    const misplaced = await step(unknown, { action: 'apply', errors: [{ id: id('U1') }] });
    assert.deepEqual([misplaced.status, firstError(misplaced).source.pointer], [400, '/errors']);
    assert.equal((await status(unknown)).attributes.failed_count, 0, 'a refused step changes nothing');
    const everything = await step(unknown, { action: 'fail', errors: [{ id: id('U1'), detail: 'No.' }] });
    assert.deepEqual([everything.body.data.attributes.status, everything.body.data.attributes.failed_count], ['complete', 1], 'failing the last resource ends the job');
    assert.equal((await step(completed, { action: 'complete' })).status, 404, 'a finished job cannot be stepped');

    // Back to the server's pace.
    const back = await control(server.url, { key: manual.key }, 'PUT', '/__admin/jobs/pace', { data: { type: 'job-pace', attributes: { pace: null } } });
    assert.equal(back.body.data.attributes.pace, 'instant');
    const badPace = await control(server.url, { key: manual.key }, 'PUT', '/__admin/jobs/pace', { data: { type: 'job-pace', attributes: { pace: 'slow' } } });
    assert.deepEqual([badPace.status, firstError(badPace).source.pointer], [400, '/data/attributes/pace']);
  });

  it('moves the clock: timestamps follow it, and an advance expires a job', async () => {
    const a = await createAccount(server.url);
    const api = sdk(server.url, a.key);
    try {
      const real = await control(server.url, admin, 'GET', '/__admin/clock');
      assert.deepEqual([real.body.data.type, real.body.data.attributes.real, real.body.data.attributes.offset_seconds], ['clock', true, 0]);

      const set = await control(server.url, admin, 'PUT', '/__admin/clock', { time: '2030-01-01T00:00:00Z' });
      assert.equal(set.body.data.attributes.real, false);
      assert.match(set.body.data.attributes.now, /^2030-01-01T00:00:0\d\.\d{6}\+00:00$/);
      const created = (await api.createCatalogItem(item('LATER'))).response.data.data.attributes;
      assert.match(created.created, /^2030-01-01T00:00:/);
      assert.equal(created.updated, created.created);
      const jobId = (await api.bulkCreateCatalogItems(createJob(['EXPIRING']))).body.data.id!;
      const job = (await eventually(async () => {
        const j = (await api.getBulkCreateCatalogItemsJob(jobId)).response.data.data;
        return j.attributes.status === 'complete' ? j : undefined;
      })).attributes;
      assert.match(job.created_at, /^2030-01-01T00:00:/);
      assert.match(job.completed_at, /^2030-01-01T00:00:/);
      assert.match(job.expires_at, /^2030-01-08T00:00:/);
      assert.match((await api.getCatalogItem(id('EXPIRING'))).response.data.data.attributes.created, /^2030-01-01T00:00:/);

      const advanced = await control(server.url, admin, 'PUT', '/__admin/clock', { advance_seconds: 7 * DAY_S + 60 });
      assert.match(advanced.body.data.attributes.now, /^2030-01-08T00:0[12]:/);
      await assert.rejects(api.getBulkCreateCatalogItemsJob(jobId), (err: any) => err.response.status === 404);
      assert.deepEqual((await api.getBulkCreateCatalogItemsJobs()).response.data.data, []);

      const bad = await control(server.url, admin, 'PUT', '/__admin/clock', { time: 'next tuesday' });
      assert.deepEqual([bad.status, firstError(bad).source.pointer], [400, '/time']);
      const two = await control(server.url, admin, 'PUT', '/__admin/clock', { real: true, advance_seconds: 1 });
      assert.equal(two.status, 400);
    } finally {
      const back = await control(server.url, admin, 'PUT', '/__admin/clock', { real: true });
      assert.deepEqual([back.body.data.attributes.real, back.body.data.attributes.offset_seconds], [true, 0]);
    }
    assert.ok(Math.abs(Date.parse((await api.createCatalogItem(item('NOW'))).response.data.data.attributes.created) - Date.now()) < 60_000);
  });
});

await forEachStore('the clock across processes', (target) => {
  let server: RunningServer;
  let worker: RunningProcess;
  before(async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    server = await startServer({ databaseUrl, args: ['--no-worker'], env: { CATALOG_ADMIN_TOKEN: ADMIN_TOKEN } });
    worker = await startWorker(databaseUrl);
  });
  after(async () => {
    await server.stop();
    await worker.stop();
  });

  it('is followed by a worker in another process when it completes jobs', async () => {
    await control(server.url, admin, 'PUT', '/__admin/clock', { time: '2031-06-01T12:00:00Z' });
    const api = sdk(server.url, server.key);
    let n = 0;
    // The worker reads the offset within a second; until then it may stamp real time: submit until it follows.
    const completedAt = await eventually(async () => {
      const jobId = (await api.bulkCreateCatalogItems(createJob([`W${++n}`]))).body.data.id!;
      const job = await eventually(async () => {
        const j = (await api.getBulkCreateCatalogItemsJob(jobId)).response.data.data.attributes;
        return j.status === 'complete' ? j : undefined;
      });
      return job.completed_at.startsWith('2031-06-01') ? job.completed_at : undefined;
    });
    assert.ok(completedAt);
  });
});

describe('controls switched off or without an admin token', () => {
  let off: RunningServer;
  let noToken: RunningServer;
  before(async () => {
    const { sqliteTarget } = await import('./support/server.ts');
    [off, noToken] = await Promise.all([
      startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_CONTROLS: 'off', CATALOG_ADMIN_TOKEN: ADMIN_TOKEN } }),
      startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() }),
    ]);
  });
  after(async () => {
    await off.stop();
    await noToken.stop();
  });

  const PATHS: [string, string, { key?: true; token?: true }][] = [
    ['POST', '/__admin/accounts', { token: true }], ['GET', '/__admin/accounts', { token: true }], ['DELETE', '/__admin/accounts/default', { token: true }],
    ['POST', '/__admin/accounts/default/keys', { token: true }], ['DELETE', '/__admin/accounts/default/keys/1', { token: true }],
    ['GET', '/__admin/clock', { token: true }], ['PUT', '/__admin/clock', { token: true }],
    ['POST', '/__admin/reset', { key: true }], ['GET', '/__admin/fixtures', { key: true }], ['POST', '/__admin/fixtures', { key: true }],
    ['GET', '/__admin/jobs/pace', { key: true }], ['PUT', '/__admin/jobs/pace', { key: true }], ['POST', '/__admin/jobs/01ABC/actions', { key: true }],
  ];

  it('CATALOG_CONTROLS=off: every /__admin/ path is a 404', async () => {
    for (const [method, path, auth] of PATHS) {
      const res = await control(off.url, auth.key ? { key: off.key } : { token: ADMIN_TOKEN }, method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.deepEqual([res.status, firstError(res).code], [404, 'not_found'], `${method} ${path}`);
    }
    assert.equal((await sdk(off.url, off.key).getCatalogItems()).response.status, 200, 'the API itself is there');
  });

  it('without CATALOG_ADMIN_TOKEN: server-wide controls answer 403 saying how to turn them on; account controls work', async () => {
    for (const [method, path] of PATHS.filter(([, , auth]) => auth.token)) {
      const res = await control(noToken.url, { token: 'anything-at-all-0000' }, method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.deepEqual([res.status, firstError(res).code], [403, 'permission_denied'], `${method} ${path}`);
      assert.match(firstError(res).detail, /CATALOG_ADMIN_TOKEN/);
    }
    assert.equal((await control(noToken.url, { key: noToken.key }, 'GET', '/__admin/fixtures')).status, 200);
  });
});
