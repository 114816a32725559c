// The SQLite store's group commit, in process: changes asked for in the same turn share one transaction, and
// one that throws is undone alone while the others are kept (the group is run again, each change in a
// savepoint). The title index follows every kept create and none of the undone one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createResource } from '../src/catalog/changes.ts';
import { ITEM } from '../src/catalog/resources.ts';
import type { CatalogState } from '../src/catalog/state.ts';
import { SqliteStore } from '../src/store/sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-groups-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NOW = '2026-03-01T00:00:00.000Z';
const create = (state: CatalogState, externalId: string, title: string) =>
  createResource(state, ITEM, { type: ITEM.type, attributes: { external_id: externalId, title, description: 'd', url: 'https://example.com' } }, NOW);
const ref = (externalId: string) => [{ kind: 'item' as const, externalId }];
const titled = async (store: SqliteStore, needle: string) =>
  (await store.listResources('acct', 'item', [{ field: 'title', contains: needle }], { size: 100, descending: false })).rows.map((r) => r.externalId);

it('keeps the changes of a group around one that throws, and undoes that one alone', async () => {
  const store = new SqliteStore(join(dir, 'one.db'));
  try {
    // Asked in one turn: one group. The middle one inserts its item twice: the database refuses the second
    // insert, after the first one (and its title) was written.
    const results = await Promise.allSettled([
      store.transact('acct', ref('A'), (state) => create(state, 'A', 'Striped scarf')),
      store.transact('acct', ref('B'), (state) => {
        const made = create(state, 'B', 'Striped hat');
        if (made.ok) state.insert(made.row!);
      }),
      store.transact('acct', ref('C'), (state) => create(state, 'C', 'Striped socks')),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String(results[1].status === 'rejected' && results[1].reason), /UNIQUE constraint failed/, 'the change that threw hears its own error');
    assert.equal((await store.getResource('acct', 'item', 'A'))?.attributes.title, 'Striped scarf');
    assert.equal(await store.getResource('acct', 'item', 'B'), undefined, 'the change that threw left nothing');
    assert.equal((await store.getResource('acct', 'item', 'C'))?.attributes.title, 'Striped socks');
    assert.deepEqual(await titled(store, 'Striped'), ['A', 'C'], 'the title index holds the kept creates and not the undone one');

    // A group whose changes all succeed is kept whole, and its titles are found too.
    await Promise.all(['D', 'E', 'F'].map((id) => store.transact('acct', ref(id), (state) => create(state, id, `Woollen ${id}`))));
    assert.deepEqual(await titled(store, 'Woollen'), ['D', 'E', 'F']);
    assert.deepEqual(await titled(store, 'Striped'), ['A', 'C']);
  } finally {
    await store.close();
  }
});

it('answers a lone change that throws with its error and keeps nothing of it', async () => {
  const store = new SqliteStore(join(dir, 'two.db'));
  try {
    await assert.rejects(store.transact('acct', ref('X'), (state) => {
      create(state, 'X', 'Lonely lamp');
      throw new Error('no');
    }), /^Error: no$/);
    assert.equal(await store.getResource('acct', 'item', 'X'), undefined);
    assert.deepEqual(await titled(store, 'Lonely'), []);
  } finally {
    await store.close();
  }
});
