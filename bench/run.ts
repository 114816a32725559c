// npm run bench: builds, prepares a store of 1,000,000 items (seeded once, then cached in .bench/), starts
// the real server on a copy of it and measures the scenarios of issue 5 against a bare node:http baseline.
// Writes a markdown report to stdout and docs/PERFORMANCE.md; exits 1 if any request failed.
//
// Settings (environment, or flags after `npm run bench --`):
//   BENCH_QUICK=1 / --quick     smoke run: 20,000 items, 2 rounds of 1 s, 50 bulk jobs; report to .bench/
//   BENCH_SECONDS / --seconds   seconds per round (5)          BENCH_ROUNDS / --rounds   rounds (3)
//   BENCH_CONNECTIONS           autocannon connections (50)    BENCH_ITEMS               store size (1,000,000)
//   BENCH_BULK_JOBS             bulk jobs of 100 items (1,000) BENCH_LIST_LOOP           single-request loop length (200)
//   BENCH_OTHER_RATE            req/s of reads during the bulk update (500, over 10 connections)
//   BENCH_NOTE                  "changes since the previous run" line   BENCH_OUT   report path
//   BENCH_NO_BUILD=1            use dist/ as it is
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ROOT, startListening, stop, storeBytes, type Running } from './procs.ts';
import { render, mb, type Target } from './report.ts';
import { bulkUpdate, createItem, getItem, getJob, journalCost, listItems, measured, type BenchConfig, type Ctx, type Row } from './scenarios.ts';
import { loadCursors } from '../src/http/cursors.ts';
import { DEFAULT_ACCOUNT } from '../src/keys.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { seed, storeKey } from './seed.ts';

const KEY = `pk_benchloopbackonly${'0'.repeat(20)}`;
const BENCH_DIR = join(ROOT, '.bench');

function readConfig() {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, seconds: { type: 'string' }, rounds: { type: 'string' } } });
  const env = process.env;
  const quick = values.quick === true || env.BENCH_QUICK === '1';
  const num = (raw: string | undefined, fallback: number) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`bench: expected a positive number, got "${raw}"`);
    return n;
  };
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
    runTag: Date.now().toString(36),
  };
  const out = env.BENCH_OUT || (quick ? join(BENCH_DIR, 'PERFORMANCE.quick.md') : join(ROOT, 'docs', 'PERFORMANCE.md'));
  const settings = Object.entries(env).filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_NOTE').map(([k, v]) => `${k}=${v} `).join('');
  const command = `${settings}${env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node --import tsx bench/run.ts'}${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  return { cfg, out, command, note: env.BENCH_NOTE ?? '' };
}

function startServer(dbPath: string, args: string[] = [], env: Record<string, string> = {}): Promise<Running> {
  return startListening('server', [join(ROOT, 'dist', 'cli.js'), 'serve', ...args], {
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${dbPath}`, CATALOG_API_KEY: KEY, CATALOG_RATE_LIMITS: 'off', ...env,
  });
}

/**
 * The seeded store, built once per (schema, seed rules, size) and cached in .bench/; each run works on a
 * fresh copy, so runs start from the same store however much the previous one wrote.
 */
