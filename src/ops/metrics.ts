// Prometheus metrics (GET /metrics, text format): requests by operation and status with their latency, rate-limit
// rejections, faults fired, bulk jobs by kind and status, the job queue (read from the store at scrape time), job
// apply time, the PostgreSQL pool, Redis errors, and Node's process metrics. Every label is a route's operation
// name, a job kind, a status code or a fixed word: nothing a client sends becomes a label.
//
// The counters live in one registry per process; other modules move them through the count*/observe*
// functions below, so that none of them needs to know prom-client.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { EngineObserver } from '../jobs/engine.js';
import { adminTokenCheck } from '../http/admin-token.js';
import { JOB_KINDS } from '../jobs/kinds.js';
import type { Store } from '../store/store.js';
import { requestRouteName } from './route-name.js';

const registry = new Registry();
collectDefaultMetrics({ register: registry });

const registers = [registry];
/** Seconds: from a millisecond poll to the 30 s statement timeout. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const requests = new Counter({
  name: 'catalog_http_requests_total', help: 'HTTP requests answered, by operation and status code.',
  labelNames: ['operation', 'status'], registers,
});
const requestDuration = new Histogram({
  name: 'catalog_http_request_duration_seconds', help: 'Time from receiving a request to having sent the answer, by operation.',
  labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers,
});
const rateLimited = new Counter({
  name: 'catalog_rate_limited_total', help: 'Requests refused with 429 by the per-account rate limits, by operation and window (burst: 1 s, steady: 60 s).',
  labelNames: ['operation', 'window'], registers,
});
const faultsFired = new Counter({
  name: 'catalog_faults_fired_total', help: 'Fault rules that fired (test controls), by operation and fault kind.',
  labelNames: ['operation', 'kind'], registers,
});
const jobs = new Counter({
  name: 'catalog_jobs_total', help: 'Bulk jobs accepted (status "accepted") and finished ("complete", "cancelled") by this process, by kind.',
  labelNames: ['kind', 'status'], registers,
});
const jobApplyDuration = new Histogram({
  name: 'catalog_job_apply_duration_seconds', help: 'Time to apply one run of a bulk job (its resources due now, with their writes), by kind.',
  labelNames: ['kind'], buckets: LATENCY_BUCKETS, registers,
});
const queueDepth = new Gauge({
  name: 'catalog_job_queue_depth', help: 'Unfinished (processing) bulk jobs in the store, by kind; read at scrape time.',
  labelNames: ['kind'], registers,
});
const queueOldest = new Gauge({
  name: 'catalog_job_queue_oldest_due_seconds', help: 'How long the job that has waited longest for a worker since it fell due has waited (0: none waits); read at scrape time.',
  registers,
});
const poolConnections = new Gauge({
  name: 'catalog_db_pool_connections', help: 'PostgreSQL pool connections of this process: busy, idle, and max (the pool size).',
  labelNames: ['state'], registers,
});
const poolWaiting = new Gauge({
  name: 'catalog_db_pool_waiting', help: 'Queries of this process waiting for a PostgreSQL pool connection.', registers,
});
const redisErrors = new Counter({
  name: 'catalog_redis_errors_total', help: 'Redis failures: "command" (a rate-limit call failed and the request was let through) or "connection" (the client lost or could not open its connection).',
  labelNames: ['kind'], registers,
});

/** A fault rule fired on a request of `operation` (a route name, see route-name.ts); `kind`: status, latency, drop, truncate. */
export function countFaultFired(operation: string, kind: string): void {
  faultsFired.inc({ operation, kind });
}

export function countRateLimited(operation: string, window: 'burst' | 'steady'): void {
  rateLimited.inc({ operation, window });
}

export function countRedisError(kind: 'command' | 'connection'): void {
  redisErrors.inc({ kind });
}

/** `kind`: the job's JSON:API type (e.g. catalog-item-bulk-create-job). */
export function countJob(kind: string, status: 'accepted' | 'complete' | 'cancelled'): void {
  jobs.inc({ kind, status });
}

export function observeJobApply(kind: string, seconds: number): void {
  jobApplyDuration.observe({ kind }, seconds);
}

/** What a job engine reports, into these metrics. */
export const jobMetrics: EngineObserver = { jobFinished: countJob, jobApplied: observeJobApply };

/** The store's share of the metrics, read at scrape time; a store that does not answer leaves them out. */
async function readStore(store: Store, clock: Clock): Promise<void> {
  queueDepth.reset();
  queueOldest.reset();
  const now = clock.now();
  try {
    const queue = await store.jobQueue(now.toISOString());
    for (const kind of JOB_KINDS) queueDepth.set({ kind: kind.type }, 0);
    let oldestDue: string | undefined;
    for (const entry of queue) {
      queueDepth.set({ kind: entry.type }, entry.unfinished);
      if (entry.oldestDueAt && (!oldestDue || entry.oldestDueAt < oldestDue)) oldestDue = entry.oldestDueAt;
    }
    queueOldest.set(oldestDue ? Math.max(0, (now.getTime() - Date.parse(oldestDue)) / 1000) : 0);
  } catch {
    // The database is away: /readyz says so; absent series say so here, rather than stale numbers.
  }
  const pool = store.poolStats?.();
  if (pool) {
    poolConnections.set({ state: 'busy' }, pool.total - pool.idle);
    poolConnections.set({ state: 'idle' }, pool.idle);
    poolConnections.set({ state: 'max' }, pool.max);
    poolWaiting.set(pool.waiting);
  }
}

export interface MetricsOptions {
  store: Store;
  clock: Clock;
  /** CATALOG_ADMIN_TOKEN: when set, /metrics needs it as a Bearer token. */
  adminToken: string | undefined;
}

/**
 * The request series of one operation and status, looked up once: prom-client hashes the labels on every
 * call otherwise, and this runs for every request. By operation, then status: no key to build per request.
 */
const requestSeries = new Map<string, Map<number, { count: Counter.Internal; time: Histogram.Internal<'operation'> }>>();

function seriesOf(operation: string, status: number) {
  let byStatus = requestSeries.get(operation);
  if (!byStatus) requestSeries.set(operation, (byStatus = new Map()));
  let found = byStatus.get(status);
  if (!found) {
    found = { count: requests.labels(operation, String(status)), time: requestDuration.labels(operation) };
    byStatus.set(status, found);
  }
  return found;
}

/** Counts every answer, and serves GET /metrics. */
export function registerMetrics(app: FastifyInstance, options: MetricsOptions): void {
  // A callback hook: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    const { count, time } = seriesOf(requestRouteName(request), reply.statusCode);
    count.inc();
    time.observe(reply.elapsedTime / 1000);
    done();
  });
  const guard = adminTokenCheck(options.adminToken);
  app.get('/metrics', {
    ...(guard ? { onRequest: async (request: FastifyRequest) => guard(request) } : {}),
    schema: { summary: 'Prometheus metrics of this process', produces: [registry.contentType], security: guard ? [{ AdminToken: [] }] : [] },
  }, async (_request, reply) => {
    await readStore(options.store, options.clock);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
