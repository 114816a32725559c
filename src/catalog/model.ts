// The catalog's data model, as the domain sees it: resources, the references between them, jobs, and the
// shapes of a filtered, paged read. Storage adapters map these to and from rows; nothing here knows SQL.
import type { ResourceKind } from './resources.js';

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

/**
 * `processing` from the moment a job is accepted until every resource has been tried; then `complete`, or
 * `cancelled` when nothing of it could be applied. (`queued` is a status Klaviyo documents but never shows.)
 */
export type JobStatus = 'queued' | 'processing' | 'complete' | 'cancelled';

/** One resource of a job that failed, as Klaviyo reports it: `meta.id` names the resource. */
export interface JobError {
  id: string;
  code: string;
  title: string;
  detail: string;
  source: { pointer: string };
  meta: { id: string };
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
  expiresAt: string;
}

/** A job that is still processing, with what the engine needs to carry on with it. */
export interface PendingJob extends JobRecord {
  /** The validated resource objects of the request, applied in order from completedCount + failedCount. */
  operations: unknown[];
  /** Times the job was tried and failed for a reason of its own (not its resources' domain errors). */
  attempts: number;
  lastError: string | null;
  /** Not before this time (pace or retry backoff); null: held until a control releases it (manual pace). */
  runAfter: string | null;
  /** How many more resources may be applied before the job is held again; null: no limit. */
  allowance: number | null;
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
