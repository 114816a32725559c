// The request journal, as an integration's tests would use it: every API request of an account recorded with
// what was sent and answered (keys redacted, long bodies cut and marked), queried with filters and counted,
// cleared, followed live (server-sent events and `catalog-server tail`), and never shown to another account.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { admin, journal, journalCount, type Account } from './support/admin.ts';
import { CLI, cli, createKeyWithCli, eventually, http, sdk, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const item = (externalId: string, attributes: Record<string, unknown> = {}) => ({
  data: { type: 'catalog-item' as any, attributes: { externalId, title: 'T', description: 'D', url: 'https://shop.example/x', ...attributes } },
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

let server: RunningServer;
/** A new account with a full-access key: its journal starts empty. */
const account = (name: string): Account => ({ url: server.url, key: createKeyWithCli(server.databaseUrl, name) });

before(async () => {
  // Keys are looked up on every request, so that a revoked key is refused at once.
  server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_KEY_CACHE_MS: '0' } });
});
after(() => server.stop());

describe('recording', () => {
  it('records what the SDK sent and what it was answered, with the key redacted', async () => {
    const a = account('journal-record');
    const started = Date.now();
    const created = await sdk(a.url, a.key).createCatalogItem(item('REC-1'));
    const entries = await journal(a);
    assert.equal(entries.length, 1);
    const [e] = entries;
    assert.deepEqual([e.method, e.path, e.query, e.operation, e.fault, e.lost_response], ['POST', '/api/catalog-items', {}, 'create_catalog_item', null, null]);
    assert.equal(e.revision, created.response.config.headers.revision, 'the revision the SDK sent');
    assert.equal(e.id, created.response.headers['x-request-id'], 'the request id the answer carried');
    assert.ok(Date.parse(e.time) >= started - 1000 && Date.parse(e.time) <= Date.now(), e.time);
    assert.ok(e.duration_ms >= 0 && e.duration_ms < 10_000);
    assert.deepEqual(e.request.body, JSON.parse(created.response.config.data), 'the document exactly as sent');
    assert.equal(e.request.body_truncated, false);
    assert.equal(e.request.headers.authorization, `Klaviyo-API-Key ${a.key.slice(0, 7)}... (redacted)`);
    assert.equal(e.request.headers['content-type'], created.response.config.headers['Content-Type']);
    assert.equal(e.response.status, 201);
    assert.deepEqual(e.response.body, created.response.data);
    assert.equal(e.response.headers['content-type'], 'application/vnd.api+json');
    assert.equal(Number(e.response.headers['content-length']), JSON.stringify(created.response.data).length);
    assert.ok(!JSON.stringify(entries).includes(a.key), 'the key appears nowhere');
  });

  it('records a query string parsed, and the path decoded', async () => {
    const a = account('journal-query');
    await sdk(a.url, a.key).getCatalogItems({ filter: 'equals(published,true)', pageSize: 5, fieldsCatalogItem: ['title'] } as any);
    await http(a, 'GET', `/api/catalog-items/${encodeURIComponent(id('Q 1'))}`);
    const [one, list] = await journal(a);
    assert.deepEqual(list.query, { filter: 'equals(published,true)', 'page[size]': '5', 'fields[catalog-item]': 'title' });
    assert.equal(one.path, `/api/catalog-items/${id('Q 1')}`);
    assert.equal(one.operation, 'get_catalog_item');
    assert.equal(one.response.status, 404);
    assert.equal(one.response.body.errors[0].code, 'not_found');
  });

  it('cuts bodies longer than 64 KB to their first 64 KB and marks them', async () => {
    const a = account('journal-large');
    const description = 'x'.repeat(90_000);
    const res = await http(a, 'POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'BIG', title: 'T', description, url: 'https://shop.example/x' } } });
    assert.equal(res.status, 201);
    const [e] = await journal(a);
    assert.equal(e.request.body_truncated, true);
    assert.equal(typeof e.request.body, 'string');
    assert.equal(e.request.body.length, 65_536);
    assert.ok(e.request.body.startsWith('{"data":{"type":"catalog-item"'));
    assert.equal(e.response.body_truncated, true);
    assert.equal(Buffer.byteLength(e.response.body), 65_536);
    assert.ok(Number(e.response.headers['content-length']) > 90_000, 'the length that was sent');
  });

  it('records a request refused for its key under the key’s account, and none without a known key', async () => {
    const a = account('journal-refused');
    const readOnly = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'journal-refused', 'catalogs:read') };
    assert.equal((await http(readOnly, 'POST', '/api/catalog-items', item('NOPE'))).status, 403);

    const revoked = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'journal-refused') };
    const keyId = cli(server.databaseUrl, ['keys', 'list']).split('\n').find((l) => l.includes(`${revoked.key.slice(0, 7)}...`) && l.includes('journal-refused'))!.split('\t')[0];
    cli(server.databaseUrl, ['keys', 'revoke', keyId]);
    assert.equal((await http(revoked, 'GET', '/api/catalog-items')).status, 401);

    const unknown = { url: server.url, key: `pk_${'7'.repeat(40)}` };
    assert.equal((await http(unknown, 'GET', '/api/catalog-items')).status, 401);
    assert.equal((await http(a, 'GET', '/api/catalog-items', undefined, { authorization: undefined })).status, 401);

    const entries = await journal(a, { order: 'oldest' });
    assert.deepEqual(entries.map((e) => [e.method, e.operation, e.response.status, e.response.body.errors[0].code]), [
      ['POST', 'create_catalog_item', 403, 'permission_denied'],
      ['GET', 'get_catalog_items', 401, 'authentication_failed'],
    ]);
    const text = JSON.stringify(entries);
    for (const key of [a.key, readOnly.key, revoked.key]) assert.ok(!text.includes(key));
    assert.equal(await journalCount({ url: server.url, key: server.key }, { status: '401' }), 0, 'nothing for the default account either');
  });

  it('does not record the controls themselves', async () => {
    const a = account('journal-controls');
    await journal(a);
    await journalCount(a);
    assert.equal(await journalCount(a), 0);
  });
});

