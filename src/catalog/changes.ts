// The domain rules for creating, updating and deleting catalog resources, free of HTTP and SQL.
// Single-resource routes and the bulk job runner both go through these functions, so a resource behaves
// the same whichever way it was written. Input has already passed the request schema.
import { compoundId, externalIdOf, ID_FORM } from './ids.js';
import { CUSTOM_METADATA_MAX_BYTES, RESOURCES, type ResourceDef, type ResourceKind } from './resources.js';
import type { CatalogState } from './state.js';
import type { ResourceRef, ResourceRow } from './model.js';

/** A resource object as it arrives in a request body (validated by schema). */
export interface ResourceInput {
  type: string;
  id?: string;
  attributes?: Record<string, unknown>;
  relationships?: Record<string, { data: { type: string; id: string } | { type: string; id: string }[] }>;
}

export interface Failure {
  status: number;
  code: 'not_found' | 'conflict' | 'invalid';
  detail: string;
  pointer: string;
}

export type Outcome = { ok: true; row: ResourceRow | undefined } | { ok: false; failure: Failure };

const fail = (status: number, code: Failure['code'], detail: string, pointer: string): Outcome => ({
  ok: false,
  failure: { status, code, detail, pointer },
});

/** The related resources a relationship names, by the kind they must be. */
const RELATIONSHIP_KIND: Record<string, ResourceKind> = { categories: 'category', items: 'item', item: 'item' };

function relationshipIds(input: ResourceInput, name: string): string[] | undefined {
  const rel = input.relationships?.[name];
  if (!rel) return undefined;
  const data = Array.isArray(rel.data) ? rel.data : [rel.data];
  return data.map((d) => externalIdOf(d.id) ?? '');
}

/** Everything `create`/`update`/`remove` will look at, so the store can load it first. */
export function refsOf(def: ResourceDef, input: ResourceInput, action: 'create' | 'update' | 'delete'): ResourceRef[] {
  const own = action === 'create' ? (input.attributes?.external_id as string) : externalIdOf(input.id);
  const refs: ResourceRef[] = own === undefined ? [] : [{ kind: def.kind, externalId: own }];
  for (const name of Object.keys(input.relationships ?? {})) {
    for (const externalId of relationshipIds(input, name) ?? []) refs.push({ kind: RELATIONSHIP_KIND[name], externalId });
  }
  return refs;
}

/**
 * Rules the schema cannot express: related ids well formed, custom_metadata flat and small. Bulk job requests
 * check every resource with it before they are accepted; the changes below check again.
 */
export function checkInput(input: ResourceInput, base: string): Outcome | undefined {
  const metadata = input.attributes?.custom_metadata;
  if (metadata !== undefined && metadata !== null) {
    for (const [name, value] of Object.entries(metadata)) {
      const nested = typeof value === 'object' && value !== null && (!Array.isArray(value) || value.some((v) => typeof v === 'object' && v !== null));
      if (nested) return fail(400, 'invalid', `custom_metadata must be a flat object; '${name}' holds a nested object.`, `${base}/attributes/custom_metadata/${name}`);
    }
    if (Buffer.byteLength(JSON.stringify(metadata)) > CUSTOM_METADATA_MAX_BYTES) {
      return fail(400, 'invalid', 'custom_metadata must not exceed 100 KB.', `${base}/attributes/custom_metadata`);
    }
  }
  for (const name of Object.keys(input.relationships ?? {})) {
    const ids = relationshipIds(input, name) ?? [];
    const bad = ids.findIndex((id) => id === '');
    if (bad >= 0) {
      const at = Array.isArray(input.relationships![name].data) ? `/data/${bad}` : '/data';
      return fail(400, 'invalid', `The related id is not valid; ${ID_FORM}.`, `${base}/relationships/${name}${at}/id`);
    }
  }
  return undefined;
}

/** Fails unless every resource a relationship names exists. */
function checkRelated(state: CatalogState, input: ResourceInput, base: string): Outcome | undefined {
  for (const name of Object.keys(input.relationships ?? {})) {
    const kind = RELATIONSHIP_KIND[name];
    const ids = relationshipIds(input, name)!;
    const missing = ids.findIndex((id) => !state.get(kind, id));
    if (missing >= 0) {
      const at = Array.isArray(input.relationships![name].data) ? `/data/${missing}` : '/data';
      return fail(404, 'not_found', `The ${RESOURCES[kind].type} with id '${compoundId(ids[missing])}' does not exist.`, `${base}/relationships/${name}${at}/id`);
    }
  }
  return undefined;
}

