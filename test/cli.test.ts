// The outer interface: first start without a key, CATALOG_API_KEY, CATALOG_PUBLIC_URL, configuration errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

it('mints no new key on a restart after every key was revoked', async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  const first = await startServer({ databaseUrl, env: { CATALOG_API_KEY: '' } });
  const printed = /pk_[0-9a-f]{40}/.exec(first.output())![0];
  await first.stop();
  const id = cli(databaseUrl, ['keys', 'list']).trim().split('\t')[0];
  cli(databaseUrl, ['keys', 'revoke', id]);
  const second = await startServer({ databaseUrl, env: { CATALOG_API_KEY: '' } });
  try {
    assert.doesNotMatch(second.output(), /pk_/);
    assert.equal(cli(databaseUrl, ['keys', 'list']).trim().split('\n').length, 1, 'still only the revoked key');
    assert.equal((await http({ url: second.url, key: printed }, 'GET', '/api/catalog-items')).status, 401);
  } finally {
    await second.stop();
  }
});

it('refuses keys create with an empty scope list', async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  for (const scopes of ['', ' , ']) {
    const r = spawnSync(process.execPath, [CLI, 'keys', 'create', '--scopes', scopes], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /--scopes needs at least one scope/);
    assert.doesNotMatch(r.stdout, /pk_/);
  }
  assert.equal(cli(databaseUrl, ['keys', 'list']).trim(), '', 'no key was created');
});

it('creates the SQLite database and its folder for the owner only', async () => {
  const parent = dirname((await sqliteTarget.freshDatabaseUrl()).slice('sqlite:'.length));
  const path = join(parent, 'private', 'catalog.db');
  const server = await startServer({ databaseUrl: `sqlite:${path}` });
  try {
    assert.equal((await http(server, 'POST', '/api/catalog-items', {
      data: { type: 'catalog-item', attributes: { external_id: 'P', title: 'T', description: 'D', url: 'https://shop.example/x' } },
    })).status, 201);
    assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(statSync(file).mode & 0o777, 0o600, file);
  } finally {
    await server.stop();
  }
});

it('makes sure CATALOG_API_KEY exists, idempotently', async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  for (let i = 0; i < 2; i++) {
    const server = await startServer({ databaseUrl, key: `pk_configured${'0'.repeat(30)}` });
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
    [{ CATALOG_API_KEY: 'pk_short12' }, /CATALOG_API_KEY must start with "pk_" followed by 32/],
    [{ CATALOG_API_KEY: `pk_${'a'.repeat(31)}` }, /CATALOG_API_KEY/],
    [{ CATALOG_API_KEY: `pk_${'a'.repeat(31)}_` }, /CATALOG_API_KEY/],
    [{ CATALOG_REQUEST_TIMEOUT_MS: '0' }, /CATALOG_REQUEST_TIMEOUT_MS must be an integer/],
    [{ CATALOG_MAX_CONNECTIONS: 'many' }, /CATALOG_MAX_CONNECTIONS must be an integer/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT must be "json" or "pretty"/],
    [{ CATALOG_ADMIN_TOKEN: 'has space' }, /CATALOG_ADMIN_TOKEN must be/],
    [{ CATALOG_CONSOLE: 'yes' }, /CATALOG_CONSOLE must be "on" or "off", got "yes"/],
    [{ CATALOG_STREAM_POLL_MS: '5' }, /CATALOG_STREAM_POLL_MS must be an integer from 10/],
  ] as const) {
    const r = spawnSync(process.execPath, [CLI, 'serve'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 2, JSON.stringify(env));
    assert.match(r.stderr, message);
  }
  const port = spawnSync(process.execPath, [CLI, 'worker', '--metrics-port', '70000'], { env: { ...process.env, DATABASE_URL: 'sqlite::memory:' }, encoding: 'utf8' });
  assert.equal(port.status, 2);
  assert.match(port.stderr, /--metrics-port must be a port number/);
  const usage = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: catalog-server/);
});
