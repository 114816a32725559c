// Request and response JSON Schemas, derived from the resource tables in catalog/resources.ts.
// Request schemas are compiled once by Fastify's Ajv; response schemas are what the tests hold every
// response body to.
import type { Ajv } from 'ajv';
import { MAX_ID_BYTES } from '../catalog/ids.js';
import { LIMITS, responseAttributeNames, updatableAttributeNames, type AttributeDef, type ResourceDef } from '../catalog/resources.js';

type Schema = Record<string, unknown>;

/** What `maxBytes` reports: the limit, as `maxLength` reports its own. */
interface MaxBytesError {
  keyword: 'maxBytes';
  message: string;
  params: { limit: number };
}

/**
 * Ajv keyword `maxBytes`: at most this many bytes of UTF-8 (`maxLength` counts characters, and a character may
 * take four bytes). Registered on Fastify's Ajv (server.ts) for every request schema, and on the fixture import's (fixtures/import.ts).
 */
export function maxBytesKeyword(ajv: Ajv): Ajv {
  const validate = (limit: number, data: string): boolean => {
    if (Buffer.byteLength(data) <= limit) return true;
    const error: MaxBytesError = { keyword: 'maxBytes', message: `must NOT have more than ${limit} bytes`, params: { limit } };
    validate.errors = [error];
    return false;
  };
  validate.errors = [] as MaxBytesError[];
  return ajv.addKeyword({ keyword: 'maxBytes', type: 'string', schemaType: 'number', errors: true, validate });
}

/** A compound id in a request: bounded in bytes like the external id inside it. */
export const idSchema: Schema = { type: 'string', maxBytes: MAX_ID_BYTES };

function attributeSchema(attr: AttributeDef, nullable: boolean): Schema {
  const string: Schema = { type: 'string', ...(attr.maxLength && { maxLength: attr.maxLength }), ...(attr.maxBytes && { maxBytes: attr.maxBytes }) };
  const base: Schema = attr.type === 'string[]'
    ? { type: 'array', items: string, ...(attr.maxItems ? { maxItems: attr.maxItems } : {}) }
    : attr.type === 'string' ? { ...string } : { type: attr.type === 'object' ? 'object' : attr.type };
  if (nullable) base.type = [base.type, 'null'];
  if (attr.enum) base.enum = nullable ? [...attr.enum, null] : [...attr.enum];
  if (attr.nonEmpty) base.minLength = 1;
  return base;
}

/** A closed object schema: only the properties listed. */
export const object = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object', properties, required, additionalProperties: false,
});

const identifier = (type: string): Schema => object({ type: { type: 'string', enum: [type] }, id: idSchema }, ['type', 'id']);
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
  const props: Schema = { type: { type: 'string', enum: [def.type] }, id: idSchema, attributes: object(properties) };
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

// ---- the fixture document (fixtures/format.ts), for the fixture import control, the CLI and CATALOG_SEED ----

/** ISO 8601 with a time and an offset; fixtures/import.ts also checks that it names a real instant. */
const ISO_TIME: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$' };

/** One entry: the attributes a resource stores, flat, with its categories (items) or its item (variants) by external id. */
function fixtureEntry(def: ResourceDef): Schema {
  const properties: Schema = {};
  const required: string[] = [];
  for (const [name, attr] of Object.entries(def.attributes)) {
    if (attr.createOnly) continue;
    properties[name] = attributeSchema(attr, !!attr.nullable);
    if (attr.required) required.push(name);
  }
  const externalId = { type: 'string', minLength: 1, maxBytes: LIMITS.idBytes };
  if (def.kind === 'item') properties.categories = { type: 'array', maxItems: LIMITS.related, items: externalId };
  if (def.kind === 'variant') {
    properties.item = externalId;
    required.push('item');
  }
  properties.created = ISO_TIME;
  properties.updated = ISO_TIME;
  return object(properties, required);
}

/** `{ data: { type: 'catalog-fixture', attributes: { categories?, items?, variants? } } }`. */
export function fixtureDocument(defs: { categories: ResourceDef; items: ResourceDef; variants: ResourceDef }): Schema {
  const lists: Schema = {};
  for (const [list, def] of Object.entries(defs)) lists[list] = { type: 'array', items: fixtureEntry(def) };
  return document(object({ type: { type: 'string', enum: ['catalog-fixture'] }, id: { type: 'string' }, attributes: object(lists) }, ['type', 'attributes']));
}

