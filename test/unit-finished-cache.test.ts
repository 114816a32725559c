// The cache of finished jobs in process: bounded in bytes (least recently read dropped first, an entry larger than
// the bound never kept), keyed by the parsed fieldset, and nothing served past a job's expiry.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FINISHED_JOBS_MAX_BYTES, FinishedJobCache, documentOf } from '../src/api/jobs/finished-cache.ts';

const key = (id: string, fields?: string[], account = 'a', base = 'http://h') =>
  FinishedJobCache.key({ account, base, type: 'catalog-item-bulk-update-job', id, fields: fields && new Set(fields) });
const FAR = Date.parse('2100-01-01');

it('holds at most its bound in bytes, dropping the least recently read first', () => {
  const bound = 100_000;
  const cache = new FinishedJobCache(bound);
  const body = Buffer.alloc(9_000, 'x');
  for (let i = 0; i < 10; i++) cache.set(key(`J${i}`), body, FAR);
  assert.ok(cache.get(key('J0'), 0), 'J0 read: now the most recent');
  for (let i = 10; i < 50; i++) {
    cache.set(key(`J${i}`), body, FAR);
    assert.ok(cache.bytes <= bound, `${cache.bytes} bytes after ${i + 1} jobs`);
  }
  assert.equal(cache.get(key('J1'), 0), undefined, 'the oldest unread went first');
  assert.ok(cache.get(key('J49'), 0));
  assert.ok(cache.bytes > bound - 10_000, 'full to within one entry: only as many as needed were dropped');

  // A document larger than the whole bound is not kept, and does not push the others out.
  const before = cache.bytes;
  cache.set(key('HUGE'), Buffer.alloc(bound + 1), FAR);
  assert.equal(cache.get(key('HUGE'), 0), undefined);
  assert.equal(cache.bytes, before);
  assert.ok(FINISHED_JOBS_MAX_BYTES >= 1024 * 1024, 'the default keeps jobs with large error lists');
});

it('keys entries by the parsed fieldset, and by account, host and job', () => {
  assert.equal(key('J', ['status', 'errors']), key('J', ['errors', 'status']));
  assert.equal(key('J', ['errors', 'status']), key('J', [...new Set(['errors', 'errors', 'status'])]));
  const distinct = [key('J'), key('J', []), key('J', ['status']), key('K'), key('J', undefined, 'b'), key('J', undefined, 'a', 'http://other')];
  assert.equal(new Set(distinct).size, distinct.length);
  // Names that could run together in a joined key stay apart.
  assert.notEqual(key('J', undefined, 'a\n'), key('\nJ', undefined, 'a'));
});

it('serves nothing past the job\'s expiry, and renders each document with the request\'s own link', () => {
  const cache = new FinishedJobCache();
  const data = Buffer.from('{"type":"t","id":"J"}');
  cache.set(key('J'), data, 1_000);
  assert.equal(cache.get(key('J'), 999), data);
  assert.equal(cache.get(key('J'), 1_000), undefined);
  assert.equal(cache.bytes, 0, 'an expired entry is dropped when it is found');
  assert.deepEqual(JSON.parse(documentOf(data, 'http://h/x?a=1').toString()), { data: { type: 't', id: 'J' }, links: { self: 'http://h/x?a=1' } });
});
