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
  /** Most characters a string (or each string of a string[]) may have. */
  maxLength?: number;
  /** Most entries a string[] may have. */
  maxItems?: number;
  /** Most bytes (UTF-8) a string may have, where what is stored is indexed (ids, SKUs). */
  maxBytes?: number;
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

/**
 * Bounds on what one request may carry, far above what a real catalog needs, so that no single request can
 * make the server hold, store or index unbounded data (the README's "Limits" section lists them).
 */
export const LIMITS = {
  /** title, name */
  shortText: 1_000,
  /** description */
  longText: 100_000,
  /** url, image_full_url, image_thumbnail_url and each of images */
  url: 4_096,
  /** entries of images */
  images: 100,
  /** resources named in one relationship array (categories of an item, items of a category) */
  related: 100,
  /** variants rendered per item for include=variants (the rest through /catalog-items/{id}/variants) */
  includedVariantsPerItem: 100,
  /**
   * Bytes (UTF-8) of an external id or a SKU, on every store. Both are indexed, and PostgreSQL refuses an index
   * entry over 2,704 bytes: a category link indexes an item id and a category id together with the account, and
   * random text does not compress, so two ids of 1,000 bytes leave room for the account and the entry's overhead.
   */
  idBytes: 1_000,
  /**
   * Rows one list request reads at most for a contains(...) needle of 1 or 2 characters, which no trigram index
   * can serve: a fraction of a millisecond of checking (the page may then hold fewer matches; links.next goes on).
   */
  shortNeedleScan: 2_000,
} as const;

const integration: AttributeDef = { type: 'string', nullable: true, enum: ['$custom'], default: '$custom', createOnly: true };
const catalog: AttributeDef = { type: 'string', nullable: true, enum: ['$default'], default: '$default', createOnly: true };
const optionalUrl: AttributeDef = { type: 'string', nullable: true, maxLength: LIMITS.url };
const shortText: AttributeDef = { type: 'string', required: true, maxLength: LIMITS.shortText };
const longText: AttributeDef = { type: 'string', required: true, maxLength: LIMITS.longText };
const url: AttributeDef = { type: 'string', required: true, maxLength: LIMITS.url };
const externalId: AttributeDef = { type: 'string', required: true, immutable: true, nonEmpty: true, maxBytes: LIMITS.idBytes };
const imageAttributes = {
  image_full_url: { ...optionalUrl, empty: '' },
  image_thumbnail_url: { ...optionalUrl, empty: '' },
  images: { type: 'string[]', nullable: true, maxLength: LIMITS.url, maxItems: LIMITS.images, empty: [] },
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
    title: shortText,
    description: longText,
    price: { type: 'number', nullable: true },
    url,
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
    title: shortText,
    description: longText,
    sku: { type: 'string', required: true, maxBytes: LIMITS.idBytes },
    inventory_policy: { type: 'integer', nullable: true, enum: [0, 1, 2], default: 0 },
    inventory_quantity: { type: 'number', required: true },
    price: { type: 'number', required: true },
    url,
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
    name: shortText,
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
