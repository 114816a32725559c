// Readiness (/readyz) against liveness (/healthz): ready only while the database answers with its schema
// migrated and Redis (when the rate limits use it) answers, not while shutting down; alive throughout.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { withAdmin, withPostgres, withRedis } from './support/targets.ts';
import { eventually, http, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const readyz = (server: RunningServer) => http(server, 'GET', '/readyz', undefined, { authorization: undefined, revision: undefined });

/** The server's JSON log entries so far. */
const logEntries = (server: RunningServer): any[] => server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('readiness on SQLite', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('is ready once migrated, without a key', async () => {
    const res = await readyz(server);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('answers 503 while shutting down, to a request that arrives then', async () => {
    const { hostname, port } = new URL(server.url);
    // A request under way when SIGTERM arrives: its headers are not complete yet.
    const socket: Socket = connect(Number(port), hostname);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (answer += d));
    const ended = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET /readyz HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`);
    // Ask for /readyz once, so the half-written request above has surely been read by the server.
    assert.equal((await readyz(server)).status, 200);
    const exited = server.stop();
    // The listener closes first: from then on the server is shutting down.
    await eventually(() => new Promise<true | undefined>((resolve) => {
      const probe = connect(Number(port), hostname);
      probe.once('connect', () => {
        probe.destroy();
        resolve(undefined);
      });
      probe.once('error', () => resolve(true));
    }));
    socket.write('Connection: close\r\n\r\n');
    await ended;
    assert.match(answer, /^HTTP\/1\.1 503/);
    const body = JSON.parse(answer.split('\r\n\r\n')[1]);
    assert.equal(body.errors[0].code, 'service_unavailable');
    assert.match(body.errors[0].detail, /shutting down/);
    assert.equal(await exited, 0);
  });
});

await withPostgres('readiness on PostgreSQL', (target) => {
  let server: RunningServer;
  let database: string;
  before(async () => {
    const url = await target.freshDatabaseUrl();
    database = new URL(url).pathname.slice(1);
    server = await startServer({ databaseUrl: url, env: { LOG_LEVEL: 'info' } });
  });
  after(async () => {
    await withAdmin((admin) => admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`));
    await server.stop();
  });

  it('answers 503 while the database is unreachable, and 200 once it is back; /healthz stays 200', async () => {
    assert.equal((await readyz(server)).status, 200);

    await withAdmin(async (admin) => {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
    });
    const down = await eventually(async () => {
      const res = await readyz(server);
      return res.status === 503 ? res : undefined;
    });
    assert.equal(down.body.errors[0].code, 'service_unavailable');
    assert.match(down.body.errors[0].detail, /database does not answer/);
    assert.equal(down.headers.get('retry-after'), '1');
    assert.equal((await http(server, 'GET', '/healthz')).status, 200, 'alive all the same');

    // A request meanwhile fails with 503, and its error is logged at `error` under its request id.
    const failed = await http(server, 'GET', '/api/catalog-items', undefined, { 'x-request-id': 'while-down' });
    assert.equal(failed.status, 503);
    assert.equal(failed.body.errors[0].id, 'while-down');
    const logged = await eventually(async () => logEntries(server).find((e) => e.request_id === 'while-down' && e.level === 50));
    assert.ok(logged.err?.message, JSON.stringify(logged));

    await withAdmin((admin) => admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`));
    const up = await eventually(async () => {
      const res = await readyz(server);
      return res.status === 200 ? res : undefined;
    });
    assert.deepEqual(up.body, { status: 'ok' });
  });
});

describe('readiness with Redis unreachable', () => {
  let limited: RunningServer;
  let unlimited: RunningServer;
  before(async () => {
    limited = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_RATE_LIMITS: 'on', REDIS_URL: 'redis://127.0.0.1:1' } });
    unlimited = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_RATE_LIMITS: 'off', REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  after(async () => {
    await limited.stop();
    await unlimited.stop();
  });

  it('is not ready while the rate limits cannot reach Redis', async () => {
    const res = await readyz(limited);
    assert.equal(res.status, 503);
    assert.match(res.body.errors[0].detail, /Redis does not answer/);
    assert.doesNotMatch(res.body.errors[0].detail, /database/);
  });

  it('does not wait for a Redis it does not use (rate limits off)', async () => {
    assert.equal((await readyz(unlimited)).status, 200);
  });
});

await withRedis('readiness with Redis', (redisUrl) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_RATE_LIMITS: 'on', REDIS_URL: redisUrl } });
  });
  after(() => server.stop());

  it('is ready when Redis answers', async () => {
    const res = await eventually(async () => {
      const r = await readyz(server);
      return r.status === 200 ? r : undefined;
    });
    assert.deepEqual(res.body, { status: 'ok' });
  });
});
