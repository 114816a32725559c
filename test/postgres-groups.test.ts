// Round trips shared on PostgreSQL. Group commit (src/store/account-groups.ts): changes of one account that
// wait behind a transaction in flight are made together in the next, each deciding on what the ones before it
// left, and each answered as if it had had its own transaction. Batched reads (src/store/turn-batches.ts): the
// GETs asked in one turn share a query, each answered with its own row. The store is driven directly, so
// what shares a round trip is known: a change made while another runs waits for it; reads asked without
// awaiting go together.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createResource, updateResource } from '../src/catalog/changes.ts';
import { ITEM } from '../src/catalog/resources.ts';
import type { CatalogState } from '../src/catalog/state.ts';
import { openStore } from '../src/store/open.ts';
import { UnstorableValueError } from '../src/store/errors.ts';
import type { Store } from '../src/store/store.ts';
import { withPostgres } from './support/targets.ts';

const NOW = '2026-11-24T12:00:00.000Z';
const attributes = (externalId: string, title = 'T') => ({ external_id: externalId, title, description: 'D', url: 'https://shop.example/' });
const ref = (externalId: string) => [{ kind: 'item' as const, externalId }];

await withPostgres('postgres group commit', (target) => {
  let store: Store;
  before(async () => {
    store = await openStore(await target.freshDatabaseUrl());
  });
  after(() => store.close());

  const create = (account: string, externalId: string) =>
    store.transact(account, ref(externalId), (state) => createResource(state, ITEM, { type: ITEM.type, attributes: attributes(externalId) }, NOW));
  const titleOf = async (account: string, externalId: string) => (await store.getResource(account, 'item', externalId))?.attributes.title;

  it('makes changes that arrive together one after the other, each on what the ones before it left', async () => {
    const first = create('acct-a', 'FIRST'); // in flight while the rest arrive
    const creates = Array.from({ length: 10 }, (_, i) => create('acct-a', `G-${i}`));
    const duplicate = create('acct-a', 'G-3');
    const update = store.transact('acct-a', ref('G-5'), (state) =>
      updateResource(state, ITEM, { type: ITEM.type, id: '$custom:::$default:::G-5', attributes: { title: 'changed' } }, NOW));
    const throwing = assert.rejects(store.transact('acct-a', ref('THROWS'), (state: CatalogState) => {
      createResource(state, ITEM, { type: ITEM.type, attributes: attributes('THROWS') }, NOW);
      throw new Error('decided badly');
    }), /decided badly/);
    const otherAccount = create('acct-b', 'G-3');
    const last = create('acct-a', 'LAST');

    assert.equal((await first).ok, true);
    for (const outcome of await Promise.all(creates)) assert.equal(outcome.ok, true);
    const dup = await duplicate;
    assert.equal(dup.ok, false, 'the second create of G-3 sees the first');
    assert.equal(!dup.ok && dup.failure.status, 409);
    assert.equal((await update).ok, true, 'the update of G-5 sees it created earlier in its group');
    await throwing;
    assert.equal((await otherAccount).ok, true, 'another account has its own groups');
    assert.equal((await last).ok, true, 'a change after the one that threw is made');

    assert.equal(await titleOf('acct-a', 'G-5'), 'changed');
    assert.equal(await titleOf('acct-a', 'G-9'), 'T');
    assert.equal(await titleOf('acct-a', 'LAST'), 'T');
    assert.equal(await titleOf('acct-a', 'THROWS'), undefined, 'what the throwing change wrote was undone alone');
    assert.equal(await titleOf('acct-b', 'G-3'), 'T');
  });

  it('makes each change of a group alone when the group cannot be written, so one bad change fails alone', async () => {
    const first = create('acct-c', 'FIRST');
    const good = ['H-1', 'H-2', 'H-3'].map((id) => create('acct-c', id));
    const unstorable = assert.rejects(create('acct-c', 'H\u0000NUL'), UnstorableValueError);
    const after = create('acct-c', 'H-4');

    assert.equal((await first).ok, true);
    for (const outcome of await Promise.all([...good, after])) assert.equal(outcome.ok, true);
    await unstorable;
    for (const id of ['H-1', 'H-2', 'H-3', 'H-4']) assert.equal(await titleOf('acct-c', id), 'T', id);
  });

  it('answers reads asked together each with its own row, whatever the others ask', async () => {
    for (const id of ['R-1', 'R-2', 'R-\uFFFD']) assert.equal((await create('acct-d', id)).ok, true);
    assert.equal((await create('acct-e', 'R-1')).ok, true);
    await store.transact('acct-e', ref('R-1'), (state) =>
      updateResource(state, ITEM, { type: ITEM.type, id: '$custom:::$default:::R-1', attributes: { title: 'in e' } }, NOW));

    const asked = [
      store.getResource('acct-d', 'item', 'R-2'),
      store.getResource('acct-d', 'item', 'MISSING'),
      store.getResource('acct-e', 'item', 'R-1'),
      store.getResource('acct-d', 'variant', 'R-1'),
      store.getResource('acct-d', 'item', 'R-1'),
      store.getResource('acct-d', 'item', 'R-\u0000'),
      store.getResource('acct-d', 'item', 'R-\uD800'), // a lone surrogate finds what it was stored as
      store.getResource('acct-d', 'item', 'R-2'),
    ];
    const found = (await Promise.all(asked)).map((row) => row && `${row.kind} ${row.externalId} ${row.attributes.title}`);
    assert.deepEqual(found, ['item R-2 T', undefined, 'item R-1 in e', undefined, 'item R-1 T', undefined, 'item R-\uFFFD T', 'item R-2 T']);
  });
});
