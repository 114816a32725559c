// PostgreSQL stores for the bench. The seeded store is a template database named after the store key
// (bench_items_<count>_<hash>), built once: the server creates the schema, the API key and the cursor secret
// on an empty database, then the rows of seedRows go in by multi-row INSERTs. Each run works on a copy
// (CREATE DATABASE ... TEMPLATE), dropped at the end however the run ends. Only databases whose names start
// with bench_ are ever created or dropped, and a leftover is dropped only when the process that made it is gone.
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { loadCursors } from '../src/http/cursors.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { onExit, ROOT, startServer, stop } from './procs.ts';
import { seedRows, storeKey, type SeedRow } from './seed.ts';
import { PUBLISHED_WHERE, type BenchStore } from './stores.ts';

/** Where the bench may CREATE and DROP DATABASE (BENCH_PG_URL); its own database is only connected to. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Rows per INSERT: one array parameter per column, so a batch is 10 parameters whatever its size. */
const BATCH = 5_000;

function urlOf(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** WITH (FORCE): a server we killed may not have closed its connections yet. */
const dropSql = (name: string) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`;

/** Fails at once, before minutes of SQLite scenarios, when the PostgreSQL part could not run. */
export async function checkPostgres(adminUrl: string): Promise<void> {
  try {
    await withClient(adminUrl, (c) => c.query('SELECT 1'));
  } catch (err) {
    throw new Error(`bench: PostgreSQL at ${adminUrl} is not reachable (${(err as Error).message}); set BENCH_PG_URL, or run with --store sqlite`);
  }
}

/**
 * Drops copies and half-built templates of bench processes that no longer run, and templates of this size
 * made for another schema or seed (they only take disk space now).
 */
async function dropLeftovers(admin: pg.Client, items: number, template: string): Promise<void> {
  const names = (await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_%'`)).rows.map((r) => r.datname);
  for (const name of names) {
    const pid = /^bench_(?:run|building)_(\d+)$/.exec(name)?.[1];
    const stale = pid ? !alive(Number(pid)) : name.startsWith(`bench_items_${items}_`) && name !== template;
    if (stale) {
      console.error(`bench: dropping leftover database ${name}`);
      await admin.query(dropSql(name));
    }
  }
}

/** Inserts the seeded rows into the migrated, otherwise empty database at `url`. */
async function seed(url: string, count: number): Promise<void> {
  await withClient(url, async (c) => {
    // The database becomes the template only once complete, so it needs no durability while it is built.
    await c.query('SET synchronous_commit = off');
    await c.query(`SET maintenance_work_mem = '256MB'`);
    // Secondary indexes are dropped and rebuilt from their own definitions (the server's migrations made
    // them): one sorted build each is far faster than a million ordered inserts into six of them.
    const indexes = (await c.query<{ name: string; def: string }>(`
      SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
      WHERE i.indrelid = 'resources'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`)).rows;
    await c.query('BEGIN');
    for (const { name } of indexes) await c.query(`DROP INDEX ${name}`);
    const insert = `INSERT INTO resources (account, kind, external_id, parent, title, sku, published, attributes, created, updated)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::smallint[], $8::text[], $9::text[], $10::text[])`;
    let columns: unknown[][] = [];
    let pending: Promise<unknown> = Promise.resolve();
    const flush = async () => {
      const params = columns;
      columns = [];
      await pending;
      // Not awaited: the next batch is built while PostgreSQL writes this one.
      pending = c.query(insert, params);
      pending.catch(() => undefined); // rethrown by the next await of it
    };
    let n = 0;
    for (const row of seedRows(count)) {
      if (columns.length === 0) columns = row.map(() => []);
      (row as SeedRow).forEach((value, k) => columns[k].push(value));
      if (++n % BATCH === 0) await flush();
    }
    if (columns.length > 0) await flush();
    await pending;
    for (const { def } of indexes) await c.query(def);
    await c.query('COMMIT');
    // As an aged database would be: statistics for the planner, and a visibility map for index-only scans.
    await c.query('VACUUM ANALYZE');
  });
}

/**
 * A fresh copy of the seeded PostgreSQL store of `items` items; the template is built first if need be.
 * dispose() drops the copy; an exit hook drops it too if the bench ends some other way.
 */
export async function postgresStore(items: number, adminUrl = DEFAULT_ADMIN_URL): Promise<BenchStore> {
  const template = `bench_${storeKey(items, 'postgres').replace(/-/g, '_')}`;
  const copy = `bench_run_${process.pid}`;
  await withClient(adminUrl, async (admin) => {
    await dropLeftovers(admin, items, template);
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount! > 0;
    if (!exists) {
      const building = `bench_building_${process.pid}`;
      console.error(`bench: building a PostgreSQL store of ${items.toLocaleString('en-US')} items (once; kept as database ${template})`);
      await admin.query(dropSql(building));
      await admin.query(`CREATE DATABASE "${building}"`);
      try {
        // The server creates the schema (its migrations), the API key and the cursor secret.
        await stop(await startServer(urlOf(adminUrl, building)));
        const t0 = Date.now();
        await seed(urlOf(adminUrl, building), items);
        console.error(`bench: seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
      } catch (err) {
        await admin.query(dropSql(building));
        throw err;
      }
    }
    await admin.query(dropSql(copy));
    // FILE_COPY copies the files as they are (after a checkpoint) rather than writing the whole store to the WAL.
    await admin.query(`CREATE DATABASE "${copy}" TEMPLATE "${template}" STRATEGY FILE_COPY`);
  });
  // Synchronous, as exit handlers must be: a child node process drops the copy with the pg package.
  const removeHook = onExit(() => {
    spawnSync(process.execPath, ['-e', `const pg = require('pg'); const c = new pg.Client(process.argv[1]);
      c.connect().then(() => c.query(process.argv[2])).finally(() => c.end())`, adminUrl, dropSql(copy)], { cwd: ROOT, stdio: 'inherit', timeout: 30_000 });
  });

  const url = urlOf(adminUrl, copy);
  const one = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => withClient(url, async (c) => (await c.query<T>(sql, params)).rows[0]);
  return {
    label: 'PostgreSQL',
    items,
    databaseUrl: url,
    bytes: async () => Number((await one<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).n),
    published: async () => Number((await one<{ n: string }>(`SELECT count(*) AS n FROM resources WHERE ${PUBLISHED_WHERE}`)).n),
    publishedSeqAt: async (offset) => Number((await one<{ seq: string }>(`SELECT seq FROM resources WHERE ${PUBLISHED_WHERE} ORDER BY seq LIMIT 1 OFFSET $1`, [offset])).seq),
    cursors: async () => {
      const store = new PostgresStore(url, 1);
      return loadCursors(store).finally(() => store.close());
    },
    dispose: async () => {
      await withClient(adminUrl, (admin) => admin.query(dropSql(copy)));
      removeHook();
    },
  };
}
