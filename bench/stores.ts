// The stores the bench runs the server on. Each is a fresh working copy of a seeded store that is built once
// per (schema, seed rules, size) and cached: SQLite as a file in .bench/ (here), PostgreSQL as a template
// database (bench/postgres.ts). The scenarios only need the server's DATABASE_URL and a few reads of their own.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadCursors, type Cursors } from '../src/http/cursors.ts';
import { DEFAULT_ACCOUNT } from '../src/keys.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { ROOT, startServer, stop, storeBytes } from './procs.ts';
import { seed, storeKey } from './seed.ts';

export const BENCH_DIR = join(ROOT, '.bench');

export interface BenchStore {
  /** "SQLite" or "PostgreSQL", for the report. */
  label: string;
  items: number;
  /** What the server is started with. */
  databaseUrl: string;
  /** The database file the server maps into memory (SQLite), whose pages peak RSS leaves out. */
  mappedFile?: string;
  /** Bytes the store takes on disk now. */
  bytes(): Promise<number>;
  /** Published items of the default account. */
  published(): Promise<number>;
  /** The seq of the published item at `offset` (0-based) in list order. */
  publishedSeqAt(offset: number): Promise<number>;
  /** The store's page cursors, sealed with its own secret as the server seals the cursors it issues. */
  cursors(): Promise<Cursors>;
  /** Removes the working copy (the cached store stays). */
  dispose(): Promise<void>;
}

/** The account's items that `filter=equals(published,true)` lists, in the store's own SQL. */
export const PUBLISHED_WHERE = `account = '${DEFAULT_ACCOUNT}' AND kind = 'item' AND published = 1`;

/**
 * A fresh copy of the seeded SQLite store of `items` items, in `.bench/run-<name>/`; the cached store is
 * built first if need be. Runs start from the same store however much the previous one wrote.
 */
export async function sqliteStore(items: number, name = 'main'): Promise<BenchStore> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const key = storeKey(items);
  const cached = join(BENCH_DIR, `${key}.db`);
  if (!existsSync(cached)) {
    // Older stores of this size were made for another schema or seed; they only take disk space now.
    for (const f of readdirSync(BENCH_DIR)) if (f.startsWith(`items-${items}-`) || f.startsWith('building-')) rmSync(join(BENCH_DIR, f));
    const building = join(BENCH_DIR, `building-${process.pid}.db`);
    console.error(`bench: building a SQLite store of ${items.toLocaleString('en-US')} items (once; cached as ${cached})`);
    // The server creates the schema (its migrations) and the API key; then the items go straight in.
    await stop(await startServer(`sqlite:${building}`));
    const t0 = Date.now();
    seed(building, items);
    console.error(`bench: seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    renameSync(building, cached);
  }
  const workDir = join(BENCH_DIR, `run-${name}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const dbPath = join(workDir, 'catalog.db');
  copyFileSync(cached, dbPath);

  const read = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(dbPath, { fileMustExist: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    label: 'SQLite',
    items,
    databaseUrl: `sqlite:${dbPath}`,
    mappedFile: dbPath,
    bytes: async () => storeBytes(dbPath),
    published: async () => read((db) => db.prepare(`SELECT count(*) FROM resources WHERE ${PUBLISHED_WHERE}`).pluck().get() as number),
    publishedSeqAt: async (offset) => read((db) => db.prepare(`SELECT seq FROM resources WHERE ${PUBLISHED_WHERE} ORDER BY seq LIMIT 1 OFFSET ?`).pluck().get(offset) as number),
    cursors: async () => {
      const store = new SqliteStore(dbPath);
      return loadCursors(store).finally(() => store.close());
    },
    dispose: async () => rmSync(workDir, { recursive: true, force: true }),
  };
}

/**
 * The cursor of page `page` of the published list, 100 a page: sealed at the seq of the last published item
 * of the page before it, which is what following links.next that far would give.
 */
export async function pageCursor(store: BenchStore, cursors: Cursors, page: number): Promise<string> {
  const seq = await store.publishedSeqAt((page - 1) * 100 - 1);
  return cursors.encode(DEFAULT_ACCOUNT, { seq, direction: 'next' });
}

/** The cursor of page 1,000 of the published list (or the deepest page of a small store). */
export async function deepCursor(store: BenchStore): Promise<{ page: number; cursor: string; published: number }> {
  const published = await store.published();
  const page = Math.min(1000, Math.floor(published / 100));
  if (page < 2) throw new Error(`bench: the store has too few published items (${published}) for a deep page`);
  return { page, published, cursor: await pageCursor(store, await store.cursors(), page) };
}
