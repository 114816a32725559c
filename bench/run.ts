// npm run bench: builds, prepares stores of 1,000,000 items (seeded once, then cached: SQLite files in .bench/,
// PostgreSQL template databases), starts the real server on a fresh copy of each and measures the scenarios
// of issue 5 against a bare node:http baseline; then, on SQLite, how GET item and a list page grow with the
// store (bench/scale.ts), and the job engine at each pace (bench/paces.ts). Writes a markdown report to stdout
// and docs/PERFORMANCE.md; exits 1 if any request failed.
//
// Settings (environment, or flags after `npm run bench --`):
//   BENCH_QUICK=1 / --quick     smoke run: 20,000 items (scale: 2,000 / 5,000 / 20,000), 2 rounds of 1 s, 50 bulk
//                               jobs, 20 per pace; report to .bench/
//   BENCH_STORE / --store       sqlite, postgres or both (default). sqlite runs the SQLite scenarios, the
//                               scale and the pace tables; postgres the PostgreSQL scenarios. A run of one
//                               store reports to .bench/PERFORMANCE[.quick].<store>.md, not docs/.
//   BENCH_SECONDS / --seconds   seconds per round (5)          BENCH_ROUNDS / --rounds   rounds (3)
//   BENCH_CONNECTIONS           autocannon connections (50)    BENCH_ITEMS               store size (1,000,000)
//   BENCH_BULK_JOBS             bulk jobs of 100 items (1,000) BENCH_LIST_LOOP           single-request loop length (200)
//   BENCH_OTHER_RATE            req/s of reads during the bulk update (500, over 10 connections)
//   BENCH_SCALE_SIZES           store sizes of "How cost grows", comma-separated (10000,100000,1000000; quick 2000,5000,20000)
//   BENCH_PACE_JOBS             bulk jobs of 100 items per pace in "Job engine at each pace" (200; quick 20)
//   BENCH_PG_URL                PostgreSQL database to connect to for CREATE/DROP DATABASE (postgres://postgres@127.0.0.1:5432/test);
//                               the bench creates and drops only databases named bench_*
//   BENCH_NOTE                  "changes since the previous run" line   BENCH_OUT   report path
//   BENCH_NO_BUILD=1            use dist/ as it is
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, KEY, startServer, stop, type Running } from './procs.ts';
import { render, mb, type Section, type Target } from './report.ts';
import { bulkUpdate, createItem, getItem, getJob, journalCost, listItems, measured, type BenchConfig, type Ctx, type Row } from './scenarios.ts';
import { checkPostgres, DEFAULT_ADMIN_URL, postgresStore } from './postgres.ts';
import { measurePaces, renderPaces } from './paces.ts';
import { measureScale, renderScale } from './scale.ts';
import { BENCH_DIR, deepCursor, sqliteStore, type BenchStore } from './stores.ts';

type StoreChoice = 'sqlite' | 'postgres';

