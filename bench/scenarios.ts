// The scenarios and how each is measured. Throughput scenarios run autocannon rounds alternately against the
// server and the baseline (so drifting machine load hits both alike); the list scenario adds a one-request-
// at-a-time loop over the first and a deep page; the bulk update drives 1,000 jobs while autocannon reads.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
// @ts-ignore autocannon ships no types; the few fields used are typed below.
import autocannonUntyped from 'autocannon';
import { MAX_JOBS_IN_PROGRESS } from '../src/jobs/kinds.ts';
import { cpuSeconds, startListening, stop, watchRss, type Running } from './procs.ts';
import { itemAttributes, itemId } from './seed.ts';
import type { BenchStore } from './stores.ts';

export interface BenchConfig {
  quick: boolean;
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  items: number;
  bulkJobs: number;
  listLoop: number;
  otherConnections: number;
  otherRate: number;
  /** SQLite store sizes of the "how cost grows" table. */
  scaleSizes: number[];
  /** Bulk jobs of 100 items per pace in the job engine table. */
  paceJobs: number;
  /** Prefix for ids this run creates, unique per run. */
  runTag: string;
}

export interface Ctx {
  cfg: BenchConfig;
  server: Running;
  key: string;
  store: BenchStore;
  /** Where the baseline's response bodies are written. */
  workDir: string;
}

export interface AcRequest {
  method?: string;
  path?: string;
  body?: string;
  setupRequest?: (req: AcRequest) => AcRequest;
}
interface AcResult {
  duration: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  requests: { total: number };
}
interface AcInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  stop(): void;
}
const autocannon = autocannonUntyped as (opts: Record<string, unknown>, cb: (err: Error | null, r: AcResult) => void) => AcInstance;

export const REVISION = '2026-04-15';
const JOBS = '/api/catalog-item-bulk-update-jobs';
/** Bulk jobs kept unfinished at most: under the per-account limit, so that no POST is refused with 429. */
export const BULK_WINDOW = MAX_JOBS_IN_PROGRESS - 100;
const ITEMS = '/api/catalog-items';

export function headers(key: string, withBody: boolean): Record<string, string> {
  return {
    authorization: `Klaviyo-API-Key ${key}`,
    revision: REVISION,
    ...(withBody ? { 'content-type': 'application/vnd.api+json' } : {}),
  };
}

export async function call(ctx: Ctx, method: string, path: string, body?: string) {
  const res = await fetch(ctx.server.url + path, { method, headers: headers(ctx.key, body !== undefined), body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

// ---------- measuring ----------

/** Nearest-rank percentile of latencies in ms. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const median = (values: number[]) => percentile(values, 0.5);

export interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts, body mismatches and non-2xx responses. */
  errors: number;
}

/** Runs `fn` and returns its result with the server's CPU use meanwhile (1 = one core busy throughout). */
async function withCpu<T>(pid: number, fn: () => Promise<T>): Promise<T & { cpu: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  const result = await fn();
  return { ...result, cpu: (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000) };
}

/**
 * One autocannon run. Latencies are taken from each response (autocannon's own histogram has whole-ms
 * resolution, too coarse for sub-millisecond medians). Runs `seconds`, or until `until` resolves.
 */
export function cannon(url: string, o: { key: string; connections: number; seconds: number; requests: AcRequest[]; overallRate?: number; until?: Promise<unknown> }): Promise<Round> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url, connections: o.connections, duration: o.until ? 3600 : o.seconds, requests: o.requests,
      headers: headers(o.key, o.requests.some((r) => r.method === 'POST')), timeout: 10,
      ...(o.overallRate ? { overallRate: o.overallRate, ignoreCoordinatedOmission: true } : {}),
    }, (err, r) => {
      if (err) return reject(err);
      if (r.errors + r.mismatches + r.non2xx > 0) {
        console.error(`  ${r.errors} errors, ${r.non2xx} non-2xx; status codes: ${JSON.stringify(r.statusCodeStats)}`);
      }
      resolve({
        rps: r.requests.total / r.duration,
        p50: percentile(times, 0.5),
        p99: percentile(times, 0.99),
        errors: r.errors + r.mismatches + r.non2xx,
      });
    });
    instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
    o.until?.then(() => instance.stop());
  });
}

