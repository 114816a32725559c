// Library mode under Vitest, written as the README shows it: one server per file, one account per test.
// Run by test/library-vitest.test.ts (`vitest run --root test/vitest`).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeySession, CatalogsApi } from 'klaviyo-api';
import { startCatalogServer, type CatalogAccount, type CatalogServer } from 'klaviyo-catalog-server';

let server: CatalogServer;
let account: CatalogAccount;
let catalogs: CatalogsApi;

beforeAll(async () => {
  server = await startCatalogServer();
});
afterAll(() => server.stop());
beforeEach(async () => {
  account = await server.newAccount();
  catalogs = new CatalogsApi(new ApiKeySession(account.apiKey));
  catalogs.basePath = server.url;
});

describe('a product sync, against a fresh account per test', () => {
  it('creates an item the SDK reads back', async () => {
    await catalogs.createCatalogItem({ data: { type: 'catalog-item', attributes: { externalId: 'SHIRT', title: 'Shirt', description: 'Blue', url: 'https://shop.example/shirt' } } });
    const read = await catalogs.getCatalogItem('$custom:::$default:::SHIRT');
    expect(read.body.data.attributes.title).toBe('Shirt');
  });

  it('starts empty in the next test', async () => {
    expect((await catalogs.getCatalogItems()).body.data).toEqual([]);
    expect((await account.controls.exportFixture()).data.attributes.items).toEqual([]);
  });

  it('holds a bulk job until the test completes it', async () => {
    await account.controls.setJobPace('manual');
    const job = await catalogs.bulkCreateCatalogItems({ data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: [
      { type: 'catalog-item', attributes: { externalId: 'A', title: 'A', description: 'd', url: 'https://shop.example/a' } },
    ] } } } });
    const jobId = job.body.data.id!;
    expect((await catalogs.getBulkCreateCatalogItemsJob(jobId)).body.data.attributes.status).toBe('processing');
    await account.controls.completeJob(jobId);
    expect((await catalogs.getBulkCreateCatalogItemsJob(jobId)).body.data.attributes.status).toBe('complete');
  });
});
