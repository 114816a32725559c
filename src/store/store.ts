// The storage interface. Adapters (sqlite, postgres) implement it; nothing above this line knows SQL.
// Writes go through `transact` (or the job runner's `runJobs`): the adapter loads the resources a change
// refers to into a CatalogState, domain code decides on that snapshot, and the adapter commits what it
// recorded in one transaction.
import type { ResourceKind } from '../catalog/resources.js';
import type { CatalogState } from '../catalog/state.js';
import type { Filter, JobRecord, Page, PageResult, ResourceRef, ResourceRow } from '../catalog/model.js';
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

export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;

  findKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  /** Inserts the key unless one with this hash exists; returns the stored record. */
  ensureKey(account: string, hash: string, prefix: string, scopes: Scope[]): Promise<KeyRecord>;
  listKeys(): Promise<KeyRecord[]>;
  revokeKey(id: number): Promise<boolean>;
  /** Keys ever created, revoked ones included. */
  countKeys(): Promise<number>;

  getResource(account: string, kind: ResourceKind, externalId: string): Promise<ResourceRow | undefined>;
  getResources(account: string, kind: ResourceKind, externalIds: string[]): Promise<ResourceRow[]>;
  listResources(account: string, kind: ResourceKind, filters: Filter[], page: Page): Promise<PageResult<ResourceRow>>;
  /** Loads `refs`, runs `decide` on them and commits what it recorded, atomically. */
  transact<T>(account: string, refs: ResourceRef[], decide: (state: CatalogState) => T): Promise<T>;

  /** Stores a queued job unless the account already has `maxInProgress` unfinished jobs. */
  enqueueJob(job: JobRecord, maxInProgress: number): Promise<boolean>;
  getJob(account: string, type: string, id: string, now: string): Promise<JobRecord | undefined>;
  listJobs(account: string, type: string, filters: Filter[], page: Page, now: string): Promise<PageResult<JobRecord>>;
  /**
   * Claims the oldest unfinished jobs of one account (at most `limit`, in the order they were accepted),
   * loads what they refer to, lets `process` apply each in turn, and commits the results with the jobs'
   * new counters in one transaction. Returns how many jobs it finished (0: nothing to do).
   */
  runJobs(limit: number, refsOf: (job: JobRecord) => ResourceRef[], process: (job: JobRecord, state: CatalogState) => void): Promise<number>;
  deleteExpiredJobs(now: string): Promise<number>;
}