export interface Row {
  name: string;
  rps?: number;
  baselineRps?: number;
  ratio?: number;
  /** Shown after rps, e.g. "items/s" for the bulk update. */
  unit?: string;
  p50?: number;
  p99?: number;
  /** Server CPU time per second of wall time while measured: near 1 means the server was the bottleneck. */
  cpu?: number;
  errors: number;
  peakRss?: number;
  /** The most of the store file the server had mapped (SQLite), which peakRss leaves out. */
  mappedBytes?: number;
  storeBytes?: number;
}

/** Runs a scenario while watching the server's RSS; records its peak and the store size after. */
export async function measured<T extends { rows: Row[] }>(ctx: Ctx, fn: () => Promise<T>): Promise<T & { peakRss: number }> {
  const watch = watchRss(ctx.server.pid, ctx.store.mappedFile);
  const result = await fn();
  const { peak, mapped } = watch.stop();
  const size = await ctx.store.bytes();
  for (const row of result.rows) Object.assign(row, { peakRss: peak, mappedBytes: ctx.store.mappedFile ? mapped : undefined, storeBytes: size });
  return { ...result, peakRss: peak };
}

interface Sample {
  method: string;
  path: string;
  body?: string;
}

/**
 * Server against baseline: captures the server's real response to `sample`, has a baseline process serve
 * those bytes, then alternates rounds (server, baseline, server, ...) and quotes medians.
 */
export async function compare(ctx: Ctx, name: string, slug: string, sample: Sample, requests: AcRequest[]): Promise<{ rows: Row[] }> {
  const real = await call(ctx, sample.method, sample.path, sample.body);
  if (real.status >= 300) throw new Error(`${name}: sample request answered ${real.status}: ${real.text.slice(0, 500)}`);
  const bodyFile = join(ctx.workDir, `${slug}.json`);
  writeFileSync(bodyFile, real.text);
  const baseline = await startListening('baseline', ['--import', 'tsx', 'bench/baseline.ts', bodyFile, String(real.status), real.type], {});
  try {
    const { cfg, key } = ctx;
    const run = (url: string, seconds: number) => cannon(url, { key, connections: cfg.connections, seconds, requests });
    // Warm-up (JIT, caches) is not quoted, but its requests must succeed like any other.
    const warmup: Round[] = [];
    if (cfg.warmupSeconds > 0) warmup.push(await run(ctx.server.url, cfg.warmupSeconds), await run(baseline.url, cfg.warmupSeconds));
    const server: (Round & { cpu: number })[] = [];
    const base: Round[] = [];
    for (let i = 0; i < cfg.rounds; i++) {
      server.push(await withCpu(ctx.server.pid, () => run(ctx.server.url, cfg.seconds)));
      base.push(await run(baseline.url, cfg.seconds));
      console.error(`  ${name} round ${i + 1}: server ${server[i].rps.toFixed(0)} req/s, baseline ${base[i].rps.toFixed(0)} req/s`);
    }
    const rps = median(server.map((r) => r.rps));
    const baselineRps = median(base.map((r) => r.rps));
    return {
      rows: [{
        name, rps, baselineRps, ratio: rps / baselineRps,
        p50: median(server.map((r) => r.p50)),
        p99: median(server.map((r) => r.p99)),
        cpu: median(server.map((r) => r.cpu)),
        errors: [...warmup, ...server, ...base].reduce((n, r) => n + r.errors, 0),
      }],
    };
  } finally {
    await stop(baseline);
  }
}

// ---------- requests ----------

const itemPath = (i: number) => `${ITEMS}/$custom:::$default:::${itemId(i)}`;

/** GET item, a different random item of the seeded store on every request. */
export function randomItemRequests(items: number): AcRequest[] {
  return [{ method: 'GET', path: itemPath(0), setupRequest: (req) => ({ ...req, path: itemPath(Math.floor(Math.random() * items)) }) }];
}

async function waitForJob(ctx: Ctx, id: string, deadline: number) {
  for (;;) {
    const r = await call(ctx, 'GET', `${JOBS}/${id}`);
    if (r.status !== 200) throw new Error(`GET job ${id} answered ${r.status}: ${r.text.slice(0, 500)}`);
    const attributes = JSON.parse(r.text).data.attributes;
    if (attributes.status === 'complete') return attributes;
    if (performance.now() > deadline) throw new Error(`job ${id} not complete in time`);
    await sleep(10);
  }
}

// ---------- scenarios ----------

