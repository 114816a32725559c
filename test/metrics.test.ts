// GET /metrics read as Prometheus reads it, after a known mix of requests and jobs: every counter moves by
// exactly that mix, labels name operations (never ids, paths or accounts), and the admin token guards it.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { forEachStore, withPostgres } from './support/targets.ts';
import { eventually, http, sdk, startServer, startWorker, type RunningProcess, type RunningServer } from './support/server.ts';
import { moved, parseMetrics, scrape, series } from './support/metrics.ts';
import { loadConfig } from '../src/config.ts';
import { loadCursors } from '../src/http/cursors.ts';
import { buildServer } from '../src/server.ts';
import { JobEngine } from '../src/jobs/engine.ts';
import { StoredClock, systemClock } from '../src/clock.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { countFaultFired, jobMetrics } from '../src/ops/metrics.ts';

const TOKEN = 'metrics-test-admin-token';
const ITEM_JOB = 'catalog-item-bulk-create-job';

const item = (externalId: string) => ({
  data: { type: 'catalog-item' as any, attributes: { externalId, title: 'T', description: 'D', url: `https://shop.example/${externalId}` } },
});

const createJob = (...externalIds: string[]) => ({
  data: {
    type: ITEM_JOB,
    attributes: { items: { data: externalIds.map((external_id) => ({ type: 'catalog-item', attributes: { external_id, title: 'T', description: 'D', url: 'https://shop.example/j' } })) } },
  },
});

const requests = (operation: string, status: number) => series('catalog_http_requests_total', { operation, status: String(status) });

/** The operationId /openapi.json gives a route: metrics label requests with the same name. */
async function operationId(server: RunningServer, path: string, method: string): Promise<string> {
  const doc = await (await fetch(`${server.url}/openapi.json`)).json();
  return doc.paths[path][method].operationId;
}

/** Runs `send` over `count` requests, `parallel` at a time; returns how many got each status. */
async function burst(count: number, parallel: number, send: () => Promise<number>): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let left = count;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (left-- > 0) {
      const status = await send();
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }));
  return statuses;
}

