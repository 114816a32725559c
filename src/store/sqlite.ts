// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk before the
// client hears about it. better-sqlite3 is synchronous; every transaction runs start to finish without
// yielding the event loop, which makes each one atomic with respect to other requests as well. Request
// writes are group-committed (see commitInGroup). A server on a file runs its job engine on a thread of its
// own with a second SqliteStore (engineTurns); the two share a write lock (write-turns.ts).
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { CatalogState, indexedColumns, type Write } from '../catalog/state.js';
import type { ResourceKind } from '../catalog/resources.js';
import type { Scope } from '../scopes.js';
import { LATEST_MIGRATION_VERSION, MIGRATIONS } from './migrations.js';
import { TurnBatches } from './turn-batches.js';
import { WriteTurns } from './write-turns.js';
import {
  ACCOUNTS_WITH_DUE_JOBS, ACCOUNT_JOB_PACE, CLOCK_OFFSET, COUNT_UNFINISHED_JOBS, DELETE_EXPIRED_JOBS, DUMP_LINKS, DUMP_RESOURCES, GET_JOB, GET_SETTING,
  INSERT_JOB, INSERT_SETTING, JOB_QUEUE, LATEST_MIGRATION, NEXT_JOB_DUE, RESOURCE_COLUMNS, SAVE_JOB, SAVE_JOB_OPERATIONS, SET_ACCOUNT_JOB_PACE, SET_SETTING, UNFINISHED_JOBS,
  deleteAccountSql, inOrderOf, jobListSql, jobParams, readResourcePage, saveJobParams, toJob, toJobQueueEntry, toKey, toPage, toPendingJob, toResource, visibleJob, writeSql,
  type JobDbRow, type JobQueueDbRow, type KeyDbRow, type PendingJobDbRow, type ResourceDbRow,
} from './sql.js';
import type { Filter, JobRecord, Page, PageResult, PendingJob, ResourceRef, ResourceRow } from '../catalog/model.js';
import type { CatalogDump, EngineThreadStore, JobBatch, JobQueueEntry, KeyRecord, Store } from './store.js';

/**
 * The database holds every tenant's data and the key hashes: its folder (when we create it) and the file are
 * the owner's alone. SQLite gives the -wal and -shm files the database file's permissions.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
}

/** SQLite caps it at its compile-time limit (2 GiB in better-sqlite3's build). */
const MMAP_BYTES = 2 ** 31;

interface GroupMember {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type GroupResult = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A write of a group threw, and the group's transaction was rolled back (see commitInGroup). */
class WriteFailed extends Error {}

/** How long a writer waits for SQLite's write lock before it answers SQLITE_BUSY (503). */
const BUSY_TIMEOUT_MS = 10_000;

/** The lock stayed busy past BUSY_TIMEOUT_MS; isStoreUnavailable knows the code. */
function busyError(): Error {
  return Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
}

export interface SqliteOptions {
  /**
   * Opens the store of a job engine thread, which takes turns at the write lock with the request thread's
   * store through this buffer (that store's engineThread().writeTurns).
   */
  engineTurns?: SharedArrayBuffer;
}

/**
 * A resource read as values, in RESOURCE_COLUMNS' order (better-sqlite3's raw mode). Read as an object,
 * better-sqlite3 makes each row's column names anew and sets them one by one, a microsecond a row: a job's
 * hundred rows, a GET item's one.
 */
function resourceOf(v: unknown[]): ResourceRow {
  return toResource({ seq: v[0], kind: v[1], external_id: v[2], parent: v[3], attributes: v[4], created: v[5], updated: v[6] } as ResourceDbRow);
}

export class SqliteStore implements Store {
  /**
   * A request's write waits for the batch in hand (for the write lock); on the request thread, every request
   * does. On the engine thread, a longer batch shares its commit among more jobs: bulk updates of 600 jobs
   * (.bench/bulk.mts, warm rounds) ran at 35-37k items/s with 15 ms, 32-34k with 8 (the engine fell behind)
   * and 33k with 30.
   */
  readonly jobBatchMs: number;
  private readonly db: Database.Database;
  /** On the engine thread's store; the request thread's store never blocks on the write lock. */
  private readonly engineSide: boolean;
  private readonly turns: WriteTurns;
  private readonly stmt: ReturnType<SqliteStore['prepare']>;
  private group: GroupMember[] = [];
  /** List queries and writes vary in shape; the few shapes in use are prepared once each, the rarest dropped first. */
  private readonly statements = new LRUCache<string, Database.Statement>({ max: 500 });

