// Picks the storage adapter from DATABASE_URL. Either way the schema is migrated before the store is used.
import type { Store } from './store.js';
import { SqliteStore } from './sqlite.js';
import { PostgresStore } from './postgres.js';
import { ConfigError } from '../config.js';

/** Connections per process; every server and worker process has its own pool. */
function poolSize(raw: string | undefined): number {
  const n = raw ? Number(raw) : 10;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ConfigError(`PG_POOL_SIZE must be an integer from 1 to 1000, got "${raw}"`);
  return n;
}

export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return new SqliteStore(databaseUrl.slice('sqlite:'.length));
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    const store = new PostgresStore(databaseUrl, poolSize(process.env.PG_POOL_SIZE));
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  throw new Error(`unsupported DATABASE_URL ${databaseUrl}`);
}
