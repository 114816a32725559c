// The cache of rendered reads in process: an answer is reused only for the same account, base and URL while the
// store's version is unchanged and before its `until`; one rendered while the version moved is not kept; a store
// without a version (PostgreSQL) renders every time.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { ReadCache } from '../src/http/read-cache.ts';
import type { Store } from '../src/store/store.ts';

function setup(versioned = true, maxBytes = 1024 * 1024) {
  const state = { version: 1, now: 1_000, renders: 0 };
  const store = { readVersion: versioned ? () => String(state.version) : undefined } as unknown as Store;
  const cache = new ReadCache(store, { now: () => new Date(state.now) }, maxBytes);
  const request = (url: string, account = 'a') => ({ account, url, server: { publicUrl: 'http://h' } }) as unknown as FastifyRequest;
  const read = async (url: string, options: { account?: string; until?: number; during?: () => void } = {}) => {
    const body = await cache.answer(request(url, options.account), async () => {
      state.renders++;
      options.during?.();
      return { document: { n: state.renders }, until: options.until };
    });
    return JSON.parse(body.toString()).n as number;
  };
  return { state, read };
}

it('reuses an answer while the version holds, for the same account and URL only', async () => {
  const { state, read } = setup();
  assert.equal(await read('/x'), 1);
  assert.equal(await read('/x'), 1);
  assert.equal(await read('/x?page[size]=5'), 2, 'another URL');
  assert.equal(await read('/x', { account: 'b' }), 3, 'another account');
  state.version++;
  assert.equal(await read('/x'), 4, 'the store changed');
  assert.equal(await read('/x'), 4);
});

it('does not keep an answer rendered while the version moved', async () => {
  const { state, read } = setup();
  assert.equal(await read('/x', { during: () => state.version++ }), 1);
  assert.equal(await read('/x'), 2);
  assert.equal(await read('/x'), 2);
});

it('stops reusing an answer at its until, by the injected clock', async () => {
  const { state, read } = setup();
  assert.equal(await read('/job', { until: 2_000 }), 1);
  state.now = 1_999;
  assert.equal(await read('/job', { until: 2_000 }), 1);
  state.now = 2_000;
  assert.equal(await read('/job', { until: 2_000 }), 2);
});

it('renders every time for a store that has no version, or when it is off (CATALOG_READ_CACHE_MB=0)', async () => {
  for (const { read } of [setup(false), setup(true, 0)]) {
    assert.equal(await read('/x'), 1);
    assert.equal(await read('/x'), 2);
  }
});
