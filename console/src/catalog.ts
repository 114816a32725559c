// The catalog's resource types as the console shows them, derived from the server's own tables (bundled at
// build): their paths, the filters each list allows and the relationships a detail view follows.
import { CATEGORY, ITEM, VARIANT, type ResourceDef } from '../../src/catalog/resources.js';
import { LIST_FILTERS } from '../../src/catalog/filters.js';
import { compoundId, externalIdOf } from '../../src/catalog/ids.js';

export type CatalogRoute = 'items' | 'variants' | 'categories';

export interface Related {
  /** The relationship endpoint's last segment (GET /api/<path>/{id}/<name>). */
  name: CatalogRoute;
  /** The list filter that shows the same resources (#/<name>?<param>=<id>). */
  param: 'item' | 'category';
}

export interface CatalogView {
  route: CatalogRoute;
  def: ResourceDef;
  label: string;
  /** Attributes shown as table columns in the list. */
  columns: string[];
  related: Related[];
}

export const CATALOG_VIEWS: Record<CatalogRoute, CatalogView> = {
  items: { route: 'items', def: ITEM, label: 'Items', columns: ['title', 'price', 'published', 'updated'], related: [{ name: 'variants', param: 'item' }, { name: 'categories', param: 'item' }] },
  variants: { route: 'variants', def: VARIANT, label: 'Variants', columns: ['title', 'sku', 'price', 'inventory_quantity', 'published', 'updated'], related: [] },
  categories: { route: 'categories', def: CATEGORY, label: 'Categories', columns: ['name', 'updated'], related: [{ name: 'items', param: 'category' }] },
};

export const viewOfType = (type: string) => Object.values(CATALOG_VIEWS).find((v) => v.def.type === type);

export interface FilterField {
  /** The spec's filter field (title, item.id, ...). */
  field: string;
  operator: string;
  /** The form's and the route's parameter name. */
  param: string;
  label: string;
}

const LABELS: Record<string, string> = {
  ids: 'Ids (comma-separated)',
  'item.id': 'Item id',
  'category.id': 'Category id',
  title: 'Title contains',
  name: 'Name contains',
  sku: 'SKU is',
  published: 'Published',
};

export function filterFields(view: CatalogView): FilterField[] {
  return Object.entries(LIST_FILTERS[view.def.kind]).map(([field, operator]) => ({
    field, operator, param: field.replace(/\.id$/, ''), label: LABELS[field] ?? field,
  }));
}

/** A string in Klaviyo's filter grammar: double quotes, with `"` and `\` escaped. */
export const quote = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;

/** A full id from what a user typed: a compound id as it is, an external id made compound. */
export const asCompoundId = (s: string) => (externalIdOf(s) === undefined ? compoundId(s) : s);

/** The `filter` parameter for the values of a list's form (undefined when none is set). */
export function filterExpression(view: CatalogView, values: Record<string, string | undefined>): string | undefined {
  const terms: string[] = [];
  for (const f of filterFields(view)) {
    const value = values[f.param]?.trim();
    if (!value) continue;
    if (f.field === 'ids') {
      const ids = value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => quote(asCompoundId(s)));
      terms.push(`any(ids,[${ids.join(',')}])`);
    } else if (f.field === 'published') terms.push(`equals(published,${value === 'true'})`);
    else if (f.field.endsWith('.id')) terms.push(`equals(${f.field},${quote(asCompoundId(value))})`);
    else terms.push(`${f.operator}(${f.field},${quote(value)})`);
  }
  return terms.length ? terms.join(',') : undefined;
}

export { externalIdOf };
