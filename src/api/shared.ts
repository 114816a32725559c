// What the route modules share: turning domain outcomes into HTTP errors, resolving ids in paths, the query
// each resource accepts, and rendering lists (with included variants). Route modules import from here, not
// from one another.
import type { FastifyRequest } from 'fastify';
import type { Outcome } from '../catalog/changes.js';
import { externalIdOf, ID_FORM } from '../catalog/ids.js';
import type { Filter, ResourceRow } from '../catalog/model.js';
import { ITEM, LIMITS, VARIANT, responseAttributeNames, type ResourceDef } from '../catalog/resources.js';
import { ApiError, notFound } from '../http/errors.js';
import { baseUrl, listLinks } from '../http/jsonapi.js';
import type { ParsedQuery, QuerySpec } from '../http/query.js';
import { LIST_FILTERS } from '../catalog/filters.js';
import type { Store } from '../store/store.js';
import { renderResource } from './resources/serialize.js';

export { LIST_FILTERS };

export const fieldsOf = (def: ResourceDef) => ({ [def.type]: ['id', ...responseAttributeNames(def)] });

/** Turns a failed domain outcome into the HTTP error a client sees. */
export function raise(outcome: Outcome): asserts outcome is Extract<Outcome, { ok: true }> {
  if (!outcome.ok) {
    const f = outcome.failure;
    throw new ApiError(f.status, f.code, f.detail, { pointer: f.pointer });
  }
}

export function requireExternalId(def: ResourceDef, id: string): string {
  const externalId = externalIdOf(id);
  if (externalId === undefined) throw notFound(`There is no ${def.type} with id '${id}'; ${ID_FORM}.`);
  return externalId;
}

/**
 * The first variants of an item, for `include=variants`: one bounded read per item, so a page of items costs at
 * most page size x LIMITS.includedVariantsPerItem rows however many variants the items have.
 */
async function variantsOf(store: Store, account: string, itemId: string): Promise<ResourceRow[]> {
  const page = await store.listResources(account, 'variant', [{ field: 'item.id', equals: itemId }], { size: LIMITS.includedVariantsPerItem, descending: false });
  return page.rows;
}

/** Renders items with their variants when `include=variants` asked for them. */
export async function renderItems(request: FastifyRequest, store: Store, rows: ResourceRow[], query: ParsedQuery) {
  const base = baseUrl(request);
  const fields = query.fields.get(ITEM.type);
  if (!query.include.has('variants')) return { data: rows.map((row) => renderResource(base, ITEM, row, { fields })) };
  const included = new Map<string, unknown>();
  const variantFields = query.fields.get(VARIANT.type);
  const data = [];
  for (const row of rows) {
    const variants = await variantsOf(store, request.account, row.externalId);
    const ids = variants.map((v) => {
      const rendered = renderResource(base, VARIANT, v, { fields: variantFields });
      included.set(rendered.id, rendered);
      return { type: VARIANT.type, id: rendered.id };
    });
    data.push(renderResource(base, ITEM, row, { fields, relatedIds: { variants: ids } }));
  }
  return { data, included: [...included.values()] };
}

/** A page of `def` resources matching the query's filters and `scope` (e.g. the items of one category). */
export async function listDocument(request: FastifyRequest, store: Store, def: ResourceDef, query: ParsedQuery, scope: Filter[]) {
  const page = await store.listResources(request.account, def.kind, [...scope, ...query.filters], query.page);
  const body = def.kind === 'item'
    ? await renderItems(request, store, page.rows, query)
    : { data: page.rows.map((row) => renderResource(baseUrl(request), def, row, { fields: query.fields.get(def.type) })) };
  return { ...body, links: listLinks(request, page) };
}

export function querySpec(def: ResourceDef, list: boolean): QuerySpec {
  const spec: QuerySpec = { fields: fieldsOf(def) };
  if (def.kind === 'item') {
    spec.fields = { ...fieldsOf(ITEM), ...fieldsOf(VARIANT) };
    spec.include = ['variants'];
  }
  if (list) Object.assign(spec, { filter: LIST_FILTERS[def.kind], page: { pageSize: true }, sort: true });
  return spec;
}

