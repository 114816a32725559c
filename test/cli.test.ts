// The outer interface: first start without a key, CATALOG_API_KEY, CATALOG_PUBLIC_URL, configuration errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { CLI, cli, http, sdk, sqliteTarget, startServer } from './support/server.ts';

it('creates and prints one full-access key on the first start only', async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  const first = await startServer({ databaseUrl, env: { CATALOG_API_KEY: '' } });
  const printed = /pk_[0-9a-f]{40}/.exec(first.output())?.[0];
  assert.ok(printed, first.output());
  assert.match(first.output(), /Klaviyo-API-Key/);
  const created = await http({ url: first.url, key: printed }, 'POST', '/api/catalog-items', {
    data: { type: 'catalog-item', attributes: { external_id: 'FIRST', title: 'T', description: 'D', url: 'https://shop.example/x' } },
  });
  assert.equal(created.status, 201, 'the printed key has full access');
  assert.equal(await first.stop(), 0);

  const second = await startServer({ databaseUrl, env: { CATALOG_API_KEY: '' } });
  assert.doesNotMatch(second.output(), /pk_/);
  assert.equal(cli(databaseUrl, ['keys', 'list']).trim().split('\n').length, 1);
  await second.stop();
});

it('makes sure CATALOG_API_KEY exists, idempotently', async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  for (let i = 0; i < 2; i++) {
    const server = await startServer({ databaseUrl, key: 'pk_configured_key_123' });
    assert.equal((await http(server, 'GET', '/api/catalog-items')).status, 200);
    await server.stop();
  }
  const keys = cli(databaseUrl, ['keys', 'list']).trim().split('\n');
  assert.equal(keys.length, 1);
  assert.match(keys[0], /\tpk_conf\.\.\.\tdefault\tcatalogs:read,catalogs:write,profiles:write\t/);
});

it('writes links under CATALOG_PUBLIC_URL', async () => {
  const server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_PUBLIC_URL: 'https://catalog.example.com/' } });
  try {
    const res = await http(server, 'POST', '/api/catalog-items', {
      data: { type: 'catalog-item', attributes: { external_id: 'PUB', title: 'T', description: 'D', url: 'https://shop.example/x' } },
    });
    assert.equal(res.body.data.links.self, 'https://catalog.example.com/api/catalog-items/$custom:::$default:::PUB/');
    // With https links the SDK takes the cursor out of links.next itself (on http it sends the whole URL).
    await http(server, 'POST', '/api/catalog-items', {
      data: { type: 'catalog-item', attributes: { external_id: 'PUB-2', title: 'T', description: 'D', url: 'https://shop.example/x' } },
    });
    const api = sdk(server.url, server.key);
    const first = await api.getCatalogItems({ pageSize: 1 });
    assert.match(first.body.links!.next!, /^https:\/\/catalog\.example\.com\/api\/catalog-items\?/);
    const second = await api.getCatalogItems({ pageSize: 1, pageCursor: first.body.links!.next });
    assert.deepEqual(second.response.data.data.map((r: any) => r.id), ['$custom:::$default:::PUB-2']);
  } finally {
    await server.stop();
  }
});

it('refuses bad configuration with a clear message and exit code 2', () => {
  for (const [env, message] of [
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be/],
    [{ CATALOG_RATE_LIMITS: 'maybe' }, /CATALOG_RATE_LIMITS/],
    [{ CATALOG_API_KEY: 'secret' }, /CATALOG_API_KEY must start with "pk_"/],
  ] as const) {
    const r = spawnSync(process.execPath, [CLI, 'serve'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 2, JSON.stringify(env));
    assert.match(r.stderr, message);
  }
  const usage = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: catalog-server/);
});