function readConfig() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, seconds: { type: 'string' }, rounds: { type: 'string' }, store: { type: 'string' } } });
  const env = process.env;
  const quick = values.quick === true || env.BENCH_QUICK === '1';
  const num = (raw: string | undefined, fallback: number) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`bench: expected a positive number, got "${raw}"`);
    return n;
  };
  const storeArg = values.store ?? env.BENCH_STORE ?? 'both';
  if (!['sqlite', 'postgres', 'both'].includes(storeArg)) throw new Error(`bench: --store is sqlite, postgres or both, got "${storeArg}"`);
  const stores: StoreChoice[] = storeArg === 'both' ? ['sqlite', 'postgres'] : [storeArg as StoreChoice];
  const cfg: BenchConfig = {
    quick,
    seconds: num(values.seconds ?? env.BENCH_SECONDS, quick ? 1 : 5),
    rounds: Math.round(num(values.rounds ?? env.BENCH_ROUNDS, quick ? 2 : 3)),
    warmupSeconds: quick ? 0 : 1,
    connections: num(env.BENCH_CONNECTIONS, 50),
    items: num(env.BENCH_ITEMS, quick ? 20_000 : 1_000_000),
    bulkJobs: num(env.BENCH_BULK_JOBS, quick ? 50 : 1000),
    listLoop: num(env.BENCH_LIST_LOOP, quick ? 30 : 200),
    otherConnections: 10,
    otherRate: num(env.BENCH_OTHER_RATE, 500),
    scaleSizes: env.BENCH_SCALE_SIZES ? env.BENCH_SCALE_SIZES.split(',').map((n) => num(n.trim(), 0)) : quick ? [2_000, 5_000, 20_000] : [10_000, 100_000, 1_000_000],
    paceJobs: num(env.BENCH_PACE_JOBS, quick ? 20 : 200),
    runTag: Date.now().toString(36),
  };
  // docs/PERFORMANCE.md is the full run's, every table in it; a quick or one-store run reports to .bench/.
  const base = quick ? 'PERFORMANCE.quick' : 'PERFORMANCE';
  const defaultOut = stores.length === 1 ? join(BENCH_DIR, `${base}.${stores[0]}.md`) : quick ? join(BENCH_DIR, `${base}.md`) : join(ROOT, 'docs', 'PERFORMANCE.md');
  const out = env.BENCH_OUT || defaultOut;
  const settings = Object.entries(env).filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_NOTE').map(([k, v]) => `${k}=${v} `).join('');
  const command = `${settings}${env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node --import tsx bench/run.ts'}${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  return { cfg, stores, pgUrl: env.BENCH_PG_URL || DEFAULT_ADMIN_URL, out, command, note: env.BENCH_NOTE ?? '' };
}

/** A scenario's server/baseline ratio against a goal. */
function ratioTarget(row: Row, what: string, goal: number): Target {
  return { what, target: `≥ ${goal}x`, measured: `${row.ratio!.toFixed(2)}x`, pass: row.ratio! >= goal };
}

/** The bulk update's items/s end to end against a goal. */
function bulkTarget(itemsPerSecond: number, what: string, goal: number): Target {
  const items = (n: number) => `${Math.round(n).toLocaleString('en-US')} items/s`;
  return { what, target: `≥ ${items(goal)}`, measured: items(itemsPerSecond), pass: itemsPerSecond >= goal };
}

function sqliteTargets(r: {
  rows: Row[]; startupMs: number; peakRss: number; firstMedian: number; deepMedian: number; deepPage: number;
  itemsPerSecond: number; otherP99: number; items: number; connections: number; journalRatio: number;
}): Target[] {
  const row = (name: string) => r.rows.find((x) => x.name === name)!;
  const job = row('GET job');
  const create = row('POST create item');
  const items = r.items.toLocaleString('en-US');
  return [
    ratioTarget(job, 'GET job: req/s vs baseline', 0.5),
    { what: 'GET job: req/s with the journal on vs off', target: '≥ 0.9x', measured: `${r.journalRatio.toFixed(2)}x`, pass: r.journalRatio >= 0.9 },
    { what: `GET job: p99 at ${r.connections} connections`, target: '< 10 ms', measured: `${job.p99!.toFixed(2)} ms`, pass: job.p99! < 10 },
    ratioTarget(create, 'POST create item: req/s vs baseline', 0.3),
    bulkTarget(r.itemsPerSecond, 'Bulk update: items/s end to end', 20_000),
    { what: 'Bulk update: p99 of other requests (GET item)', target: '< 20 ms', measured: `${r.otherP99.toFixed(2)} ms`, pass: r.otherP99 < 20 },
    {
      what: `List: page ${r.deepPage} as fast as page 1 (median)`, target: '≤ 1.25x page 1',
      measured: `${r.deepMedian.toFixed(2)} ms vs ${r.firstMedian.toFixed(2)} ms (${(r.deepMedian / r.firstMedian).toFixed(2)}x)`,
      pass: r.deepMedian <= r.firstMedian * 1.25,
    },
    {
      what: `List: filtered page of 100 on ${items} items (median, worse of the two pages)`, target: '< 5 ms',
      measured: `${Math.max(r.firstMedian, r.deepMedian).toFixed(2)} ms`, pass: Math.max(r.firstMedian, r.deepMedian) < 5,
    },
    { what: `Memory: peak RSS serving ${items} items`, target: '< 200 MB', measured: mb(r.peakRss), pass: r.peakRss < 200 * 1048576 },
    { what: 'Start-up on the existing store (median of 3)', target: '< 1 s', measured: `${Math.round(r.startupMs)} ms`, pass: r.startupMs < 1000 },
    // Issue 15's: reads closer to the baseline, and writes further.
    ratioTarget(row('GET item'), 'GET item: req/s vs baseline (issue 15)', 0.5),
    ratioTarget(row('List items, published, page of 100'), 'List, published page of 100: req/s vs baseline (issue 15)', 0.25),
    ratioTarget(row('GET job include=items (100)'), 'GET job include=items: req/s vs baseline (issue 15)', 0.25),
    ratioTarget(job, 'GET job: req/s vs baseline (issue 15)', 0.7),
    ratioTarget(create, 'POST create item: req/s vs baseline (issue 15)', 0.4),
    bulkTarget(r.itemsPerSecond, 'Bulk update: items/s end to end (issue 15)', 40_000),
  ];
}

/** What the scenarios of one store give: rows and the figures their targets need. */
interface Measured {
  rows: Row[];
  peakRss: number;
  errors: number;
  list: { firstMedian: number; deepMedian: number; deepPage: number };
  bulk: { itemsPerSecond: number; otherP99: number };
}

/** The scenarios every store runs (issue 5), in order, each with its own peak RSS; `between` runs after GET job. */
async function scenarios(ctx: Ctx, deep: { page: number; cursor: string }, between: (jobPath: string) => Promise<{ rows: Row[]; peakRss: number }[]>): Promise<Measured> {
  const label = ctx.store.label;
  console.error(`bench: ${label}: GET job`);
  const jobs = await measured(ctx, () => getJob(ctx));
  const extra = await between(jobs.jobPath);
  console.error(`bench: ${label}: POST create item`);
  const create = await measured(ctx, () => createItem(ctx));
  console.error(`bench: ${label}: GET item`);
  const get = await measured(ctx, () => getItem(ctx));
  console.error(`bench: ${label}: list items`);
  const list = await measured(ctx, () => listItems(ctx, deep));
  console.error(`bench: ${label}: bulk update`);
  const bulk = await measured(ctx, () => bulkUpdate(ctx));
  const parts = [jobs, ...extra, create, get, list, bulk];
  const rows = parts.flatMap((p) => p.rows);
  return {
    rows,
    peakRss: Math.max(...parts.map((p) => p.peakRss)),
    errors: rows.reduce((n, r) => n + r.errors, 0),
    list, bulk,
  };
}

/** The embedded store: the scenarios, the journal on/off rounds and the start-up time. */
async function sqliteSection(cfg: BenchConfig): Promise<Section> {
  const store = await sqliteStore(cfg.items);
  const deep = await deepCursor(store);
  const bytesAtStart = await store.bytes();
  console.error('bench: SQLite: start-up time, 3 starts');
  const startups: number[] = [];
  let server: Running | undefined;
  try {
    for (let i = 0; i < 3; i++) {
      if (server) await stop(server);
      server = await startServer(store.databaseUrl);
      startups.push(server.startupMs);
    }
    startups.sort((a, b) => a - b);
    const ctx: Ctx = { cfg, server: server!, key: KEY, store, workDir: bodiesDir() };
    const m = await scenarios(ctx, deep, async (jobPath) => {
      console.error('bench: SQLite: GET job, journal on and off');
      return [await measured(ctx, () => journalCost(ctx, jobPath, () => startServer(store.databaseUrl, ['--no-worker'], { CATALOG_JOURNAL: 'off' })))];
    });
    const journal = m.rows.find((r) => r.name.startsWith('GET job, journal on'))!;
    const journalOff = m.rows.find((r) => r.name.startsWith('GET job, journal off'))!;
    return {
      store: { label: store.label, items: cfg.items, published: deep.published, bytes: bytesAtStart },
      rows: m.rows,
      targets: sqliteTargets({
        rows: m.rows, peakRss: m.peakRss, startupMs: startups[1], items: cfg.items, connections: cfg.connections,
        firstMedian: m.list.firstMedian, deepMedian: m.list.deepMedian, deepPage: m.list.deepPage,
        itemsPerSecond: m.bulk.itemsPerSecond, otherP99: m.bulk.otherP99, journalRatio: journal.rps! / journalOff.rps!,
      }),
    };
  } finally {
    if (server) await stop(server);
    await store.dispose();
  }
}

function postgresTargets(rows: Row[], itemsPerSecond: number, errors: number): Target[] {
  const row = (name: string) => rows.find((x) => x.name === name)!;
  const get = row('GET item');
  const create = row('POST create item');
  return [
    ratioTarget(get, 'GET item: req/s vs baseline', 0.3),
    ratioTarget(create, 'POST create item: req/s vs baseline', 0.2),
    bulkTarget(itemsPerSecond, 'Bulk update: items/s end to end', 15_000),
    { what: 'Errors and non-2xx answers', target: 'none', measured: String(errors), pass: errors === 0 },
  ];
}

/** The shared store: the same scenarios on a copy of the PostgreSQL template, dropped at the end. */
async function postgresSection(cfg: BenchConfig, adminUrl: string): Promise<Section> {
  const store: BenchStore = await postgresStore(cfg.items, adminUrl);
  let server: Running | undefined;
  try {
    const deep = await deepCursor(store);
    const bytesAtStart = await store.bytes();
    server = await startServer(store.databaseUrl);
    const ctx: Ctx = { cfg, server, key: KEY, store, workDir: bodiesDir() };
    const m = await scenarios(ctx, deep, async () => []);
    return {
      store: { label: store.label, items: cfg.items, published: deep.published, bytes: bytesAtStart },
      rows: m.rows,
      targets: postgresTargets(m.rows, m.bulk.itemsPerSecond, m.errors),
    };
  } finally {
    if (server) await stop(server);
    await store.dispose();
  }
}

/** Where compare() writes the bodies the baseline serves. */
function bodiesDir(): string {
  const dir = join(BENCH_DIR, 'bodies');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function main(): Promise<number> {
  const { cfg, stores, pgUrl, out, command, note } = readConfig();
  const startedAt = new Date();
  const loadStart = os.loadavg()[0];
  // Everything stops by itself: a run that hangs anywhere is ended (children are killed, copies dropped, on exit).
  setTimeout(() => {
    console.error('bench: time limit reached, giving up');
    process.exit(1);
  }, (cfg.quick ? 10 : 90) * 60_000).unref();

  if (process.env.BENCH_NO_BUILD !== '1') {
    console.error('bench: building (tsc -p .)');
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'inherit' });
    if (tsc.status !== 0) throw new Error('bench: the build failed');
  }
  if (stores.includes('postgres')) await checkPostgres(pgUrl);
  const sections: Section[] = [];
  const extras: string[] = [];
  let errors = 0;
  if (stores.includes('sqlite')) sections.push(await sqliteSection(cfg));
  if (stores.includes('sqlite')) {
    const scale = await measureScale(cfg);
    extras.push(renderScale(cfg, scale));
    errors += scale.reduce((n, r) => n + r.errors, 0);
    const paces = await measurePaces(cfg);
    extras.push(renderPaces(cfg, paces));
    errors += paces.reduce((n, r) => n + r.errors, 0);
  }
  if (stores.includes('postgres')) sections.push(await postgresSection(cfg, pgUrl));
  errors += sections.flatMap((sec) => sec.rows).reduce((n, r) => n + r.errors, 0);

  const report = render({ cfg, command, note, startedAt, errors, sections, extras, load: { start: loadStart, end: os.loadavg()[0] } });
  process.stdout.write(report);
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, report);
  console.error(`bench: report written to ${out}`);
  return errors > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
