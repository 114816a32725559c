// The journal's pieces in process: the bounded ring (arrival order, eviction), the per-account body budget,
// the live listeners, the seeded draws of fault rules and the tail's reading of server-sent events.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { BODY_LIMIT, BodyBuffers, BodyCopy, heldBytes, keptText } from '../src/journal/bodies.ts';
import { markShared } from '../src/http/shared-bodies.ts';
import type { Capture } from '../src/journal/entry.ts';
import { FaultRules, latencyOf, parseRule } from '../src/journal/faults.ts';
import { BODY_BYTES_PER_ACCOUNT, Journal } from '../src/journal/journal.ts';
import { Ring } from '../src/journal/ring.ts';
import { formatEntry, parseEvent } from '../src/journal/tail.ts';

it('keeps the newest values of a ring, in order, however many were pushed', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer(), { maxLength: 60 }), (capacity, values) => {
    const ring = new Ring<number>(capacity);
    const evicted: number[] = [];
    for (const v of values) {
      const out = ring.push(v);
      if (out !== undefined) evicted.push(out);
    }
    const kept = values.slice(Math.max(0, values.length - capacity));
    assert.deepEqual([...ring.values('oldest')], kept);
    assert.deepEqual([...ring.values('newest')], [...kept].reverse());
    assert.deepEqual(evicted, values.slice(0, values.length - kept.length));
  }));
});

it('places a value pushed late among the others by its order, and evicts the first in that order', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 40 }), (capacity, values) => {
    const ring = new Ring<number>(capacity, (a, b) => a < b);
    for (const v of values) ring.push(v);
    const held = [...ring.values('oldest')];
    assert.deepEqual(held, [...held].sort((a, b) => a - b));
    assert.equal(held.length, Math.min(capacity, values.length));
  }));
  const ring = new Ring<number>(3, (a, b) => a < b);
  for (const v of [10, 30, 20, 40]) ring.push(v);
  assert.deepEqual([...ring.values('oldest')], [20, 30, 40]);
  assert.equal(ring.shift(), 20);
  assert.deepEqual([...ring.values('newest')], [40, 30]);
});

const capture = (n: number, bodyLength = 0, bodies = new BodyBuffers()): Capture => {
  const requestBody = bodies.keep('x'.repeat(bodyLength));
  return {
    id: `req-${n}`, time: n, arrival: n, method: 'GET', url: '/api/catalog-items', operation: 'get_catalog_items',
    requestHeaders: {}, requestBody, status: 200, responseHeaders: {}, responseBody: undefined,
    lost: undefined, durationMs: 1, fault: undefined, bytes: heldBytes(requestBody),
  };
};

it('keeps fewer entries of an account whose bodies pass the byte budget, and never mixes accounts', () => {
  const journal = new Journal(1000);
  const big = BODY_LIMIT;
  const fit = Math.floor(BODY_BYTES_PER_ACCOUNT / big);
  for (let n = 0; n < fit + 10; n++) journal.append('a', capture(n, big, journal.bodies));
  journal.append('b', capture(0));
  const held = [...journal.entries('a', 'oldest')];
  assert.equal(held.length, fit);
  assert.equal(held[0].id, `req-${10}`, 'the oldest went first');
  assert.deepEqual([...journal.entries('b', 'newest')].map((c) => c.id), ['req-0']);
  journal.clear('a');
  assert.deepEqual([...journal.entries('a', 'newest')], []);
  assert.equal([...journal.entries('b', 'newest')].length, 1);
});

it('keeps small bodies as they are, and copies of large ones, cut past the limit at a whole character, in buffers it reuses', () => {
  const bodies = new BodyBuffers();
  const bytes = Buffer.from('{"data":[]}');
  assert.equal(bodies.keep(bytes), bytes, 'by reference');
  assert.equal(bodies.keep('{}'), '{}');
  assert.equal(bodies.keep(''), undefined);
  assert.equal(bodies.keep(undefined), undefined);
  const long = bodies.keep('é'.repeat(BODY_LIMIT)) as BodyCopy; // two bytes each
  assert.ok(long instanceof BodyCopy);
  assert.equal(long.truncated, true);
  assert.equal(keptText(long), 'é'.repeat(BODY_LIMIT / 2));
  const exact = bodies.keep(Buffer.alloc(BODY_LIMIT, 'a')) as BodyCopy;
  assert.deepEqual([exact.length, exact.truncated], [BODY_LIMIT, false]);
  bodies.release(long);
  const reused = bodies.keep('z'.repeat(BODY_LIMIT - 5)) as BodyCopy;
  assert.equal(reused.buffer, long.buffer, 'a buffer given back is used again');
  assert.equal(keptText(reused), 'z'.repeat(BODY_LIMIT - 5));
});

it('keeps a cached answer by reference, unless it is past the limit', () => {
  const bodies = new BodyBuffers();
  const cached = markShared(Buffer.alloc(8_000, 'c'));
  assert.equal(bodies.keep(cached), cached, 'the cache\'s own buffer');
  assert.ok(bodies.keep(Buffer.alloc(8_000, 'c')) instanceof BodyCopy, 'a fresh answer of the same size is copied');
  const huge = bodies.keep(markShared(Buffer.alloc(BODY_LIMIT + 1, 'h'))) as BodyCopy;
  assert.deepEqual([huge instanceof BodyCopy, huge.length, huge.truncated], [true, BODY_LIMIT, true]);
});

it('tells each listener of its own account, until it stops listening', () => {
  const journal = new Journal(10);
  const heard: string[] = [];
  const stop = journal.subscribe('a', (c) => heard.push(c.id));
  journal.append('a', capture(1));
  journal.append('b', capture(2));
  stop();
  journal.append('a', capture(3));
  assert.deepEqual(heard, ['req-1']);
});

it('draws the same fires and latencies from the same seed', () => {
  const draws = (seed: number) => {
    const rules = new FaultRules();
    const rule = parseRule({ action: { type: 'latency', min_ms: 10, max_ms: 20 }, probability: 0.3, seed }, new Date());
    rules.add('a', rule);
    return Array.from({ length: 50 }, () => (rules.fire('a', 'get_catalog_items', 'GET', () => '/api/catalog-items') ? latencyOf(rule) : null));
  };
  assert.deepEqual(draws(99), draws(99));
  assert.notDeepEqual(draws(99), draws(100));
  const fired = draws(99).filter((d) => d !== null);
  assert.ok(fired.length > 5 && fired.length < 30, `${fired.length} of 50 at 0.3`);
  assert.ok(fired.every((ms) => ms! >= 10 && ms! <= 20));
});

it('reads server-sent events and writes one line per entry', () => {
  assert.deepEqual(parseEvent(': keep-alive'), undefined);
  assert.deepEqual(parseEvent('event: entry\ndata: {"a":1}'), { event: 'entry', data: '{"a":1}' });
  const line = formatEntry({
    id: 'req-1',
    attributes: {
      time: '2026-04-15T12:00:01.250Z', method: 'POST', path: '/api/catalog-items', query: { 'page[size]': '5' }, operation: 'create_catalog_item',
      duration_ms: 3.14159, fault: { id: 'R1', when: 'after', action: { type: 'status', status: 503 } }, response: { status: null },
    },
  });
  assert.equal(line, '12:00:01.250  POST   /api/catalog-items?page[size]=5  ---     3.1 ms  create_catalog_item  req-1  [fault R1 after 503]');
});
