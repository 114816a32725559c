// A finished job never changes until it expires, and clients poll jobs: its rendered resource object (without
// `include`, whose resources may change) is kept in memory, encoded, and served as is until `expires_at`.
// Only the resource object is kept, since the document's top-level links.self echoes each request's own URL.
// Entries are keyed by what shapes the object (account, the base of its links, the job, the sparse fieldset as
// parsed: `status,errors`, `errors,status` and `errors,,status` share one), and bounded in bytes, not in number:
// a job's errors may make its document large.
import { LRUCache } from 'lru-cache';

/** Bytes of rendered jobs kept in one process; the least recently read go first. */
export const FINISHED_JOBS_MAX_BYTES = 16 * 1024 * 1024;

/** Counted for each entry besides its bytes: the key and the cache's own bookkeeping. */
const ENTRY_OVERHEAD = 200;

export interface FinishedJobKey {
  account: string;
  /** The scheme and host the job's links start with. */
  base: string;
  type: string;
  id: string;
  /** `fields[<job type>]`, when given. */
  fields: Set<string> | undefined;
}

interface Entry {
  data: Buffer;
  expiresAt: number;
}

/** Entries are keyed by account first, so that one account's can be dropped together (forgetAccount). */
export const finishedJobKey = (account: string, url: string) => `${account}\n${url}`;

export class FinishedJobCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxBytes = FINISHED_JOBS_MAX_BYTES) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => entry.data.length + key.length + ENTRY_OVERHEAD,
    });
  }

  static key(k: FinishedJobKey): string {
    return JSON.stringify([k.account, k.base, k.type, k.id, k.fields ? [...k.fields].sort() : null]);
  }

  /** The encoded resource object, unless it was never kept, was dropped, or the job has expired at `now`. */
  get(key: string, now: number): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.data;
    this.entries.delete(key);
    return undefined;
  }

  /** Drops an account's entries, when a control deletes its jobs. */
  forgetAccount(account: string): void {
    const prefix = JSON.stringify([account]).slice(0, -1) + ','; // what FinishedJobCache.key starts with
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  set(key: string, data: Buffer, expiresAt: number): void {
    this.entries.set(key, { data, expiresAt });
  }

  /** Bytes held, as counted against the bound. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}

/** A document of one encoded resource object, with the request's URL as its links.self. */
export function documentOf(data: Buffer, self: string): Buffer {
  return Buffer.concat([Buffer.from('{"data":'), data, Buffer.from(`,"links":${JSON.stringify({ self })}}`)]);
}
