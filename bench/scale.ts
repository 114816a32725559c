// How cost grows with the store: GET item and the filtered list page on SQLite stores of several sizes (each
// its own cached seeded store and a fresh server), with the server's peak RSS at each size. Server alone, no
// baseline: the figures are compared between the sizes of one run, measured minutes apart on the same machine.
// The server runs with its cache of encoded reads off (CATALOG_READ_CACHE_MB=0): every list is read from the
// store and rendered, which is the cost this table follows.
import { KEY, startServer, stop, watchRss } from './procs.ts';
import { int, mb, ms, table } from './report.ts';
import { cannon, headers, listPath, median, randomItemRequests, type AcRequest, type BenchConfig, type Round } from './scenarios.ts';
import { pageCursor, sqliteStore } from './stores.ts';

/** Deeper pages the rotating list reads besides page 1, spread evenly down to the last full page. */
const DEEP_PAGES = 8;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
}

export interface ScaleRow {
  items: number;
  published: number;
  pages: number[];
  get: Figures;
  list: Figures;
  listSame: Figures;
  peakRss: number;
  /** The most of the store file mapped, which peakRss leaves out. */
  mapped: number;
  bytes: number;
  errors: number;
}

const figures = (rounds: Round[]): Figures => ({
  rps: median(rounds.map((r) => r.rps)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)),
});

/** Page 1 and DEEP_PAGES deeper pages, so that a rotating list does not read one page over and over. */
function pagesOf(published: number): number[] {
  const last = Math.floor(published / 100);
  const deep = Array.from({ length: DEEP_PAGES }, (_, k) => Math.max(2, Math.round((last * (k + 1)) / DEEP_PAGES)));
  return [...new Set([1, ...deep])].filter((p) => p <= last);
}

async function measureSize(cfg: BenchConfig, items: number): Promise<ScaleRow> {
  const store = await sqliteStore(items, 'scale');
  const server = await startServer(store.databaseUrl, [], { CATALOG_READ_CACHE_MB: '0' });
  try {
    const published = await store.published();
    const cursors = await store.cursors();
    const pages = pagesOf(published);
    const paths = await Promise.all(pages.map(async (p) => (p === 1 ? listPath() : listPath(await pageCursor(store, cursors, p)))));
    // Every page must be a full page of 100, or the rotating figure would mix in cheaper answers.
    for (const [i, path] of paths.entries()) {
      const res = await fetch(server.url + path, { headers: headers(KEY, false) });
      const data = res.status === 200 ? (await res.json()).data : [];
      if (data.length !== 100) throw new Error(`scale: page ${pages[i]} of ${items} items answered ${res.status} with ${data.length} items`);
    }
    const rotating: AcRequest[] = [{ method: 'GET', path: paths[0], setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }];
    const kinds: Record<'get' | 'list' | 'listSame', AcRequest[]> = {
      get: randomItemRequests(items),
      list: rotating,
      listSame: [{ method: 'GET', path: paths[0] }],
    };
    const watch = watchRss(server.pid, store.mappedFile);
    const run = (requests: AcRequest[], seconds: number) => cannon(server.url, { key: KEY, connections: cfg.connections, seconds, requests });
    const warmup: Round[] = [];
    for (const requests of Object.values(kinds)) warmup.push(await run(requests, Math.max(1, cfg.warmupSeconds)));
    const rounds: Record<keyof typeof kinds, Round[]> = { get: [], list: [], listSame: [] };
    // Interleaved, so that a disturbance on the machine does not land on one scenario only.
    for (let i = 0; i < cfg.rounds; i++) {
      for (const [kind, requests] of Object.entries(kinds) as [keyof typeof kinds, AcRequest[]][]) rounds[kind].push(await run(requests, cfg.seconds));
    }
    const rss = watch.stop();
    const row: ScaleRow = {
      items, published, pages,
      get: figures(rounds.get), list: figures(rounds.list), listSame: figures(rounds.listSame),
      peakRss: rss.peak, mapped: rss.mapped, bytes: await store.bytes(),
      errors: [...warmup, ...rounds.get, ...rounds.list, ...rounds.listSame].reduce((n, r) => n + r.errors, 0),
    };
    console.error(`  ${int(items)} items: GET item ${int(row.get.rps)} req/s, list rotating ${int(row.list.rps)} req/s, same page ${int(row.listSame.rps)} req/s, peak RSS ${mb(row.peakRss)}`);
    return row;
  } finally {
    await stop(server);
    await store.dispose();
  }
}

export async function measureScale(cfg: BenchConfig): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const items of cfg.scaleSizes) {
    console.error(`bench: how cost grows: ${int(items)} items`);
    rows.push(await measureSize(cfg, items));
  }
  return rows;
}

export function renderScale(cfg: BenchConfig, rows: ScaleRow[]): string {
  const cell = (f: Figures) => [int(f.rps), ms(f.p50), ms(f.p99)];
  const body = table(
    ['Items', 'GET item req/s', 'p50 ms', 'p99 ms', 'List, pages rotating req/s', 'p50 ms', 'p99 ms', 'List, same page 1 every time req/s', 'p50 ms', 'p99 ms', 'Peak RSS', 'Store pages mapped', 'Store on disk', 'Errors / non-2xx'],
    rows.map((r) => [int(r.items), ...cell(r.get), ...cell(r.list), ...cell(r.listSame), mb(r.peakRss), mb(r.mapped), mb(r.bytes), String(r.errors)]),
  );
  return `## How cost grows (SQLite)

${body}

- Each size is its own seeded store (a fresh copy of the cached one) and a fresh server; the server alone, no baseline. Autocannon with ${cfg.connections} connections, median of ${cfg.rounds} rounds of ${cfg.seconds} s per column, the three scenarios' rounds interleaved, after a warm-up of each.
- GET item reads a random item of the store on every request.
- List is \`filter=equals(published,true)&page[size]=100\`. The rotating column picks, for every request, one of page 1 and up to ${DEEP_PAGES} deeper pages spread down to the last full page (pages ${rows.map((r) => `${r.pages.join(', ')} of ${int(r.items)}`).join('; ')}), each reached by a cursor sealed with the store's secret. The "same page 1" column reads the first page every time. The server runs with its cache of encoded reads off (\`CATALOG_READ_CACHE_MB=0\`), so every list here is read from the store and rendered.
- Peak RSS is the server's resident memory at its highest over everything measured at that size (sampled every 100 ms from the warm-up on), without the pages of the store file it reads through a memory map, shown apart (their most); store on disk is the .db file plus its -wal.
`;
}
