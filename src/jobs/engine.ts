// The bulk job engine: the whole life of a job after it was accepted, written once for every store.
//
// Each turn it picks an account with a due job, fairly (the account served longest ago goes first), and in
// one transaction holding that account's queue: chooses the jobs that may run (order.ts), locks and loads
// what they touch, applies the jobs, and saves them with their writes. A job that throws is undone alone (the
// batch is then run again with each job in a savepoint of its own) and tried again after a backoff, running
// by itself; after MAX_ATTEMPTS its last run applies each resource in a savepoint of its own, so what can be
// stored is, and what cannot is reported.
// A crash at any moment rolls the open transaction back: every job is then as it was before the turn.
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { PendingJob } from '../catalog/model.js';
import { CatalogState } from '../catalog/state.js';
import { ConcurrentChangeError, isStoreUnavailable } from '../store/errors.js';
import type { JobBatch, Store } from '../store/store.js';
import { applyNext, failGiven, failNext, finish, isDone, nextIndex, remainingRefs } from './apply.js';
import { HeldResources, runnableJobs } from './order.js';
import { MAX_JOBS_IN_PROGRESS } from './kinds.js';

/**
 * What a control may do to an unfinished job (manual pace): release resources to apply, fail given resources
 * with given error details, or cancel it.
 */
export type JobStep =
  | { action: 'apply'; count: number }
  | { action: 'complete' }
  | { action: 'fail'; errors: { id: string; detail?: string }[] }
  | { action: 'cancel' };

/** A batch (one transaction) holds as many jobs as fit in the store's jobBatchMs, and at most this many. */
const MAX_JOBS_PER_BATCH = 20;
/** How far down an account's queue a batch looks for runnable jobs behind held ones. */
const SCAN_LIMIT = 100;
/** Accounts considered per turn. */
const ACCOUNTS_PER_TURN = 100;
/** Runs of a job that may fail as a whole before its last run, resource by resource. */
const MAX_ATTEMPTS = 3;
/** Wait before the next run after the n-th failed one. */
const BACKOFF_MS = [250, 1_000, 4_000];

const backoff = (attempts: number) => BACKOFF_MS[Math.min(attempts, BACKOFF_MS.length) - 1];
/** How a job that failed on its own ends: `cancelled` when not one of its resources was applied. */
const endState = (job: PendingJob) => (job.completedCount === 0 ? 'cancelled' : 'complete');
/** A job of a batch run without savepoints threw: the batch is rolled back and run again with them. */
class RunCarefully extends Error {}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/** What the engine reports as it goes: the metrics, or (on a thread of its own) messages that reach them. */
export interface EngineObserver {
  /** A job ended (its transaction committed). */
  jobFinished(type: string, status: 'complete' | 'cancelled'): void;
  /** A run of a job took this long. */
  jobApplied(type: string, seconds: number): void;
}

/** How many of the job's remaining resources it may apply now. */
function budget(job: PendingJob): number {
  const left = job.totalCount - nextIndex(job);
  return job.allowance === null ? left : Math.min(left, job.allowance);
}

/** The parts of a job a failed savepoint must restore. */
function progressOf(job: PendingJob) {
  const { completedCount, failedCount, status, completedAt, allowance, runAfter } = job;
  return { completedCount, failedCount, status, completedAt, allowance, runAfter, errors: job.errors.length, resourceIds: job.resourceIds.length };
}

function restore(job: PendingJob, p: ReturnType<typeof progressOf>): void {
  Object.assign(job, { completedCount: p.completedCount, failedCount: p.failedCount, status: p.status, completedAt: p.completedAt, allowance: p.allowance, runAfter: p.runAfter });
  job.errors.length = p.errors;
  job.resourceIds.length = p.resourceIds;
}

export interface EngineOptions {
  clock: Clock;
  log: FastifyBaseLogger;
  /** How often an idle engine looks for jobs accepted by other processes. */
  pollMs: number;
  /** The metrics (ops/metrics.ts jobMetrics), or on the engine's thread, messages that reach them. */
  observer: EngineObserver;
  /** Another engine that runs this process's jobs (a thread: see thread.ts); notify() and clockMoved() reach it too. */
  alsoNotify?: (why: 'jobs' | 'clock') => void;
}

export class JobEngine {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Turn at which each account with due jobs was last served: the lowest goes first. */
  private served = new Map<string, number>();
  private turn = 0;
  /** Batch-level failures (the whole transaction failed) of a job that ran alone, by job id. */
  private readonly batchFailures = new Map<string, number>();

  constructor(private readonly store: Store, private readonly options: EngineOptions) {}

  /** Runs jobs in the background until stop(). Without it (serve --no-worker) the engine only answers controls. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** A job was accepted or released in this process: look now rather than at the next poll. */
  notify(): void {
    this.wake?.();
    this.options.alsoNotify?.('jobs');
  }

  /** The clock control moved the clock: jobs may have fallen due. */
  clockMoved(): void {
    this.wake?.();
    this.options.alsoNotify?.('clock');
  }

