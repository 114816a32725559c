// Versioned schema migrations. Each entry is applied once, in order, inside a transaction; the SQL is the
// common subset that SQLite and PostgreSQL both accept, with the few differences spelled out per dialect.

export interface Migration {
  version: number;
  name: string;
  sql: (dialect: 'sqlite' | 'postgres') => string;
}

const serial = (d: 'sqlite' | 'postgres') => (d === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY');

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'keys, resources, links and jobs',
    sql: (d) => `
      CREATE TABLE api_keys (
        id ${serial(d)},
        account TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE resources (
        seq ${serial(d)},
        account TEXT NOT NULL,
        kind TEXT NOT NULL,
        external_id TEXT NOT NULL,
        parent TEXT,
        title TEXT,
        sku TEXT,
        published SMALLINT,
        attributes TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        UNIQUE (account, kind, external_id)
      );
      CREATE INDEX resources_by_seq ON resources (account, kind, seq);
      CREATE INDEX resources_by_published ON resources (account, kind, published, seq);
      CREATE INDEX resources_by_parent ON resources (account, kind, parent, seq);
      CREATE INDEX resources_by_sku ON resources (account, kind, sku, seq);
      CREATE TABLE item_categories (
        account TEXT NOT NULL,
        item TEXT NOT NULL,
        category TEXT NOT NULL,
        item_seq BIGINT NOT NULL,
        category_seq BIGINT NOT NULL,
        PRIMARY KEY (account, item, category)
      );
      CREATE INDEX item_categories_items_in_order ON item_categories (account, category, item_seq);
      CREATE INDEX item_categories_categories_in_order ON item_categories (account, item, category_seq);
      CREATE TABLE jobs (
        seq ${serial(d)},
        id TEXT NOT NULL UNIQUE,
        account TEXT NOT NULL,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        total_count INTEGER NOT NULL,
        completed_count INTEGER NOT NULL,
        failed_count INTEGER NOT NULL,
        errors TEXT NOT NULL,
        resource_ids TEXT NOT NULL,
        operations TEXT NOT NULL,
        created_at TEXT NOT NULL,
        completed_at TEXT,
        expires_at TEXT
      );
      CREATE INDEX jobs_by_type ON jobs (account, type, seq);
      CREATE INDEX jobs_unfinished ON jobs (seq) WHERE status IN ('queued', 'processing');
      CREATE INDEX jobs_unfinished_by_account ON jobs (account, seq) WHERE status IN ('queued', 'processing');
      CREATE INDEX jobs_by_expiry ON jobs (expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
  {
    version: 2,
    name: 'back in stock subscriptions',
    sql: (d) => `
      CREATE TABLE back_in_stock_subscriptions (
        id ${serial(d)},
        account TEXT NOT NULL,
        variant TEXT NOT NULL,
        channels TEXT NOT NULL,
        email TEXT,
        phone_number TEXT,
        profile_external_id TEXT,
        profile_id TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX back_in_stock_by_variant ON back_in_stock_subscriptions (account, variant);
    `,
  },
  {
    version: 3,
    name: 'job engine v2: jobs processing from acceptance, with a schedule and attempts',
    // Jobs accepted before this migration were queued without an expiry: they become processing, due now,
    // and expire 7 days after creation like every job.
    sql: (d) => `
      ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN last_error TEXT;
      ALTER TABLE jobs ADD COLUMN run_after TEXT;
      ALTER TABLE jobs ADD COLUMN allowance INTEGER;
      UPDATE jobs SET status = 'processing', run_after = created_at WHERE status = 'queued';
      UPDATE jobs SET expires_at = ${d === 'sqlite'
        ? `strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+7 days')`
        : `to_char((created_at::timestamptz + interval '7 days') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`}
        WHERE expires_at IS NULL;
      DROP INDEX jobs_unfinished;
      DROP INDEX jobs_unfinished_by_account;
      CREATE INDEX jobs_processing_by_account ON jobs (account, seq) WHERE status = 'processing';
      CREATE INDEX jobs_processing_by_due ON jobs (run_after) WHERE status = 'processing';
    `,
  },
  {
    version: 4,
    name: 'substring index on titles and names for contains(...)',
    // contains(title,...) must not read every row of an account. SQLite: an FTS5 trigram index kept in step
    // with resources by triggers (case-sensitive, as contains is). PostgreSQL: a pg_trgm GIN index, which
    // LIKE '%...%' uses.
    sql: (d) => d === 'sqlite' ? `
      CREATE VIRTUAL TABLE resources_title USING fts5(title, content='resources', content_rowid='seq', tokenize='trigram case_sensitive 1');
      INSERT INTO resources_title (resources_title) VALUES ('rebuild');
      CREATE TRIGGER resources_title_insert AFTER INSERT ON resources BEGIN
        INSERT INTO resources_title (rowid, title) VALUES (new.seq, new.title);
      END;
      CREATE TRIGGER resources_title_delete AFTER DELETE ON resources BEGIN
        INSERT INTO resources_title (resources_title, rowid, title) VALUES ('delete', old.seq, old.title);
      END;
      CREATE TRIGGER resources_title_update AFTER UPDATE OF title ON resources BEGIN
        INSERT INTO resources_title (resources_title, rowid, title) VALUES ('delete', old.seq, old.title);
        INSERT INTO resources_title (rowid, title) VALUES (new.seq, new.title);
      END;
    ` : `
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX resources_title_trigrams ON resources USING gin (title gin_trgm_ops);
    `,
  },
  {
    version: 5,
    name: 'settings: values generated once per deployment (the page cursor secret)',
    sql: () => `CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  },
  {
    version: 6,
    name: 'reindex a title only when it changes',
    // SQLite fires an UPDATE OF trigger whenever the column is in the SET list, changed or not, and every
    // update sets title: re-indexing unchanged titles was most of a bulk update's cost.
    sql: (d) => d === 'sqlite' ? `
      DROP TRIGGER resources_title_update;
      CREATE TRIGGER resources_title_update AFTER UPDATE OF title ON resources WHEN old.title IS NOT new.title BEGIN
        INSERT INTO resources_title (resources_title, rowid, title) VALUES ('delete', old.seq, old.title);
        INSERT INTO resources_title (rowid, title) VALUES (new.seq, new.title);
      END;
    ` : '',
  },
  {
    version: 7,
    name: 'test controls: per-account settings (the job pace)',
    sql: () => `CREATE TABLE account_settings (account TEXT PRIMARY KEY, job_pace TEXT);`,
  },
  {
    version: 8,
    name: 'index a new title from the store, not from a trigger',
    // Measured on the store's schema, 20,000 inserts in transactions of 50: 53 µs a row with the title indexed
    // by this trigger, 25 µs with the same FTS5 insert as a statement of its own, 13 µs with no title index.
    // SqliteStore.apply makes that statement now. Updates and deletes keep their triggers: titles seldom change.
    sql: (d) => (d === 'sqlite' ? 'DROP TRIGGER resources_title_insert;' : ''),
  },
  {
    version: 9,
    name: 'room on each page of resources for the new versions of its rows (PostgreSQL)',
    // An update that changes no indexed column writes no index entry when the row's new version fits on its
    // page (a HOT update). A bulk update changes items created together, every row of a page in one
    // transaction: with pages filled to half, all their new versions fit. On full pages each update wrote an
    // entry in all seven indexes (bulk updates of 1,000,000 seeded items: 1,081 of 120,000 updates were HOT;
    // with this, all of them, and 8,776-10,062 -> 11,886-15,655 items/s). The table takes twice the disk.
    // Pages written before this migration keep their fill until rewritten (VACUUM FULL); new ones are half full.
    sql: (d) => (d === 'postgres' ? 'ALTER TABLE resources SET (fillfactor = 50);' : ''),
  },
  {
    version: 10,
    name: 'the job engine finds due jobs in an index alone (SQLite)',
    // run_after, a column added to jobs after operations (up to 5 MB), sits behind it in each row: finding
    // the accounts with due jobs read every unfinished job's operations, 260 µs a look with 400 jobs waiting.
    // PostgreSQL keeps large values out of line and reads run_after without them.
    sql: (d) => d === 'sqlite' ? `
      DROP INDEX jobs_processing_by_account;
      CREATE INDEX jobs_processing_by_account ON jobs (account, seq, run_after) WHERE status = 'processing';
    ` : '',
  },
];

/** The schema this version of the server needs: every migration up to this one applied. */
export const LATEST_MIGRATION_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
