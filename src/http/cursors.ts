// Page cursors (`page[cursor]`): a position in a list, sealed for the account it was issued to. Positions are
// sequence numbers every account shares, so a readable cursor would let one tenant watch the others' write
// volume, and a forged one would be taken at its word. A cursor is therefore encrypted and authenticated with
// a secret generated once per deployment and kept in the database: every process reads the cursors of the
// others, and cursors outlive restarts.
//
// The construction is SIV (RFC 5297's, with HMAC-SHA-256 as the PRF): the tag is an HMAC over the account and
// the position, and also the counter block of AES-256-CTR over the position. Deterministic (a page has one
// `next` link), no nonce to run out of, and a cursor of another account or with any byte changed fails the HMAC.
import { createCipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.js';

export interface Cursor {
  /** sequence number to continue from */
  seq: number;
  /** `next`: the rows after seq; `prev`: the rows before it */
  direction: 'next' | 'prev';
}

const TAG_BYTES = 16;
/** The sealed position: the sequence number (8 bytes) and the direction (1 byte). */
const BODY_BYTES = 9;
const DIRECTIONS = ['next', 'prev'] as const;

export class Cursors {
  private readonly macKey: Buffer;
  private readonly encryptionKey: Buffer;

  constructor(secret: Buffer) {
    // One key per purpose, derived from the one stored secret.
    this.macKey = Buffer.from(hkdfSync('sha256', secret, '', 'page cursor: mac', 32));
    this.encryptionKey = Buffer.from(hkdfSync('sha256', secret, '', 'page cursor: encryption', 32));
  }

  /** The position ends the input, at a fixed length, so no two (account, position) pairs give the same input. */
  private tag(account: string, body: Buffer): Buffer {
    return createHmac('sha256', this.macKey).update(account).update(body).digest().subarray(0, TAG_BYTES);
  }

  private crypt(tag: Buffer, data: Buffer): Buffer {
    const cipher = createCipheriv('aes-256-ctr', this.encryptionKey, tag);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  }

  encode(account: string, cursor: Cursor): string {
    const body = Buffer.alloc(BODY_BYTES);
    body.writeBigUInt64BE(BigInt(cursor.seq));
    body[8] = DIRECTIONS.indexOf(cursor.direction);
    const tag = this.tag(account, body);
    return Buffer.concat([tag, this.crypt(tag, body)]).toString('base64url');
  }

  /** The position in `text`, or undefined when this deployment did not issue it to this account. */
  decode(account: string, text: string): Cursor | undefined {
    const sealed = Buffer.from(text, 'base64url');
    if (sealed.length !== TAG_BYTES + BODY_BYTES || sealed.toString('base64url') !== text) return undefined;
    const tag = sealed.subarray(0, TAG_BYTES);
    const body = this.crypt(tag, sealed.subarray(TAG_BYTES));
    if (!timingSafeEqual(tag, this.tag(account, body))) return undefined;
    const seq = body.readBigUInt64BE();
    const direction = DIRECTIONS[body[8]];
    if (seq > BigInt(Number.MAX_SAFE_INTEGER) || direction === undefined) return undefined;
    return { seq: Number(seq), direction };
  }
}

/** The deployment's cursors: the secret is made by the first process that needs it and read by the rest. */
export async function loadCursors(store: Store): Promise<Cursors> {
  const secret = await store.ensureSetting('page_cursor_secret', randomBytes(32).toString('base64'));
  return new Cursors(Buffer.from(secret, 'base64'));
}