  constructor(readonly path: string, options: SqliteOptions = {}) {
    this.engineSide = options.engineTurns !== undefined;
    this.jobBatchMs = this.engineSide ? 15 : 4;
    this.turns = new WriteTurns(options.engineTurns);
    if (path !== ':memory:') createPrivately(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.pragma('cache_size = -32768'); // 32 MiB (default 2 MiB): keeps a large store's index pages in memory
    // Reads map the file rather than copy pages in with a system call each: a random item of a 1,000,000-item
    // store costs a quarter as much (63-97 µs -> 15 µs). The pages are the kernel's file cache, shared and
    // reclaimable, not our heap. As large as this build allows (2 GiB); beyond it, a store is read as before.
    this.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    this.migrateNow();
    this.stmt = this.prepare();
  }

  private migrateNow(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    // IMMEDIATE takes the write lock first, so processes starting together apply each migration once.
    this.db.transaction(() => {
      const done = new Set(this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        this.db.exec(m.sql('sqlite'));
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
      }
    }).immediate();
  }

  private prepare() {
    const db = this.db;
    return {
      keyByHash: db.prepare('SELECT * FROM api_keys WHERE hash = ?'),
      insertKey: db.prepare('INSERT INTO api_keys (account, hash, prefix, scopes, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING'),
      listKeys: db.prepare('SELECT * FROM api_keys ORDER BY id'),
      revokeKey: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      countKeys: db.prepare('SELECT count(*) FROM api_keys').pluck(),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      totalChanges: db.prepare('SELECT total_changes()').pluck(),
      // Rows as arrays of values (see resourceOf).
      resource: db.prepare(`SELECT ${RESOURCE_COLUMNS} FROM resources WHERE account = ? AND kind = ? AND external_id = ?`).raw(),
      indexTitle: db.prepare('INSERT INTO resources_title (rowid, title) VALUES (?, ?)'),
      resourcesOfKind: db.prepare(`SELECT ${RESOURCE_COLUMNS} FROM resources WHERE account = ? AND kind = ? AND external_id IN (SELECT value FROM json_each(?))`).raw(),
      unfinished: db.prepare(COUNT_UNFINISHED_JOBS).pluck(),
      insertJob: db.prepare(INSERT_JOB),
      job: db.prepare(GET_JOB),
      accountsWithDueJobs: db.prepare(ACCOUNTS_WITH_DUE_JOBS).pluck(),
      nextJobDue: db.prepare(NEXT_JOB_DUE).pluck(),
      unfinishedJobs: db.prepare(UNFINISHED_JOBS),
      saveJob: db.prepare(SAVE_JOB),
      deleteExpired: db.prepare(DELETE_EXPIRED_JOBS),
      jobQueue: db.prepare(JOB_QUEUE),
      latestMigration: db.prepare(LATEST_MIGRATION).pluck(),
      saveOperations: db.prepare(SAVE_JOB_OPERATIONS),
      dumpResources: db.prepare(DUMP_RESOURCES),
      dumpLinks: db.prepare(DUMP_LINKS),
      accountJobPace: db.prepare(ACCOUNT_JOB_PACE).pluck(),
      setAccountJobPace: db.prepare(SET_ACCOUNT_JOB_PACE),
      clockOffset: db.prepare(GET_SETTING).pluck(),
      setSetting: db.prepare(SET_SETTING),
    };
  }

  /** An in-memory database is this connection's alone. */
  engineThread(): EngineThreadStore | undefined {
    if (this.path === ':memory:' || this.engineSide) return undefined;
    return { sqlitePath: this.path, writeTurns: this.turns.buffer };
  }

  /**
   * Takes this process's write lock (WriteTurns), which also keeps this connection to one transaction at a
   * time: the engine thread waits for it; the request thread takes it only if it is free now.
   */
  private take(): boolean {
    if (!this.engineSide) return this.turns.requestTakes();
    this.turns.engineTakes();
    return true;
  }

  /** The request thread's wait for the lock, without blocking; SQLITE_BUSY (503) after BUSY_TIMEOUT_MS. */
  private async waitForLock(since: number): Promise<void> {
    if (Date.now() - since >= BUSY_TIMEOUT_MS) throw busyError();
    await this.turns.requestWaits();
  }

  private give(): void {
    if (this.engineSide) this.turns.engineGives();
    else this.turns.requestGives();
  }

  async migrate(): Promise<void> {
    this.migrateNow();
  }

  async close(): Promise<void> {
    // Writes still waiting for their group commit (an expiry sweep begun just before a stop) are committed first.
    if (this.group.length) this.commitGroup(Date.now());
    this.db.close();
  }

  async migrationsApplied(): Promise<boolean> {
    return Number(this.stmt.latestMigration.get()) >= LATEST_MIGRATION_VERSION;
  }

  /**
   * data_version moves when another connection (another process) commits; total_changes counts every row
   * this connection has written, committed or not (a rolled-back change only makes the version move early).
   * None while a job batch's transaction is open: what is read then may yet be rolled back.
   */
  readVersion(): string | undefined {
    if (this.db.inTransaction) return undefined;
    return `${this.stmt.dataVersion.get()}.${this.stmt.totalChanges.get()}`;
  }

  async findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = this.stmt.keyByHash.get(hash) as KeyDbRow | undefined;
    return row && toKey(row);
  }

