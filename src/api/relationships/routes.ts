// Relationships: an item's variants and categories, a category's items, as related resources
// (GET .../{name}) or as identifiers (GET/POST/PATCH/DELETE .../relationships/{name}).
import type { FastifyInstance } from 'fastify';
import { changeLinks, type LinkChange } from '../../catalog/changes.js';
import { compoundId, externalIdOf, ID_FORM } from '../../catalog/ids.js';
import { CATEGORY, ITEM, LIMITS, VARIANT, type ResourceDef } from '../../catalog/resources.js';
import { invalid, notFound } from '../../http/errors.js';
import { listLinks, send } from '../../http/jsonapi.js';
import { operation } from '../../http/operations.js';
import { parseQuery } from '../../http/query.js';
import type { ReadCache } from '../../http/read-cache.js';
import type { Filter } from '../../catalog/model.js';
import type { Store } from '../../store/store.js';
import { idSchema } from '../schemas.js';
import { LIST_FILTERS, listDocument, querySpec, raise, requireExternalId } from '../shared.js';

interface Relationship {
  owner: ResourceDef;
  name: 'variants' | 'categories' | 'items';
  target: ResourceDef;
  /** The filter that keeps the target resources related to the owner. */
  scope: (ownerId: string) => Filter;
  operations: { related: string; ids: string; add?: string; replace?: string; remove?: string };
  /** Status of a successful replace (PATCH): Klaviyo's live API answers 200 with no body where the spec says 204. */
  replaced?: 200;
}

const RELATIONSHIPS: Relationship[] = [
  {
    owner: ITEM, name: 'variants', target: VARIANT,
    scope: (id) => ({ field: 'item.id', equals: id }),
    operations: { related: 'get_variants_for_catalog_item', ids: 'get_variant_ids_for_catalog_item' },
  },
  {
    owner: ITEM, name: 'categories', target: CATEGORY,
    scope: (id) => ({ field: 'item.id', equals: id }),
    operations: {
      related: 'get_categories_for_catalog_item', ids: 'get_category_ids_for_catalog_item',
      add: 'add_categories_to_catalog_item', replace: 'update_categories_for_catalog_item', remove: 'remove_categories_from_catalog_item',
    },
    replaced: 200,
  },
  {
    owner: CATEGORY, name: 'items', target: ITEM,
    scope: (id) => ({ field: 'category.id', equals: id }),
    operations: {
      related: 'get_items_for_catalog_category', ids: 'get_item_ids_for_catalog_category',
      add: 'add_items_to_catalog_category', replace: 'update_items_for_catalog_category', remove: 'remove_items_from_catalog_category',
    },
  },
];

/** Body of relationship changes: {"data": [{"type": ..., "id": ...}, ...]} */
const linkageSchema = (type: string) => ({
  type: 'object',
  required: ['data'],
  additionalProperties: false,
  properties: {
    data: {
      type: 'array',
      maxItems: LIMITS.related,
      items: { type: 'object', required: ['type', 'id'], additionalProperties: false, properties: { type: { type: 'string', enum: [type] }, id: idSchema } },
    },
  },
});

function register(app: FastifyInstance, store: Store, reads: ReadCache, rel: Relationship): void {
  const base = `/api/${rel.owner.path}/:id`;
  const relatedSpec = querySpec(rel.target, true);
  const idsSpec = { filter: LIST_FILTERS[rel.target.kind], page: { pageSize: true }, sort: true };
  type Params = { Params: { id: string } };

  async function ownerId(account: string, id: string): Promise<string> {
    const externalId = requireExternalId(rel.owner, id);
    if (!(await store.getResource(account, rel.owner.kind, externalId))) throw notFound(`There is no ${rel.owner.type} with id '${id}'.`);
    return externalId;
  }

  app.get<Params>(`${base}/${rel.name}`, { config: { operation: operation(rel.operations.related), query: relatedSpec } }, async (request, reply) => {
    return send(reply, 200, await reads.answer(request, async () => {
      const query = parseQuery(request);
      const id = await ownerId(request.account, request.params.id);
      return { document: await listDocument(request, store, rel.target, query, [rel.scope(id)]) };
    }));
  });

  app.get<Params>(`${base}/relationships/${rel.name}`, { config: { operation: operation(rel.operations.ids), query: idsSpec } }, async (request, reply) => {
    return send(reply, 200, await reads.answer(request, async () => {
      const query = parseQuery(request);
      const id = await ownerId(request.account, request.params.id);
      const page = await store.listResources(request.account, rel.target.kind, [rel.scope(id), ...query.filters], query.page);
      const data = page.rows.map((row) => ({ type: rel.target.type, id: compoundId(row.externalId) }));
      return { document: { data, links: listLinks(request, page) } };
    }));
  });

  const changes: ['post' | 'patch' | 'delete', LinkChange, string | undefined][] = [
    ['post', 'add', rel.operations.add],
    ['patch', 'replace', rel.operations.replace],
    ['delete', 'remove', rel.operations.remove],
  ];
  for (const [method, change, op] of changes) {
    if (!op) continue;
    app[method]<Params & { Body: { data: { id: string }[] } }>(`${base}/relationships/${rel.name}`, {
      config: { operation: operation(op) },
      schema: { body: linkageSchema(rel.target.type) },
    }, async (request, reply) => {
      parseQuery(request);
      const id = requireExternalId(rel.owner, request.params.id);
      const others = request.body.data.map((d, i) => {
        const externalId = externalIdOf(d.id);
        if (externalId === undefined) throw invalid(`'${d.id}' is not a valid id; ${ID_FORM}.`, { pointer: `/data/${i}/id` });
        return externalId;
      });
      const refs = [{ kind: rel.owner.kind, externalId: id }, ...others.map((externalId) => ({ kind: rel.target.kind, externalId }))];
      const outcome = await store.transact(request.account, refs, (state) => changeLinks(state, rel.owner, id, others, change));
      raise(outcome);
      return reply.code(change === 'replace' ? (rel.replaced ?? 204) : 204).send();
    });
  }
}

export function registerRelationships(app: FastifyInstance, store: Store, reads: ReadCache): void {
  for (const rel of RELATIONSHIPS) register(app, store, reads, rel);
}
