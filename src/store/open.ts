// Picks the storage adapter from DATABASE_URL.
import type { Store } from './store.js';
import { SqliteStore } from './sqlite.js';

export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) return new SqliteStore(databaseUrl.slice('sqlite:'.length));
  throw new Error(`unsupported DATABASE_URL ${databaseUrl}`);
}
