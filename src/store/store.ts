// The storage interface. Adapters (sqlite, postgres) implement it; nothing above this line knows SQL.
// Writes go through `transact` (or the job runner's `runJobs`): the adapter loads the resources a change
// refers to into a CatalogState, domain code decides on that snapshot, and the adapter commits what it
// recorded in one transaction.
import type { ResourceKind } from '../catalog/resources.js';
import type { CatalogState } from '../catalog/state.js';
import type { Scope } from '../http/operations.js';

export interface ResourceRow {
  kind: ResourceKind;
  externalId: string;
  /** Stored attributes, external_id included; timestamps are separate. */
  attributes: Record<string, unknown>;
  /** The item a variant belongs to (external id); null for items and categories. */
  parent: string | null;
  created: string;
  updated: string;
}

export interface ResourceRef {
  kind: ResourceKind;
  externalId: string;
}

export interface KeyRecord {
  id: number;
  account: string;
  scopes: Scope[];
  /** First characters of the key, to recognise it in `keys list`. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export type JobStatus = 'queued' | 'processing' | 'complete' | 'cancelled';

export interface JobError {
  id: string;
  code: string;
  title: string;
  detail: string;
  source: { pointer: string };
}

export interface JobRecord {
  id: string;
  account: string;
  /** JSON:API type of the job, e.g. catalog-item-bulk-update-job */
  type: string;
  status: JobStatus;
  totalCount: number;
  completedCount: number;
  failedCount: number;
  errors: JobError[];
  /** External ids of the resources the job created, updated or deleted. */
  resourceIds: string[];
  createdAt: string;
  completedAt: string | null;
  expiresAt: string | null;
  /** The validated resource objects of the request, applied in order. */
  operations: unknown[];
}

export type Filter =
  | { field: 'ids'; values: string[] }
  | { field: 'title' | 'name'; contains: string }
  | { field: 'published'; equals: boolean }
  | { field: 'sku'; equals: string }
  | { field: 'item.id' | 'category.id'; equals: string }
  | { field: 'status'; equals: JobStatus };

export interface Page {
  /** Position after which (or, going back, before which) to read; undefined for the first page. */
  after?: number;
  before?: number;
  size: number;
  descending: boolean;
}

export interface PageResult<T> {
  rows: T[];
  /** Sequence numbers bounding the page, for the next/prev cursors. */
  first?: number;
  last?: number;
  hasNext: boolean;
  hasPrev: boolean;
}

export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;

  findKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  /** Inserts the key unless one with this hash exists; returns the stored record. */
  ensureKey(account: string, hash: string, prefix: string, scopes: Scope[]): Promise<KeyRecord>;
  listKeys(): Promise<KeyRecord[]>;
  revokeKey(id: number): Promise<boolean>;
  countActiveKeys(): Promise<number>;

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
