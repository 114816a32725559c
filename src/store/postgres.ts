// The shared store: PostgreSQL through a connection pool, for several server and worker processes at once.
// It behaves like SqliteStore. SQLite runs one writer at a time; here transactions run side by side, so each
// one first takes transaction-scoped advisory locks covering the resources it refers to (by key, so that
// also covers rows that do not exist yet), in one global order, and only then reads them. Two changes to the
// same resource therefore happen one after the other, as they would in SQLite, and never deadlock. The
// locks are hashed stripes of the account (at most LOCK_STRIPES per transaction, whatever its size), so a
// large batch cannot exhaust PostgreSQL's lock table; lock_timeout and statement_timeout bound every wait.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { CatalogState, type Write } from '../catalog/state.js';
import type { ResourceKind } from '../catalog/resources.js';
import type { Scope } from '../scopes.js';
import { ConcurrentChangeError, isStoreUnavailable, UnstorableValueError } from './errors.js';
import { LATEST_MIGRATION_VERSION, MIGRATIONS } from './migrations.js';
import { numbered, prepared, type Statement } from './pg-statements.js';
import { writeSteps } from './pg-writes.js';
import { AccountGroups, type Waiting } from './account-groups.js';
import { TurnBatches } from './turn-batches.js';
import {
  ACCOUNTS_WITH_DUE_JOBS, ACCOUNT_JOB_PACE, CLOCK_OFFSET, COUNT_UNFINISHED_JOBS, DELETE_EXPIRED_JOBS, DUMP_LINKS, DUMP_RESOURCES, GET_JOB, GET_SETTING,
  INSERT_JOB, INSERT_SETTING, JOB_QUEUE, LATEST_MIGRATION, NEXT_JOB_DUE, RESOURCE_COLUMNS, SAVE_JOB, SAVE_JOB_OPERATIONS, SET_ACCOUNT_JOB_PACE, SET_SETTING, UNFINISHED_JOBS,
  deleteAccountSql, inOrderOf, jobListSql, jobParams, readResourcePage, saveJobParams, toJob, toJobQueueEntry, toKey, toPage, toPendingJob, toResource, visibleJob,
  type JobDbRow, type JobQueueDbRow, type KeyDbRow, type PendingJobDbRow, type ResourceDbRow,
} from './sql.js';
import type { Filter, JobRecord, Page, PageResult, PendingJob, ResourceRef, ResourceRow } from '../catalog/model.js';
import type { CatalogDump, JobBatch, JobQueueEntry, KeyRecord, PoolStats, Store } from './store.js';

/** First argument of the two-key advisory locks: one namespace per purpose, so their keys never collide. */
export const LOCK = { migrations: 1, jobsOfAccount: 2, resource: 3, enqueue: 4 } as const;

/** A 32-bit lock key for a name (advisory lock keys are integers). Collisions only make two changes wait. */
function lockKey(name: string): number {
  return createHash('sha256').update(name).digest().readInt32BE(0);
}

/**
 * Advisory locks per account that the resources hash onto. A transaction takes at most this many, however
 * many resources it touches; changes to different resources of an account share a stripe one time in 16.
 */
export const LOCK_STRIPES = 16;

/** The stripes covering `refs`, in ascending order (the one global order that rules out deadlocks). */
function stripesOf(account: string, refs: ResourceRef[]): number[] {
  const stripes = new Set(refs.map((ref) => lockKey(`${ref.kind}\u0000${ref.externalId}`) & (LOCK_STRIPES - 1)));
  return [...stripes].map((stripe) => lockKey(`${account}\u0000${stripe}`)).sort((a, b) => a - b);
}

/**
 * The database is away (connection refused or lost, shutting down, out of connections): each change of a group
 * would meet the same failure alone. A lock not granted in time, a deadlock or a row deleted meanwhile may be
 * one change's lot, not its neighbours'.
 */
