// The markdown report: where and how it was measured, the figures, and the targets with pass/fail.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ROOT } from './procs.ts';
import { BULK_WINDOW, type BenchConfig, type Row } from './scenarios.ts';

export interface Target {
  what: string;
  target: string;
  measured: string;
  pass: boolean;
}

/** The scenarios on one kind of store, with that store's targets. */
export interface Section {
  store: { label: string; items: number; published: number; bytes: number };
  rows: Row[];
  targets: Target[];
}

export interface Report {
  cfg: BenchConfig;
  command: string;
  note: string;
  startedAt: Date;
  load: { start: number; end: number };
  sections: Section[];
  /** Further sections (the scale and pace tables), markdown from their own modules. */
  extras: string[];
  errors: number;
}

export const int = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : Math.round(n).toLocaleString('en-US'));
export const ms = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(n < 10 ? 2 : 1));
export const mb = (bytes: number | undefined) => (bytes === undefined || Number.isNaN(bytes) ? '' : `${(bytes / 1048576).toFixed(0)} MB`);

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

function commit(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const STORE_TITLE: Record<string, string> = { SQLite: 'SQLite (embedded store)', PostgreSQL: 'PostgreSQL' };

function section(sec: Section): string {
  const results = table(
    ['Scenario', 'Server req/s', 'Baseline req/s', 'Ratio', 'p50 ms', 'p99 ms', 'Server CPU', 'Errors / non-2xx', 'Peak RSS', 'Store pages mapped', 'Store on disk'],
    sec.rows.map((row) => [
      row.name,
      row.rps === undefined ? '' : `${int(row.rps)}${row.unit ? ` ${row.unit}` : ''}`,
      int(row.baselineRps),
      row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x`,
      ms(row.p50), ms(row.p99), row.cpu === undefined ? '' : `${Math.round(row.cpu * 100)}%`, String(row.errors), mb(row.peakRss), mb(row.mappedBytes), mb(row.storeBytes),
    ]),
  );
  const targets = table(['Target', 'Goal', 'Measured', 'Pass'], sec.targets.map((t) => [t.what, t.target, t.measured, t.pass ? 'pass' : '**FAIL**']));
  const { store } = sec;
  return `## ${STORE_TITLE[store.label] ?? store.label}

Store: ${int(store.items)} items (${int(store.published)} published), ${mb(store.bytes)} on disk at start.

### Results

${results}

### Targets

${targets}
`;
}

export function render(r: Report): string {
  const { cfg } = r;
  const cores = os.availableParallelism();
  const busy = Math.max(r.load.start, r.load.end) > cores * 0.5;
  const onPostgres = r.sections.some((sec) => sec.store.label === 'PostgreSQL');
  return `# Performance

Written by \`npm run bench\` (bench/run.ts); rerun it rather than editing this file.

**Changes since the previous run:** ${r.note || '(not given; pass BENCH_NOTE)'}

- Date: ${r.startedAt.toISOString()}
- Command: \`${r.command}\`
- Code: commit ${commit()}
- Machine: ${cores} CPUs (nproc), ${cpuModel()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}
- Load average (1 min) at start / end: ${r.load.start.toFixed(2)} / ${r.load.end.toFixed(2)}${busy ? ' — **the machine was busy with other work during this run, so absolute figures are noisy; the server/baseline ratios, measured alternately, are the steadier figures**' : ''}
- Stores: ${r.sections.map((sec) => `${sec.store.label}, ${int(sec.store.items)} items`).join('; ')}
- Throughput: autocannon on 127.0.0.1, ${cfg.connections} connections, rate limits off; median of ${cfg.rounds} rounds of ${cfg.seconds} s, alternating server and baseline${cfg.warmupSeconds ? `, after a ${cfg.warmupSeconds} s warm-up of each` : ''}
${cfg.quick ? '- **Quick smoke run** (BENCH_QUICK): small store and short rounds; the figures only show that the harness works.\n' : ''}
${r.sections.map(section).join('\n')}
${r.extras.join('\n')}
${r.errors ? `**${r.errors} requests failed or answered non-2xx; every request the bench sends is valid, so this run failed.**` : 'Every request succeeded.'}

## How it is measured

- **Server**: \`node dist/cli.js serve\` (built from src first) with the job worker, on a copy of a seeded store; **baseline**: bench/baseline.ts, a bare \`node:http\` server in its own process that answers every request with the very bytes the server gave for that scenario. The ratio server/baseline req/s is the figure to compare between runs and machines.
- Latency percentiles are over every response of a round (median over rounds); the bench client shares the machine with the server.
- Server CPU is the server process's CPU time per second of wall time while it was measured (100% = one core, all the server's JavaScript can use); well under 100% in a throughput round means the server was waiting (on fsync, or for a CPU the client or other work held), not computing.
- GET job reads a completed bulk update job of 100 items; with \`include=items\` the job's 100 items are rendered as well.
- Journal on/off: GET job on the server (request journal on, its default) and on a second \`serve --no-worker\` on the same store with \`CATALOG_JOURNAL=off\`, rounds alternating between the two (at least 5 of each, after a warm-up of each); the target is the ratio of their medians.
- POST create sends a new external id on every request; GET item reads a random item of the store on every request.
- List: \`GET /api/catalog-items?filter=equals(published,true)&page[size]=100\`; the one-request-at-a-time rows alternate the first page and a deep page reached with its cursor (sealed with the store's cursor secret, at the seq of the last published item of the page before it — what following links.next that far would give).
- The list and GET job include=items throughput rows repeat one request on a store nothing writes to, so on SQLite the server answers them from its cache of encoded reads (src/http/read-cache.ts, valid while the store is unchanged); PostgreSQL has no such cache. "How cost grows" has a list that rotates over pages, which the cache flatters far less.
- Bulk update: ${cfg.bulkJobs} jobs of 100 items (POST /api/catalog-item-bulk-update-jobs, 4 in flight, at most ${BULK_WINDOW} unfinished), items/s from the first POST until every job is seen complete by GET, after a warm-up of half as many jobs on other items (its own row, not quoted); job latency is created_at to completed_at of each job. Meanwhile autocannon reads random items at a fixed offered rate of ${cfg.otherRate} req/s over ${cfg.otherConnections} connections.
${onPostgres ? `- PostgreSQL: the same scenarios (no journal on/off rounds, no start-up) with \`DATABASE_URL=postgres://...\` on a local PostgreSQL, a copy (\`CREATE DATABASE ... TEMPLATE\`) of a template database seeded with the same rows, dropped after the run; the server's pool is \`PG_POOL_SIZE\` (10). PostgreSQL's own processes share the 2 cores with the server and the client, and their memory is not in the peak RSS; store on disk is \`pg_database_size\`.\n` : ''}- Peak RSS is the server's resident memory at its highest during each scenario (sampled every 100 ms), without the pages of the SQLite file it reads through a memory map: those are the kernel's file cache (shared, reclaimable), shown apart as store pages mapped (their most during the scenario). Store on disk is the .db file plus its -wal after the scenario.
- Start-up: spawn of \`node dist/cli.js serve\` on the existing store until it prints "listening", median of 3 starts.
`;
}
