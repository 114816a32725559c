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

/**
 * Counts the next resource as failed for a reason outside the domain's rules: it could not be stored, or a
 * test control fails it with `detail`.
 */
export function failNext(job: PendingJob, detail?: string): void {
  const kind = kindOf(job);
  const i = nextIndex(job);
  const input = job.operations[i] as ResourceInput;
  detail ??= `The ${NOUN[kind.resource.kind]} with the id \`${compoundId(ownExternalId(kind, input))}\` could not be stored.`;
  job.failedCount++;
  job.errors.push(jobError(kind, input, detail, `/data/attributes/${kind.listName}/data/${i}`));
}

/** A resource a control asked to fail is not one the job has still to apply. */
export class NotPendingError extends Error {
  constructor(readonly index: number, id: string) {
    super(`'${id}' is not a resource this job has still to apply.`);
  }
}

/**
 * Fails the named resources of a job now, each with its detail, whatever their place in the job. Resources
 * are applied in order from nextIndex, so the failed ones are moved to the front of those still to apply
 * (a resource that is never applied has no effect to order) and counted there; the others keep their order.
 * Throws NotPendingError, changing nothing, when one is not among the resources still to apply.
 */
export function failGiven(job: PendingJob, failures: { id: string; detail?: string }[]): void {
  const kind = kindOf(job);
  const from = nextIndex(job);
  const pending = job.operations.slice(from) as ResourceInput[];
  const chosen = failures.map(({ id }, i) => {
    const at = pending.findIndex((input) => compoundId(ownExternalId(kind, input)) === id);
    if (at < 0) throw new NotPendingError(i, id);
    return at;
  });
  // Named twice: the second time it is no longer pending.
  const twice = chosen.findIndex((at, i) => chosen.indexOf(at) !== i);
  if (twice >= 0) throw new NotPendingError(twice, failures[twice].id);
  const rest = pending.filter((_, at) => !chosen.includes(at));
  job.operations = [...job.operations.slice(0, from), ...chosen.map((at) => pending[at]), ...rest];
  for (const { detail } of failures) failNext(job, detail);
}

/** Ends the job: `complete` once every resource was tried, `cancelled` when not one of them could be applied. */
export function finish(job: PendingJob, stamp: string, status: 'complete' | 'cancelled'): void {
  job.status = status;
  job.completedAt = stamp;
}
