// Applying one bulk job: each resource in turn through the same domain rules as the single-resource routes.
// A resource that fails adds an error pointing at it; the others go on.
import { randomUUID } from 'node:crypto';
import { externalIdOf } from '../catalog/ids.js';
import { createResource, deleteResource, refsOf, updateResource, type ResourceInput } from '../catalog/changes.js';
import type { CatalogState } from '../catalog/state.js';
import type { JobRecord, ResourceRef } from '../catalog/model.js';
import { JOB_KIND_BY_TYPE, type JobKind } from './kinds.js';

const TITLES: Record<string, string> = { not_found: 'Not found.', conflict: 'Conflict.', invalid: 'Invalid input.' };

function kindOf(job: JobRecord): JobKind {
  const kind = JOB_KIND_BY_TYPE.get(job.type);
  if (!kind) throw new Error(`unknown job type ${job.type}`);
  return kind;
}

export function jobRefs(job: JobRecord): ResourceRef[] {
  const kind = kindOf(job);
  return (job.operations as ResourceInput[]).flatMap((input) => refsOf(kind.resource, input, kind.action));
}

export function processJob(job: JobRecord, state: CatalogState, now: Date, ttlMs: number): void {
  const kind = kindOf(job);
  const stamp = now.toISOString();
  (job.operations as ResourceInput[]).forEach((input, i) => {
    const pointer = `/data/attributes/${kind.listName}/data/${i}`;
    const outcome =
      kind.action === 'create' ? createResource(state, kind.resource, input, stamp, pointer)
      : kind.action === 'update' ? updateResource(state, kind.resource, input, stamp, pointer)
      : deleteResource(state, kind.resource, input, pointer);
    if (outcome.ok) {
      job.completedCount++;
      job.resourceIds.push(kind.action === 'create' ? (input.attributes!.external_id as string) : externalIdOf(input.id)!);
    } else {
      job.failedCount++;
      const f = outcome.failure;
      job.errors.push({ id: randomUUID(), code: f.code, title: TITLES[f.code], detail: f.detail, source: { pointer } });
    }
  });
  job.status = 'complete';
  job.completedAt = stamp;
  job.expiresAt = new Date(now.getTime() + ttlMs).toISOString();
}
