// How the journal keeps bodies. A small body is kept as it is (the request's text, the answer's buffer): a
// reference costs nothing to take. A larger one is copied into a buffer the journal reuses. Kept by reference,
// the answer's own buffer (a fresh one per request) would live as long as its entry: every new answer then lands
// on memory the allocator cannot hand out again, V8 collects more often for the external memory held, and large
// answers are promoted and wait for a full collection (bench, list pages of 90 KB: peak RSS +90 MB). Reused
// buffers hold what the ring holds and no more. An answer a cache keeps (shared-bodies.ts) is kept by reference:
// it is alive anyway.
import { isShared } from '../http/shared-bodies.js';

/** Bodies are kept up to this many bytes; longer ones are kept as their beginning and marked. */
export const BODY_LIMIT = 64 * 1024;
/** Bodies up to this size are kept by reference. */
const COPY_ABOVE = 1024;
/** Buffer sizes for copies: powers of two from 2 KB to BODY_LIMIT; a copy takes the smallest that holds it. */
const MIN_SIZE_BITS = 11;
const SIZES = Array.from({ length: Math.log2(BODY_LIMIT) - MIN_SIZE_BITS + 1 }, (_, i) => 2 ** (MIN_SIZE_BITS + i));
/** Unused buffers kept for reuse, per size; more are left to the garbage collector. */
const FREE_BYTES_PER_SIZE = 4 * 1024 * 1024;

/** A copy of a body (or of its beginning). */
export class BodyCopy {
  constructor(
    readonly buffer: Buffer,
    readonly length: number,
    /** The body was longer than BODY_LIMIT: this is its beginning. */
    readonly truncated: boolean,
  ) {}
}

/** A body as kept: as it was (text or bytes), a copy, or nothing. */
export type Kept = string | Buffer | BodyCopy | undefined;

export function keptText(body: Exclude<Kept, undefined>): string {
  if (typeof body === 'string') return body;
  return body instanceof BodyCopy ? body.buffer.toString('utf8', 0, body.length) : body.toString('utf8');
}

/** The memory a kept body holds: what bounds a ring's memory. */
export function heldBytes(body: Kept): number {
  return body === undefined ? 0 : body instanceof BodyCopy ? body.buffer.length : body.length;
}

function sizeIndex(bytes: number): number {
  return Math.max(0, 32 - Math.clz32(bytes - 1) - MIN_SIZE_BITS);
}

export class BodyBuffers {
  private readonly free: Buffer[][] = SIZES.map(() => []);

  private take(bytes: number): Buffer {
    const i = sizeIndex(bytes);
    return this.free[i].pop() ?? Buffer.allocUnsafeSlow(SIZES[i]);
  }

  /** A body to keep: request text or answer bytes; undefined for none (or a stream). */
  keep(body: unknown): Kept {
    if (typeof body === 'string') {
      // Characters are at most 3 bytes: a text this short is under COPY_ABOVE bytes.
      if (body.length * 3 <= COPY_ABOVE) return body.length === 0 ? undefined : body;
      const bytes = Buffer.byteLength(body);
      if (bytes <= COPY_ABOVE) return body;
      const buffer = this.take(Math.min(bytes, BODY_LIMIT));
      // write() stops before a character that does not fit whole.
      return new BodyCopy(buffer, buffer.write(body, 0, Math.min(bytes, BODY_LIMIT), 'utf8'), bytes > BODY_LIMIT);
    }
    if (!Buffer.isBuffer(body) || body.length === 0) return undefined;
    if (body.length <= COPY_ABOVE) return body;
    // A cached answer, sent to every poll: referenced, not copied. Copying it request after request into the
    // ring's buffers cost the bench's GET job about 6% of its throughput, as cache misses everywhere else.
    if (body.length <= BODY_LIMIT && isShared(body)) return body;
    const length = Math.min(body.length, BODY_LIMIT);
    const buffer = this.take(length);
    body.copy(buffer, 0, 0, length);
    return new BodyCopy(buffer, length, body.length > BODY_LIMIT);
  }

  /** Takes back the buffer of a body the journal no longer holds. */
  release(body: Kept): void {
    if (!(body instanceof BodyCopy)) return;
    const i = sizeIndex(body.buffer.length);
    if (this.free[i].length * SIZES[i] < FREE_BYTES_PER_SIZE) this.free[i].push(body.buffer);
  }
}