  async ensureKey(account: string, hash: string, prefix: string, scopes: Scope[]): Promise<KeyRecord> {
    this.stmt.insertKey.run(account, hash, prefix, scopes.join(','), new Date().toISOString());
    return toKey(this.stmt.keyByHash.get(hash) as KeyDbRow);
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (this.stmt.listKeys.all() as KeyDbRow[]).map(toKey);
  }

  async revokeKey(id: number): Promise<boolean> {
    return this.stmt.revokeKey.run(new Date().toISOString(), id).changes > 0;
  }

  async countKeys(): Promise<number> {
    return this.stmt.countKeys.get() as number;
  }

  async ensureSetting(name: string, initial: string): Promise<string> {
    this.db.prepare(INSERT_SETTING).run(name, initial);
    return this.db.prepare(GET_SETTING).pluck().get(name) as string;
  }

  /**
   * The GETs of one resource that arrive in a turn are read together, one after the other, once the turn's
   * requests are all in (TurnBatches): a random row costs half as much read among others as read between the
   * HTTP work of each request, which leaves SQLite's code and the index's upper pages out of the CPU's caches.
   */
  async getResource(account: string, kind: ResourceKind, externalId: string): Promise<ResourceRow | undefined> {
    return this.resourceReads.get(account, { kind, externalId });
  }

  private readonly resourceReads = new TurnBatches<ResourceRef, ResourceRow>(async (account, refs) =>
    refs.map(({ kind, externalId }) => this.findResource(account, kind, externalId)));

  private findResource(account: string, kind: ResourceKind, externalId: string): ResourceRow | undefined {
    const values = this.stmt.resource.get(account, kind, externalId) as unknown[] | undefined;
    return values && resourceOf(values);
  }

  async getResources(account: string, kind: ResourceKind, externalIds: string[]): Promise<ResourceRow[]> {
    return inOrderOf(externalIds, this.load(account, externalIds.map((externalId) => ({ kind, externalId }))));
  }

  /**
   * The rows `refs` name that exist (each once), in one statement per kind: the ids go in as one JSON array,
   * so a job's hundred resources cost one call rather than a hundred. toWellFormed() turns a lone surrogate
   * into U+FFFD, as binding a string does, so that both find the same rows.
   */
  private load(account: string, refs: ResourceRef[]): ResourceRow[] {
    if (refs.length === 1) {
      // Most changes name one resource (a create, an update): one lookup, without building the JSON array.
      const row = this.findResource(account, refs[0].kind, refs[0].externalId);
      return row ? [row] : [];
    }
    const idsByKind = new Map<ResourceKind, string[]>();
    for (const { kind, externalId } of refs) {
      const ids = idsByKind.get(kind);
      if (ids) ids.push(externalId.toWellFormed());
      else idsByKind.set(kind, [externalId.toWellFormed()]);
    }
    const rows: ResourceRow[] = [];
    for (const [kind, ids] of idsByKind) {
      for (const values of this.stmt.resourcesOfKind.all(account, kind, JSON.stringify(ids)) as unknown[][]) rows.push(resourceOf(values));
    }
    return rows;
  }

