// The whole Catalogs API through the official SDK: a full lifecycle that calls every one of its 55
// operations and checks what each returns.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CatalogsApi } from 'klaviyo-api';
import { OPERATIONS as SPEC_OPERATIONS } from '../src/http/operations.ts';
import { forEachStore } from './support/targets.ts';
import { eventually, http, sdk, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const ids = (wire: any) => wire.data.map((r: any) => r.id);
const external = (wire: any) => wire.data.map((r: any) => r.attributes.external_id);

/** The SDK method of each of the spec's operations (operationId in camelCase); the test calls every one. */
const OPERATIONS = [...SPEC_OPERATIONS.keys()].map((op) => op.replace(/_([a-z])/g, (_, c) => c.toUpperCase()));

function recording(api: CatalogsApi, called: Set<string>): any {
  return new Proxy(api, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || !OPERATIONS.includes(String(name))) return value;
      return (...args: unknown[]) => {
        called.add(String(name));
        return value.apply(target, args);
      };
    },
  });
}

const itemAttributes = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId, title: `${externalId} title`, description: `${externalId} description`, url: `https://shop.example/${externalId}`, price: 10, ...extra,
});
const variantAttributes = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId, title: `${externalId} title`, description: 'variant', sku: `SKU-${externalId}`, inventoryQuantity: 5, price: 12, url: `https://shop.example/v/${externalId}`, ...extra,
});
const rel = (type: string, ...externalIds: string[]) => ({ data: externalIds.map((x) => ({ type, id: id(x) })) });