async function prepareStore(items: number): Promise<string> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const key = storeKey(items);
  const cached = join(BENCH_DIR, `${key}.db`);
  if (!existsSync(cached)) {
    // Older stores of this size were made for another schema or seed; they only take disk space now.
    for (const f of readdirSync(BENCH_DIR)) if (f.startsWith(`items-${items}-`) || f.startsWith('building-')) rmSync(join(BENCH_DIR, f));
    const building = join(BENCH_DIR, `building-${process.pid}.db`);
    console.error(`bench: building a store of ${items.toLocaleString('en-US')} items (once; cached as ${cached})`);
    // The server creates the schema (its migrations) and the API key; then the items go straight in.
    await stop(await startServer(building));
    const t0 = Date.now();
    seed(building, items);
    console.error(`bench: seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    renameSync(building, cached);
  }
  const workDir = join(BENCH_DIR, 'run');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const dbPath = join(workDir, 'catalog.db');
  copyFileSync(cached, dbPath);
  return dbPath;
}

/** The cursor of page 1,000 of the published list (or the deepest page of a small store). */
async function deepCursor(dbPath: string): Promise<{ page: number; cursor: string; published: number }> {
  // Sealed with the store's own secret, as the server seals the cursors it issues.
  const store = new SqliteStore(dbPath);
  const cursors = await loadCursors(store).finally(() => store.close());
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    const where = `account = '${DEFAULT_ACCOUNT}' AND kind = 'item' AND published = 1`;
    const published = db.prepare(`SELECT count(*) FROM resources WHERE ${where}`).pluck().get() as number;
    const page = Math.min(1000, Math.floor(published / 100));
    if (page < 2) throw new Error(`bench: the store has too few published items (${published}) for a deep page`);
    const seq = db.prepare(`SELECT seq FROM resources WHERE ${where} ORDER BY seq LIMIT 1 OFFSET ?`).pluck().get((page - 1) * 100 - 1) as number;
    return { page, published, cursor: cursors.encode(DEFAULT_ACCOUNT, { seq, direction: 'next' }) };
  } finally {
    db.close();
  }
}

function targets(r: {
  rows: Row[]; startupMs: number; peakRss: number; firstMedian: number; deepMedian: number; deepPage: number;
  itemsPerSecond: number; otherP99: number; items: number; connections: number; journalRatio: number;
}): Target[] {
  const row = (name: string) => r.rows.find((x) => x.name === name)!;
  const job = row('GET job');
  const create = row('POST create item');
  const items = r.items.toLocaleString('en-US');
  return [
    { what: 'GET job: req/s vs baseline', target: '≥ 0.5x', measured: `${job.ratio!.toFixed(2)}x`, pass: job.ratio! >= 0.5 },
    { what: 'GET job: req/s with the journal on vs off', target: '≥ 0.9x', measured: `${r.journalRatio.toFixed(2)}x`, pass: r.journalRatio >= 0.9 },
    { what: `GET job: p99 at ${r.connections} connections`, target: '< 10 ms', measured: `${job.p99!.toFixed(2)} ms`, pass: job.p99! < 10 },
    { what: 'POST create item: req/s vs baseline', target: '≥ 0.3x', measured: `${create.ratio!.toFixed(2)}x`, pass: create.ratio! >= 0.3 },
    { what: 'Bulk update: items/s end to end', target: '≥ 20,000 items/s', measured: `${Math.round(r.itemsPerSecond).toLocaleString('en-US')} items/s`, pass: r.itemsPerSecond >= 20_000 },
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
  ];
}

async function main(): Promise<number> {
  const { cfg, out, command, note } = readConfig();
  const startedAt = new Date();
  const loadStart = os.loadavg()[0];
  // Everything stops by itself: a run that hangs anywhere is ended (children are killed on exit).
  setTimeout(() => {
    console.error('bench: time limit reached, giving up');
    process.exit(1);
  }, (cfg.quick ? 10 : 60) * 60_000).unref();

  if (process.env.BENCH_NO_BUILD !== '1') {
    console.error('bench: building (tsc -p .)');
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT], { stdio: 'inherit' });
    if (tsc.status !== 0) throw new Error('bench: the build failed');
  }
  const dbPath = await prepareStore(cfg.items);
  const deep = await deepCursor(dbPath);
  const storeAtStart = storeBytes(dbPath);

  console.error('bench: start-up time, 3 starts');
  const startups: number[] = [];
  let server!: Running;
  for (let i = 0; i < 3; i++) {
    if (server) await stop(server);
    server = await startServer(dbPath);
    startups.push(server.startupMs);
  }
  startups.sort((a, b) => a - b);
  const ctx: Ctx = { cfg, server, key: KEY, dbPath, workDir: join(BENCH_DIR, 'run') };
  try {
    console.error('bench: GET job');
    const jobs = await measured(ctx, () => getJob(ctx));
    console.error('bench: GET job, journal on and off');
    const journal = await measured(ctx, () => journalCost(ctx, jobs.jobPath, () => startServer(dbPath, ['--no-worker'], { CATALOG_JOURNAL: 'off' })));
    console.error('bench: POST create item');
    const create = await measured(ctx, () => createItem(ctx));
    console.error('bench: GET item');
    const get = await measured(ctx, () => getItem(ctx));
    console.error('bench: list items');
    const list = await measured(ctx, () => listItems(ctx, deep));
    console.error('bench: bulk update');
    const bulk = await measured(ctx, () => bulkUpdate(ctx));

    const rows = [...jobs.rows, ...journal.rows, ...create.rows, ...get.rows, ...list.rows, ...bulk.rows];
    const peakRss = Math.max(jobs.peakRss, journal.peakRss, create.peakRss, get.peakRss, list.peakRss, bulk.peakRss);
    const errors = rows.reduce((n, r) => n + r.errors, 0);
    const report = render({
      cfg, command, note, startedAt, errors, rows,
      load: { start: loadStart, end: os.loadavg()[0] },
      store: { items: cfg.items, published: deep.published, bytes: storeAtStart },
      targets: targets({
        rows, peakRss, startupMs: startups[1], items: cfg.items, connections: cfg.connections,
        firstMedian: list.firstMedian, deepMedian: list.deepMedian, deepPage: list.deepPage,
        itemsPerSecond: bulk.itemsPerSecond, otherP99: bulk.otherP99, journalRatio: journal.ratio,
      }),
    });
    process.stdout.write(report);
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, report);
    console.error(`bench: report written to ${out}`);
    return errors > 0 ? 1 : 0;
  } finally {
    await stop(server);
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