await forEachStore('metrics', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      databaseUrl: await target.freshDatabaseUrl(),
      env: { CATALOG_RATE_LIMITS: 'on', CATALOG_JOB_PACE: 'manual', CATALOG_ADMIN_TOKEN: TOKEN, PG_POOL_SIZE: '4' },
    });
  });
  after(() => server.stop());

  it('answers only the admin token when one is set', async () => {
    const none = await http(server, 'GET', '/metrics', undefined, { authorization: undefined });
    assert.equal(none.status, 401);
    assert.equal(none.body.errors[0].code, 'not_authenticated');
    for (const authorization of [`Bearer ${TOKEN}x`, `Klaviyo-API-Key ${server.key}`, TOKEN]) {
      const wrong = await http(server, 'GET', '/metrics', undefined, { authorization });
      assert.equal(wrong.status, 401, authorization);
      assert.equal(wrong.body.errors[0].code, 'authentication_failed', authorization);
    }
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  });

  it('counts requests by operation and status: exactly the mix sent', async () => {
    const api = sdk(server.url, server.key);
    const start = await scrape(server.url, TOKEN);
    for (const n of [1, 2, 3]) await api.createCatalogItem(item(`MIX${n}`));
    for (const n of [1, 2]) assert.equal((await http(server, 'GET', `/api/catalog-items/$custom:::$default:::MISSING${n}`)).status, 404);
    assert.equal((await http(server, 'GET', '/api/catalog-items', undefined, { authorization: undefined })).status, 401);
    assert.equal((await http(server, 'GET', '/api/catalog-items')).status, 200);
    assert.equal((await http(server, 'GET', '/no/such/path')).status, 404);
    assert.equal((await http(server, 'DELETE', '/healthz')).status, 405);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const end = await scrape(server.url, TOKEN);

    assert.deepEqual(moved(start, end, 'catalog_http_requests_total'), {
      [requests('create_catalog_item', 201)]: 3,
      [requests('get_catalog_item', 404)]: 2,
      [requests('get_catalog_items', 401)]: 1,
      [requests('get_catalog_items', 200)]: 1,
      [requests('unmatched', 404)]: 1,
      [requests('unmatched', 405)]: 1,
      [requests('get_healthz', 200)]: 1,
      [requests('get_metrics', 200)]: 1, // the first scrape
    });
    const timed = (operation: string) => series('catalog_http_request_duration_seconds_count', { operation });
    assert.deepEqual(moved(start, end, 'catalog_http_request_duration_seconds_count'), {
      [timed('create_catalog_item')]: 3, [timed('get_catalog_item')]: 2, [timed('get_catalog_items')]: 2,
      [timed('unmatched')]: 2, [timed('get_healthz')]: 1, [timed('get_metrics')]: 1,
    });
    const slowest = end.get(series('catalog_http_request_duration_seconds_bucket', { le: '+Inf', operation: 'create_catalog_item' }));
    assert.equal(slowest, end.get(timed('create_catalog_item')));
  });

  it('counts rate-limit rejections by operation and window: as many as were answered 429', async () => {
    const start = await scrape(server.url, TOKEN);
    // 300 creates (invalid bodies: the limit is taken before validation) against 75 a second.
    const statuses = await burst(300, 30, async () => (await http(server, 'POST', '/api/catalog-categories', { data: {} })).status);
    const end = await scrape(server.url, TOKEN);
    const throttled = statuses.get(429) ?? 0;
    assert.ok(throttled > 0, `no 429 among ${JSON.stringify([...statuses])}`);
    assert.deepEqual([...statuses.keys()].sort(), [400, 429]);
    assert.deepEqual(moved(start, end, 'catalog_rate_limited_total'), {
      [series('catalog_rate_limited_total', { operation: 'create_catalog_category', window: 'burst' })]: throttled,
    });
    assert.deepEqual(moved(start, end, 'catalog_http_requests_total'), {
      [requests('create_catalog_category', 400)]: statuses.get(400),
      [requests('create_catalog_category', 429)]: throttled,
      [requests('get_metrics', 200)]: 1,
    });
  });

  it('follows bulk jobs: accepted, the queue, apply time, complete and cancelled, by kind', async () => {
    const start = await scrape(server.url, TOKEN);
    const first = await http(server, 'POST', '/api/catalog-item-bulk-create-jobs', createJob('JOB1', 'JOB2'));
    const second = await http(server, 'POST', '/api/catalog-item-bulk-create-jobs', createJob('JOB3'));
    assert.deepEqual([first.status, second.status], [202, 202]);

    const held = await scrape(server.url, TOKEN);
    const jobs = (status: string) => series('catalog_jobs_total', { kind: ITEM_JOB, status });
    assert.deepEqual(moved(start, held, 'catalog_jobs_total'), { [jobs('accepted')]: 2 });
    assert.equal(held.get(series('catalog_job_queue_depth', { kind: ITEM_JOB })), 2);
    assert.equal(held.get(series('catalog_job_queue_depth', { kind: 'catalog-variant-bulk-delete-job' })), 0);
    assert.equal(held.get('catalog_job_queue_oldest_due_seconds'), 0, 'jobs held by the manual pace are not waiting for a worker');

    const stepPath = '/__admin/jobs/{job_id}/actions';
    assert.equal((await http(server, 'POST', `/__admin/jobs/${first.body.data.id}/actions`, { action: 'complete' })).body.data.attributes.status, 'complete');
    assert.equal((await http(server, 'POST', `/__admin/jobs/${second.body.data.id}/actions`, { action: 'cancel' })).body.data.attributes.status, 'cancelled');
    const end = await scrape(server.url, TOKEN);
    assert.deepEqual(moved(start, end, 'catalog_jobs_total'), { [jobs('accepted')]: 2, [jobs('complete')]: 1, [jobs('cancelled')]: 1 });
    assert.equal(end.get(series('catalog_job_queue_depth', { kind: ITEM_JOB })), 0);
    assert.deepEqual(moved(start, end, 'catalog_job_apply_duration_seconds_count'), {
      [series('catalog_job_apply_duration_seconds_count', { kind: ITEM_JOB })]: 1, // the completed job's one run; the cancelled one never ran
    });
    const step = await operationId(server, stepPath, 'post');
    assert.equal(moved(start, end, 'catalog_http_requests_total')[requests(step, 200)], 2);
  });

  it(`shows the database pool (PostgreSQL only) and the process`, async () => {
    const samples = await scrape(server.url, TOKEN);
    const pool = (state: string) => samples.get(series('catalog_db_pool_connections', { state }));
    if (target.name === 'postgres') {
      assert.equal(pool('max'), 4);
      assert.ok(pool('idle')! >= 1 && pool('idle')! + pool('busy')! <= 4, JSON.stringify([pool('idle'), pool('busy')]));
      assert.equal(samples.get('catalog_db_pool_waiting'), 0);
    } else {
      assert.equal(pool('max'), undefined);
    }
    assert.ok(samples.get('process_cpu_user_seconds_total')! > 0);
    assert.ok(samples.get('process_resident_memory_bytes')! > 0);
    assert.ok(samples.has('nodejs_eventloop_lag_seconds'));
  });

  it('takes no label from what a client sends: ids, paths, request ids and accounts stay out', async () => {
    await http(server, 'GET', '/api/catalog-items/$custom:::$default:::SECRETID');
    await http(server, 'GET', '/SECRETPATH/x', undefined, { 'x-request-id': 'SECRETREQUEST' });
    await http(server, 'POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'SECRETBODY' } } });
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    assert.doesNotMatch(text, /SECRET|default/);
    const operations = new Set([...text.matchAll(/operation="([^"]*)"/g)].map((m) => m[1]));
    for (const name of operations) assert.match(name, /^[a-z0-9_]+$/);
  });
});