/** (1) and (2): a completed bulk update job of 100 items, read without and with include=items. */
export async function getJob(ctx: Ctx): Promise<{ rows: Row[]; jobPath: string }> {
  const posted = await call(ctx, 'POST', JOBS, updateJobDocument(0, 100, ctx.cfg.runTag));
  if (posted.status !== 202) throw new Error(`POST job answered ${posted.status}: ${posted.text.slice(0, 500)}`);
  const id = JSON.parse(posted.text).data.id as string;
  const done = await waitForJob(ctx, id, performance.now() + 60_000);
  if (done.completed_count !== 100) throw new Error(`setup job completed ${done.completed_count} of 100 items`);
  const plain = `${JOBS}/${id}`;
  const included = `${JOBS}/${id}?include=items`;
  const a = await compare(ctx, 'GET job', 'get-job', { method: 'GET', path: plain }, [{ method: 'GET', path: plain }]);
  const b = await compare(ctx, 'GET job include=items (100)', 'get-job-include', { method: 'GET', path: included }, [{ method: 'GET', path: included }]);
  return { rows: [...a.rows, ...b.rows], jobPath: plain };
}

export interface JournalCost {
  rows: Row[];
  /** req/s with the journal on over req/s with it off. */
  ratio: number;
}

/**
 * (7) What the request journal costs: GET job on the server (journal on, the default) against a second server
 * on the same store started with CATALOG_JOURNAL=off, rounds alternating between the two as with the baseline.
 */
export async function journalCost(ctx: Ctx, jobPath: string, startJournalOff: () => Promise<Running>): Promise<JournalCost> {
  const off = await startJournalOff();
  try {
    const { cfg, key } = ctx;
    const run = (server: Running, seconds: number) => withCpu(server.pid, () => cannon(server.url, { key, connections: cfg.connections, seconds, requests: [{ method: 'GET', path: jobPath }] }));
    // The second server has just started: warm both up (JIT, caches) even in a quick run, or it starts behind.
    const warmupSeconds = Math.max(1, cfg.warmupSeconds);
    const warmup: Round[] = [await run(ctx.server, warmupSeconds), await run(off, warmupSeconds)];
    const on: (Round & { cpu: number })[] = [];
    const without: (Round & { cpu: number })[] = [];
    // Two figures a few per cent apart, not 2x as with the baseline: at least 5 rounds each, so that a round
    // disturbed by other work on the machine does not decide the median.
    const rounds = Math.max(cfg.rounds, 5);
    for (let i = 0; i < rounds; i++) {
      on.push(await run(ctx.server, cfg.seconds));
      without.push(await run(off, cfg.seconds));
      console.error(`  GET job round ${i + 1}: journal on ${on[i].rps.toFixed(0)} req/s, off ${without[i].rps.toFixed(0)} req/s`);
    }
    const row = (name: string, rounds: (Round & { cpu: number })[]): Row => ({
      name,
      rps: median(rounds.map((r) => r.rps)),
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      cpu: median(rounds.map((r) => r.cpu)),
      errors: rounds.reduce((n, r) => n + r.errors, 0),
    });
    const rows = [row('GET job, journal on (default)', on), row('GET job, journal off (CATALOG_JOURNAL=off)', without)];
    rows[0].errors += warmup.reduce((n, r) => n + r.errors, 0);
    return { rows, ratio: rows[0].rps! / rows[1].rps! };
  } finally {
    await stop(off);
  }
}

/** (3) POST create item, a new external id on every request. */
export async function createItem(ctx: Ctx): Promise<{ rows: Row[] }> {
  let n = 0;
  const document = () => {
    const externalId = `bench-${ctx.cfg.runTag}-${n++}`;
    return JSON.stringify({ data: { type: 'catalog-item', attributes: itemAttributes(externalId, n) } });
  };
  const requests: AcRequest[] = [{ method: 'POST', path: ITEMS, setupRequest: (req) => ({ ...req, body: document() }) }];
  return compare(ctx, 'POST create item', 'create-item', { method: 'POST', path: ITEMS, body: document() }, requests);
}

/** (4) GET item. */
export function getItem(ctx: Ctx): Promise<{ rows: Row[] }> {
  return compare(ctx, 'GET item', 'get-item', { method: 'GET', path: itemPath(1) }, randomItemRequests(ctx.store.items));
}

/** The published items, 100 a page: the first page, or the page a cursor points at. */
export function listPath(cursor?: string): string {
  const query = { filter: 'equals(published,true)', 'page[size]': '100', ...(cursor ? { 'page[cursor]': cursor } : {}) };
  return `${ITEMS}?${new URLSearchParams(query)}`;
}