const ONE_CHANGES_LOT = new Set(['55P03', '57014', '40P01']);
const failsEveryChange = (error: unknown) =>
  isStoreUnavailable(error) && !(error instanceof ConcurrentChangeError) && !ONE_CHANGES_LOT.has((error as { code?: string }).code ?? '');

const refKey = (ref: { kind: string; externalId: string }) => `${ref.kind}\u0000${ref.externalId}`;

const NUL = 'Text containing the character U+0000 cannot be stored.';

/** Runs of one change that found a loaded row deleted under it (ConcurrentChangeError); the second sees it gone. */
const MAX_CHANGE_ATTEMPTS = 3;

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
  return false;
}

type Queryable = pg.Pool | pg.PoolClient;

async function run<R extends pg.QueryResultRow>(db: Queryable, sql: string | Statement, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  if (params.some(containsNul)) throw new UnstorableValueError(NUL);
  return db.query<R>({ ...(typeof sql === 'string' ? { text: numbered(sql) } : sql), values: params });
}

/** What every request or job runs (see prepared). */
const Q = {
  loadOne: prepared(`SELECT ${RESOURCE_COLUMNS} FROM resources WHERE account = ? AND kind = ? AND external_id = ?`),
  loadMany: prepared(`SELECT ${RESOURCE_COLUMNS} FROM resources WHERE account = ? AND (kind, external_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))`),
  // INSERT_JOB with its VALUES as a SELECT, refused (no row) when the account has its limit of unfinished
  // jobs: one statement rather than a count and an insert, after the account's enqueue lock was taken.
  enqueue: prepared(`${INSERT_JOB.replace(/VALUES \(([?, ]+)\)/, 'SELECT $1')} WHERE (${COUNT_UNFINISHED_JOBS}) < ?`),
  getJob: prepared(GET_JOB),
  unfinishedJobs: prepared(UNFINISHED_JOBS),
  saveJob: prepared(SAVE_JOB),
  accountsWithDueJobs: prepared(ACCOUNTS_WITH_DUE_JOBS),
  nextJobDue: prepared(NEXT_JOB_DUE),
};

/** A job waiting to be enqueued with others of its account (PostgresStore.insertGroup). */
interface WaitingEnqueue extends Waiting {
  job: PendingJob;
  maxInProgress: number;
  resolve: (accepted: boolean) => void;
}

/** A change waiting to be made with others of its account (PostgresStore.changeGroup). */
interface WaitingChange extends Waiting {
  refs: ResourceRef[];
  decide: (state: CatalogState) => unknown;
  resolve: (result: unknown) => void;
}

/**
 * Changes of one account made in one transaction, at most: enough to share a round trip among every request
 * in flight at once, few enough that the load of the group stays one small query.
 */
const MAX_GROUPED_CHANGES = 64;

export class PostgresStore implements Store {
  /**
   * A batch mostly waits on the database, and the thread serves requests meanwhile. With SQLite's 4 ms, a job
   * of 100 items (about 12 ms here, most of it round trips and the commit's flush) went one per transaction;
   * 50 ms lets a few share one. Bulk update, 300 jobs x 100 items: about 7,000 -> 13,000 items/s (npm run
   * bench, 1,000 jobs with reads alongside: 6,921 -> 10,275).
   */
  readonly jobBatchMs = 50;
  private readonly pool: pg.Pool;
  private readonly enqueuing = new AccountGroups<WaitingEnqueue>((account, group) => this.insertGroup(account, group), Infinity);
  private readonly changing = new AccountGroups<WaitingChange>((account, group) => this.changeGroup(account, group), MAX_GROUPED_CHANGES);

  constructor(connectionString: string, private readonly poolSize: number) {
    this.pool = new pg.Pool({
      connectionString,
      max: poolSize,
      // Without a limit, a request waits forever for a database host that drops packets.
      connectionTimeoutMillis: 5_000,
      // A worker that hangs inside a transaction holds its jobs' locks; PostgreSQL ends its session after
      // this long, which rolls the transaction back and lets another worker take the jobs.
      idle_in_transaction_session_timeout: 60_000,
      // Nothing waits for ever: a lock or a statement past these fails, and the caller retries (a job batch)
      // or answers 503 with Retry-After (a request).
      lock_timeout: 5_000,
      statement_timeout: 30_000,
    });
    // An idle connection broke (server restart, network): the pool drops it and the next query opens a new
    // one. Without a listener the event would crash the process.
    this.pool.on('error', () => {});
  }

