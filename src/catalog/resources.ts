// The catalog's three resource types, described once. Request schemas, response schemas, sparse fieldset names
// and the storage columns are all derived from these tables.

export type ResourceKind = 'item' | 'variant' | 'category';

export type AttributeType = 'string' | 'number' | 'integer' | 'boolean' | 'string[]' | 'object';

export interface AttributeDef {
  type: AttributeType;
  /** Must be present (and not null) on create. */
  required?: boolean;
  /** May be given as null on create (on update every attribute may be null, as the API allows). */
  nullable?: boolean;
  /** Applied on create when the attribute is absent. */
  default?: unknown;
  enum?: readonly unknown[];
  /** Accepted on create, never stored or returned (integration_type, catalog_type). */
  createOnly?: boolean;
  /** Cannot be changed after create. */
  immutable?: boolean;
  /** Must not be the empty string (an id made of it could not be addressed). */
  nonEmpty?: boolean;
  /** What the attribute reads as while it has no value, where Klaviyo answers that rather than null. */
  empty?: unknown;
}

export interface ResourceDef {
  kind: ResourceKind;
  /** JSON:API type */
  type: string;
  /** URL segment under /api/ */
  path: string;
  /** Attributes in the order responses list them; created/updated are added by the server. */
  attributes: Record<string, AttributeDef>;
  /** Server-set timestamps this type returns. */
  timestamps: readonly ('created' | 'updated')[];
}

const integration: AttributeDef = { type: 'string', nullable: true, enum: ['$custom'], default: '$custom', createOnly: true };
const catalog: AttributeDef = { type: 'string', nullable: true, enum: ['$default'], default: '$default', createOnly: true };
const optionalString: AttributeDef = { type: 'string', nullable: true };
const externalId: AttributeDef = { type: 'string', required: true, immutable: true, nonEmpty: true };
const imageAttributes = {
  image_full_url: { ...optionalString, empty: '' },
  image_thumbnail_url: { ...optionalString, empty: '' },
  images: { type: 'string[]', nullable: true, empty: [] },
  custom_metadata: { type: 'object', nullable: true },
} satisfies Record<string, AttributeDef>;

export const ITEM: ResourceDef = {
  kind: 'item',
  type: 'catalog-item',
  path: 'catalog-items',
  attributes: {
    external_id: externalId,
    integration_type: integration,
    catalog_type: catalog,
    title: { type: 'string', required: true },
    description: { type: 'string', required: true },
    price: { type: 'number', nullable: true },
    url: { type: 'string', required: true },
    ...imageAttributes,
    published: { type: 'boolean', nullable: true, default: true },
  },
  timestamps: ['created', 'updated'],
};

export const VARIANT: ResourceDef = {
  kind: 'variant',
  type: 'catalog-variant',
  path: 'catalog-variants',
  attributes: {
    external_id: externalId,
    integration_type: integration,
    catalog_type: catalog,
    title: { type: 'string', required: true },
    description: { type: 'string', required: true },
    sku: { type: 'string', required: true },
    inventory_policy: { type: 'integer', nullable: true, enum: [0, 1, 2], default: 0 },
    inventory_quantity: { type: 'number', required: true },
    price: { type: 'number', required: true },
    url: { type: 'string', required: true },
    ...imageAttributes,
    published: { type: 'boolean', nullable: true, default: true },
  },
  timestamps: ['created', 'updated'],
};

export const CATEGORY: ResourceDef = {
  kind: 'category',
  type: 'catalog-category',
  path: 'catalog-categories',
  attributes: {
    external_id: externalId,
    integration_type: integration,
    catalog_type: catalog,
    name: { type: 'string', required: true },
  },
  timestamps: ['updated'],
};

export const RESOURCES: Record<ResourceKind, ResourceDef> = { item: ITEM, variant: VARIANT, category: CATEGORY };

/** Attributes a resource returns, in order (the names `fields[type]` accepts, with `id`). */
export function responseAttributeNames(def: ResourceDef): string[] {
  const stored = Object.entries(def.attributes).filter(([, a]) => !a.createOnly).map(([name]) => name);
  return [...stored, ...def.timestamps];
}

/** Attributes an update may set. */
export function updatableAttributeNames(def: ResourceDef): string[] {
  return Object.entries(def.attributes).filter(([, a]) => !a.createOnly && !a.immutable).map(([name]) => name);
}

export const CUSTOM_METADATA_MAX_BYTES = 100 * 1024;
