// Items, variants and categories: create, get, update, delete and list, one set of handlers driven by the
// resource tables. Each handler: parse the query, run the domain change in one store transaction, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createResource, deleteResource, refsOf, updateResource, type ResourceInput } from '../../catalog/changes.js';
import { CATEGORY, ITEM, VARIANT, type ResourceDef } from '../../catalog/resources.js';
import { conflict, notFound } from '../../http/errors.js';
import { baseUrl, requestLink, send } from '../../http/jsonapi.js';
import { operation } from '../../http/operations.js';
import type { ReadCache } from '../../http/read-cache.js';
import { parseQuery, type ParsedQuery, type QuerySpec } from '../../http/query.js';
import type { ResourceRow } from '../../catalog/model.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../clock.js';
import { createResourceObject, document, updateResourceObject } from '../schemas.js';
import { fieldsOf, listDocument, querySpec, raise, renderItems, requireExternalId } from '../shared.js';
import { renderResource } from './serialize.js';

const PLURAL: Record<string, string> = { item: 'items', variant: 'variants', category: 'categories' };

function registerResource(app: FastifyInstance, store: Store, clock: Clock, reads: ReadCache, def: ResourceDef): void {
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
    config: { operation: operation(`create_catalog_${one}`), query: writeSpec },
    schema: { body: document(createResourceObject(def)) },
  }, async (request, reply) => {
    const query = parseQuery(request);
    const input = request.body.data;
    const outcome = await store.transact(request.account, refsOf(def, input, 'create'), (state) =>
      createResource(state, def, input, clock.now().toISOString()));
    raise(outcome);
    return send(reply, 201, await single(request, outcome.row!, query));
  });

  app.get<IdParams>(member, { config: { operation: operation(`get_catalog_${one}`), query: readSpec } }, async (request, reply) => {
    const query = parseQuery(request);
    const externalId = requireExternalId(def, request.params.id);
    const row = await store.getResource(request.account, def.kind, externalId);
    if (!row) throw notFound(`There is no ${def.type} with id '${request.params.id}'.`);
    return send(reply, 200, await single(request, row, query));
  });

  app.patch<IdParams & { Body: { data: ResourceInput } }>(member, {
    config: { operation: operation(`update_catalog_${one}`), query: writeSpec },
    schema: { body: document(updateResourceObject(def)) },
  }, async (request, reply) => {
    const query = parseQuery(request);
    requireExternalId(def, request.params.id);
    const input = request.body.data;
    if (input.id !== request.params.id) throw conflict(`data.id '${input.id}' does not match the id in the URL.`, { pointer: '/data/id' });
    const outcome = await store.transact(request.account, refsOf(def, input, 'update'), (state) =>
      updateResource(state, def, input, clock.now().toISOString()));
    if (!outcome.ok && outcome.failure.pointer === '/data/id') throw notFound(outcome.failure.detail);
    raise(outcome);
    return send(reply, 200, await single(request, outcome.row!, query));
  });

  app.delete<IdParams>(member, { config: { operation: operation(`delete_catalog_${one}`) } }, async (request, reply) => {
    parseQuery(request);
    requireExternalId(def, request.params.id);
    const input: ResourceInput = { type: def.type, id: request.params.id };
    const outcome = await store.transact(request.account, refsOf(def, input, 'delete'), (state) => deleteResource(state, def, input));
    if (!outcome.ok) throw notFound(outcome.failure.detail);
    return reply.code(204).send();
  });

  app.get(collection, { config: { operation: operation(`get_catalog_${many}`), query: listSpec } }, async (request, reply) => {
    return send(reply, 200, await reads.answer(request, async () => ({ document: await listDocument(request, store, def, parseQuery(request), []) })));
  });
}

export function registerResources(app: FastifyInstance, store: Store, clock: Clock, reads: ReadCache): void {
  for (const def of [ITEM, VARIANT, CATEGORY]) registerResource(app, store, clock, reads, def);
}

