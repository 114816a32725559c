// Readiness for load balancers and orchestrators: GET /readyz answers 200 only when this process can serve,
// that is when the database answers with every migration this version needs applied, and Redis (when the
// rate limits use it) answers. Otherwise 503 naming what is missing. While the server shuts down every
// request, this one included, is answered 503 (errors.ts). GET /healthz stays a liveness check that
// touches nothing.
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import type { Store } from '../store/store.js';

/** A check that takes longer than this counts as failed: a probe must answer before the prober gives up. */
const CHECK_TIMEOUT_MS = 2_000;

export interface ReadinessOptions {
  store: Store;
  /** The rate limits' Redis client, when REDIS_URL is in use. */
  redis?: { ping(): Promise<unknown> };
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function problems(options: ReadinessOptions): Promise<string[]> {
  const found: string[] = [];
  await Promise.all([
    within(options.store.migrationsApplied(), CHECK_TIMEOUT_MS).then(
      (applied) => applied || found.push('the database schema is older than this version (run catalog-server migrate)'),
      () => found.push('the database does not answer'),
    ),
    options.redis && within(options.redis.ping(), CHECK_TIMEOUT_MS).catch(() => found.push('Redis does not answer')),
  ]);
  return found;
}

/** GET /healthz (liveness: the process answers; touches nothing) and GET /readyz (readiness). */
export function registerHealth(app: FastifyInstance, options: ReadinessOptions): void {
  app.get('/healthz', { schema: { summary: 'Liveness: 200 while the process runs' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { summary: 'Readiness: 200 when the database (and Redis, when used) answer, 503 otherwise' } }, async () => {
    const missing = await problems(options);
    if (missing.length) throw new ApiError(503, 'service_unavailable', `Not ready: ${missing.join('; ')}.`, undefined, { 'Retry-After': '1' });
    return { status: 'ok' };
  });
}