describe('metrics: the job queue without a worker, and Redis errors', () => {
  let server: RunningServer;
  before(async () => {
    // No worker and no admin token: jobs wait, due, and /metrics is open.
    server = await startServer({
      databaseUrl: `sqlite:${join(mkdtempSync(join(tmpdir(), 'catalog-test-')), 'catalog.db')}`,
      args: ['--no-worker'],
      env: { CATALOG_RATE_LIMITS: 'on', REDIS_URL: 'redis://127.0.0.1:1' },
    });
  });
  after(() => server.stop());

  it('shows how long the oldest due job has waited for a worker', async () => {
    assert.equal((await http(server, 'POST', '/api/catalog-item-bulk-create-jobs', createJob('WAIT1'))).status, 202);
    const samples = await eventually(async () => {
      const s = await scrape(server.url);
      return s.get('catalog_job_queue_oldest_due_seconds')! > 0 ? s : undefined;
    });
    assert.equal(samples.get(series('catalog_job_queue_depth', { kind: ITEM_JOB })), 1);
    assert.ok(samples.get('catalog_job_queue_oldest_due_seconds')! < 60);
  });

  it('counts each rate-limit call that Redis failed (the request was let through)', async () => {
    const start = await scrape(server.url);
    for (let n = 0; n < 5; n++) assert.equal((await http(server, 'GET', '/api/catalog-items')).status, 200);
    const end = await scrape(server.url);
    // Two calls per request: the burst and the steady window. (Connection errors come with each reconnect
    // attempt, on the client's own schedule: only that there were some is certain.)
    const command = series('catalog_redis_errors_total', { kind: 'command' });
    assert.equal(moved(start, end, 'catalog_redis_errors_total')[command], 10);
    assert.ok(end.get(series('catalog_redis_errors_total', { kind: 'connection' }))! >= 1);
  });
});

