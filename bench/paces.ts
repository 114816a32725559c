// The job engine at each pace: the same bulk update (paceJobs jobs x 100 items) with the account's pace set to
// instant, realistic (delays scaled down by PACE_SCALE) and manual (the bench steps every job through the
// control API, as a test would), on one server and SQLite store. What differs is how long jobs wait and what
// that waiting costs the server: items/s end to end, job latency, and server CPU per 1,000 items.
import { KEY, startServer, stop } from './procs.ts';
import { int, ms, table } from './report.ts';
import { call, median, percentile, runBulkJobs, updateJobDocument, type BenchConfig, type Ctx } from './scenarios.ts';
import { BENCH_DIR, sqliteStore } from './stores.ts';

const PACES = ['instant', 'realistic', 'manual'] as const;
type Pace = (typeof PACES)[number];

/** CATALOG_JOB_PACE_SCALE: realistic's 10 s to 6 min become 10 ms to 360 ms. */
const PACE_SCALE = 0.001;

/** The largest store the bench keeps anyway (the scale table's 100,000, or the quick run's), not the 1M one. */
const paceStoreItems = (cfg: BenchConfig) => Math.min(cfg.items, 100_000);

export interface PaceRow {
  pace: Pace;
  jobs: number;
  items: number;
  itemsPerSecond: number;
  p50: number;
  p99: number;
  cpuPer1000: number;
  errors: number;
}

/** The manual pace's driver: completes the job through the control API (the answer is the job, complete). */
async function complete(ctx: Ctx, id: string): Promise<string | undefined> {
  const r = await call(ctx, 'POST', `/__admin/jobs/${id}/actions`, JSON.stringify({ action: 'complete' }));
  return r.status === 200 ? undefined : `step job ${id} answered ${r.status}: ${r.text.slice(0, 300)}`;
}

export async function measurePaces(cfg: BenchConfig): Promise<PaceRow[]> {
  const items = paceStoreItems(cfg);
  const span = cfg.paceJobs * 100;
  if (span * PACES.length > items) throw new Error(`BENCH_PACE_JOBS=${cfg.paceJobs} needs ${span * PACES.length} items, the store has ${items}`);
  const store = await sqliteStore(items, 'paces');
  const server = await startServer(store.databaseUrl, [], { CATALOG_JOB_PACE_SCALE: String(PACE_SCALE) });
  const ctx: Ctx = { cfg, server, key: KEY, store, workDir: BENCH_DIR };
  try {
    const rows: PaceRow[] = [];
    for (const [k, pace] of PACES.entries()) {
      console.error(`bench: job engine, ${pace} pace`);
      const set = await call(ctx, 'PUT', '/__admin/jobs/pace', JSON.stringify({ data: { type: 'job-pace', attributes: { pace } } }));
      if (set.status !== 200) throw new Error(`PUT /__admin/jobs/pace answered ${set.status}: ${set.text.slice(0, 300)}`);
      // Each pace updates its own items, so no job waits on an earlier pace's job for the same resource.
      const payloads = Array.from({ length: cfg.paceJobs }, (_, j) => updateJobDocument(k * span + j * 100, 100, `${cfg.runTag}-${pace}`));
      const run = await runBulkJobs(ctx, payloads, pace === 'manual' ? (id) => complete(ctx, id) : undefined);
      const row: PaceRow = {
        pace, jobs: cfg.paceJobs, items: run.items,
        itemsPerSecond: run.items / run.seconds,
        p50: median(run.latencies), p99: percentile(run.latencies, 0.99),
        cpuPer1000: (run.cpuSeconds / run.items) * 1000,
        errors: run.errors,
      };
      console.error(`  ${pace}: ${int(row.itemsPerSecond)} items/s, job latency p50 ${ms(row.p50)} ms, p99 ${ms(row.p99)} ms, ${row.cpuPer1000.toFixed(3)} CPU s per 1,000 items`);
      rows.push(row);
    }
    return rows;
  } finally {
    await stop(server);
    await store.dispose();
  }
}

export function renderPaces(cfg: BenchConfig, rows: PaceRow[]): string {
  const body = table(
    ['Pace', 'Jobs x items', 'Items/s end to end', 'Job latency p50 ms', 'p99 ms', 'Server CPU s per 1,000 items', 'Errors'],
    rows.map((r) => [`\`${r.pace}\``, `${int(r.jobs)} x 100`, int(r.itemsPerSecond), ms(r.p50), ms(r.p99), r.cpuPer1000.toFixed(3), String(r.errors)]),
  );
  return `## Job engine at each pace (SQLite)

${body}

- One server on a copy of the seeded SQLite store of ${int(paceStoreItems(cfg))} items, \`CATALOG_JOB_PACE_SCALE=${PACE_SCALE}\`; the account's pace set with \`PUT /__admin/jobs/pace\` before each row, each row updating its own items. Jobs are posted 4 at a time and awaited in the order accepted, polling the oldest unfinished job by GET every 10 ms; no other load.
- Items/s end to end: from the first POST until every job was seen complete. For \`realistic\` it is bounded by the longest paced delay (up to 360 ms) rather than by the engine, so it says little about throughput with few jobs.
- Job latency is each job's \`created_at\` to \`completed_at\` (the server's clock, whole ms). It includes the wait the pace imposes: for \`instant\` only the queue and the work; for \`realistic\` the paced delay, drawn log-uniformly from 10 ms to 360 ms at this scale (median about 60 ms), which dominates it; for \`manual\` the time until the bench stepped the job (\`POST /__admin/jobs/{id}/actions {"action": "complete"}\`, one job at a time in the order accepted), so it measures the driver as much as the engine.
- Server CPU per 1,000 items is the server process's CPU time over the whole run (the POSTs, the polls, the steps, the worker's timers and the writes) divided by the items completed.
`;
}
