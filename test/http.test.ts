// What surrounds every operation: keys and scopes, revisions, content types, body size, rate limits,
// unknown routes, tenant isolation and the key commands of the CLI.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { cli, createKeyWithCli, http, httpRawHeaders, sdk, startServer, type RunningServer } from './support/server.ts';

const item = (externalId: string) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title: 'T', description: 'D', url: 'https://shop.example/x' } },
});

await forEachStore('HTTP surface', (target) => {
  let server: RunningServer;
  before(async () => {
    // Keys are looked up on every request (no cache), so a revocation shows at once, without waiting out a cache.
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl(), env: { CATALOG_RATE_LIMITS: 'on', CATALOG_KEY_CACHE_MS: '0' } });
  });
  after(() => server.stop());

  it('marks every response, errors included, as not to be cached or type-sniffed', async () => {
    const responses = [
      await http(server, 'POST', '/api/catalog-items', item('HDR')),
      await http(server, 'GET', '/api/catalog-items?include=variants'),
      await http(server, 'GET', '/api/catalog-items/$custom:::$default:::NOPE'),
      await http(server, 'GET', '/api/catalog-items', undefined, { authorization: undefined }),
      await http(server, 'GET', '/api/no-such-path'),
    ];
    assert.deepEqual(responses.map((r) => r.status), [201, 200, 404, 401, 404]);
    for (const r of responses) {
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  it('answers reads asked at once (sent together at the end of a turn) each with its own document', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `TOGETHER-${i}`);
    for (const id of ids) assert.equal((await http(server, 'POST', '/api/catalog-items', item(id))).status, 201);
    const asked = [...ids, 'TOGETHER-MISSING', ...ids.slice().reverse()];
    const answers = await Promise.all(asked.map((id) => http(server, 'GET', `/api/catalog-items/$custom:::$default:::${id}`)));
    answers.forEach((res, i) => {
      if (asked[i] === 'TOGETHER-MISSING') return assert.equal(res.status, 404);
      assert.equal(res.status, 200, asked[i]);
      assert.equal(res.body.data.attributes.external_id, asked[i]);
      assert.equal(res.body.links.self, `${server.url}/api/catalog-items/$custom:::$default:::${asked[i]}`);
    });
  });

  it('answers /healthz without a key', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
  });

  it('answers 401 without a valid key and 403 without the scope', async () => {
    const none = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::A', undefined, { authorization: undefined });
    assert.equal(none.status, 401);
    assert.equal(none.body.errors[0].code, 'not_authenticated');
    assert.equal(none.body.errors[0].title, 'Authentication credentials were not provided.');
    for (const authorization of ['Klaviyo-API-Key pk_doesnotexist0000', `Bearer ${server.key}`, 'Klaviyo-API-Key', 'nonsense']) {
      const wrong = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::A', undefined, { authorization });
      assert.equal(wrong.status, 401, authorization);
      assert.equal(wrong.body.errors[0].code, 'authentication_failed', authorization);
      assert.equal(wrong.body.errors[0].title, 'Incorrect authentication credentials.', authorization);
      assert.equal(wrong.body.errors[0].status, 401, authorization);
    }

    const readOnly = createKeyWithCli(server.databaseUrl, 'default', 'catalogs:read');
    assert.match(readOnly, /^pk_[0-9a-f]{40}$/);
    const api = sdk(server.url, readOnly);
    await assert.rejects(api.createCatalogItem(item('RO') as any), (err: any) => {
      assert.equal(err.response.status, 403);
      assert.equal(err.response.data.errors[0].code, 'permission_denied');
      assert.deepEqual(err.response.data.errors[0].source, { pointer: '/data/' });
      return true;
    });
    const read = await http({ url: server.url, key: readOnly }, 'GET', '/api/catalog-items/$custom:::$default:::RO');
    assert.equal(read.status, 404, 'a read-only key may read');
    const writeOnly = createKeyWithCli(server.databaseUrl, 'default', 'catalogs:write');
    const created = await http({ url: server.url, key: writeOnly }, 'POST', '/api/catalog-items', item('WO'));
    assert.equal(created.status, 201);
    const readBack = await http({ url: server.url, key: writeOnly }, 'GET', '/api/catalog-items/$custom:::$default:::WO');
    assert.equal(readBack.status, 200, 'full access (write) includes read, as in Klaviyo');
  });

  it('revokes keys with the CLI', async () => {
    const key = createKeyWithCli(server.databaseUrl, 'default');
    assert.equal((await http({ url: server.url, key }, 'GET', '/api/catalog-items/$custom:::$default:::X')).status, 404);
    const listed = cli(server.databaseUrl, ['keys', 'list']);
    const line = listed.split('\n').find((l) => l.includes(key.slice(0, 7)) && !l.includes('revoked'))!;
    cli(server.databaseUrl, ['keys', 'revoke', line.split('\t')[0]]);
    assert.match(cli(server.databaseUrl, ['keys', 'list']), /revoked/);
    assert.equal((await http({ url: server.url, key }, 'GET', '/api/catalog-items/$custom:::$default:::X')).status, 401);
    assert.doesNotMatch(listed, new RegExp(key), 'keys are stored only as hashes');
  });

  it('requires a valid revision header and accepts the SDK\'s own', async () => {
    const path = '/api/catalog-items/$custom:::$default:::A';
    const today = new Date().toISOString().slice(0, 10);
    const future = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10);
    for (const revision of [undefined, 'latest', '2026-13-01', '2026-02-30', future, '2023-01-01']) {
      const res = await http(server, 'GET', path, undefined, { revision });
      assert.equal(res.status, 400, `revision ${revision}`);
      assert.equal(res.body.errors[0].source.parameter, 'revision');
      assert.match(res.body.errors[0].detail, /YYYY-MM-DD/);
    }
    for (const revision of ['2026-04-15', '2026-04-15.pre', '2026-07-15', today]) {
      assert.equal((await http(server, 'GET', path, undefined, { revision })).status, 404, `revision ${revision}`);
    }
  });

  it('refuses other content types with 415 and bodies over 5 MB with 413', async () => {
    const asText = await http(server, 'POST', '/api/catalog-items', JSON.stringify(item('CT')), { 'content-type': 'text/plain' });
    assert.equal(asText.status, 415);
    const asJson = await http(server, 'POST', '/api/catalog-items', item('CT'), { 'content-type': 'application/json' });
    assert.equal(asJson.status, 201);
    const huge = JSON.stringify({ data: { type: 'catalog-item', attributes: { external_id: 'BIG', title: 'x'.repeat(5.5 * 1024 * 1024) } } });
    const tooLarge = await http(server, 'POST', '/api/catalog-items', huge);
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.errors[0].code, 'payload_too_large');
  });

  it('answers 404 for unknown routes and ids, 405 for a method a path does not take', async () => {
    const route = await http(server, 'GET', '/api/catalog-widgets');
    assert.equal(route.status, 404);
    assert.equal(route.headers.get('content-type'), 'application/vnd.api+json');
    assert.equal(route.body.errors[0].code, 'not_found');
    const method = await http(server, 'PUT', '/api/catalog-items/$custom:::$default:::A', item('A'));
    assert.equal(method.status, 405);
    assert.equal(method.body.errors[0].code, 'method_not_allowed');
    assert.equal(method.headers.get('allow'), 'GET, PATCH, DELETE');
    const malformed = await http(server, 'GET', '/api/catalog-items/plain-id');
    assert.equal(malformed.status, 404);
    const param = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::A?colour=red');
    assert.equal(param.status, 400);
    assert.equal(param.body.errors[0].source.parameter, 'colour');
  });

  it('keeps each account\'s items and jobs to itself', async () => {
    const otherKey = createKeyWithCli(server.databaseUrl, 'other-account');
    const other = { url: server.url, key: otherKey };
    assert.equal((await http(server, 'POST', '/api/catalog-items', item('MINE'))).status, 201);
    assert.equal((await http(other, 'GET', '/api/catalog-items/$custom:::$default:::MINE')).status, 404);
    assert.equal((await http(other, 'POST', '/api/catalog-items', item('MINE'))).status, 201, 'the same external id in another account');
    const job = await http(server, 'POST', '/api/catalog-item-bulk-update-jobs', {
      data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: '$custom:::$default:::MINE', attributes: { title: 'changed' } }] } } },
    });
    assert.equal(job.status, 202);
    assert.equal((await http(other, 'GET', `/api/catalog-item-bulk-update-jobs/${job.body.data.id}`)).status, 404);
    assert.equal((await http(other, 'GET', '/api/catalog-items/$custom:::$default:::MINE')).body.data.attributes.title, 'T');
  });

  it('sends RateLimit headers and answers 429 with Retry-After over the burst limit', async () => {
    const ok = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::MINE');
    assert.equal(ok.headers.get('content-type'), 'application/vnd.api+json', 'JSON:API: no media type parameters');
    assert.equal(ok.headers.get('ratelimit-limit'), '350, 350;w=1, 3500;w=60', 'burst and steady, as Klaviyo lists them');
    assert.ok(Number(ok.headers.get('ratelimit-remaining')) < 3500);
    assert.ok(Number(ok.headers.get('ratelimit-reset')) >= 1);

    const key = createKeyWithCli(server.databaseUrl, 'burst-account');
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => httpRawHeaders({ url: server.url, key }, 'POST', '/api/catalog-items', item(`B${i}`))));
    const created = results.filter((r) => r.status === 201);
    const throttled = results.filter((r) => r.status === 429);
    assert.ok(throttled.length > 0, 'some requests over 75/s are throttled');
    assert.ok(created.length >= 75, `the first 75 get through (got ${created.length})`);
    const names = (r: { rawHeaders: string[] }) => r.rawHeaders.filter((_, i) => i % 2 === 0);
    const header = (r: { rawHeaders: string[] }, name: string) => r.rawHeaders[r.rawHeaders.indexOf(name) + 1];
    for (const r of created) assert.equal(header(r, 'ratelimit-limit'), '75, 75;w=1, 750;w=60');
    for (const r of throttled) {
      const { id, ...error } = r.body.errors[0];
      assert.match(id, /^[0-9a-f-]{36}$/);
      const seconds = Number(header(r, 'Retry-After'));
      assert.ok(Number.isInteger(seconds) && seconds >= 1, `Retry-After, with that casing, is an integer (${r.rawHeaders})`);
      assert.deepEqual(error, {
        status: 429,
        code: 'throttled',
        title: 'Request was throttled.',
        detail: `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        source: { pointer: '/data' },
        links: { type: 'https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling#rate-limits' },
        meta: [],
      });
      assert.deepEqual(names(r).filter((n) => /^ratelimit-/i.test(n)), [], 'no RateLimit-* headers on a 429');
    }
  });
});
