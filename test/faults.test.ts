// Fault rules, seen from an integration that uses the official SDK: its own retries get through a `503 x 2`,
// a 429 makes it wait the Retry-After it was given, an `after` fault loses the answer of a write that was
// stored, latency delays by what the rule says, and a seeded probability replays the same faults.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addFault, admin, faults, journal, retryingSdk, type Account } from './support/admin.ts';
import { createKeyWithCli, http, sdk, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const item = (externalId: string) => ({
  data: { type: 'catalog-item' as any, attributes: { externalId, title: 'T', description: 'D', url: 'https://shop.example/x' } },
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let server: RunningServer;
/** A new account with a full-access key: no rules, an empty journal. */
const account = (name: string): Account => ({ url: server.url, key: createKeyWithCli(server.databaseUrl, name) });
/** The status the SDK (without retries) got, or null when the connection was dropped. */
const outcome = (call: Promise<{ response: { status: number } }>) =>
  call.then((r) => r.response.status, (err) => (err.response ? err.response.status as number : null));

before(async () => {
  // Rate limits on, so that a fault's 429 can be seen to lack the RateLimit-* headers other answers carry.
  server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_RATE_LIMITS: 'on' } });
});
after(() => server.stop());

describe('the SDK against fault rules', () => {
  it('retries a 503 x 2 by itself and succeeds on the third call; the journal holds the three attempts', async () => {
    const a = account('faults-503');
    await sdk(a.url, a.key).createCatalogItem(item('R-1'));
    const rule = await addFault(a, { operation: 'get_catalog_item', action: { type: 'status', status: 503 }, times: 2 });
    assert.deepEqual([rule.when, rule.action, rule.times, rule.fired], ['before', { type: 'status', status: 503, code: 'service_unavailable' }, 2, 0]);

    const got = await retryingSdk(a).getCatalogItem(id('R-1'));
    assert.equal(got.body.data.id, id('R-1'));

    const attempts = await journal(a, { operation: 'get_catalog_item', order: 'oldest' });
    assert.deepEqual(attempts.map((e) => [e.response.status, e.fault?.id ?? null]), [[503, rule.id], [503, rule.id], [200, null]]);
    assert.deepEqual(attempts[0].response.body.errors[0].code, 'service_unavailable');
    assert.deepEqual(attempts[0].fault, { id: rule.id, when: 'before', action: rule.action });
    assert.equal((await faults(a)).find((r) => r.id === rule.id)!.fired, 2);
  });

  it('answers a 429 exactly as Klaviyo throttles, and the SDK waits the Retry-After it was given', async () => {
    const a = account('faults-429');
    await addFault(a, { operation: 'get_catalog_items', action: { type: 'status', status: 429, retry_after: 2 }, times: 1 });
    const listed = await retryingSdk(a).getCatalogItems();
    assert.equal(listed.response.status, 200);

    const [first, second] = await journal(a, { order: 'oldest' });
    assert.equal(first.response.status, 429);
    const error = first.response.body.errors[0];
    assert.deepEqual([error.status, error.code, error.title, error.detail], [429, 'throttled', 'Request was throttled.', 'Request was throttled. Expected available in 2 seconds.']);
    assert.equal(first.response.headers['retry-after'], '2');
    assert.deepEqual(Object.keys(first.response.headers).filter((h) => h.startsWith('ratelimit-')), [], 'no RateLimit-* headers on the 429');
    assert.ok(second.response.headers['ratelimit-limit'], 'other answers carry them');
    // The SDK's own backoff alone would have come back within 0.75 s.
    const waited = Date.parse(second.time) - Date.parse(first.time);
    assert.ok(waited >= 2000, `the SDK came back after ${waited} ms`);
  });

  it('an after fault on a create stores the item, and the journal shows the answer that was lost', async () => {
    const a = account('faults-after');
    const api = sdk(a.url, a.key);
    const rule = await addFault(a, { operation: 'create_catalog_item', when: 'after', action: { type: 'status', status: 500 }, times: 1 });
    assert.equal(await outcome(api.createCatalogItem(item('AFTER-1'))), 500);
    assert.equal((await api.getCatalogItem(id('AFTER-1'))).body.data.id, id('AFTER-1'), 'the write happened');
    assert.equal(await outcome(api.createCatalogItem(item('AFTER-1'))), 409, 'a blind retry meets the stored item');

    const [create] = await journal(a, { operation: 'create_catalog_item', order: 'oldest' });
    assert.deepEqual(create.fault, { id: rule.id, when: 'after', action: { type: 'status', status: 500, code: 'error' } });
    assert.equal(create.response.status, 500);
    assert.equal(create.lost_response.status, 201);
    assert.equal(create.lost_response.body.data.id, id('AFTER-1'));
  });

  it('a before fault on a create means nothing was written', async () => {
    const a = account('faults-before');
    const api = sdk(a.url, a.key);
    await addFault(a, { operation: 'create_catalog_item', action: { type: 'status', status: 503, retry_after: 1 }, times: 1 });
    assert.equal(await outcome(api.createCatalogItem(item('BEFORE-1'))), 503);
    assert.equal(await outcome(api.getCatalogItem(id('BEFORE-1'))), 404);
    const [create] = await journal(a, { operation: 'create_catalog_item' });
    assert.deepEqual([create.response.status, create.response.headers['retry-after'], create.lost_response], [503, '1', null]);
  });

  it('drops the connection without an answer, before or after the operation', async () => {
    const a = account('faults-drop');
    const api = sdk(a.url, a.key);
    await addFault(a, { operation: 'create_catalog_item', action: { type: 'drop' }, times: 1 });
    assert.equal(await outcome(api.createCatalogItem(item('DROP-BEFORE'))), null);
    assert.equal(await outcome(api.getCatalogItem(id('DROP-BEFORE'))), 404);
    await addFault(a, { operation: 'create_catalog_item', when: 'after', action: { type: 'drop' }, times: 1 });
    assert.equal(await outcome(api.createCatalogItem(item('DROP-AFTER'))), null);
    assert.equal(await outcome(api.getCatalogItem(id('DROP-AFTER'))), 200);

    const [dropBefore, dropAfter] = await journal(a, { operation: 'create_catalog_item', order: 'oldest' });
    assert.deepEqual([dropBefore.response.status, dropBefore.response.body, dropBefore.lost_response], [null, null, null]);
    assert.deepEqual([dropAfter.response.status, dropAfter.lost_response.status], [null, 201]);
    assert.equal(await outcome(api.createCatalogItem(item('DROP-DONE'))), 201, 'both rules are spent');
  });

  it('cuts the answer short with a truncate rule', async () => {
    const a = account('faults-truncate');
    await http(a, 'POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'CUT', title: 'T', description: 'D', url: 'https://shop.example/x' } } });
    await addFault(a, { operation: 'get_catalog_item', action: { type: 'truncate' }, times: 1 });
    const res = await fetch(`${a.url}/api/catalog-items/${id('CUT')}`, { headers: { authorization: `Klaviyo-API-Key ${a.key}`, revision: '2026-04-15' } });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(text));
    assert.throws(() => JSON.parse(text));
    const [entry] = await journal(a, { operation: 'get_catalog_item' });
    assert.equal(entry.fault.when, 'after');
    assert.equal(entry.response.body, text, 'the journal shows the cut text that was sent');
    assert.equal(entry.lost_response.body.data.id, id('CUT'));
    assert.equal(Buffer.byteLength(text), Math.floor(Buffer.byteLength(JSON.stringify(entry.lost_response.body)) / 2));
  });

  it('delays by what a latency rule says, before or after the operation', async () => {
    const a = account('faults-latency');
    const api = sdk(a.url, a.key);
    await addFault(a, { operation: 'get_catalog_items', action: { type: 'latency', ms: 300 }, times: 1 });
    await addFault(a, { operation: 'get_catalog_categories', when: 'after', action: { type: 'latency', min_ms: 200, max_ms: 400 }, times: 1 });
    let t0 = performance.now();
    await api.getCatalogItems();
    const itemsMs = performance.now() - t0;
    t0 = performance.now();
    await api.getCatalogCategories();
    const categoriesMs = performance.now() - t0;
    // Loose: at least the delay asked for (timers may fire up to a millisecond early).
    assert.ok(itemsMs >= 299, `${itemsMs} ms`);
    assert.ok(categoriesMs >= 199, `${categoriesMs} ms`);
    const [categories, items] = await journal(a);
    assert.ok(items.duration_ms >= 299 && categories.duration_ms >= 199, `${items.duration_ms} / ${categories.duration_ms}`);
    assert.equal(items.response.status, 200);
  });

  it('fires a seeded probability rule on the same requests on two runs', async () => {
    const a = account('faults-seed');
    const api = sdk(a.url, a.key);
    const run = async () => {
      const rule = await addFault(a, { operation: 'get_catalog_items', action: { type: 'status', status: 504 }, probability: 0.5, seed: 12345 });
      const statuses: (number | null)[] = [];
      for (const _ of range(24)) statuses.push(await outcome(api.getCatalogItems()));
      assert.equal((await admin(a, 'DELETE', `/__admin/faults/${rule.id}`)).status, 204);
      return { rule, statuses };
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(second.statuses, first.statuses);
    const fired = first.statuses.filter((s) => s === 504).length;
    assert.ok(fired > 0 && fired < 24, `fired ${fired} of 24: a probability, not always or never`);
    assert.ok(first.statuses.every((s) => s === 504 || s === 200));
    // The journal names the rule on exactly the requests that failed.
    const entries = await journal(a, { order: 'oldest', limit: '1000' });
    assert.deepEqual(entries.map((e) => e.fault?.id ?? null), [
      ...first.statuses.map((s) => (s === 504 ? first.rule.id : null)),
      ...second.statuses.map((s) => (s === 504 ? second.rule.id : null)),
    ]);
    assert.equal(first.rule.seed, 12345);
  });
});

describe('matching', () => {
  it('matches a method and a path pattern, and the operation when given', async () => {
    const a = account('faults-match');
    const api = sdk(a.url, a.key);
    await api.createCatalogItem(item('M-1'));
    await addFault(a, { method: 'GET', path: '/api/catalog-items/*', action: { type: 'status', status: 404 } });
    assert.equal(await outcome(api.getCatalogItem(id('M-1'))), 404, 'the pattern matches an item');
    assert.equal(await outcome(api.getCatalogItems()), 200, '* does not match the collection');
    assert.equal(await outcome(api.updateCatalogItem(id('M-1'), { data: { type: 'catalog-item' as any, id: id('M-1'), attributes: { title: 'x' } } })), 200, 'another method');
    assert.equal(await outcome(api.getVariantsForCatalogItem(id('M-1'))), 200, '* stays within one segment');
    await addFault(a, { path: '/api/catalog-items/**/variants', action: { type: 'status', status: 409 } });
    const conflict = await http(a, 'GET', `/api/catalog-items/${id('M-1')}/variants`);
    assert.deepEqual([conflict.status, conflict.body.errors[0].code, conflict.body.errors[0].title], [409, 'conflict', 'Conflict.']);
  });

  it('answers any 4xx with its Klaviyo error code, or one of the rule’s', async () => {
    const a = account('faults-4xx');
    await addFault(a, { operation: 'get_catalog_categories', action: { type: 'status', status: 403 }, times: 1 });
    await addFault(a, { operation: 'get_catalog_categories', action: { type: 'status', status: 422, code: 'unprocessable', detail: 'No.' }, times: 1 });
    const forbidden = await http(a, 'GET', '/api/catalog-categories');
    assert.deepEqual([forbidden.status, forbidden.body.errors[0].code], [403, 'permission_denied']);
    const custom = await http(a, 'GET', '/api/catalog-categories');
    assert.deepEqual([custom.status, custom.body.errors[0].code, custom.body.errors[0].detail], [422, 'unprocessable', 'No.']);
    assert.equal((await http(a, 'GET', '/api/catalog-categories')).status, 200);
  });

  it('tries rules in the order they were made and fires one per request', async () => {
    const a = account('faults-order');
    const first = await addFault(a, { action: { type: 'status', status: 502 }, times: 1 });
    const second = await addFault(a, { action: { type: 'status', status: 524 }, times: 1 });
    assert.equal((await http(a, 'GET', '/api/catalog-items')).status, 502);
    assert.equal((await http(a, 'GET', '/api/catalog-variants')).status, 524);
    assert.equal((await http(a, 'GET', '/api/catalog-categories')).status, 200);
    assert.deepEqual((await faults(a)).map((r) => [r.id, r.fired]), [[first.id, 1], [second.id, 1]]);
  });

  it('fires until deleted when neither times nor probability is given', async () => {
    const a = account('faults-forever');
    const rule = await addFault(a, { operation: 'get_catalog_variants', action: { type: 'status', status: 500 } });
    for (const _ of range(3)) assert.equal((await http(a, 'GET', '/api/catalog-variants')).status, 500);
    assert.equal((await admin(a, 'DELETE', `/__admin/faults/${rule.id}`)).status, 204);
    assert.equal((await http(a, 'GET', '/api/catalog-variants')).status, 200);
    assert.equal((await admin(a, 'DELETE', `/__admin/faults/${rule.id}`)).status, 404);
  });
});

describe('rules', () => {
  it('belong to one account: invisible to, and never firing for, another', async () => {
    const a = account('faults-own-a');
    const b = account('faults-own-b');
    const rule = await addFault(a, { action: { type: 'status', status: 503 } });
    assert.equal((await http(b, 'GET', '/api/catalog-items')).status, 200);
    assert.deepEqual(await faults(b), []);
    assert.equal((await admin(b, 'DELETE', `/__admin/faults/${rule.id}`)).status, 404);
    assert.equal((await admin(b, 'DELETE', '/__admin/faults')).status, 204);
    assert.equal((await http(a, 'GET', '/api/catalog-items')).status, 503, 'deleting all of B left A alone');
    assert.equal((await admin(a, 'DELETE', '/__admin/faults')).status, 204);
    assert.deepEqual(await faults(a), []);
    assert.equal((await http(a, 'GET', '/api/catalog-items')).status, 200);
  });

  it('are listed with what they match, do and how often they fired', async () => {
    const a = account('faults-list');
    const rule = await addFault(a, { operation: 'get_catalog_item', method: 'get', path: '/api/catalog-items/*', action: { type: 'latency', min_ms: 1, max_ms: 2 }, probability: 1, seed: 7 });
    const [listed] = await faults(a);
    assert.deepEqual(listed, {
      id: rule.id, operation: 'get_catalog_item', method: 'GET', path: '/api/catalog-items/*', when: 'before',
      action: { type: 'latency', min_ms: 1, max_ms: 2 }, times: null, probability: 1, seed: 7, fired: 0, created_at: rule.created_at,
    });
    const noSeed = await addFault(a, { action: { type: 'drop' }, probability: 0 });
    assert.ok(Number.isInteger(noSeed.seed), 'a seed is chosen and shown, so that the run can be replayed');
  });

  it('refuses a rule that cannot be right, saying where', async () => {
    const a = account('faults-invalid');
    const cases: [unknown, number, string][] = [
      [{ action: { type: 'status', status: 503 }, operation: 'get_everything' }, 400, '/data/attributes/operation'],
      [{ action: { type: 'status', status: 503 }, method: 'PUT' }, 400, '/data/attributes/method'],
      [{ action: { type: 'status', status: 503 }, path: 'api/*' }, 400, '/data/attributes/path'],
      [{ action: { type: 'status', status: 302 } }, 400, '/data/attributes/action/status'],
      [{ action: { type: 'status' } }, 400, '/data/attributes/action/status'],
      [{ action: { type: 'status', status: 418 } }, 400, '/data/attributes/action/code'],
      [{ action: { type: 'status', status: 429, code: 'slow_down' } }, 400, '/data/attributes/action/code'],
      [{ action: { type: 'latency' } }, 400, '/data/attributes/action'],
      [{ action: { type: 'latency', min_ms: 5, max_ms: 1 } }, 400, '/data/attributes/action/min_ms'],
      [{ action: { type: 'latency', ms: 60_001 } }, 400, '/data/attributes/action/ms'],
      [{ action: { type: 'drop', ms: 5 } }, 400, '/data/attributes/action/ms'],
      [{ action: { type: 'explode' } }, 400, '/data/attributes/action/type'],
      [{ action: { type: 'truncate' }, when: 'before' }, 400, '/data/attributes/when'],
      [{ action: { type: 'drop' }, seed: 3 }, 400, '/data/attributes/seed'],
      [{ action: { type: 'drop' }, probability: 1.5 }, 400, '/data/attributes/probability'],
      [{ action: { type: 'drop' }, times: 0 }, 400, '/data/attributes/times'],
      [{ action: { type: 'drop' }, colour: 'red' }, 400, '/data/attributes/colour'],
      [{}, 400, '/data/attributes/action'],
    ];
    for (const [attributes, status, pointer] of cases) {
      const res = await admin(a, 'POST', '/__admin/faults', { data: { type: 'fault-rule', attributes } });
      assert.deepEqual([res.status, res.body.errors[0].source?.pointer], [status, pointer], JSON.stringify(attributes));
    }
    const wrongType = await admin(a, 'POST', '/__admin/faults', { data: { type: 'catalog-item', attributes: { action: { type: 'drop' } } } });
    assert.deepEqual([wrongType.status, wrongType.body.errors[0].code], [409, 'conflict']);
    assert.deepEqual(await faults(a), [], 'none was made');
  });

  it('fire, and are counted, with the journal off', async () => {
    const off = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_JOURNAL: 'off' } });
    try {
      const rule = await addFault(off, { action: { type: 'status', status: 503 }, times: 1 });
      assert.equal(await outcome(retryingSdk(off).getCatalogItems()), 200, 'the SDK retried past it');
      assert.equal((await faults(off)).find((r) => r.id === rule.id)!.fired, 1);
    } finally {
      await off.stop();
    }
  });
});
