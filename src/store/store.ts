// The storage interface. Adapters (sqlite, postgres) implement it; nothing above this line knows SQL.
// Writes go through `transact` (or the job engine's `withJobQueue`): the adapter loads the resources a change
// refers to into a CatalogState, domain code decides on that snapshot, and the adapter commits what it
// recorded in one transaction.
import type { ResourceKind } from '../catalog/resources.js';
import type { CatalogState, Write } from '../catalog/state.js';
import type { Filter, JobRecord, Page, PageResult, PendingJob, ResourceRef, ResourceRow } from '../catalog/model.js';
import type { Scope } from '../scopes.js';

export interface KeyRecord {
  id: number;
  account: string;
  scopes: Scope[];
  /** First characters of the key, to recognise it in `keys list`. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

/** One kind's unfinished jobs, for metrics. */
export interface JobQueueEntry {
  type: string;
  unfinished: number;
  /** When the job of this kind that has waited longest for a worker fell due; null when none is due. */
  oldestDueAt: string | null;
}

/** A connection pool's use at one moment. */
export interface PoolStats {
  max: number;
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Whether the database answers and has every migration this version knows: readiness. */
  migrationsApplied(): Promise<boolean>;
  /** The connection pool's use, for a store that has one (PostgreSQL). */
  poolStats?(): PoolStats;
  /**
   * A value that changes whenever anything stored may have changed since it was last read, by this process or
   * another, for a store that can tell cheaply (SQLite): what cached reads are checked against. Undefined
   * while what a read sees might still be undone.
   */
  readVersion?(): string | undefined;
  /**
   * What a thread of this process needs to open a connection of its own and run the job engine on it, beside
   * the requests rather than between them (SQLite on a file); undefined where that would not help.
   */
  engineThread?(): EngineThreadStore | undefined;

  findKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  /** Inserts the key unless one with this hash exists; returns the stored record. */
  ensureKey(account: string, hash: string, prefix: string, scopes: Scope[]): Promise<KeyRecord>;
  listKeys(): Promise<KeyRecord[]>;
  revokeKey(id: number): Promise<boolean>;
  /** Keys ever created, revoked ones included. */
  countKeys(): Promise<number>;

  /**
   * The value of a deployment-wide setting; `initial` is stored first if it has none. Every process gets the
   * same value, whichever stored it.
   */
  ensureSetting(name: string, initial: string): Promise<string>;

  getResource(account: string, kind: ResourceKind, externalId: string): Promise<ResourceRow | undefined>;
  getResources(account: string, kind: ResourceKind, externalIds: string[]): Promise<ResourceRow[]>;
  listResources(account: string, kind: ResourceKind, filters: Filter[], page: Page): Promise<PageResult<ResourceRow>>;
  /** Loads `refs`, runs `decide` on them and commits what it recorded, atomically. */
  transact<T>(account: string, refs: ResourceRef[], decide: (state: CatalogState) => T): Promise<T>;

  /** Stores a new job unless the account already has `maxInProgress` unfinished jobs. */
  enqueueJob(job: PendingJob, maxInProgress: number): Promise<boolean>;
  getJob(account: string, type: string, id: string, now: string): Promise<JobRecord | undefined>;
  listJobs(account: string, type: string, filters: Filter[], page: Page, now: string): Promise<PageResult<JobRecord>>;
  /** Accounts with an unfinished job due to run at `now`, those waiting longest first (at most `limit`). */
  accountsWithDueJobs(now: string, limit: number): Promise<string[]>;
  /** When the earliest unfinished job that is not yet due falls due; undefined if none waits. */
  nextJobDueAt(now: string): Promise<string | undefined>;
  /**
   * Runs `work` in one transaction that holds the account's job queue: no other worker runs that account's
   * jobs meanwhile. Commits when `work` returns, rolls back when it throws; undefined when another process
   * holds the queue. SQLite: `work` may await only the batch's own methods (see SqliteStore.withJobQueue).
   */
  withJobQueue<T>(account: string, work: (batch: JobBatch) => Promise<T>): Promise<T | undefined>;
  /**
   * About how long a job batch (one withJobQueue) may take; as many jobs as fit share its commit. It bounds
   * how long one account's backlog delays another account's job, how long a write waits for a batch where the
   * store has one writer at a time (SQLite), and, where a batch runs on the thread that serves requests, the
   * pause every request sees.
   */
  readonly jobBatchMs: number;
  deleteExpiredJobs(now: string): Promise<number>;
  /** Unfinished jobs per kind, with the oldest due time among those due at `now` (metrics). */
  jobQueue(now: string): Promise<JobQueueEntry[]>;

  /**
   * Deletes everything the account holds (resources, links, back-in-stock subscriptions, jobs), in one
   * transaction that waits for a job batch of the account in hand; with `keys`, its keys and settings too.
   */
  deleteAccountData(account: string, options: { keys: boolean }): Promise<void>;
  /** The account's resources (in creation order) and item-category links, read consistently. */
  dumpCatalog(account: string): Promise<CatalogDump>;
  /** The job pace set for the account (a test control), undefined when it follows the server's. */
  accountJobPace(account: string): Promise<string | undefined>;
  setAccountJobPace(account: string, pace: string | null): Promise<void>;
  /** How far the server's clock is moved from real time (a test control), in milliseconds; 0 when never set. */
  clockOffsetMs(): Promise<number>;
  setClockOffsetMs(offsetMs: number): Promise<void>;
}

export interface EngineThreadStore {
  sqlitePath: string;
  /** Shared with the request thread's store, to take turns at the write lock (write-turns.ts). */
  writeTurns: SharedArrayBuffer;
}

export interface CatalogDump {
  resources: ResourceRow[];
  links: { item: string; category: string }[];
}

/** One account's job queue inside a transaction (Store.withJobQueue). The job engine's only access to storage. */
export interface JobBatch {
  /** The account's unfinished jobs in acceptance order, at most `limit`. */
  unfinishedJobs(limit: number): Promise<PendingJob[]>;
  /** Keeps other writers off these resources until the transaction ends, with a bounded number of locks. */
  lockResources(refs: ResourceRef[]): Promise<void>;
  loadResources(refs: ResourceRef[]): Promise<ResourceRow[]>;
  /** Runs `work` in a savepoint: when it throws, its writes are undone and the error is passed on. */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
  write(writes: Write[]): Promise<void>;
  /** Stores the job's status, counters, errors and schedule. */
  saveJob(job: PendingJob): Promise<void>;
  /** Stores the job's operations after a control reordered them (see failGiven in jobs/apply.ts). */
  saveOperations(job: PendingJob): Promise<void>;
}