export interface ListResult {
  rows: Row[];
  firstMedian: number;
  deepMedian: number;
  deepPage: number;
}

/**
 * (5) The published items, 100 a page: throughput on the first page, then a loop of single requests
 * alternating the first page and page `deepPage` (reached by its cursor) to compare their latency.
 */
export async function listItems(ctx: Ctx, deep: { page: number; cursor: string }): Promise<ListResult> {
  const first = listPath();
  const deepPath = listPath(deep.cursor);
  const { rows } = await compare(ctx, 'List items, published, page of 100', 'list', { method: 'GET', path: first }, [{ method: 'GET', path: first }]);

  const times: Record<string, number[]> = { [first]: [], [deepPath]: [] };
  const errors: Record<string, number> = { [first]: 0, [deepPath]: 0 };
  const warmup = 10;
  for (let i = 0; i < warmup + ctx.cfg.listLoop; i++) {
    for (const path of [first, deepPath]) {
      const t0 = performance.now();
      const r = await call(ctx, 'GET', path);
      const ms = performance.now() - t0;
      const data = r.status === 200 ? JSON.parse(r.text).data : [];
      if (r.status !== 200 || data.length !== 100) errors[path]++;
      if (i >= warmup) times[path].push(ms);
    }
  }
  const loopRow = (name: string, path: string): Row => ({ name, p50: median(times[path]), p99: percentile(times[path], 0.99), errors: errors[path] });
  rows.push(loopRow('List, one request at a time: page 1', first));
  rows.push(loopRow(`List, one request at a time: page ${deep.page}`, deepPath));
  return { rows, firstMedian: median(times[first]), deepMedian: median(times[deepPath]), deepPage: deep.page };
}

export interface JobsRun {
  /** Items the jobs completed. */
  items: number;
  /** From the first POST until every job was seen complete. */
  seconds: number;
  /** Server CPU time meanwhile. */
  cpuSeconds: number;
  /** created_at to completed_at of each job, in ms (the server's clock). */
  latencies: number[];
  errors: number;
}

/**
 * Posts `payloads` as bulk update jobs (4 in flight, at most BULK_WINDOW unfinished) and waits until every one
 * is complete. Jobs run oldest first, so they are awaited in the order accepted: `release` (if given) is called
 * once for each job when its turn comes (the manual pace steps it there), then the job is polled by GET.
 */
export async function runBulkJobs(ctx: Ctx, payloads: string[], release?: (id: string) => Promise<string | undefined>): Promise<JobsRun> {
  const t0 = performance.now();
  const cpu0 = cpuSeconds(ctx.server.pid);
  const deadline = t0 + Math.max(120_000, payloads.length * 300);
  const accepted: string[] = [];
  let next = 0;
  let seen = 0;
  let released = -1;
  let errors = 0;
  const problem = (what: string) => {
    if (errors++ < 5) console.error(`  bulk update: ${what}`);
  };
  let posting = true;
  const poster = async () => {
    for (;;) {
      while (accepted.length - seen >= BULK_WINDOW) await sleep(5);
      if (next >= payloads.length) return; // checked after the wait: another poster may have taken the last job
      const r = await call(ctx, 'POST', JOBS, payloads[next++]);
      if (r.status === 202) accepted.push(JSON.parse(r.text).data.id);
      else problem(`POST job answered ${r.status}: ${r.text.slice(0, 300)}`);
    }
  };
  const posters = Promise.all(Array.from({ length: 4 }, poster)).finally(() => (posting = false));
  posters.catch(() => undefined); // a failed POST is rethrown by the await below, not reported as unhandled
  const latencies: number[] = [];
  let items = 0;
  while (posting || seen < accepted.length) {
    if (performance.now() > deadline) throw new Error(`bulk update not complete after ${((deadline - t0) / 1000).toFixed(0)} s`);
    if (seen === accepted.length) {
      await sleep(5);
      continue;
    }
    if (release && released < seen) {
      released = seen;
      const failure = await release(accepted[seen]);
      if (failure) problem(failure);
    }
    const r = await call(ctx, 'GET', `${JOBS}/${accepted[seen]}`);
    const a = r.status === 200 ? JSON.parse(r.text).data.attributes : undefined;
    if (a && a.status !== 'complete') {
      await sleep(10);
      continue;
    }
    if (!a) problem(`GET job ${accepted[seen]} answered ${r.status}: ${r.text.slice(0, 300)}`);
    else {
      if (a.failed_count) problem(`job ${accepted[seen]} failed ${a.failed_count} items: ${JSON.stringify(a.errors).slice(0, 300)}`);
      items += a.completed_count;
      latencies.push(Date.parse(a.completed_at) - Date.parse(a.created_at));
    }
    seen++;
  }
  await posters;
  return { items, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds(ctx.server.pid) - cpu0, latencies, errors };
}

