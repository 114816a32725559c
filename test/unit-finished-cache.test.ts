// The cache of finished jobs in process: bounded in bytes (least recently read dropped first, an entry larger than
// the bound never kept), an entry serving only the account, links' base and URL it was made for, and nothing
// served past a job's expiry.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FINISHED_JOBS_MAX_BYTES, FinishedJobCache } from '../src/api/jobs/finished-cache.ts';

/** The arguments that find an entry: account, links' base, URL. */
const key = (id: string, query = '', account = 'a', base = 'http://h') =>
  [account, base, `/api/catalog-item-bulk-update-jobs/${id}${query}`] as const;
const FAR = Date.parse('2100-01-01');

it('holds at most its bound in bytes, dropping the least recently read first', () => {
  const bound = 100_000;
  const cache = new FinishedJobCache(bound);
  const body = Buffer.alloc(9_000, 'x');
  for (let i = 0; i < 10; i++) cache.set(...key(`J${i}`), body, FAR);
  assert.ok(cache.get(...key('J0'), 0), 'J0 read: now the most recent');
  for (let i = 10; i < 50; i++) {
    cache.set(...key(`J${i}`), body, FAR);
    assert.ok(cache.bytes <= bound, `${cache.bytes} bytes after ${i + 1} jobs`);
  }
  assert.equal(cache.get(...key('J1'), 0), undefined, 'the oldest unread went first');
  assert.ok(cache.get(...key('J49'), 0));
  assert.ok(cache.bytes > bound - 10_000, 'full to within one entry: only as many as needed were dropped');

  // A document larger than the whole bound is not kept, and does not push the others out.
  const before = cache.bytes;
  cache.set(...key('HUGE'), Buffer.alloc(bound + 1), FAR);
  assert.equal(cache.get(...key('HUGE'), 0), undefined);
  assert.equal(cache.bytes, before);
  assert.ok(FINISHED_JOBS_MAX_BYTES >= 1024 * 1024, 'the default keeps jobs with large error lists');
});

it('serves an entry only to the account and links\' base it was made for', () => {
  const cache = new FinishedJobCache();
  const document = Buffer.from('{"data":{"type":"t","id":"J"}}');
  cache.set(...key('J'), document, FAR);
  assert.equal(cache.get(...key('J'), 0), document);
  assert.equal(cache.get(...key('J', '?fields[catalog-item-bulk-update-job]=status'), 0), undefined, 'another URL');
  assert.equal(cache.get(...key('K'), 0), undefined, 'another job');
  assert.equal(cache.get(...key('J', '', 'b'), 0), undefined, 'another account, same URL');
  assert.equal(cache.get(...key('J', '', 'a', 'http://other'), 0), undefined, 'another base, same URL');
  // Another account's answer for the same URL replaces the entry; the first account is not served it.
  const other = Buffer.from('{"data":{"type":"t","id":"J","other":true}}');
  cache.set(...key('J', '', 'b'), other, FAR);
  assert.equal(cache.get(...key('J', '', 'b'), 0), other);
  assert.equal(cache.get(...key('J'), 0), undefined);
});

it('serves nothing past the job\'s expiry, and forgets an account\'s entries on demand', () => {
  const cache = new FinishedJobCache();
  const document = Buffer.from('{"data":{"type":"t","id":"J"}}');
  cache.set(...key('J'), document, 1_000);
  assert.equal(cache.get(...key('J'), 999), document);
  assert.equal(cache.get(...key('J'), 1_000), undefined);
  assert.equal(cache.bytes, 0, 'an expired entry is dropped when it is found');

  cache.set(...key('J', '', 'a'), document, FAR);
  cache.set(...key('K', '', 'ab'), document, FAR);
  cache.forgetAccount('a');
  assert.equal(cache.get(...key('J', '', 'a'), 0), undefined);
  assert.equal(cache.get(...key('K', '', 'ab'), 0), document, 'an account whose name starts with the other\'s keeps its own');
});
