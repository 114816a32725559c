// The job runner: claims the oldest unfinished jobs, applies them, and sleeps when there is nothing to do.
// A job is applied and marked complete in the same transaction, so a crash at any moment leaves it either
// untouched (it runs again on restart) or finished, and each update is applied exactly once.
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/store.js';
import { jobRefs, processJob } from './process.js';

/**
 * A batch (one transaction) may take about this long. With SQLite it runs on the thread that serves requests,
 * so it bounds the pause other requests see; within it, as many jobs as fit share one commit.
 */
const BATCH_BUDGET_MS = 4;
const MAX_JOBS_PER_BATCH = 20;

/** What the HTTP layer and the CLI need of a job runner, in this thread or another. */
export interface Runner {
  start(): void;
  /** A job was queued in this process: look now rather than at the next poll. */
  notify(): void;
  /** Stops after the batch in hand; unfinished jobs stay queued for the next start. */
  stop(): Promise<void>;
}

export class JobRunner implements Runner {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
    private readonly pollMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  notify(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastSweep = 0;
    let batchSize = 1;
    while (this.running) {
      let done = 0;
      try {
        const started = performance.now();
        done = await this.store.runJobs(batchSize, jobRefs, (job, state) => processJob(job, state, new Date(), this.ttlMs));
        if (done === batchSize) {
          const perJob = (performance.now() - started) / done;
          batchSize = Math.max(1, Math.min(MAX_JOBS_PER_BATCH, Math.floor(BATCH_BUDGET_MS / perJob)));
        }
        if (Date.now() - lastSweep > 60_000) {
          lastSweep = Date.now();
          await this.store.deleteExpiredJobs(new Date().toISOString());
        }
      } catch (err) {
        this.log.error({ err }, 'job batch failed; will retry');
      }
      if (done === 0) await this.sleep();
      else await new Promise((resolve) => setImmediate(resolve)); // let requests in between batches
    }
  }

  /** Until the poll interval passes or notify() wakes it. */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
    });
  }
}
