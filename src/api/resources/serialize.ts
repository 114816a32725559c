// Renders items, variants and categories as JSON:API resource objects.
import { compoundId } from '../../catalog/ids.js';
import { responseAttributeNames, type ResourceDef } from '../../catalog/resources.js';
import { pathId } from '../../http/jsonapi.js';
import { klaviyoTime } from '../../http/timestamps.js';
import type { ResourceRow } from '../../catalog/model.js';

const ATTRIBUTE_NAMES = new Map<ResourceDef, string[]>();

function attributeNames(def: ResourceDef): string[] {
  let names = ATTRIBUTE_NAMES.get(def);
  if (!names) ATTRIBUTE_NAMES.set(def, (names = responseAttributeNames(def)));
  return names;
}

function selfLink(base: string, def: ResourceDef, externalId: string): string {
  return `${base}/api/${def.path}/${pathId(compoundId(externalId))}/`;
}

function relationship(self: string, name: string, data?: unknown) {
  const rel: Record<string, unknown> = {};
  if (data !== undefined) rel.data = data;
  rel.links = { self: `${self}relationships/${name}/`, related: `${self}${name}/` };
  return rel;
}

export interface RenderOptions {
  /** `fields[type]`: the attributes to keep; all when absent. */
  fields?: Set<string>;
  /** Relationship data to show (e.g. the variant ids of an item when variants are included). */
  relatedIds?: Record<string, { type: string; id: string }[]>;
}

export function renderResource(base: string, def: ResourceDef, row: ResourceRow, options: RenderOptions = {}) {
  const attributes: Record<string, unknown> = {};
  for (const name of attributeNames(def)) {
    if (options.fields && !options.fields.has(name)) continue;
    attributes[name] = name === 'created' ? klaviyoTime(row.created) : name === 'updated' ? klaviyoTime(row.updated) : (row.attributes[name] ?? def.attributes[name].empty ?? null);
  }
  const self = selfLink(base, def, row.externalId);
  let relationships: Record<string, unknown>;
  if (def.kind === 'item') relationships = { variants: relationship(self, 'variants', options.relatedIds?.variants) };
  // Klaviyo gives a variant's item as links only, with no data member.
  else if (def.kind === 'variant') relationships = { item: relationship(self, 'item') };
  else relationships = { items: relationship(self, 'items', options.relatedIds?.items) };
  return { type: def.type, id: compoundId(row.externalId), attributes, relationships, links: { self } };
}
