// Jobs read as 404 from `expires_at` on (the queries say so); their rows are deleted in the background by
// every process that runs, `serve --no-worker` included, so that expiry does not depend on a worker.
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';

const SWEEP_EVERY_MS = 60_000;

/** Deletes expired jobs now and every minute; returns a function that stops it. */
export function sweepExpiredJobs(store: Store, clock: Clock, log: FastifyBaseLogger): () => void {
  const sweep = () => {
    store.deleteExpiredJobs(clock.now().toISOString()).catch((err) => log.warn({ err }, 'deleting expired jobs failed; will retry'));
  };
  sweep();
  const timer = setInterval(sweep, SWEEP_EVERY_MS).unref();
  return () => clearInterval(timer);
}
