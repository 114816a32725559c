// CatalogState in process: the snapshot a change decides on and the writes it records.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createResource } from '../src/catalog/changes.ts';
import type { ResourceRow } from '../src/catalog/model.ts';
import { ITEM } from '../src/catalog/resources.ts';
import { CatalogState, indexedColumns } from '../src/catalog/state.ts';

const row = (kind: ResourceRow['kind'], externalId: string, parent: string | null = null, attributes: Record<string, unknown> = {}): ResourceRow =>
  ({ kind, externalId, parent, attributes, created: '2026-01-01T00:00:00.000Z', updated: '2026-01-01T00:00:00.000Z' });

it('answers for loaded resources, present or absent, and refuses to guess about others', () => {
  const state = new CatalogState([{ kind: 'item', externalId: 'A' }, { kind: 'item', externalId: 'MISSING' }], [row('item', 'A')]);
  assert.equal(state.get('item', 'A')?.externalId, 'A');
  assert.equal(state.get('item', 'MISSING'), undefined);
  assert.throws(() => state.get('item', 'NOT-LOADED'), /was not loaded/);
  assert.throws(() => state.get('category', 'A'), /was not loaded/, 'the kind is part of the identity');
});

it('records writes in order and reads its own writes', () => {
  const state = new CatalogState([{ kind: 'item', externalId: 'A' }, { kind: 'variant', externalId: 'V' }, { kind: 'variant', externalId: 'W' }],
    [row('item', 'A'), row('variant', 'V', 'A'), row('variant', 'W', 'OTHER')]);
  state.link('A', 'C');
  state.delete('item', 'A');
  assert.equal(state.get('item', 'A'), undefined);
  assert.equal(state.get('variant', 'V'), undefined, 'deleting an item deletes its variants');
  assert.equal(state.get('variant', 'W')?.externalId, 'W', 'another item\'s variant stays');
  state.insert(row('item', 'A', null, { title: 'again' }));
  assert.equal(state.get('item', 'A')?.attributes.title, 'again');
  assert.deepEqual(state.writes.map((w) => w.op), ['link', 'delete', 'insert']);
});

it('creates through the domain: a conflict writes nothing, a new item is one insert', () => {
  const input = { type: 'catalog-item', attributes: { external_id: 'N', title: 'T', description: 'D', url: 'u' } };
  const taken = new CatalogState([{ kind: 'item', externalId: 'N' }], [row('item', 'N')]);
  const conflict = createResource(taken, ITEM, input, '2026-01-02T00:00:00.000Z');
  assert.equal(conflict.ok, false);
  assert.equal(!conflict.ok && conflict.failure.status, 409);
  assert.deepEqual(taken.writes, []);
  const fresh = new CatalogState([{ kind: 'item', externalId: 'N' }], []);
  const created = createResource(fresh, ITEM, input, '2026-01-02T00:00:00.000Z');
  assert.equal(created.ok, true);
  assert.deepEqual(fresh.writes.map((w) => w.op), ['insert']);
  assert.equal(fresh.get('item', 'N')?.attributes.published, true, 'defaults applied');
});

it('derives the indexed columns: a category\'s name is its title, published as 0/1/null', () => {
  assert.deepEqual(indexedColumns(row('category', 'C', null, { name: 'Sale' })), { title: 'Sale', sku: null, published: null });
  assert.deepEqual(indexedColumns(row('variant', 'V', 'A', { title: 'T', sku: 'S', published: false })), { title: 'T', sku: 'S', published: 0 });
});