await withPostgres('metrics of a worker process (worker --metrics-port)', (target) => {
  let server: RunningServer;
  let worker: RunningProcess;
  let workerUrl: string;
  before(async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    server = await startServer({ databaseUrl, args: ['--no-worker'], env: { CATALOG_ADMIN_TOKEN: TOKEN } });
    worker = await startWorker(databaseUrl, { CATALOG_ADMIN_TOKEN: TOKEN, HOST: '127.0.0.1' }, ['--metrics-port', '0']);
    workerUrl = /metrics on (http:\/\/[\d.:]+)\/metrics/.exec(worker.output())![1];
  });
  after(async () => {
    await worker.stop();
    await server.stop();
  });

  it('counts the jobs the worker applied, where it applied them', async () => {
    const serverStart = await scrape(server.url, TOKEN);
    const workerStart = await scrape(workerUrl, TOKEN);
    const accepted = await http(server, 'POST', '/api/catalog-item-bulk-create-jobs', createJob('W1', 'W2'));
    assert.equal(accepted.status, 202);
    const jobs = (status: string) => series('catalog_jobs_total', { kind: ITEM_JOB, status });
    const workerEnd = await eventually(async () => {
      const s = await scrape(workerUrl, TOKEN);
      return s.get(jobs('complete')) === 1 ? s : undefined;
    });
    assert.deepEqual(moved(workerStart, workerEnd, 'catalog_jobs_total'), { [jobs('complete')]: 1 });
    assert.deepEqual(moved(workerStart, workerEnd, 'catalog_job_apply_duration_seconds_count'), {
      [series('catalog_job_apply_duration_seconds_count', { kind: ITEM_JOB })]: 1,
    });
    const serverEnd = await scrape(server.url, TOKEN);
    assert.deepEqual(moved(serverStart, serverEnd, 'catalog_jobs_total'), { [jobs('accepted')]: 1 });
    assert.equal(serverEnd.get(series('catalog_job_queue_depth', { kind: ITEM_JOB })), 0, 'the queue is read from the shared database');
  });

  it('guards /metrics with the admin token, and answers /healthz and /readyz', async () => {
    assert.equal((await fetch(`${workerUrl}/metrics`)).status, 401);
    assert.deepEqual(await (await fetch(`${workerUrl}/readyz`)).json(), { status: 'ok' });
    assert.equal((await fetch(`${workerUrl}/healthz`)).status, 200);
    const other = await fetch(`${workerUrl}/api/catalog-items`);
    assert.equal(other.status, 404);
  });
});

describe('metrics: faults fired (countFaultFired, for the fault rules)', () => {
  it('counts by operation and kind', async () => {
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'catalog-test-')), 'catalog.db'));
    const config = loadConfig({ CATALOG_RATE_LIMITS: 'off' });
    await store.migrate();
    const engine = new JobEngine(store, { clock: systemClock, log: console as any, pollMs: 50, observer: jobMetrics });
    const app = buildServer(config, { store, engine, clock: new StoredClock(store), cursors: await loadCursors(store) });
    try {
      const read = async () => parseMetrics((await app.inject({ method: 'GET', url: '/metrics' })).body);
      const start = await read();
      countFaultFired('create_catalog_item', 'latency');
      countFaultFired('create_catalog_item', 'latency');
      countFaultFired('get_catalog_items', 'status');
      const end = await read();
      assert.deepEqual(moved(start, end, 'catalog_faults_fired_total'), {
        [series('catalog_faults_fired_total', { kind: 'latency', operation: 'create_catalog_item' })]: 2,
        [series('catalog_faults_fired_total', { kind: 'status', operation: 'get_catalog_items' })]: 1,
      });
    } finally {
      await app.close();
      await store.close();
    }
  });
});
