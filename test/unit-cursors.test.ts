// The cursor seal in process: a cursor opens only for the account and the secret it was made with, any change
// to it is refused, it does not show the position it holds, and the same position always seals the same way.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { Cursors } from '../src/http/cursors.ts';

const secret = randomBytes(32);
const cursors = new Cursors(secret);

it('opens what it sealed, for that account only', () => {
  for (const cursor of [{ seq: 0, direction: 'next' }, { seq: 1, direction: 'prev' }, { seq: Number.MAX_SAFE_INTEGER, direction: 'next' }] as const) {
    const sealed = cursors.encode('acme', cursor);
    assert.match(sealed, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(cursors.decode('acme', sealed), cursor);
    assert.equal(cursors.decode('acme2', sealed), undefined);
    assert.equal(cursors.decode('acm', sealed), undefined);
    assert.equal(new Cursors(randomBytes(32)).decode('acme', sealed), undefined, 'another deployment');
    assert.deepEqual(new Cursors(Buffer.from(secret)).decode('acme', sealed), cursor, 'the same secret, another process');
    assert.equal(cursors.encode('acme', cursor), sealed, 'deterministic: a page has one next link');
  }
});

it('refuses every changed bit, cut or padded text, and text that is not base64url', () => {
  const sealed = cursors.encode('acme', { seq: 42, direction: 'next' });
  const bytes = Buffer.from(sealed, 'base64url');
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const changed = Buffer.from(bytes);
    changed[bit >> 3] ^= 1 << (bit & 7);
    assert.equal(cursors.decode('acme', changed.toString('base64url')), undefined, `bit ${bit}`);
  }
  for (const text of [sealed.slice(1), `${sealed}A`, `${sealed}=`, sealed.replace(/./, '+'), '', 'abc']) {
    assert.equal(cursors.decode('acme', text), undefined, text);
  }
});

it('hides the position: neighbouring positions share nothing visible', () => {
  const a = Buffer.from(cursors.encode('acme', { seq: 1000, direction: 'next' }), 'base64url');
  const b = Buffer.from(cursors.encode('acme', { seq: 1001, direction: 'next' }), 'base64url');
  const same = a.reduce((n, byte, i) => n + (byte === b[i] ? 1 : 0), 0);
  assert.ok(same < 6, `${same} of ${a.length} bytes equal`);
});