/** Replaces the links a relationship names (items <-> categories); `item` on variants is the parent, not a link. */
function setLinks(state: CatalogState, def: ResourceDef, externalId: string, input: ResourceInput, replace: boolean): void {
  const name = def.kind === 'item' ? 'categories' : def.kind === 'category' ? 'items' : undefined;
  const ids = name ? relationshipIds(input, name) : undefined;
  if (!ids) return;
  if (replace) state.unlinkAll(def.kind === 'item' ? 'item' : 'category', externalId);
  for (const other of new Set(ids)) {
    if (def.kind === 'item') state.link(externalId, other);
    else state.link(other, externalId);
  }
}

/** `created` differs from `now` only when a fixture restores a resource with its own timestamps. */
export function createResource(state: CatalogState, def: ResourceDef, input: ResourceInput, now: string, base = '/data', created = now): Outcome {
  const problem = checkInput(input, base);
  if (problem) return problem;
  const given = input.attributes ?? {};
  const externalId = given.external_id as string;
  if (state.get(def.kind, externalId)) {
    return fail(409, 'conflict', `A ${def.type} with id '${compoundId(externalId)}' already exists.`, `${base}/attributes/external_id`);
  }
  const missingRelated = checkRelated(state, input, base);
  if (missingRelated) return missingRelated;
  const attributes: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(def.attributes)) {
    if (attr.createOnly) continue;
    const value = given[name] ?? attr.default;
    attributes[name] = value === undefined ? null : value;
  }
  const parent = def.kind === 'variant' ? relationshipIds(input, 'item')![0] : null;
  const row: ResourceRow = { kind: def.kind, externalId, attributes, parent, created, updated: now };
  state.insert(row);
  setLinks(state, def, externalId, input, false);
  return { ok: true, row };
}

export function updateResource(state: CatalogState, def: ResourceDef, input: ResourceInput, now: string, base = '/data'): Outcome {
  const problem = checkInput(input, base);
  if (problem) return problem;
  const externalId = externalIdOf(input.id)!;
  const current = state.get(def.kind, externalId);
  if (!current) return fail(404, 'not_found', `The ${def.type} with id '${input.id}' does not exist.`, `${base}/id`);
  const missingRelated = checkRelated(state, input, base);
  if (missingRelated) return missingRelated;
  const row: ResourceRow = { ...current, attributes: { ...current.attributes, ...input.attributes }, updated: now };
  state.update(row);
  setLinks(state, def, externalId, input, true);
  return { ok: true, row };
}

export function deleteResource(state: CatalogState, def: ResourceDef, input: ResourceInput, base = '/data'): Outcome {
  const externalId = externalIdOf(input.id)!;
  if (!state.get(def.kind, externalId)) {
    return fail(404, 'not_found', `The ${def.type} with id '${input.id}' does not exist.`, `${base}/id`);
  }
  state.delete(def.kind, externalId);
  return { ok: true, row: undefined };
}

export type LinkChange = 'add' | 'replace' | 'remove';

/**
 * Adds, replaces or removes links between one item and categories (or one category and items). The owner
 * and, except when removing, every resource linked to must exist.
 */
export function changeLinks(state: CatalogState, owner: ResourceDef, ownerId: string, otherIds: string[], change: LinkChange): Outcome {
  if (!state.get(owner.kind, ownerId)) {
    return fail(404, 'not_found', `The ${owner.type} with id '${compoundId(ownerId)}' does not exist.`, '/data/');
  }
  const otherKind: ResourceKind = owner.kind === 'item' ? 'category' : 'item';
  if (change !== 'remove') {
    const missing = otherIds.findIndex((id) => !state.get(otherKind, id));
    if (missing >= 0) {
      return fail(404, 'not_found', `The ${RESOURCES[otherKind].type} with id '${compoundId(otherIds[missing])}' does not exist.`, `/data/${missing}/id`);
    }
  }
  const side = owner.kind === 'item' ? 'item' : 'category';
  if (change === 'replace') state.unlinkAll(side, ownerId);
  for (const other of new Set(otherIds)) {
    const [item, category] = side === 'item' ? [ownerId, other] : [other, ownerId];
    if (change === 'remove') state.unlink(item, category);
    else state.link(item, category);
  }
  return { ok: true, row: undefined };
}
