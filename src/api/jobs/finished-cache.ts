// A finished job never changes until it expires, and clients poll jobs: its encoded document (without
// `include`, whose resources may change) is kept in memory and served as is until `expires_at`. Entries are
// keyed by the account, the base of the document's links and the request's URL, which together fix every byte
// of the answer (links.self echoes the URL); a poll sends the same URL each time, so it finds its entry without
// parsing or rendering anything. Bounded in bytes, not in number: a job's errors may make its document large.
// A reset or an account deletion made through this process drops the account's entries at once; one made
// through another process (several servers on one database) is seen here once an entry has been trusted for
// FINISHED_JOB_TRUST_MS of real time, as a key lookup is (CATALOG_KEY_CACHE_MS): the next poll reads the job again.
import { LRUCache } from 'lru-cache';
import { markShared } from '../../http/shared-bodies.js';

/** Bytes of rendered jobs kept in one process; the least recently read go first. */
export const FINISHED_JOBS_MAX_BYTES = 16 * 1024 * 1024;

/** How long an entry is served without reading the job again: one query per polled job per this long, at most. */
export const FINISHED_JOB_TRUST_MS = 2_000;

/** Counted for each entry besides its bytes: the key and the cache's own bookkeeping. */
const ENTRY_OVERHEAD = 200;

interface Entry {
  document: Buffer;
  expiresAt: number;
}

export class FinishedJobCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxBytes = FINISHED_JOBS_MAX_BYTES) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      sizeCalculation: (entry, key) => entry.document.length + key.length + ENTRY_OVERHEAD,
      ttl: FINISHED_JOB_TRUST_MS,
    });
  }

  /**
   * Account first, so that one account's entries can be dropped together (forgetAccount). As a JSON array, so
   * that no account, base and URL can run together into another's key, whatever characters they hold.
   */
  static key(account: string, base: string, url: string): string {
    return JSON.stringify([account, base, url]);
  }

  /** The encoded document, unless it was never kept, was dropped, is past its trust, or the job has expired at `now`. */
  get(key: string, now: number): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.document;
    this.entries.delete(key);
    return undefined;
  }

  /** Drops an account's entries, when a control deletes its jobs. */
  forgetAccount(account: string): void {
    const prefix = JSON.stringify([account]).slice(0, -1) + ','; // what key() starts with
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  set(key: string, document: Buffer, expiresAt: number): void {
    this.entries.set(key, { document: markShared(document), expiresAt });
  }

  /** Bytes held, as counted against the bound. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}