await forEachStore('the whole Catalogs API', (target) => {
  let server: RunningServer;
  let api: any;
  const called = new Set<string>();
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
    api = recording(sdk(server.url, server.key), called);
  });
  after(() => server.stop());

  async function job(get: string, jobId: string, options: Record<string, unknown> = {}) {
    return eventually(async () => {
      const res = await api[get](jobId, options);
      return res.response.data.data.attributes.status === 'complete' ? res.response.data : undefined;
    });
  }

  it('creates, reads and updates categories, items and variants', async () => {
    for (const c of ['APPAREL', 'SALE']) {
      const res = await api.createCatalogCategory({ data: { type: 'catalog-category', attributes: { externalId: c, name: `${c} name` } } });
      assert.equal(res.response.status, 201);
      assert.deepEqual(res.response.data.data.attributes, { external_id: c, name: `${c} name`, updated: res.response.data.data.attributes.updated });
    }
    const shirt = await api.createCatalogItem({ data: { type: 'catalog-item', attributes: itemAttributes('SHIRT', { published: true }), relationships: { categories: rel('catalog-category', 'APPAREL') } } });
    assert.equal(shirt.response.data.data.id, id('SHIRT'));
    await api.createCatalogItem({ data: { type: 'catalog-item', attributes: itemAttributes('HAT', { published: false }) } });
    await api.createCatalogItem({ data: { type: 'catalog-item', attributes: itemAttributes('PANTS') } });
    for (const v of ['SHIRT-S', 'SHIRT-M']) {
      const res = await api.createCatalogVariant({ data: { type: 'catalog-variant', attributes: variantAttributes(v), relationships: { item: { data: { type: 'catalog-item', id: id('SHIRT') } } } } });
      assert.equal(res.response.status, 201);
      assert.equal(res.response.data.data.attributes.inventory_policy, 0);
      // As Klaviyo: the item relationship of a variant carries links only.
      assert.deepEqual(res.response.data.data.relationships.item, {
        links: { self: `${server.url}/api/catalog-variants/${id(v)}/relationships/item/`, related: `${server.url}/api/catalog-variants/${id(v)}/item/` },
      });
    }

    assert.equal((await api.getCatalogCategory(id('APPAREL'))).response.data.data.attributes.name, 'APPAREL name');
    const renamed = await api.updateCatalogCategory(id('SALE'), { data: { type: 'catalog-category', id: id('SALE'), attributes: { name: 'Sale!' } } });
    assert.equal(renamed.response.data.data.attributes.name, 'Sale!');
    assert.deepEqual(external((await api.getCatalogCategories({ filter: 'contains(name,"Sale")' })).response.data), ['SALE']);
    assert.deepEqual(external((await api.getCatalogCategories({ filter: `equals(item.id,"${id('SHIRT')}")` })).response.data), ['APPAREL']);
    assert.deepEqual(external((await api.getCatalogCategories({ filter: `any(ids,["${id('SALE')}","${id('APPAREL')}"])`, sort: '-created' })).response.data), ['SALE', 'APPAREL']);

    const variant = await api.getCatalogVariant(id('SHIRT-M'), { fieldsCatalogVariant: ['sku', 'price'] });
    assert.deepEqual(variant.response.data.data.attributes, { sku: 'SKU-SHIRT-M', price: 12 });
    const updatedVariant = await api.updateCatalogVariant(id('SHIRT-M'), { data: { type: 'catalog-variant', id: id('SHIRT-M'), attributes: { inventoryQuantity: 0, inventoryPolicy: 1, published: false } } });
    assert.equal(updatedVariant.response.data.data.attributes.inventory_quantity, 0);
    assert.equal(updatedVariant.response.data.data.attributes.inventory_policy, 1);
    assert.deepEqual(external((await api.getCatalogVariants({ filter: `equals(item.id,"${id('SHIRT')}")` })).response.data), ['SHIRT-S', 'SHIRT-M']);
    assert.deepEqual(external((await api.getCatalogVariants({ filter: 'equals(sku,"SKU-SHIRT-S")' })).response.data), ['SHIRT-S']);
    assert.deepEqual(external((await api.getCatalogVariants({ filter: 'equals(published,false)' })).response.data), ['SHIRT-M']);
    assert.deepEqual(external((await api.getCatalogVariants({ filter: 'contains(title,"-S ")' })).response.data), ['SHIRT-S']);
    assert.deepEqual(external((await api.getCatalogVariants({ filter: `any(ids,["${id('SHIRT-M')}"])` })).response.data), ['SHIRT-M']);

    const hat = await api.updateCatalogItem(id('HAT'), { data: { type: 'catalog-item', id: id('HAT'), attributes: { title: 'Sun hat', price: 19.5 } } });
    assert.equal(hat.response.data.data.attributes.title, 'Sun hat');
    assert.equal(hat.response.data.data.attributes.description, 'HAT description');
    assert.equal((await api.getCatalogItem(id('HAT'))).response.data.data.attributes.price, 19.5);
  });

  it('renders a resource the same whether or not every field is named, alone or in a list', async () => {
    const all: Record<string, string> = {
      'catalog-items': 'external_id,title,description,price,url,image_full_url,image_thumbnail_url,images,custom_metadata,published,created,updated',
      'catalog-variants': 'external_id,title,description,sku,inventory_policy,inventory_quantity,price,url,image_full_url,image_thumbnail_url,images,custom_metadata,published,created,updated',
      'catalog-categories': 'external_id,name,updated',
    };
    for (const [path, type, externalId] of [['catalog-items', 'catalog-item', 'SHIRT'], ['catalog-variants', 'catalog-variant', 'SHIRT-M'], ['catalog-categories', 'catalog-category', 'SALE']]) {
      const plain = await http(server, 'GET', `/api/${path}/${id(externalId)}`);
      const named = await http(server, 'GET', `/api/${path}/${id(externalId)}?fields[${type}]=${all[path]}`);
      assert.deepEqual(plain.body.data, named.body.data, path);
      const list = await http(server, 'GET', `/api/${path}?filter=${encodeURIComponent(`any(ids,["${id(externalId)}"])`)}`);
      assert.deepEqual(list.body.data, [plain.body.data], path);
    }
  });

  it('lists items with each filter, includes variants, and pages both ways', async () => {
    assert.deepEqual(external((await api.getCatalogItems()).response.data), ['SHIRT', 'HAT', 'PANTS']);
    assert.deepEqual(external((await api.getCatalogItems({ filter: 'equals(published,false)' })).response.data), ['HAT']);
    assert.deepEqual(external((await api.getCatalogItems({ filter: 'contains(title,"beret")' })).response.data), []);
    assert.deepEqual(external((await api.getCatalogItems({ filter: 'contains(title,"Sun")' })).response.data), ['HAT']);
    assert.deepEqual(external((await api.getCatalogItems({ filter: `equals(category.id,"${id('APPAREL')}")` })).response.data), ['SHIRT']);
    assert.deepEqual(external((await api.getCatalogItems({ filter: `any(ids,["${id('PANTS')}","${id('SHIRT')}"]),equals(published,true)` })).response.data), ['SHIRT', 'PANTS']);

    const withVariants = (await api.getCatalogItems({ include: ['variants'], filter: `any(ids,["${id('SHIRT')}"])`, fieldsCatalogVariant: ['sku'] })).response.data;
    assert.deepEqual(withVariants.data[0].relationships.variants.data.map((v: any) => v.id), [id('SHIRT-S'), id('SHIRT-M')]);
    assert.deepEqual(withVariants.included.map((v: any) => v.attributes), [{ sku: 'SKU-SHIRT-S' }, { sku: 'SKU-SHIRT-M' }]);

    const first = await api.getCatalogItems({ pageSize: 2, sort: '-created' });
    assert.deepEqual(external(first.response.data), ['PANTS', 'HAT']);
    assert.equal(first.response.data.links.prev, null);
    const second = await api.getCatalogItems({ pageSize: 2, sort: '-created', pageCursor: first.body.links.next });
    assert.deepEqual(external(second.response.data), ['SHIRT']);
    assert.equal(second.response.data.links.next, null);
    const back = await api.getCatalogItems({ pageSize: 2, sort: '-created', pageCursor: second.body.links.prev });
    assert.deepEqual(external(back.response.data), ['PANTS', 'HAT']);
  });

  it('reads and changes relationships between items, variants and categories', async () => {
    assert.deepEqual(external((await api.getVariantsForCatalogItem(id('SHIRT'))).response.data), ['SHIRT-S', 'SHIRT-M']);
    assert.deepEqual(ids((await api.getVariantIdsForCatalogItem(id('SHIRT'), { filter: 'equals(published,false)' })).response.data), [id('SHIRT-M')]);
    assert.deepEqual(external((await api.getCategoriesForCatalogItem(id('SHIRT'))).response.data), ['APPAREL']);

    assert.equal((await api.addCategoriesToCatalogItem(id('SHIRT'), rel('catalog-category', 'SALE'))).response.status, 204);
    assert.deepEqual(ids((await api.getCategoryIdsForCatalogItem(id('SHIRT'))).response.data), [id('APPAREL'), id('SALE')]);
    // Klaviyo's live API answers this PATCH with 200 and no body (the spec says 204); the SDK takes either.
    const replaced = await api.updateCategoriesForCatalogItem(id('SHIRT'), rel('catalog-category', 'SALE'));
    assert.equal(replaced.response.status, 200);
    assert.equal(replaced.response.data, '');
    assert.deepEqual(ids((await api.getCategoryIdsForCatalogItem(id('SHIRT'))).response.data), [id('SALE')]);
    await api.removeCategoriesFromCatalogItem(id('SHIRT'), rel('catalog-category', 'SALE'));
    assert.deepEqual(ids((await api.getCategoryIdsForCatalogItem(id('SHIRT'))).response.data), []);

    await api.addItemsToCatalogCategory(id('APPAREL'), rel('catalog-item', 'SHIRT', 'HAT'));
    assert.deepEqual(ids((await api.getItemIdsForCatalogCategory(id('APPAREL'))).response.data), [id('SHIRT'), id('HAT')]);
    const inCategory = (await api.getItemsForCatalogCategory(id('APPAREL'), { filter: 'equals(published,false)', include: ['variants'] })).response.data;
    assert.deepEqual(external(inCategory), ['HAT']);
    assert.equal((await api.updateItemsForCatalogCategory(id('APPAREL'), rel('catalog-item', 'PANTS'))).response.status, 204);
    assert.deepEqual(external((await api.getItemsForCatalogCategory(id('APPAREL'))).response.data), ['PANTS']);
    await api.removeItemsFromCatalogCategory(id('APPAREL'), rel('catalog-item', 'PANTS'));
    assert.deepEqual(ids((await api.getItemIdsForCatalogCategory(id('APPAREL'))).response.data), []);
  });

  it('subscribes a profile to back in stock notifications for a variant', async () => {
    const res = await api.createBackInStockSubscription({
      data: {
        type: 'back-in-stock-subscription',
        attributes: { channels: ['EMAIL', 'SMS'], profile: { data: { type: 'profile', attributes: { email: 'ada@example.com', phoneNumber: '+15005550006' } } } },
        relationships: { variant: { data: { type: 'catalog-variant', id: id('SHIRT-M') } } },
      },
    });
    assert.equal(res.response.status, 202);
  });

  it('runs create, update and delete jobs for categories, items and variants', async () => {
    const categories = await api.bulkCreateCatalogCategories({ data: { type: 'catalog-category-bulk-create-job', attributes: { categories: { data: [
      { type: 'catalog-category', attributes: { externalId: 'BULK-CAT', name: 'Bulk' } },
      { type: 'catalog-category', attributes: { externalId: 'APPAREL', name: 'duplicate' } },
    ] } } } });
    assert.equal(categories.response.status, 202);
    const catJob = await job('getBulkCreateCategoriesJob', categories.body.data.id, { include: ['categories'] });
    assert.equal(catJob.data.attributes.completed_count, 1);
    const [duplicate] = catJob.data.attributes.errors;
    assert.deepEqual([duplicate.code, duplicate.source.pointer, duplicate.meta.id], ['invalid', '/data/attributes/categories/data/attributes/external_id', id('APPAREL')]);
    assert.equal(duplicate.detail, `A category with the id \`${id('APPAREL')}\` already exists.`);
    assert.deepEqual(catJob.included.map((c: any) => c.attributes.name), ['Bulk']);
    assert.deepEqual(ids((await api.getBulkCreateCategoriesJobs({ filter: 'equals(status,"complete")' })).response.data), [categories.body.data.id]);

    const items = await api.bulkCreateCatalogItems({ data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: [
      { type: 'catalog-item', attributes: itemAttributes('BULK-1'), relationships: { categories: rel('catalog-category', 'BULK-CAT') } },
      { type: 'catalog-item', attributes: itemAttributes('BULK-2') },
    ] } } } });
    const itemJob = await job('getBulkCreateCatalogItemsJob', items.body.data.id, { include: ['items'] });
    assert.deepEqual(itemJob.included.map((i: any) => i.id), [id('BULK-1'), id('BULK-2')]);
    assert.deepEqual(external((await api.getItemsForCatalogCategory(id('BULK-CAT'))).response.data), ['BULK-1']);
    assert.deepEqual(ids((await api.getBulkCreateCatalogItemsJobs()).response.data), [items.body.data.id]);

    const variants = await api.bulkCreateCatalogVariants({ data: { type: 'catalog-variant-bulk-create-job', attributes: { variants: { data: [
      { type: 'catalog-variant', attributes: variantAttributes('BULK-1-V'), relationships: { item: { data: { type: 'catalog-item', id: id('BULK-1') } } } },
      { type: 'catalog-variant', attributes: variantAttributes('ORPHAN-V'), relationships: { item: { data: { type: 'catalog-item', id: id('NO-ITEM') } } } },
    ] } } } });
    const variantJob = await job('getBulkCreateVariantsJob', variants.body.data.id, { include: ['variants'] });
    assert.equal(variantJob.data.attributes.completed_count, 1);
    assert.equal(variantJob.data.attributes.failed_count, 1);
    assert.equal(variantJob.data.attributes.errors[0].source.pointer, '/data/attributes/variants/data/relationships/item/data/id');
    assert.equal(variantJob.data.attributes.errors[0].meta.id, id('ORPHAN-V'));
    assert.deepEqual(variantJob.included.map((v: any) => v.id), [id('BULK-1-V')]);
    assert.equal((await api.getBulkCreateVariantsJobs()).response.data.data.length, 1);

    const updates: [string, string, string, string, any][] = [
      ['bulkUpdateCatalogCategories', 'getBulkUpdateCategoriesJob', 'getBulkUpdateCategoriesJobs', 'categories', { type: 'catalog-category', id: id('BULK-CAT'), attributes: { name: 'Bulk renamed' } }],
      ['bulkUpdateCatalogItems', 'getBulkUpdateCatalogItemsJob', 'getBulkUpdateCatalogItemsJobs', 'items', { type: 'catalog-item', id: id('BULK-2'), attributes: { title: 'Bulk two' } }],
      ['bulkUpdateCatalogVariants', 'getBulkUpdateVariantsJob', 'getBulkUpdateVariantsJobs', 'variants', { type: 'catalog-variant', id: id('BULK-1-V'), attributes: { sku: 'NEW-SKU' } }],
    ];
    for (const [create, get, list, name, resource] of updates) {
      const type = `${resource.type}-bulk-update-job`;
      const accepted = await api[create]({ data: { type, attributes: { [name]: { data: [resource] } } } });
      const done = await job(get, accepted.body.data.id, { include: [name] });
      assert.equal(done.data.attributes.completed_count, 1, create);
      assert.deepEqual(done.included.map((r: any) => r.id), [resource.id]);
      assert.deepEqual(ids((await api[list]({ filter: 'equals(status,"complete")' })).response.data), [accepted.body.data.id]);
    }
    assert.equal((await api.getCatalogCategory(id('BULK-CAT'))).response.data.data.attributes.name, 'Bulk renamed');
    assert.equal((await api.getCatalogItem(id('BULK-2'))).response.data.data.attributes.title, 'Bulk two');
    assert.equal((await api.getCatalogVariant(id('BULK-1-V'))).response.data.data.attributes.sku, 'NEW-SKU');

    const deletes: [string, string, string, string, string, string][] = [
      ['bulkDeleteCatalogVariants', 'getBulkDeleteVariantsJob', 'getBulkDeleteVariantsJobs', 'variants', 'catalog-variant', 'BULK-1-V'],
      ['bulkDeleteCatalogItems', 'getBulkDeleteCatalogItemsJob', 'getBulkDeleteCatalogItemsJobs', 'items', 'catalog-item', 'BULK-2'],
      ['bulkDeleteCatalogCategories', 'getBulkDeleteCategoriesJob', 'getBulkDeleteCategoriesJobs', 'categories', 'catalog-category', 'BULK-CAT'],
    ];
    for (const [create, get, list, name, type, externalId] of deletes) {
      const accepted = await api[create]({ data: { type: `${type}-bulk-delete-job`, attributes: { [name]: { data: [{ type, id: id(externalId) }, { type, id: id('NOT-THERE') }] } } } });
      const done = await job(get, accepted.body.data.id);
      assert.equal(done.data.attributes.completed_count, 1, create);
      assert.equal(done.data.attributes.failed_count, 1, create);
      assert.deepEqual(done.data.relationships[name].data.map((r: any) => r.id), [id(externalId)]);
      assert.equal((await api[list]()).response.data.data.length, 1);
    }
    await assert.rejects(api.getCatalogVariant(id('BULK-1-V')), (err: any) => err.response.status === 404);
    await assert.rejects(api.getCatalogItem(id('BULK-2')), (err: any) => err.response.status === 404);
    await assert.rejects(api.getCatalogCategory(id('BULK-CAT')), (err: any) => err.response.status === 404);
    assert.deepEqual(ids((await api.getCategoryIdsForCatalogItem(id('BULK-1'))).response.data), [], 'a deleted category leaves no links');
  });

  it('deletes variants, items (with their variants) and categories', async () => {
    assert.equal((await api.deleteCatalogVariant(id('SHIRT-M'))).response.status, 204);
    await assert.rejects(api.getCatalogVariant(id('SHIRT-M')), (err: any) => err.response.status === 404);
    await api.addItemsToCatalogCategory(id('SALE'), rel('catalog-item', 'SHIRT'));
    assert.equal((await api.deleteCatalogItem(id('SHIRT'))).response.status, 204);
    await assert.rejects(api.getCatalogVariant(id('SHIRT-S')), (err: any) => err.response.status === 404, 'variants go with their item');
    assert.deepEqual(ids((await api.getItemIdsForCatalogCategory(id('SALE'))).response.data), []);
    assert.equal((await api.deleteCatalogCategory(id('SALE'))).response.status, 204);
    await assert.rejects(api.deleteCatalogCategory(id('SALE')), (err: any) => err.response.status === 404);
  });

  it('called every operation of the SDK', () => {
    assert.equal(OPERATIONS.length, 55);
    assert.deepEqual(OPERATIONS.filter((op) => typeof (CatalogsApi.prototype as any)[op] !== 'function'), []);
    assert.deepEqual(OPERATIONS.filter((op) => !called.has(op)), []);
  });
});
