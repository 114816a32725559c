// The job engine on a thread of its own, for a store that can have one (SQLite on a file). On the thread that
// serves requests, every batch of jobs made the requests wait, and both ran slower for sharing the CPU's
// caches; on its own thread the engine runs beside them, with its own connection, and the two take turns at
// the write lock (store/write-turns.ts). The thread runs the same JobEngine as a `worker` process; it is
// woken by messages rather than only by polling, and reports its metrics and logs back to this thread.
import { once } from 'node:events';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { EngineThreadStore } from '../store/store.js';
import { jobMetrics } from '../ops/metrics.js';

/** What the thread starts from (workerData). */
export interface EngineThreadData {
  store: EngineThreadStore;
  config: Pick<Config, 'jobPollMs' | 'controls' | 'logLevel' | 'logFormat'>;
}

/** Messages from the thread. */
export type EngineThreadMessage =
  | { jobFinished: [type: string, status: 'complete' | 'cancelled'] }
  | { jobApplied: [type: string, seconds: number] };

/**
 * The thread's young generation, where V8 puts new objects (its default grows to 48 MB): the engine's objects
 * live one batch, and with 8 MB a server's peak RSS over 1,000 bulk jobs was 20 MB lower (168 vs 189 MB,
 * .bench/bulkb.mts) at the same speed.
 */
const YOUNG_GENERATION_MB = 8;

/** A thread that died is started again after this long. */
const RESTART_MS = 1_000;

const ENTRY = new URL(`./thread-entry${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * A worker thread running `entry`. Built, it is a .js file. Run from TypeScript (`node --import tsx`), it is a
 * .ts file, and Node does not give workers tsx's loader: the worker registers it before it loads the file.
 */
export function startWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const load = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(load, { ...options, eval: true });
}

export class EngineThread {
  private worker: Worker | undefined;
  private stopping = false;

  private readonly data: EngineThreadData;

  constructor(store: EngineThreadStore, config: Config, private readonly log: FastifyBaseLogger) {
    const { jobPollMs, controls, logLevel, logFormat } = config;
    this.data = { store, config: { jobPollMs, controls, logLevel, logFormat } };
  }

  start(): void {
    const worker = startWorker(ENTRY, { workerData: this.data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker = worker;
    worker.on('message', (m: EngineThreadMessage) => {
      if ('jobFinished' in m) jobMetrics.jobFinished(...m.jobFinished);
      else jobMetrics.jobApplied(...m.jobApplied);
    });
    worker.on('error', (err) => this.log.error({ err }, 'job engine thread failed'));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      if (this.stopping) return;
      this.log.error(`job engine thread stopped; starting it again in ${RESTART_MS} ms`);
      setTimeout(() => this.stopping || this.start(), RESTART_MS).unref();
    });
  }

  /** A job was accepted or released, or the clock moved: look now. */
  notify(why: 'jobs' | 'clock'): void {
    this.worker?.postMessage(why);
  }

  /** Lets the batch in hand commit, then ends the thread. */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage('stop');
    await exited;
  }
}
