// Runs in the job engine's thread (see thread.ts): its own connection to the store, its own clock that
// follows the stored offset, and a JobEngine, until told to stop.
import { parentPort, workerData } from 'node:worker_threads';
import { StoredClock } from '../clock.js';
import { createLogger } from '../ops/logger.js';
import { SqliteStore } from '../store/sqlite.js';
import { JobEngine } from './engine.js';
import type { EngineThreadData, EngineThreadMessage } from './thread.js';

const { store: where, config } = workerData as EngineThreadData;
const port = parentPort!;
const post = (m: EngineThreadMessage) => port.postMessage(m);
const log = createLogger(config);
const onClockError = (err: unknown) => log.warn({ err }, 'reading the clock offset failed; keeping the last one');

const store = new SqliteStore(where.sqlitePath, { engineTurns: where.writeTurns });
const clock = new StoredClock(store);
if (config.controls) await clock.follow(onClockError);
const engine = new JobEngine(store, {
  clock, log, pollMs: config.jobPollMs,
  observer: {
    jobFinished: (type, status) => post({ jobFinished: [type, status] }),
    jobApplied: (type, seconds) => post({ jobApplied: [type, seconds] }),
  },
});
engine.start();

port.on('message', async (message: 'jobs' | 'clock' | 'stop') => {
  if (message === 'jobs') return engine.notify();
  if (message === 'clock') {
    await clock.refresh(onClockError); // stored by the clock control before it told us
    return engine.notify();
  }
  await engine.stop();
  clock.stop();
  await store.close();
  process.exit(0);
});