  /** Stops after the batch in hand; unfinished jobs stay as they are for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let batchSize = 1;
    while (this.running) {
      let done = 0;
      try {
        const started = performance.now();
        done = await this.runBatch(batchSize);
        if (done === batchSize) {
          const perJob = (performance.now() - started) / done;
          batchSize = Math.max(1, Math.min(MAX_JOBS_PER_BATCH, Math.floor(this.store.jobBatchMs / perJob)));
        }
      } catch (err) {
        this.options.log.error({ err }, 'job engine: looking for work failed; will retry');
      }
      if (done === 0) await this.sleep();
      else await new Promise((resolve) => setImmediate(resolve)); // let requests in between batches
    }
  }

  /** One turn: serves the first account, in fairness order, that has a job able to run now; returns how many jobs ran. */
  private async runBatch(limit: number): Promise<number> {
    const now = this.options.clock.now().toISOString();
    const accounts = await this.store.accountsWithDueJobs(now, ACCOUNTS_PER_TURN);
    const served = new Map(accounts.map((a) => [a, this.served.get(a) ?? 0]));
    this.served = served; // accounts with nothing due are forgotten, and come first when they return
    accounts.sort((a, b) => served.get(a)! - served.get(b)!); // stable: never served -> oldest job first
    for (const account of accounts) {
      served.set(account, ++this.turn);
      let inHand: PendingJob[] = [];
      const attempt = (careful: boolean) => this.store.withJobQueue(account, async (batch) => {
        inHand = await this.chooseJobs(batch, now, limit);
        return this.runJobs(batch, inHand, now, careful);
      });
      try {
        const ran = await attempt(false).catch((err) => {
          if (err instanceof RunCarefully) return attempt(true);
          throw err;
        });
        this.countFinished(inHand);
        if (ran) return ran;
      } catch (err) {
        // The whole transaction failed: nothing of it happened. Other accounts go on; a job that keeps
        // failing this way on its own is charged with it, so that it ends rather than block its account.
        this.options.log.error({ err, account }, 'job batch failed; will retry');
        if (inHand.length === 1 && !isStoreUnavailable(err)) await this.chargeBatchFailure(account, inHand[0], err);
      }
    }
    return 0;
  }

  private async chooseJobs(batch: JobBatch, now: string, limit: number): Promise<PendingJob[]> {
    // Usually the oldest `limit` jobs are all runnable; only when one is held does it look further down.
    const oldest = await batch.unfinishedJobs(limit);
    let runnable = runnableJobs(oldest, now, limit);
    if (runnable.length < limit && oldest.length === limit) runnable = runnableJobs(await batch.unfinishedJobs(SCAN_LIMIT), now, limit);
    // A job that failed before runs alone: its retries never hold up or undo other jobs.
    const retrying = runnable.find((job) => job.attempts > 0);
    return retrying ? [retrying] : runnable;
  }

  /**
   * `careful`: each job in a savepoint of its own, so that one that throws is undone alone. Otherwise (the
   * first run of a batch whose jobs never failed) no savepoints, which on PostgreSQL are two round trips a job;
   * a job that throws then aborts the whole batch (RunCarefully), which is run again carefully.
   */
  private async runJobs(batch: JobBatch, jobs: PendingJob[], now: string, careful: boolean): Promise<number> {
    if (jobs.length === 0) return 0;
    const refs = jobs.flatMap(remainingRefs);
    await batch.lockResources(refs);
    const state = new CatalogState(refs, await batch.loadResources(refs));
    const held = new HeldResources();
    for (const job of jobs) {
      if (held.blocks(job)) continue; // an earlier job in this batch stopped part way on the same resources
      await this.runJob(batch, job, state, now, careful || job.attempts > 0);
      if (job.status === 'processing') held.hold(job);
    }
    return jobs.length;
  }

  private async runJob(batch: JobBatch, job: PendingJob, state: CatalogState, now: string, careful: boolean): Promise<void> {
    const mark = state.mark();
    const before = progressOf(job);
    const started = performance.now();
    const run = async () => {
      if (job.attempts >= MAX_ATTEMPTS) await this.applyEachAlone(batch, job, state, now);
      else {
        const from = nextIndex(job);
        for (let n = budget(job); n > 0; n--) applyNext(job, state, now);
        await batch.write(state.writesSince(mark));
        this.settle(job, now, nextIndex(job) - from, 'complete');
      }
      await batch.saveJob(job);
    };
    try {
      if (careful) await batch.savepoint(run);
      else {
        await run().catch((err) => {
          throw err instanceof ConcurrentChangeError || isStoreUnavailable(err) ? err : new RunCarefully('a job of the batch failed', { cause: err });
        });
      }
    } catch (err) {
      // Not the job's doing: the batch is run again on fresh rows, without charging the job.
      if (err instanceof ConcurrentChangeError || err instanceof RunCarefully) throw err;
      state.rollback(mark);
      restore(job, before);
      this.options.log.warn({ err, job: job.id, attempt: job.attempts + 1 }, 'job failed; will retry');
      await this.recordFailure(batch, job, err, now);
    } finally {
      this.options.observer.jobApplied(job.type, (performance.now() - started) / 1000);
    }
  }