  /**
   * Runs `body` in a transaction on one connection: COMMIT when it returns, ROLLBACK when it throws. `opening`
   * (one statement taking locks, without parameters) goes with the BEGIN, in one round trip; `body` gets its
   * result. Statements before a BEGIN in one query are part of the transaction it begins (PostgreSQL docs,
   * "Multiple Statements in a Simple Query"), so its locks are held until COMMIT; placed first, a lock being
   * waited for shows in pg_stat_activity as that statement. What `body` reads is read after the locks were granted.
   */
  private async inTransaction<T>(body: (db: pg.PoolClient, opened?: pg.QueryResult) => Promise<T>, opening?: string): Promise<T> {
    const db = await this.pool.connect();
    // A connection lost mid-transaction fails the query in hand and is also emitted as an event, which
    // would crash the process unheard. Such a connection is discarded, not returned to the pool.
    let lost: Error | undefined;
    const onError = (err: Error) => (lost = err);
    db.on('error', onError);
    try {
      let opened: pg.QueryResult | undefined;
      if (opening === undefined) await db.query('BEGIN');
      else opened = ((await db.query(`${opening}; BEGIN`)) as unknown as pg.QueryResult[])[0]; // one result per statement
      const result = await body(db, opened);
      await db.query('COMMIT');
      return result;
    } catch (err) {
      await db.query('ROLLBACK').catch((e: Error) => (lost ??= e));
      throw err;
    } finally {
      db.off('error', onError);
      db.release(lost);
    }
  }

