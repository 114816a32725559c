// Applying a bulk job's resources, one at a time, through the same domain rules as the single-resource routes,
// and keeping the job's account of it: counters, errors in Klaviyo's shape, the resources it changed. Free of
// storage: the engine decides when each resource runs and what is committed with it.
import { randomUUID } from 'node:crypto';
import { compoundId, externalIdOf } from '../catalog/ids.js';
import { createResource, deleteResource, refsOf, updateResource, type Failure, type ResourceInput } from '../catalog/changes.js';
import type { JobRecord, PendingJob, ResourceRef } from '../catalog/model.js';
import type { CatalogState } from '../catalog/state.js';
import { JOB_KIND_BY_TYPE, type JobKind } from './kinds.js';

const NOUN = { item: 'item', variant: 'variant', category: 'category' } as const;
const A_NOUN = { item: 'An item', variant: 'A variant', category: 'A category' } as const;

function kindOf(job: JobRecord): JobKind {
  const kind = JOB_KIND_BY_TYPE.get(job.type);
  if (!kind) throw new Error(`unknown job type ${job.type}`);
  return kind;
}

/** Index of the next resource to apply: resources are applied in request order, each exactly once. */
export const nextIndex = (job: JobRecord) => job.completedCount + job.failedCount;

export const isDone = (job: JobRecord) => nextIndex(job) >= job.totalCount;

/** What the resources still to apply refer to, for the store to lock and load. */
export function remainingRefs(job: PendingJob): ResourceRef[] {
  const kind = kindOf(job);
  return (job.operations.slice(nextIndex(job)) as ResourceInput[]).flatMap((input) => refsOf(kind.resource, input, kind.action));
}

function ownExternalId(kind: JobKind, input: ResourceInput): string {
  return kind.action === 'create' ? (input.attributes!.external_id as string) : externalIdOf(input.id)!;
}

/** The job's error for one resource: Klaviyo names the list (not the index) in the pointer and the resource in meta. */
function jobError(kind: JobKind, input: ResourceInput, detail: string, pointer: string) {
  const list = `/data/attributes/${kind.listName}/data`;
  const at = pointer.startsWith(`${list}/`) ? list + pointer.slice(list.length).replace(/^\/\d+/, '') : list;
  return {
    id: randomUUID(), code: 'invalid', title: 'Invalid input', detail,
    source: { pointer: at }, meta: { id: compoundId(ownExternalId(kind, input)) },
  };
}

function failureDetail(kind: JobKind, input: ResourceInput, failure: Failure): string {
  const own = `${A_NOUN[kind.resource.kind]} with the id \`${compoundId(ownExternalId(kind, input))}\``;
  const aboutItself = /\/\d+\/(id|attributes\/external_id)$/.test(failure.pointer);
  if (aboutItself && failure.code === 'not_found') return `${own} does not exist.`;
  if (aboutItself && failure.code === 'conflict') return `${own} already exists.`;
  return failure.detail;
}

/** Applies the next resource of `job` to `state` and counts it, as done or as failed by the domain's rules. */
export function applyNext(job: PendingJob, state: CatalogState, stamp: string): void {
  const kind = kindOf(job);
  const i = nextIndex(job);
  const input = job.operations[i] as ResourceInput;
  const base = `/data/attributes/${kind.listName}/data/${i}`;
  const outcome =
    kind.action === 'create' ? createResource(state, kind.resource, input, stamp, base)
    : kind.action === 'update' ? updateResource(state, kind.resource, input, stamp, base)
    : deleteResource(state, kind.resource, input, base);
  if (outcome.ok) {
    job.completedCount++;
    job.resourceIds.push(ownExternalId(kind, input));
  } else {
    job.failedCount++;
    job.errors.push(jobError(kind, input, failureDetail(kind, input, outcome.failure), outcome.failure.pointer));
  }
}

/** Counts the next resource as failed for a reason outside the domain's rules (it could not be stored). */
export function failNext(job: PendingJob): void {
  const kind = kindOf(job);
  const i = nextIndex(job);
  const input = job.operations[i] as ResourceInput;
  const detail = `The ${NOUN[kind.resource.kind]} with the id \`${compoundId(ownExternalId(kind, input))}\` could not be stored.`;
  job.failedCount++;
  job.errors.push(jobError(kind, input, detail, `/data/attributes/${kind.listName}/data/${i}`));
}

/** Ends the job: `complete` once every resource was tried, `cancelled` when not one of them could be applied. */
export function finish(job: PendingJob, stamp: string, status: 'complete' | 'cancelled'): void {
  job.status = status;
  job.completedAt = stamp;
}