describe('queries and counts', () => {
  it('answers filtered queries and counts under concurrent requests of two accounts, each seeing only its own', async () => {
    const a = account('journal-a');
    const b = account('journal-b');
    const apiA = sdk(a.url, a.key);
    const apiB = sdk(b.url, b.key);
    const missing = (api: typeof apiA, externalId: string) => api.getCatalogItem(id(externalId)).then(() => assert.fail('found'), (err) => err.response.status);
    await Promise.all([
      ...range(30).map((i) => apiA.createCatalogItem(item(`A-${i}`))),
      ...range(20).map((i) => missing(apiA, `MISSING-A-${i}`)),
      ...range(25).map((i) => apiB.createCatalogItem(item(`B-${i}`))),
      ...range(10).map(() => apiB.getCatalogItems()),
    ]);

    assert.equal(await journalCount(a), 50);
    assert.equal(await journalCount(a, { operation: 'create_catalog_item' }), 30);
    assert.equal(await journalCount(a, { method: 'post', status: '201' }), 30);
    assert.equal(await journalCount(a, { status_class: '4xx' }), 20);
    assert.equal(await journalCount(a, { operation: 'get_catalog_item', status_class: '2xx' }), 0);
    assert.equal(await journalCount(a, { path_prefix: `/api/catalog-items/${id('MISSING-A-1')}` }), 11, 'MISSING-A-1 and MISSING-A-10 to 19');
    assert.equal(await journalCount(b), 35);
    assert.equal(await journalCount(b, { operation: 'get_catalog_items', status: '200' }), 10);
    assert.equal(await journalCount(b, { status_class: '4xx' }), 0);

    const all = await journal(a, { limit: '1000' });
    assert.equal(all.length, 50);
    const created = all.filter((e) => e.operation === 'create_catalog_item').map((e) => e.request.body.data.attributes.external_id).sort();
    assert.deepEqual(created, range(30).map((i) => `A-${i}`).sort());
    assert.ok(all.every((e) => !JSON.stringify(e).includes('B-')), 'nothing of account B');
    const text = JSON.stringify([all, await journal(b, { limit: '1000' })]);
    assert.ok(!text.includes(a.key) && !text.includes(b.key) && !text.includes(server.key), 'no key anywhere');

    // Newest first by default; oldest first on request; limits take from the front.
    const oldest = await journal(a, { order: 'oldest', limit: '1000' });
    assert.deepEqual(oldest.map((e) => e.id), all.map((e) => e.id).reverse());
    assert.ok(oldest.every((e, i) => i === 0 || Date.parse(e.time) >= Date.parse(oldest[i - 1].time)));
    assert.deepEqual((await journal(a, { limit: '7' })).map((e) => e.id), all.slice(0, 7).map((e) => e.id));
    assert.equal((await journal(a)).length, 50, 'the default limit (100) takes all 50');

    // A time range: since inclusive, until exclusive.
    const since = oldest[10].time;
    const until = oldest[40].time;
    const inRange = oldest.filter((e) => e.time >= since && e.time < until).length;
    assert.equal(await journalCount(a, { since, until }), inRange);
    assert.equal((await journal(a, { since, until, limit: '1000' })).length, inRange);
  });

  it('is cleared for one account only', async () => {
    const a = account('journal-clear-a');
    const b = account('journal-clear-b');
    await http(a, 'GET', '/api/catalog-items');
    await http(b, 'GET', '/api/catalog-items');
    assert.equal((await admin(a, 'DELETE', '/__admin/journal')).status, 204);
    assert.equal(await journalCount(a), 0);
    assert.equal(await journalCount(b), 1);
    await http(a, 'GET', '/api/catalog-categories');
    assert.deepEqual((await journal(a)).map((e) => e.operation), ['get_catalog_categories']);
  });

  it('answers a bad parameter with a 400 naming it', async () => {
    const a = account('journal-bad');
    for (const [query, parameter] of [
      ['status=abc', 'status'], ['status=99', 'status'], ['status_class=6xx', 'status_class'], ['order=sideways', 'order'],
      ['limit=0', 'limit'], ['limit=1001', 'limit'], ['since=yesterday', 'since'], ['until=2026-13-45T00:00:00Z', 'until'],
      ['operation=get_everything', 'operation'], ['method=PUT', 'method'], ['path_prefix=api', 'path_prefix'], ['foo=1', 'foo'],
      ['status=200&status=201', 'status'],
    ]) {
      const res = await admin(a, 'GET', `/__admin/journal?${query}`);
      assert.equal(res.status, 400, query);
      assert.deepEqual([res.body.errors[0].code, res.body.errors[0].source], ['invalid', { parameter }], query);
    }
    const res = await admin(a, 'GET', '/__admin/journal/count?limit=5');
    assert.deepEqual([res.status, res.body.errors[0].source], [400, { parameter: 'limit' }], 'a count takes no limit');
  });

  it('needs a full-access key', async () => {
    const readOnly = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'journal-ro', 'catalogs:read') };
    const res = await admin(readOnly, 'GET', '/__admin/journal');
    assert.deepEqual([res.status, res.body.errors[0].code], [403, 'permission_denied']);
    const none = await admin({ url: server.url, key: '' }, 'GET', '/__admin/journal/count');
    assert.equal(none.status, 401);
  });
});

