// Failed authentications are throttled per client address: past the limit, unknown keys (and requests with
// no key) get a JSON:API 429 with Retry-After instead of a lookup, while a key the server already knows keeps
// working. A revoked key stops working once the key cache (CATALOG_KEY_CACHE_MS) lets go of it.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { cli, createKeyWithCli, http, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const ITEM = '/api/catalog-items/$custom:::$default:::NONE';
let server: RunningServer;
before(async () => {
  server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_AUTH_FAILURES_PER_MINUTE: '5' } });
});
after(() => server.stop());

it('throttles an address after too many failed authentications, but not the keys it already uses', async () => {
  assert.equal((await http(server, 'GET', ITEM)).status, 404, 'the configured key is known to the server');
  const unusedValidKey = createKeyWithCli(server.databaseUrl, 'default');
  for (let i = 0; i < 5; i++) {
    const res = await http({ url: server.url, key: `pk_${String(i).repeat(40)}` }, 'GET', ITEM);
    assert.equal(res.status, 401);
  }
  const guess = await http({ url: server.url, key: `pk_${'9'.repeat(40)}` }, 'GET', ITEM);
  assert.equal(guess.status, 429);
  assert.equal(guess.body.errors[0].code, 'throttled');
  assert.match(guess.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  assert.equal((await http(server, 'GET', ITEM, undefined, { authorization: undefined })).status, 429, 'no key at all');
  assert.equal((await http({ url: server.url, key: unusedValidKey }, 'GET', ITEM)).status, 429, 'a key this server has not seen needs a lookup');
  assert.equal((await http(server, 'GET', ITEM)).status, 404, 'a key already in use goes on working');
});

it('keeps serving a revoked key no longer than the key cache allows', async () => {
  const other = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_KEY_CACHE_MS: '60000' } });
  try {
    const key = createKeyWithCli(other.databaseUrl, 'default');
    assert.equal((await http({ url: other.url, key }, 'GET', ITEM)).status, 404);
    const id = cli(other.databaseUrl, ['keys', 'list']).split('\n').find((l) => l.includes(key.slice(0, 7)))!.split('\t')[0];
    cli(other.databaseUrl, ['keys', 'revoke', id]);
    assert.equal((await http({ url: other.url, key }, 'GET', ITEM)).status, 404, 'cached for a minute, as configured');
  } finally {
    await other.stop();
  }
});
