// A running server, assembled from a Config: the store, the clock, the job engine and expiry sweep, the
// rate-limit counters and the HTTP app, listening. `catalog-server serve`, `exec` and library mode all start
// here; `stop()` takes it down in order (stop accepting, finish requests, let the job batch in hand commit).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { StoredClock } from './clock.js';
import type { Config } from './config.js';
import { ConfigError } from './config.js';
import { importFile, ImportFileError, isEmptyCatalog } from './fixtures/file.js';
import { loadCursors } from './http/cursors.js';
import { redisLimiters } from './http/rate-limit-redis.js';
import { JobEngine } from './jobs/engine.js';
import { EngineThread } from './jobs/thread.js';
import { jobMetrics } from './ops/metrics.js';
import { sweepExpiredJobs } from './jobs/expiry.js';
import { DEFAULT_ACCOUNT } from './keys.js';
import { buildServer } from './server.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';

/** Requests in flight get this long at stop(); connections still open then are cut. */
const SHUTDOWN_GRACE_MS = 5_000;

/** The clock every part reads: it follows the stored offset while the controls are on, else real time. */
export async function openClock(store: Store, config: Config, log: FastifyBaseLogger): Promise<StoredClock> {
  const clock = new StoredClock(store);
  if (config.controls) await clock.follow((err) => log.warn({ err }, 'reading the clock offset failed; keeping the last one'));
  return clock;
}

/** CATALOG_SEED: imported into the default account when it holds nothing yet (a first start). */
async function seed(store: Store, config: Config, clock: StoredClock): Promise<void> {
  if (!config.seed || !(await isEmptyCatalog(store, DEFAULT_ACCOUNT))) return;
  try {
    await importFile(store, DEFAULT_ACCOUNT, config.seed, clock.now().toISOString());
  } catch (err) {
    if (err instanceof ImportFileError) throw new ConfigError(`CATALOG_SEED: ${err.message}`);
    throw err;
  }
}

export interface StartOptions {
  logger: FastifyBaseLogger;
  /** Run bulk jobs in this process (everything but `serve --no-worker`). */
  withWorker: boolean;
  /** Runs once the store is open, before anything else (keys, for one). */
  prepare?: (store: Store) => Promise<void>;
}

export interface StartedServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  store: Store;
  stop(): Promise<void>;
}

export async function startServer(config: Config, options: StartOptions): Promise<StartedServer> {
  const { logger } = options;
  const store = await openStore(config.databaseUrl);
  const undo: (() => Promise<void> | void)[] = [() => store.close()];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    await options.prepare?.(store);
    const clock = await openClock(store, config, logger);
    undo.push(() => clock.stop());
    await seed(store, config, clock);
    // Where the store allows, jobs run on a thread of their own; this process's engine then only answers the
    // job controls, and passes its notifications on.
    const threadStore = options.withWorker ? store.engineThread?.() : undefined;
    const thread = threadStore && new EngineThread(threadStore, config, logger);
    if (thread) undo.push(() => thread.stop());
    const engine = new JobEngine(store, { clock, log: logger, pollMs: config.jobPollMs, observer: jobMetrics, alsoNotify: thread && ((why) => thread.notify(why)) });
    undo.push(() => engine.stop());
    undo.push(sweepExpiredJobs(store, clock, logger));
    // With REDIS_URL, every server process counts against the same limits; without it, each its own.
    const redis = config.rateLimits && config.redisUrl ? redisLimiters(config.redisUrl, logger) : undefined;
    if (redis) undo.push(() => redis.close());
    const cursors = await loadCursors(store);
    const app = buildServer(config, { store, engine, clock, cursors, logger, limiters: redis?.factory, redis });
    undo.push(async () => {
      // A connection still open after the grace period (a client that never sent a request) must not keep the process alive.
      const cut = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      await app.close();
      clearTimeout(cut);
    });
    if (thread) thread.start();
    else if (options.withWorker) engine.start();
    const url = await app.listen({ port: config.port, host: config.host });
    return { url, app, store, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
