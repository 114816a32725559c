// Items, variants and categories: create, get, update, delete and list, one set of handlers driven by the
// resource tables. Each handler: parse the query, run the domain change in one store transaction, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createResource, deleteResource, refsOf, updateResource, type Outcome, type ResourceInput } from '../../catalog/changes.js';
import { externalIdOf } from '../../catalog/ids.js';
import { CATEGORY, ITEM, LIMITS, VARIANT, responseAttributeNames, type ResourceDef } from '../../catalog/resources.js';
import { ApiError, conflict, notFound } from '../../http/errors.js';
import { baseUrl, listLinks, requestLink, send } from '../../http/jsonapi.js';
import { operation } from '../../http/operations.js';
import { parseQuery, type FilterOperator, type ParsedQuery, type QuerySpec } from '../../http/query.js';
import type { Filter, ResourceRow } from '../../catalog/model.js';
import type { Store } from '../../store/store.js';
import { createResourceObject, document, updateResourceObject } from '../schemas.js';
import { renderResource } from './serialize.js';

const PLURAL: Record<string, string> = { item: 'items', variant: 'variants', category: 'categories' };

/** Filters each list allows, as the spec lists them. */
export const LIST_FILTERS: Record<string, Record<string, FilterOperator>> = {
  item: { ids: 'any', 'category.id': 'equals', title: 'contains', published: 'equals' },
  variant: { ids: 'any', 'item.id': 'equals', sku: 'equals', title: 'contains', published: 'equals' },
  category: { ids: 'any', 'item.id': 'equals', name: 'contains' },
};

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
  if (externalId === undefined) throw notFound(`There is no ${def.type} with id '${id}'; ids look like $custom:::$default:::{external_id}.`);
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

function registerResource(app: FastifyInstance, store: Store, def: ResourceDef): void {
  const one = def.kind;
  const many = PLURAL[def.kind];
  const collection = `/api/${def.path}`;
  const member = `/api/${def.path}/:id`;
  const writeSpec: QuerySpec = { fields: fieldsOf(def) };
  const readSpec = querySpec(def, false);
  const listSpec = querySpec(def, true);
  type IdParams = { Params: { id: string } };

  /** A document of one resource; its links.self is the request's URL (after a create, the collection's). */
  async function single(request: FastifyRequest, row: ResourceRow, query: ParsedQuery) {
    if (def.kind === 'item') {
      const { data, included } = await renderItems(request, store, [row], query);
      return { data: data[0], ...(included ? { included } : {}), links: { self: requestLink(request) } };
    }
    return { data: renderResource(baseUrl(request), def, row, { fields: query.fields.get(def.type) }), links: { self: requestLink(request) } };
  }

  app.post<{ Body: { data: ResourceInput } }>(collection, {
    config: { operation: operation(`create_catalog_${one}`) },
    schema: { body: document(createResourceObject(def)) },
  }, async (request, reply) => {
    const query = parseQuery(request, writeSpec);
    const input = request.body.data;
    const outcome = await store.transact(request.account, refsOf(def, input, 'create'), (state) =>
      createResource(state, def, input, new Date().toISOString()));
    raise(outcome);
    return send(reply, 201, await single(request, outcome.row!, query));
  });

  app.get<IdParams>(member, { config: { operation: operation(`get_catalog_${one}`) } }, async (request, reply) => {
    const query = parseQuery(request, readSpec);
    const externalId = requireExternalId(def, request.params.id);
    const row = await store.getResource(request.account, def.kind, externalId);
    if (!row) throw notFound(`There is no ${def.type} with id '${request.params.id}'.`);
    return send(reply, 200, await single(request, row, query));
  });

  app.patch<IdParams & { Body: { data: ResourceInput } }>(member, {
    config: { operation: operation(`update_catalog_${one}`) },
    schema: { body: document(updateResourceObject(def)) },
  }, async (request, reply) => {
    const query = parseQuery(request, writeSpec);
    requireExternalId(def, request.params.id);
    const input = request.body.data;
    if (input.id !== request.params.id) throw conflict(`data.id '${input.id}' does not match the id in the URL.`, { pointer: '/data/id' });
    const outcome = await store.transact(request.account, refsOf(def, input, 'update'), (state) =>
      updateResource(state, def, input, new Date().toISOString()));
    if (!outcome.ok && outcome.failure.pointer === '/data/id') throw notFound(outcome.failure.detail);
    raise(outcome);
    return send(reply, 200, await single(request, outcome.row!, query));
  });

  app.delete<IdParams>(member, { config: { operation: operation(`delete_catalog_${one}`) } }, async (request, reply) => {
    parseQuery(request, {});
    requireExternalId(def, request.params.id);
    const input: ResourceInput = { type: def.type, id: request.params.id };
    const outcome = await store.transact(request.account, refsOf(def, input, 'delete'), (state) => deleteResource(state, def, input));
    if (!outcome.ok) throw notFound(outcome.failure.detail);
    return reply.code(204).send();
  });

  app.get(collection, { config: { operation: operation(`get_catalog_${many}`) } }, async (request, reply) => {
    return send(reply, 200, await listDocument(request, store, def, parseQuery(request, listSpec), []));
  });
}

export function registerResources(app: FastifyInstance, store: Store): void {
  for (const def of [ITEM, VARIANT, CATEGORY]) registerResource(app, store, def);
}

