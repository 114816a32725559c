// Seeds a large store directly into the SQLite file: through the HTTP API, 1,000,000 items would take far
// longer than the benchmark itself. Rows are built by the server's own domain code (createResource, then
// indexedColumns) and written with the INSERT the SqliteStore uses, so they are the rows the API would
// have written. bench/postgres.ts writes the same rows (seedRows) into PostgreSQL.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { createResource } from '../src/catalog/changes.ts';
import { ITEM } from '../src/catalog/resources.ts';
import { CatalogState, indexedColumns } from '../src/catalog/state.ts';
import { DEFAULT_ACCOUNT } from '../src/keys.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';

/** Bump when the seeded rows change, so cached stores are rebuilt. */
const SEED_VERSION = 2;

/** Names a cached store: the schema (every migration's SQL in that dialect), the seed rules and the item count. */
export function storeKey(count: number, dialect: 'sqlite' | 'postgres' = 'sqlite'): string {
  const schema = MIGRATIONS.map((m) => `${m.version}:${m.sql(dialect)}`).join('\n');
  const hash = createHash('sha256').update(`${schema}\n${SEED_VERSION}`).digest('hex').slice(0, 12);
  return `items-${count}-${hash}`;
}

// Zero-padded, so inserts into the unique (account, kind, external_id) index arrive in order.
export const itemId = (i: number) => `item-${String(i).padStart(7, '0')}`;

/** Three in four items are published, so `equals(published,true)` has to skip rows on every page. */
export const isPublished = (i: number) => i % 4 !== 0;

/** What a typical shop sends for an item: every required attribute, an image and a little metadata. */
export function itemAttributes(externalId: string, n: number, published = true): Record<string, unknown> {
  return {
    external_id: externalId,
    title: `Organic cotton shirt ${n}`,
    description: 'A soft, breathable shirt made from organic cotton, cut for an easy fit.',
    url: `https://shop.example/products/${externalId}`,
    price: 10 + (n % 9000) / 100,
    image_full_url: `https://cdn.shop.example/images/${externalId}.jpg`,
    custom_metadata: { brand: 'Example', color: ['red', 'blue', 'green'][n % 3] },
    published,
  };
}

/** The columns of one seeded row, in the order of the INSERTs below and in bench/postgres.ts. */
export type SeedRow = [account: string, kind: string, externalId: string, parent: string | null, title: string | null,
  sku: string | null, published: 0 | 1 | null, attributes: string, created: string, updated: string];

/** The `count` items of a seeded store, in insertion order (item i was created i seconds after the first). */
export function* seedRows(count: number): Generator<SeedRow> {
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const externalId = itemId(i);
    const state = new CatalogState([{ kind: 'item', externalId }], []);
    const now = new Date(start + i * 1000).toISOString();
    const outcome = createResource(state, ITEM, { type: ITEM.type, attributes: itemAttributes(externalId, i, isPublished(i)) }, now);
    if (!outcome.ok) throw new Error(`seed item ${externalId}: ${outcome.failure.detail}`);
    const row = outcome.row!;
    const c = indexedColumns(row);
    yield [DEFAULT_ACCOUNT, row.kind, row.externalId, row.parent, c.title, c.sku, c.published, JSON.stringify(row.attributes), row.created, row.updated];
  }
}

/** Inserts `count` items for the default account into a migrated, otherwise empty store. */
export function seed(dbPath: string, count: number): void {
  const db = new Database(dbPath, { fileMustExist: true });
  // The file is only renamed into the cache once complete, so it needs no crash safety while it is built.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insert = db.prepare(`INSERT INTO resources (account, kind, external_id, parent, title, sku, published, attributes, created, updated)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const row of seedRows(count)) insert.run(...row);
    // The title index, which the store keeps row by row, built at once, then merged into one segment as FTS5
    // advises after a bulk load. Left as 'rebuild' leaves it (many segments), every later commit pays for
    // merging them: a create cost 54-61 µs of store time on it against 35 µs once merged (.bench/sqlcreate.mts).
    db.exec(`INSERT INTO resources_title (resources_title) VALUES ('rebuild')`);
    db.exec(`INSERT INTO resources_title (resources_title) VALUES ('optimize')`);
  })();
  db.pragma('journal_mode = WAL'); // as the SqliteStore leaves it
  db.close();
}