// ---- response schemas (what every response body must match) ----

const uri = { type: 'string', format: 'uri' };
const relationshipLinks = object({ self: uri, related: uri }, ['self', 'related']);
const objectLinks = { type: 'object', required: ['self'], properties: { self: uri } };

/** A timestamp as Klaviyo writes it: UTC, six fractional digits, `+00:00` (2026-09-04T13:39:27.218277+00:00). */
export const KLAVIYO_TIME: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+00:00$' };

/** Top-level links of a list or a relationship-id read: next and prev always there, null at the ends. */
export const listLinksSchema: Schema = object({ self: uri, next: { type: ['string', 'null'], format: 'uri' }, prev: { type: ['string', 'null'], format: 'uri' } }, ['self', 'next', 'prev']);

/** Top-level links of a single-resource document. */
export const documentLinksSchema: Schema = object({ self: uri }, ['self']);

export function resourceResponseObject(def: ResourceDef): Schema {
  const attributes: Schema = {};
  for (const name of responseAttributeNames(def)) {
    if (name === 'created' || name === 'updated') attributes[name] = KLAVIYO_TIME;
    else attributes[name] = attributeSchema(def.attributes[name], def.attributes[name].empty === undefined);
  }
  const ident = (type: string) => object({ type: { enum: [type] }, id: { type: 'string' } }, ['type', 'id']);
  // data appears on an item's variants or a category's items only with `include`; a variant's item never has it.
  const relationship = def.kind === 'item'
    ? { variants: object({ data: { type: 'array', items: ident('catalog-variant') }, links: relationshipLinks }, ['links']) }
    : def.kind === 'category'
      ? { items: object({ data: { type: 'array', items: ident('catalog-item') }, links: relationshipLinks }, ['links']) }
      : { item: object({ links: relationshipLinks }, ['links']) };
  return object({
    type: { enum: [def.type] },
    id: { type: 'string' },
    attributes: object(attributes),
    relationships: object(relationship, Object.keys(relationship)),
    links: objectLinks,
  }, ['type', 'id', 'attributes', 'relationships', 'links']);
}

/** One resource of a job that failed: Klaviyo names the resource in `meta.id`. */
const jobError = object({
  id: { type: 'string' }, code: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' },
  source: object({ pointer: { type: 'string' } }, ['pointer']),
  meta: object({ id: { type: 'string' } }, ['id']),
}, ['id', 'code', 'title', 'detail', 'source', 'meta']);

export const JOB_ATTRIBUTE_NAMES = ['status', 'created_at', 'total_count', 'completed_count', 'failed_count', 'completed_at', 'errors', 'expires_at'];

/** A job as rendered: attributes may be limited by a sparse fieldset; the changed resources are listed by id only. */
export function jobResponseObject(jobType: string, relName: string, relType: string): Schema {
  return object({
    type: { enum: [jobType] },
    id: { type: 'string' },
    attributes: object({
      status: { enum: ['cancelled', 'complete', 'processing'] },
      created_at: KLAVIYO_TIME,
      total_count: { type: 'integer' },
      completed_count: { type: 'integer' },
      failed_count: { type: 'integer' },
      completed_at: { anyOf: [KLAVIYO_TIME, { type: 'null' }] },
      errors: { type: 'array', items: jobError },
      expires_at: KLAVIYO_TIME,
    }),
    relationships: object({ [relName]: toMany(relType) }, [relName]),
    links: objectLinks,
  }, ['type', 'id', 'attributes', 'links']);
}

/** Every error object: `status` an integer as in the HTTP status line; 429s add `links.type` and `meta`. */
export const errorDocument: Schema = object({
  errors: {
    type: 'array',
    minItems: 1,
    items: object({
      id: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      code: { type: 'string' },
      title: { type: 'string' },
      detail: { type: 'string' },
      source: { type: 'object', properties: { pointer: { type: 'string' }, parameter: { type: 'string' } }, minProperties: 1, maxProperties: 1 },
      links: object({ type: uri }, ['type']),
      meta: {},
    }, ['id', 'status', 'code', 'title', 'detail']),
  },
}, ['errors']);
