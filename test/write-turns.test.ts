// The write lock the request thread and the job engine's thread share (src/store/write-turns.ts), with a real
// worker thread as the engine: while the engine holds it, the request thread's writes wait without blocking
// its event loop; when the engine gives it back, the waiting request thread writes before the engine goes on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createResource } from '../src/catalog/changes.ts';
import { ITEM } from '../src/catalog/resources.ts';
import { startWorker } from '../src/jobs/thread.ts';
import { SqliteStore } from '../src/store/sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'write-turns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('makes a write of the request thread wait, without blocking it, while the engine thread holds the lock', async () => {
  const path = join(dir, 'catalog.db');
  const store = new SqliteStore(path);
  const control = new SharedArrayBuffer(4);
  const engine = startWorker(new URL('./support/turns-engine.ts', import.meta.url), { workerData: { turns: store.engineThread()!.writeTurns, control, path } });
  try {
    await once(engine, 'message'); // the engine holds the lock
    let created = false;
    const write = store.transact('acct', [{ kind: 'item', externalId: 'A' }], (state) =>
      createResource(state, ITEM, { type: ITEM.type, attributes: { external_id: 'A', title: 'Scarf', description: 'd', url: 'https://example.com' } }, '2026-03-01T00:00:00.000Z'),
    ).then((outcome) => (created = outcome.ok));

    // The event loop goes on while the write waits: timers fire, reads are answered, the write has not happened.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    assert.equal(created, false, 'the write waited for the lock');
    assert.equal(await store.getResource('acct', 'item', 'A'), undefined);

    const report = once(engine, 'message');
    const release = new Int32Array(control);
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
    await write;
    assert.equal(created, true);
    assert.equal((await store.getResource('acct', 'item', 'A'))?.attributes.title, 'Scarf');
    assert.deepEqual((await report)[0], { writtenBeforeEngineWentOn: true }, 'the engine let the waiting write go first');
  } finally {
    await engine.terminate();
    await store.close();
  }
});