/** A bulk update job document for items from..from+count-1: a new price and description for each. */
export function updateJobDocument(from: number, count: number, tag: string): string {
  const data = Array.from({ length: count }, (_, k) => ({
    type: 'catalog-item',
    id: `$custom:::$default:::${itemId(from + k)}`,
    attributes: { price: 5 + k, description: `Updated by bench run ${tag}.` },
  }));
  return JSON.stringify({ data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data } } } });
}

export interface BulkResult {
  rows: Row[];
  itemsPerSecond: number;
  otherP99: number;
}

/**
 * (6) Bulk update of bulkJobs x 100 items, from the first POST until every job is seen complete, while
 * autocannon keeps reading items at a moderate fixed rate (the "other requests" whose latency must hold).
 * Warmed up first, like every other scenario, with half as many jobs on other items (not quoted, but shown
 * in its own row): the server's job engine has run one job before this scenario, and a cold engine spent
 * the first second of a 3-second run getting up to speed (JIT, caches).
 */
export async function bulkUpdate(ctx: Ctx): Promise<BulkResult> {
  const { cfg } = ctx;
  const warmupJobs = cfg.warmupSeconds > 0 ? Math.ceil(cfg.bulkJobs / 2) : 0;
  const from = ctx.store.items - cfg.bulkJobs * 100;
  const warmupFrom = from - warmupJobs * 100;
  if (warmupFrom < 100) throw new Error(`BENCH_BULK_JOBS=${cfg.bulkJobs} needs more than ${(cfg.bulkJobs + warmupJobs) * 100 + 100} items`);
  // Built up front so that building them does not slow the client while it measures latency.
  const payloads = Array.from({ length: cfg.bulkJobs }, (_, j) => updateJobDocument(from + j * 100, 100, cfg.runTag));
  const warmupRows: Row[] = [];
  if (warmupJobs > 0) {
    const warmup = await runBulkJobs(ctx, Array.from({ length: warmupJobs }, (_, j) => updateJobDocument(warmupFrom + j * 100, 100, cfg.runTag)));
    console.error(`  bulk update warm-up: ${warmup.items} items in ${warmup.seconds.toFixed(1)} s`);
    warmupRows.push({
      name: `Bulk update warm-up, ${warmupJobs} jobs x 100 items before it (not quoted)`, rps: warmup.items / warmup.seconds, unit: 'items/s',
      p50: median(warmup.latencies), p99: percentile(warmup.latencies, 0.99), cpu: warmup.cpuSeconds / warmup.seconds, errors: warmup.errors,
    });
  }
  let finished!: () => void;
  const until = new Promise<void>((resolve) => (finished = resolve));
  const other = cannon(ctx.server.url, {
    key: ctx.key, connections: cfg.otherConnections, seconds: 0, overallRate: cfg.otherRate,
    requests: randomItemRequests(ctx.store.items), until,
  });
  try {
    await sleep(500); // let the readers settle before the jobs start
    const run = await runBulkJobs(ctx, payloads);
    finished();
    const reads = await other;
    const itemsPerSecond = run.items / run.seconds;
    console.error(`  bulk update: ${run.items} items in ${run.seconds.toFixed(1)} s; GET item p99 ${reads.p99.toFixed(1)} ms meanwhile`);
    return {
      itemsPerSecond,
      otherP99: reads.p99,
      rows: [
        ...warmupRows,
        {
          name: `Bulk update ${cfg.bulkJobs} jobs x 100 items (job latency)`, rps: itemsPerSecond, unit: 'items/s',
          p50: median(run.latencies), p99: percentile(run.latencies, 0.99), cpu: run.cpuSeconds / run.seconds, errors: run.errors,
        },
        { name: `GET item during the bulk update (${cfg.otherConnections} conns, ${cfg.otherRate} req/s offered)`, rps: reads.rps, p50: reads.p50, p99: reads.p99, errors: reads.errors },
      ],
    };
  } finally {
    finished();
    await other.catch(() => undefined);
  }
}