/** Reads server-sent events from a stream until `want` of them have arrived. */
async function readEvents(reader: ReadableStreamDefaultReader<Uint8Array>, want: number, seen: { text: string }): Promise<{ event: string; data: any }[]> {
  const decoder = new TextDecoder();
  for (;;) {
    const events = seen.text.split('\n\n').filter((block) => block.startsWith('event:'));
    if (events.length >= want) {
      return events.map((block) => {
        const m = /^event: (\S+)\ndata: (.*)$/s.exec(block);
        assert.ok(m, `an event of one event line and one data line: ${block}`);
        return { event: m[1], data: JSON.parse(m[2]) };
      });
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended after: ${seen.text}`);
    seen.text += decoder.decode(value, { stream: true });
  }
}

describe('live', () => {
  it('streams new entries of the account as server-sent events, filtered like a query', async () => {
    const a = account('journal-live-a');
    const b = account('journal-live-b');
    const res = await fetch(`${server.url}/__admin/journal/stream?operation=get_catalog_item`, { headers: { authorization: `Klaviyo-API-Key ${a.key}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const reader = res.body!.getReader();
    const seen = { text: '' };
    try {
      // Opened: a comment arrives first, so the stream is known to be listening before any request is made.
      while (!seen.text.includes('\n\n')) seen.text += new TextDecoder().decode((await reader.read()).value);
      assert.match(seen.text, /^: /);
      await http(a, 'GET', '/api/catalog-items'); // another operation: filtered out
      await http(b, 'GET', `/api/catalog-items/${id('LIVE-B')}`); // another account
      await http(a, 'GET', `/api/catalog-items/${id('LIVE-1')}`);
      await http(a, 'GET', `/api/catalog-items/${id('LIVE-2')}`);
      const events = await readEvents(reader, 2, seen);
      assert.deepEqual(events.map((e) => [e.event, e.data.type, e.data.attributes.path, e.data.attributes.response.status]), [
        ['entry', 'journal-entry', `/api/catalog-items/${id('LIVE-1')}`, 404],
        ['entry', 'journal-entry', `/api/catalog-items/${id('LIVE-2')}`, 404],
      ]);
      const [stored] = await journal(a, { operation: 'get_catalog_item', order: 'oldest', limit: '1' });
      const { id: storedId, ...attributes } = stored;
      assert.deepEqual(events[0].data, { type: 'journal-entry', id: storedId, attributes }, 'the same entry as a query shows');
      assert.ok(!seen.text.includes(a.key));
    } finally {
      await reader.cancel();
    }
  });

  it('catalog-server tail prints each request of the account as it happens', async () => {
    const a = account('journal-tail');
    const child = spawn(process.execPath, [CLI, 'tail', '--url', server.url, '--operation', 'get_catalog_item'], {
      env: { ...process.env, CATALOG_API_KEY: a.key }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      // The tail connects in its own time: request until a line shows up.
      let n = 0;
      const line = await eventually(async () => {
        await http(a, 'GET', '/api/catalog-items'); // filtered out
        await http(a, 'GET', `/api/catalog-items/${id(`TAIL-${n++}`)}`);
        return out.split('\n').find((l) => l.includes('TAIL-'));
      });
      assert.match(line, /^\d\d:\d\d:\d\d\.\d{3}  GET    \/api\/catalog-items\/\$custom:::\$default:::TAIL-\d+  404 +\d+\.\d ms  get_catalog_item  \S+$/);
      assert.ok(!out.includes('get_catalog_items'), 'the filter applies');
      assert.ok(!out.includes(a.key));
    } finally {
      child.kill();
    }
  });

  it('catalog-server tail says why it cannot follow', () => {
    const refused = spawnSync(process.execPath, [CLI, 'tail', '--url', server.url, '--key', `pk_${'7'.repeat(40)}`], { encoding: 'utf8' });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /journal\/stream answered 401: .*API key/);
    const noKey = spawnSync(process.execPath, [CLI, 'tail', '--url', server.url], { encoding: 'utf8', env: { ...process.env, CATALOG_API_KEY: '' } });
    assert.equal(noKey.status, 2);
    assert.match(noKey.stderr, /tail needs a full-access key/);
  });
});

describe('configuration', () => {
  it('keeps the last CATALOG_JOURNAL_SIZE entries per account', async () => {
    const small = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_JOURNAL_SIZE: '5' } });
    try {
      for (const i of range(8)) await http(small, 'GET', `/api/catalog-items/${id(`SIZE-${i}`)}`);
      const entries = await journal(small, { limit: '1000' });
      assert.deepEqual(entries.map((e) => e.path), [7, 6, 5, 4, 3].map((i) => `/api/catalog-items/${id(`SIZE-${i}`)}`));
    } finally {
      await small.stop();
    }
  });

  it('CATALOG_JOURNAL=off removes the journal and its routes', async () => {
    const off = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_JOURNAL: 'off' } });
    try {
      assert.equal((await http(off, 'GET', '/api/catalog-items')).status, 200);
      for (const path of ['/__admin/journal', '/__admin/journal/count', '/__admin/journal/stream']) {
        const res = await admin(off, 'GET', path);
        assert.deepEqual([res.status, res.body.errors[0].code], [404, 'not_found'], path);
      }
    } finally {
      await off.stop();
    }
  });
});
