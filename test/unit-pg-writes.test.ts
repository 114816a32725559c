// How the PostgreSQL adapter groups a change's writes into statements (pg-writes.ts), without a database.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ResourceRow } from '../src/catalog/model.ts';
import type { Write } from '../src/catalog/state.ts';
import { INSERT_RESOURCES, UPDATE_RESOURCES, writeSteps } from '../src/store/pg-writes.ts';

const row = (externalId: string, title = 'T'): ResourceRow =>
  ({ kind: 'item', externalId, parent: null, attributes: { title }, created: 'c', updated: 'u' });
const insert = (id: string): Write => ({ op: 'insert', row: row(id) });
const update = (id: string, title = 'new'): Write => ({ op: 'update', row: row(id, title), before: row(id) });

it('puts a run of inserts, or of updates, in one statement, in order, and expects every updated row', () => {
  const steps = writeSteps('acc', [insert('A'), insert('B'), update('C'), update('D'), { op: 'link', item: 'A', category: 'K' }, insert('E')]);
  assert.deepEqual(steps.map((s) => s.sql), [INSERT_RESOURCES, UPDATE_RESOURCES, steps[2].sql, INSERT_RESOURCES]);
  assert.deepEqual(steps[0].params.slice(0, 3), ['acc', ['item', 'item'], ['A', 'B']]);
  assert.equal(steps[0].rows, undefined);
  assert.deepEqual(steps[1].params[1], ['C', 'D']);
  assert.equal(steps[1].params.at(-1), 'acc');
  assert.equal(steps[1].rows, 2, 'a row deleted meanwhile shows as a short count');
  assert.equal(steps[2].rows, undefined, 'a link changes no loaded row');
});

it('starts a new statement when a row comes again, so each of its writes applies in turn', () => {
  const steps = writeSteps('acc', [update('A', 'one'), update('B'), update('A', 'two')]);
  assert.equal(steps.length, 2);
  assert.deepEqual(steps.map((s) => s.params[1]), [['A', 'B'], ['A']]);
  assert.deepEqual(steps[1].params[3], ['two']);
});

it('expects a delete to find its row', () => {
  const steps = writeSteps('acc', [{ op: 'delete', kind: 'item', externalId: 'A' }]);
  assert.deepEqual(steps.map((s) => s.rows), [1, undefined, undefined]);
});