  async listResources(account: string, kind: ResourceKind, filters: Filter[], page: Page): Promise<PageResult<ResourceRow>> {
    return readResourcePage('sqlite', async (sql, params) => this.prepared(sql).all(...params) as ResourceDbRow[], account, kind, filters, page);
  }

  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private apply(account: string, writes: Write[]): void {
    for (const w of writes) {
      let last: Database.RunResult | undefined;
      for (const [sql, params] of writeSql(account, w)) last = this.prepared(sql).run(...params);
      // The title index learns of a new row here (migration 8 says why not from a trigger).
      if (w.op === 'insert') this.stmt.indexTitle.run(last!.lastInsertRowid, indexedColumns(w.row).title);
    }
  }

  async transact<T>(account: string, refs: ResourceRef[], decide: (state: CatalogState) => T): Promise<T> {
    return this.commitInGroup(() => {
      const state = new CatalogState(refs, this.load(account, refs));
      const result = decide(state);
      this.apply(account, state.writes);
      return result;
    });
  }

  async enqueueJob(job: PendingJob, maxInProgress: number): Promise<boolean> {
    return this.commitInGroup(() => {
      if ((this.stmt.unfinished.get(job.account) as number) >= maxInProgress) return false;
      this.stmt.insertJob.run(...jobParams(job));
      return true;
    });
  }

