// The filters each catalog list allows, as the spec lists them: the field and the one operator it takes.
// Pure data, so that the console's bundle offers exactly these fields in its filter forms.

export type FilterOperator = 'any' | 'equals' | 'contains';

export const LIST_FILTERS: Record<'item' | 'variant' | 'category', Record<string, FilterOperator>> = {
  item: { ids: 'any', 'category.id': 'equals', title: 'contains', published: 'equals' },
  variant: { ids: 'any', 'item.id': 'equals', sku: 'equals', title: 'contains', published: 'equals' },
  category: { ids: 'any', 'item.id': 'equals', name: 'contains' },
};