  async migrate(): Promise<void> {
    await this.inTransaction(async (db) => {
      // Processes starting together queue here; each migration is applied once, by the first.
      await db.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK.migrations]);
      await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await db.query(m.sql('postgres'));
        await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async migrationsApplied(): Promise<boolean> {
    const row = (await run<{ version: number | null }>(this.pool, LATEST_MIGRATION)).rows[0];
    return Number(row.version) >= LATEST_MIGRATION_VERSION;
  }

  poolStats(): PoolStats {
    return { max: this.poolSize, total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async findKeyByHash(hash: string): Promise<KeyRecord | undefined> {
    const row = (await run<KeyDbRow>(this.pool, 'SELECT * FROM api_keys WHERE hash = ?', [hash])).rows[0];
    return row && toKey(row);
  }

  async ensureKey(account: string, hash: string, prefix: string, scopes: Scope[]): Promise<KeyRecord> {
    await run(this.pool, 'INSERT INTO api_keys (account, hash, prefix, scopes, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING',
      [account, hash, prefix, scopes.join(','), new Date().toISOString()]);
    return (await this.findKeyByHash(hash))!;
  }

  async listKeys(): Promise<KeyRecord[]> {
    return (await run<KeyDbRow>(this.pool, 'SELECT * FROM api_keys ORDER BY id')).rows.map(toKey);
  }

  async revokeKey(id: number): Promise<boolean> {
    const r = await run(this.pool, 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date().toISOString(), id]);
    return (r.rowCount ?? 0) > 0;
  }

  async countKeys(): Promise<number> {
    return Number((await run<{ n: string }>(this.pool, 'SELECT count(*) AS n FROM api_keys')).rows[0].n);
  }

  async ensureSetting(name: string, initial: string): Promise<string> {
    await run(this.pool, INSERT_SETTING, [name, initial]);
    return (await run<{ value: string }>(this.pool, GET_SETTING, [name])).rows[0].value;
  }

  /** A GET of one resource: the GETs of an account that arrive together share one query (TurnBatches). */
  async getResource(account: string, kind: ResourceKind, externalId: string): Promise<ResourceRow | undefined> {
    return this.resourceReads.get(account, { kind, externalId });
  }

  private readonly resourceReads = new TurnBatches<ResourceRef, ResourceRow>(async (account, refs) => {
    const found = new Map((await this.load(this.pool, account, refs)).map((row) => [refKey(row), row]));
    // A lone surrogate is stored as U+FFFD, and found by it (as when it is bound alone).
    return refs.map((ref) => found.get(refKey({ kind: ref.kind, externalId: ref.externalId.toWellFormed() })));
  });

  async getResources(account: string, kind: ResourceKind, externalIds: string[]): Promise<ResourceRow[]> {
    return inOrderOf(externalIds, await this.load(this.pool, account, externalIds.map((externalId) => ({ kind, externalId }))));
  }

  /** The rows `refs` name that exist, in one query. */
  private async load(db: Queryable, account: string, refs: ResourceRef[]): Promise<ResourceRow[]> {
    // Text with U+0000 can never have been stored, so such a ref is simply absent (as a lookup, not an error).
    refs = refs.filter((ref) => !containsNul(ref.externalId));
    if (refs.length === 0) return [];
    // One row (a GET) by the plain lookup: its generic plan needs no planning, the array form is planned each time.
    const r = refs.length === 1
      ? await run<ResourceDbRow>(db, Q.loadOne, [account, refs[0].kind, refs[0].externalId])
      : await run<ResourceDbRow>(db, Q.loadMany, [account, refs.map((ref) => ref.kind), refs.map((ref) => ref.externalId)]);
    return r.rows.map(toResource);
  }

  /** Waits for the stripes covering `refs` (see stripesOf). */
  private async lockRefs(db: pg.PoolClient, account: string, refs: ResourceRef[]): Promise<void> {
    const sql = this.lockRefsSql(account, refs);
    if (sql !== undefined) await db.query(sql);
  }

  /**
   * The statement taking the stripes covering `refs`, or none; also the opening of a transaction (see
   * inTransaction), hence without parameters: the keys are integers. A function scan of unnest yields the
   * array in order, so the locks are taken in that order.
   */
  private lockRefsSql(account: string, refs: ResourceRef[]): string | undefined {
    const keys = stripesOf(account, refs);
    return keys.length > 0 ? `SELECT pg_advisory_xact_lock(${LOCK.resource}, k) FROM unnest('{${keys.join(',')}}'::int4[]) AS k` : undefined;
  }

  async listResources(account: string, kind: ResourceKind, filters: Filter[], page: Page): Promise<PageResult<ResourceRow>> {
    return readResourcePage('postgres', async (sql, params) => (await run<ResourceDbRow>(this.pool, sql, params)).rows, account, kind, filters, page);
  }

  private async apply(db: pg.PoolClient, account: string, writes: Write[]): Promise<void> {
    for (const step of writeSteps(account, writes)) {
      const changed = await run(db, step.sql, step.params);
      if (step.rows !== undefined && (changed.rowCount ?? 0) < step.rows) throw new ConcurrentChangeError();
    }
  }

  /**
   * Changes of an account go in groups (AccountGroups): each decides, in the order they arrived, on the state the
   * ones before it left, as if each had its own transaction one after the other. A round trip costs far more
   * than deciding, so a request in flight beside others costs a fraction of one lock, load, write and commit.
   */
  async transact<T>(account: string, refs: ResourceRef[], decide: (state: CatalogState) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => this.changing.add(account, { refs, decide, resolve: resolve as (result: unknown) => void, reject }));
  }

  /**
   * Settles every change of the group: made in one transaction, or, when that fails, each in its own. A change
   * whose decide throws is undone alone (CatalogState.rollback), as a savepoint would.
   */
  private async changeGroup(account: string, group: WaitingChange[]): Promise<void> {
    if (group.length === 1) return this.transactAlone(account, group[0]);
    let outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
    let written = false;
    try {
      const refs = group.flatMap((change) => change.refs);
      outcomes = await this.inTransaction(async (db) => {
        const state = new CatalogState(refs, await this.load(db, account, refs));
        const decided = group.map((change) => {
          const mark = state.mark();
          try {
            return { ok: true as const, value: change.decide(state) };
          } catch (error) {
            state.rollback(mark);
            return { ok: false as const, error };
          }
        });
        await this.apply(db, account, state.writes);
        written = true;
        return decided;
      }, this.lockRefsSql(account, refs));
    } catch (error) {
      // The COMMIT itself failed: whether it took effect is unknown, so nothing is tried again, as for one change.
      // The database is away: each change alone would wait out the same failure, one after the other.
      if (written || failsEveryChange(error)) return group.forEach((change) => change.reject(error));
      // A write refused (text it cannot store), a lock not granted in time: each change on its own.
      for (const change of group) await this.transactAlone(account, change);
      return;
    }
    group.forEach((change, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) change.resolve(outcome.value);
      else change.reject(outcome.error);
    });
  }

