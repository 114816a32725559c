// The job runner: claims the oldest unfinished jobs, applies them, and sleeps when there is nothing to do.
// A job is applied and marked complete in the same transaction, so a crash at any moment leaves it either
// untouched (it runs again on restart) or finished, and each update is applied exactly once.
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/store.js';
import { jobRefs, processJob } from './process.js';

/** Jobs applied per transaction: enough to amortise the commit, few enough to keep other requests fast. */
const JOBS_PER_BATCH = 10;

export class JobRunner {
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

  /** Call when a job has been queued in this process, to start on it without waiting for the next poll. */
  notify(): void {
    this.wake?.();
  }

  /** Stops after the batch in hand; unfinished jobs stay queued for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastSweep = 0;
    while (this.running) {
      let done = 0;
      try {
        done = await this.store.runJobs(JOBS_PER_BATCH, jobRefs, (job, state) => processJob(job, state, new Date(), this.ttlMs));
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

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}