  /** The last run: each resource in its own savepoint; one that cannot be stored fails alone. */
  private async applyEachAlone(batch: JobBatch, job: PendingJob, state: CatalogState, now: string): Promise<void> {
    const from = nextIndex(job);
    for (let n = budget(job); n > 0; n--) {
      const mark = state.mark();
      const before = progressOf(job);
      try {
        await batch.savepoint(async () => {
          applyNext(job, state, now);
          await batch.write(state.writesSince(mark));
        });
      } catch (err) {
        if (err instanceof ConcurrentChangeError) throw err;
        state.rollback(mark);
        restore(job, before);
        this.options.log.warn({ err, job: job.id, resource: nextIndex(job) }, 'job resource could not be stored');
        failNext(job);
      }
    }
    this.settle(job, now, nextIndex(job) - from, endState(job));
  }

  /** After a run: finished when every resource was tried; otherwise held again once its allowance is spent. */
  private settle(job: PendingJob, now: string, tried: number, status: 'complete' | 'cancelled'): void {
    if (job.allowance !== null) job.allowance -= tried;
    if (isDone(job)) finish(job, now, status);
    else if (job.allowance === 0) job.runAfter = null;
  }

  /** Counts a failed run and schedules the next; past the last one, ends the job with its resources failed. */
  private async recordFailure(batch: JobBatch, job: PendingJob, err: unknown, now: string): Promise<void> {
    job.attempts++;
    job.lastError = messageOf(err);
    if (job.attempts > MAX_ATTEMPTS) {
      while (!isDone(job)) failNext(job);
      finish(job, now, endState(job));
    } else {
      job.runAfter = new Date(Date.parse(now) + backoff(job.attempts)).toISOString();
    }
    await batch.saveJob(job);
  }

  private async chargeBatchFailure(account: string, job: PendingJob, err: unknown): Promise<void> {
    const failures = (this.batchFailures.get(job.id) ?? 0) + 1;
    this.batchFailures.set(job.id, failures);
    if (failures < MAX_ATTEMPTS) return;
    this.batchFailures.delete(job.id);
    const now = this.options.clock.now().toISOString();
    await this.store.withJobQueue(account, async (batch) => {
      const current = (await batch.unfinishedJobs(SCAN_LIMIT)).find((j) => j.id === job.id);
      if (current) await this.recordFailure(batch, current, err, now);
      return current;
    }).then((current) => this.countFinished(current ? [current] : []), (e) => this.options.log.error({ err: e, job: job.id }, 'could not record the failure of a job'));
  }

  /**
   * Releases `count` more resources of an unfinished job (or all of them), and applies them at once unless an
   * earlier job on the same resources is unfinished (then the engine does when it is); or fails given
   * resources now (the job completes when they were its last); or cancels the job: what was applied stays,
   * the rest never is. Returns the job as it stands; undefined if it is not unfinished. A `fail` naming a
   * resource the job has not still to apply throws NotPendingError and changes nothing.
   */
  async step(account: string, jobId: string, step: JobStep): Promise<PendingJob | undefined> {
    for (;;) {
      const now = this.options.clock.now().toISOString();
      const result = await this.store.withJobQueue(account, async (batch) => {
        const jobs = await batch.unfinishedJobs(MAX_JOBS_IN_PROGRESS);
        const job = jobs.find((j) => j.id === jobId);
        if (!job) return { job };
        if (step.action === 'cancel') {
          finish(job, now, 'cancelled');
          await batch.saveJob(job);
          return { job };
        }
        if (step.action === 'fail') {
          failGiven(job, step.errors);
          if (isDone(job)) finish(job, now, 'complete');
          await batch.saveOperations(job);
          await batch.saveJob(job);
          return { job };
        }
        job.allowance = step.action === 'apply' ? step.count : null;
        job.runAfter = now;
        await batch.saveJob(job);
        if (runnableJobs(jobs, now, MAX_JOBS_IN_PROGRESS).includes(job)) await this.runJobs(batch, [job], now, true);
        return { job };
      });
      if (result) {
        this.countFinished(result.job ? [result.job] : []);
        this.notify(); // jobs waiting behind this one may run now
        return result.job;
      }
      await new Promise((resolve) => setTimeout(resolve, 5)); // a worker holds the account's queue for one batch
    }
  }

  /** Counts the jobs a committed transaction finished (all of them were processing when it began). */
  private countFinished(jobs: PendingJob[]): void {
    for (const job of jobs) if (job.status === 'complete' || job.status === 'cancelled') this.options.observer.jobFinished(job.type, job.status);
  }

  /** Until the next job falls due, the poll interval passes, or notify() wakes it. */
  private async sleep(): Promise<void> {
    let ms = this.options.pollMs;
    try {
      const now = this.options.clock.now();
      const due = await this.store.nextJobDueAt(now.toISOString());
      if (due) ms = Math.max(1, Math.min(ms, Date.parse(due) - now.getTime()));
    } catch {
      // the store is away: poll as usual
    }
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