  /**
   * Group commit: writes that arrive in the same turn of the event loop (or while the write lock is taken)
   * share one transaction, so one fsync makes all of them durable, and every caller hears back only after
   * that commit. A write that throws must be undone alone. That takes a savepoint per write, and a savepoint
   * makes the title index (FTS5) write out what it holds: an index segment per created item, most of the
   * cost of a create. So a group first runs without savepoints; only if one of its writes throws (rare: a
   * decision is a value, not an exception) is the whole transaction rolled back and run again with a
   * savepoint each. A write may thus run twice, which is safe: it only reads and writes the database, and
   * nobody has heard of its first run.
   */
  private commitInGroup<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.group.push({ work, resolve, reject } as GroupMember);
      if (this.group.length === 1) setImmediate(() => this.commitGroup(Date.now()));
    });
  }

  private commitGroup(since: number): void {
    if (!this.take()) {
      this.waitForLock(since).then(() => this.commitGroup(since), (error) => {
        for (const m of this.group.splice(0)) m.reject(error);
      });
      return;
    }
    const members = this.group;
    this.group = [];
    let results: GroupResult[];
    try {
      try {
        results = this.runGroup(members, members.length === 1);
      } catch (error) {
        if (!(error instanceof WriteFailed)) throw error;
        results = this.runGroup(members, true);
      }
    } catch (error) {
      for (const m of members) m.reject(error);
      return;
    } finally {
      this.give();
    }
    members.forEach((m, i) => {
      const r = results[i];
      if (r.ok) m.resolve(r.value);
      else m.reject(r.error);
    });
  }

  /**
   * One transaction for the group. `eachAlone`: every write in its own savepoint, and one that throws is
   * answered with its error. Otherwise a write that throws rolls back the whole transaction (WriteFailed).
   */
  private runGroup(members: GroupMember[], eachAlone: boolean): GroupResult[] {
    const results: GroupResult[] = [];
    this.db.transaction(() => {
      for (const m of members) {
        if (!eachAlone) {
          try {
            results.push({ ok: true, value: m.work() });
          } catch (error) {
            throw new WriteFailed('a write of the group failed', { cause: error });
          }
          continue;
        }
        try {
          results.push({ ok: true, value: this.db.transaction(m.work)() });
        } catch (error) {
          results.push({ ok: false, error });
        }
      }
    }).immediate();
    return results;
  }

  async getJob(account: string, type: string, id: string, now: string): Promise<JobRecord | undefined> {
    return visibleJob(this.stmt.job.get(id) as JobDbRow | undefined, account, type, now);
  }

  async listJobs(account: string, type: string, filters: Filter[], page: Page, now: string): Promise<PageResult<JobRecord>> {
    const q = jobListSql('sqlite', account, type, filters, page, now);
    return toPage(this.prepared(q.sql).all(...q.params) as JobDbRow[], q, page, toJob);
  }

  async accountsWithDueJobs(now: string, limit: number): Promise<string[]> {
    return this.stmt.accountsWithDueJobs.all(now, limit) as string[];
  }

  async nextJobDueAt(now: string): Promise<string | undefined> {
    return (this.stmt.nextJobDue.get(now) as string | null) ?? undefined;
  }

  /**
   * One writer at a time: the process's write lock and then BEGIN IMMEDIATE (SQLite's, against other
   * processes), which also keeps the account's queue. Every batch method runs synchronously and returns a
   * settled promise, so `work` (awaiting only these) runs to its end in the same turn of the event loop: on
   * the request thread, no request runs inside this transaction.
   */
  async withJobQueue<T>(account: string, work: (batch: JobBatch) => Promise<T>): Promise<T | undefined> {
    let savepoints = 0;
    const batch: JobBatch = {
      unfinishedJobs: async (limit) => (this.stmt.unfinishedJobs.all(account, limit) as PendingJobDbRow[]).map(toPendingJob),
      lockResources: async () => {}, // the write lock already excludes every other writer
      loadResources: async (refs) => this.load(account, refs),
      savepoint: async (inner) => {
        const name = `job_${++savepoints}`;
        this.db.exec(`SAVEPOINT ${name}`);
        try {
          const result = await inner();
          this.db.exec(`RELEASE ${name}`);
          return result;
        } catch (err) {
          this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
          throw err;
        }
      },
      write: async (writes) => this.apply(account, writes),
      saveJob: async (job) => {
        this.stmt.saveJob.run(...saveJobParams(job));
      },
      saveOperations: async (job) => {
        this.stmt.saveOperations.run(JSON.stringify(job.operations), job.id);
      },
    };
    const since = Date.now();
    while (!this.take()) await this.waitForLock(since);
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(batch);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.give();
    }
  }

  async deleteExpiredJobs(now: string): Promise<number> {
    return this.commitInGroup(() => this.stmt.deleteExpired.run(now).changes);
  }

  async jobQueue(now: string): Promise<JobQueueEntry[]> {
    return (this.stmt.jobQueue.all(now) as JobQueueDbRow[]).map(toJobQueueEntry);
  }

  async deleteAccountData(account: string, options: { keys: boolean }): Promise<void> {
    // A job batch of this account, on this thread or the engine's, holds the write lock: commitInGroup waits for it.
    await this.commitInGroup(() => {
      for (const sql of deleteAccountSql(options.keys)) this.prepared(sql).run(account);
    });
  }

  async dumpCatalog(account: string): Promise<CatalogDump> {
    // Both reads run in the same turn of the event loop: nothing is written between them.
    return {
      resources: (this.stmt.dumpResources.all(account) as ResourceDbRow[]).map(toResource),
      links: this.stmt.dumpLinks.all(account) as CatalogDump['links'],
    };
  }

  async accountJobPace(account: string): Promise<string | undefined> {
    return (this.stmt.accountJobPace.get(account) as string | null | undefined) ?? undefined;
  }

  async setAccountJobPace(account: string, pace: string | null): Promise<void> {
    await this.commitInGroup(() => this.stmt.setAccountJobPace.run(account, pace));
  }

  async clockOffsetMs(): Promise<number> {
    return Number(this.stmt.clockOffset.get(CLOCK_OFFSET) ?? 0);
  }

  async setClockOffsetMs(offsetMs: number): Promise<void> {
    await this.commitInGroup(() => this.stmt.setSetting.run(CLOCK_OFFSET, String(offsetMs)));
  }
}