  private async transactAlone(account: string, { refs, decide, resolve, reject }: WaitingChange): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return resolve(await this.inTransaction(async (db) => {
          const state = new CatalogState(refs, await this.load(db, account, refs));
          const result = decide(state);
          await this.apply(db, account, state.writes);
          return result;
        }, this.lockRefsSql(account, refs)));
      } catch (err) {
        // A row it loaded was deleted meanwhile: decide again on what is there now (a 404, not a write to nothing).
        if (!(err instanceof ConcurrentChangeError) || attempt === MAX_CHANGE_ATTEMPTS) return reject(err);
      }
    }
  }

  async enqueueJob(job: PendingJob, maxInProgress: number): Promise<boolean> {
    // Refused now rather than when the job runs: a job that cannot be stored would fail every batch it is
    // in, and hold up the account's queue for good.
    if (containsNul(job.operations)) throw new UnstorableValueError(NUL);
    // Enqueues of one account count and insert one at a time under the account's lock, so the limit holds, and
    // seq (taken inside the lock) follows commit order: a worker never sees a job before an older one of the
    // same account. Those that arrive while one transaction is in flight go together in the next (AccountGroups).
    return new Promise<boolean>((resolve, reject) => this.enqueuing.add(job.account, { job, maxInProgress, resolve, reject }));
  }

  /** Settles every job of the group: inserted in one transaction, or, when that fails, each in its own. */
  private async insertGroup(account: string, group: WaitingEnqueue[]): Promise<void> {
    try {
      const accepted = await this.inTransaction(async (db) => {
        const inserted: boolean[] = [];
        for (const e of group) inserted.push((await run(db, Q.enqueue, [...jobParams(e.job), account, e.maxInProgress])).rowCount === 1);
        return inserted;
      }, `SELECT pg_advisory_xact_lock(${LOCK.enqueue}, ${lockKey(account)})`);
      accepted.forEach((ok, i) => group[i].resolve(ok));
    } catch (err) {
      if (group.length === 1 || failsEveryChange(err)) return group.forEach((e) => e.reject(err));
      for (const e of group) await this.insertGroup(account, [e]);
    }
  }

  async getJob(account: string, type: string, id: string, now: string): Promise<JobRecord | undefined> {
    if (containsNul(id)) return undefined; // never stored, as in SQLite: not found rather than refused
    return visibleJob((await run<JobDbRow>(this.pool, Q.getJob, [id])).rows[0], account, type, now);
  }

  async listJobs(account: string, type: string, filters: Filter[], page: Page, now: string): Promise<PageResult<JobRecord>> {
    const q = jobListSql('postgres', account, type, filters, page, now);
    return toPage((await run<JobDbRow>(this.pool, q.sql, q.params)).rows, q, page, toJob);
  }

  async accountsWithDueJobs(now: string, limit: number): Promise<string[]> {
    return (await run<{ account: string }>(this.pool, Q.accountsWithDueJobs, [now, limit])).rows.map((r) => r.account);
  }

  async nextJobDueAt(now: string): Promise<string | undefined> {
    return (await run<{ due: string | null }>(this.pool, Q.nextJobDue, [now])).rows[0].due ?? undefined;
  }

  /**
   * Any number of workers may call this at once. A worker holds an account's queue for the length of one
   * transaction (an advisory lock, tried without waiting, so workers spread over accounts). If the worker
   * dies, PostgreSQL rolls the transaction back and drops the lock; its jobs are as they were.
   */
  async withJobQueue<T>(account: string, work: (batch: JobBatch) => Promise<T>): Promise<T | undefined> {
    return this.inTransaction(async (db, locked) => {
      if (!locked!.rows[0].ok) return undefined;
      let savepoints = 0;
      // Read after taking the lock, so the previous holder's commit is visible and nothing runs twice.
      return work({
        unfinishedJobs: async (limit) => (await run<PendingJobDbRow>(db, Q.unfinishedJobs, [account, limit])).rows.map(toPendingJob),
        lockResources: (refs) => this.lockRefs(db, account, refs),
        loadResources: (refs) => this.load(db, account, refs),
        savepoint: async (inner) => {
          const name = `job_${++savepoints}`;
          await db.query(`SAVEPOINT ${name}`);
          try {
            const result = await inner();
            await db.query(`RELEASE SAVEPOINT ${name}`);
            return result;
          } catch (err) {
            await db.query(`ROLLBACK TO SAVEPOINT ${name}`);
            throw err;
          }
        },
        write: (writes) => this.apply(db, account, writes),
        saveJob: async (job) => {
          await run(db, Q.saveJob, saveJobParams(job));
        },
        saveOperations: async (job) => {
          await run(db, SAVE_JOB_OPERATIONS, [JSON.stringify(job.operations), job.id]);
        },
      });
    }, `SELECT pg_try_advisory_xact_lock(${LOCK.jobsOfAccount}, ${lockKey(account)}) AS ok`);
  }

  async deleteExpiredJobs(now: string): Promise<number> {
    return (await run(this.pool, DELETE_EXPIRED_JOBS, [now])).rowCount ?? 0;
  }

  async jobQueue(now: string): Promise<JobQueueEntry[]> {
    return (await run<JobQueueDbRow>(this.pool, JOB_QUEUE, [now])).rows.map(toJobQueueEntry);
  }

  async deleteAccountData(account: string, options: { keys: boolean }): Promise<void> {
    // Waits for a worker's batch of this account to commit, and keeps the next one out until this commits:
    // no job of the account applies half before and half after the deletion.
    await this.inTransaction(async (db) => {
      for (const sql of deleteAccountSql(options.keys)) await run(db, sql, [account]);
    }, `SELECT pg_advisory_xact_lock(${LOCK.jobsOfAccount}, ${lockKey(account)})`);
  }

  async dumpCatalog(account: string): Promise<CatalogDump> {
    return this.inTransaction(async (db) => {
      // One snapshot for both reads, so every link names resources of the same moment.
      await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const resources = (await run<ResourceDbRow>(db, DUMP_RESOURCES, [account])).rows.map(toResource);
      const links = (await run<CatalogDump['links'][number]>(db, DUMP_LINKS, [account])).rows;
      return { resources, links };
    });
  }

  async accountJobPace(account: string): Promise<string | undefined> {
    return (await run<{ job_pace: string | null }>(this.pool, ACCOUNT_JOB_PACE, [account])).rows[0]?.job_pace ?? undefined;
  }

  async setAccountJobPace(account: string, pace: string | null): Promise<void> {
    await run(this.pool, SET_ACCOUNT_JOB_PACE, [account, pace]);
  }

  async clockOffsetMs(): Promise<number> {
    return Number((await run<{ value: string }>(this.pool, GET_SETTING, [CLOCK_OFFSET])).rows[0]?.value ?? 0);
  }

  async setClockOffsetMs(offsetMs: number): Promise<void> {
    await run(this.pool, SET_SETTING, [CLOCK_OFFSET, String(offsetMs)]);
  }
}
