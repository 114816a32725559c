// Request and response JSON Schemas, derived from the resource tables in catalog/resources.ts.
// Request schemas are compiled once by Fastify's Ajv; response schemas are what the tests hold every
// response body to.
import { LIMITS, responseAttributeNames, updatableAttributeNames, type AttributeDef, type ResourceDef } from '../catalog/resources.js';

type Schema = Record<string, unknown>;

function attributeSchema(attr: AttributeDef, nullable: boolean): Schema {
  const string: Schema = attr.maxLength ? { type: 'string', maxLength: attr.maxLength } : { type: 'string' };
  const base: Schema = attr.type === 'string[]'
    ? { type: 'array', items: string, ...(attr.maxItems ? { maxItems: attr.maxItems } : {}) }
    : attr.type === 'string' ? { ...string } : { type: attr.type === 'object' ? 'object' : attr.type };
  if (nullable) base.type = [base.type, 'null'];
  if (attr.enum) base.enum = nullable ? [...attr.enum, null] : [...attr.enum];
  if (attr.nonEmpty) base.minLength = 1;
  return base;
}

const object = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object', properties, required, additionalProperties: false,
});

const identifier = (type: string): Schema => object({ type: { type: 'string', enum: [type] }, id: { type: 'string' } }, ['type', 'id']);
const toMany = (type: string): Schema => object({ data: { type: 'array', maxItems: LIMITS.related, items: identifier(type) } }, ['data']);
const toOne = (type: string): Schema => object({ data: identifier(type) }, ['data']);

/** The relationships a request may set, per resource kind. */
function requestRelationships(def: ResourceDef, action: 'create' | 'update'): { schema: Schema; required: string[] } | undefined {
  if (def.kind === 'item') return { schema: object({ categories: toMany('catalog-category') }), required: [] };
  if (def.kind === 'category') return { schema: object({ items: toMany('catalog-item') }), required: [] };
  if (action === 'create') return { schema: object({ item: toOne('catalog-item') }, ['item']), required: ['relationships'] };
  return undefined;
}

/** A resource object as a create request (or a bulk create job) carries it. */
export function createResourceObject(def: ResourceDef): Schema {
  const properties: Schema = {};
  const required: string[] = [];
  for (const [name, attr] of Object.entries(def.attributes)) {
    properties[name] = attributeSchema(attr, !!attr.nullable);
    if (attr.required) required.push(name);
  }
  const rel = requestRelationships(def, 'create');
  const props: Schema = { type: { type: 'string', enum: [def.type] }, attributes: object(properties, required) };
  if (rel) props.relationships = rel.schema;
  return object(props, ['type', 'attributes', ...(rel?.required ?? [])]);
}

/** A resource object as an update request (or a bulk update job) carries it: every attribute optional. */
export function updateResourceObject(def: ResourceDef): Schema {
  const properties: Schema = {};
  for (const name of updatableAttributeNames(def)) properties[name] = attributeSchema(def.attributes[name], true);
  const rel = requestRelationships(def, 'update');
  const props: Schema = { type: { type: 'string', enum: [def.type] }, id: { type: 'string' }, attributes: object(properties) };
  if (rel) props.relationships = rel.schema;
  return object(props, ['type', 'id', 'attributes']);
}

export function deleteResourceObject(def: ResourceDef): Schema {
  return identifier(def.type);
}

export const document = (data: Schema): Schema => object({ data }, ['data']);

/** A bulk job request: `data.attributes.{items|variants|categories}.data` holds 1 to 100 resource objects. */
export function jobDocument(jobType: string, listName: string, resourceObject: Schema): Schema {
  return document(
    object({
      type: { type: 'string', enum: [jobType] },
      attributes: object({ [listName]: object({ data: { type: 'array', minItems: 1, maxItems: 100, items: resourceObject } }, ['data']) }, [listName]),
    }, ['type', 'attributes']),
  );
}

// ---- response schemas (what every response body must match) ----

const uri = { type: 'string', format: 'uri' };
const relationshipLinks = { type: 'object', required: ['self', 'related'], properties: { self: uri, related: uri } };
const objectLinks = { type: 'object', required: ['self'], properties: { self: uri } };

export function resourceResponseObject(def: ResourceDef): Schema {
  const attributes: Schema = {};
  for (const name of responseAttributeNames(def)) {
    attributes[name] = name === 'created' || name === 'updated'
      ? { type: ['string', 'null'], format: 'date-time' }
      : attributeSchema(def.attributes[name], true);
  }
  const relName = def.kind === 'item' ? 'variants' : def.kind === 'variant' ? 'item' : 'items';
  const relType = def.kind === 'item' ? 'catalog-variant' : 'catalog-item';
  const ident = { type: 'object', required: ['type', 'id'], properties: { type: { enum: [relType] }, id: { type: 'string' } } };
  return {
    type: 'object',
    required: ['type', 'id', 'attributes', 'links'],
    properties: {
      type: { enum: [def.type] },
      id: { type: 'string' },
      attributes: { type: 'object', properties: attributes, additionalProperties: false },
      relationships: {
        type: 'object',
        properties: { [relName]: { type: 'object', properties: { data: def.kind === 'variant' ? ident : { type: 'array', items: ident }, links: relationshipLinks } } },
      },
      links: objectLinks,
    },
  };
}

const jobError = {
  type: 'object',
  required: ['id', 'code', 'title', 'detail', 'source'],
  properties: { id: { type: 'string' }, code: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' }, source: { type: 'object', properties: { pointer: { type: ['string', 'null'] } } } },
};

export const JOB_ATTRIBUTE_NAMES = ['status', 'created_at', 'total_count', 'completed_count', 'failed_count', 'completed_at', 'errors', 'expires_at'];

export function jobResponseObject(jobType: string, relName: string, relType: string): Schema {
  const dateTime = { type: ['string', 'null'], format: 'date-time' };
  return {
    type: 'object',
    required: ['type', 'id', 'attributes', 'links'],
    properties: {
      type: { enum: [jobType] },
      id: { type: 'string' },
      attributes: {
        type: 'object',
        additionalProperties: false,
        properties: {
          status: { enum: ['cancelled', 'complete', 'processing', 'queued'] },
          created_at: { type: 'string', format: 'date-time' },
          total_count: { type: 'integer' },
          completed_count: { type: ['integer', 'null'] },
          failed_count: { type: ['integer', 'null'] },
          completed_at: dateTime,
          errors: { type: ['array', 'null'], items: jobError },
          expires_at: dateTime,
        },
      },
      relationships: {
        type: 'object',
        properties: {
          [relName]: {
            type: 'object',
            properties: {
              data: { type: 'array', items: { type: 'object', required: ['type', 'id'], properties: { type: { enum: [relType] }, id: { type: 'string' } } } },
              links: relationshipLinks,
            },
          },
        },
      },
      links: objectLinks,
    },
  };
}

export const errorDocument: Schema = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'code', 'title', 'detail'],
        properties: {
          id: { type: 'string' }, code: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' },
          source: { type: 'object', properties: { pointer: { type: 'string' }, parameter: { type: 'string' } } },
        },
      },
    },
  },
};
