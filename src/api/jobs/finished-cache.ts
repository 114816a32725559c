// A finished job never changes until it expires, and clients poll jobs: its encoded document (without
// `include`, whose resources may change) is kept in memory and served as is until `expires_at`. An entry is
// found by the request's URL and serves only the account and the base of links it was made for: the three
// together fix every byte of the answer (links.self echoes the URL). A poll sends the same URL each time, so
// it finds its entry without parsing or rendering anything, and without building a key out of the three
// (joining and hashing them was a tenth of a cached poll's time). Another account or base asking for the same
// URL finds no entry, and its answer replaces it. Bounded in bytes, not in number: a job's errors may make its
// document large.
// A reset or an account deletion made through this process drops the account's entries at once; one made
// through another process (several servers on one database) is seen here once an entry has been trusted for
// FINISHED_JOB_TRUST_MS of real time, as a key lookup is (CATALOG_KEY_CACHE_MS): the next poll reads the job again.
import { LRUCache } from 'lru-cache';
import { markShared } from '../../http/shared-bodies.js';

/** Bytes of rendered jobs kept in one process; the least recently read go first. */
export const FINISHED_JOBS_MAX_BYTES = 16 * 1024 * 1024;

/** How long an entry is served without reading the job again: one query per polled job per this long, at most. */
export const FINISHED_JOB_TRUST_MS = 2_000;

/** Counted for each entry besides its bytes: the URL and the cache's own bookkeeping. */
const ENTRY_OVERHEAD = 200;

interface Entry {
  account: string;
  /** The base of the document's links. */
  base: string;
  document: Buffer;
  expiresAt: number;
}

export class FinishedJobCache {
  /** By request URL. */
  private readonly entries: LRUCache<string, Entry>;

  constructor(maxBytes = FINISHED_JOBS_MAX_BYTES) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      sizeCalculation: (entry, url) => entry.document.length + url.length + ENTRY_OVERHEAD,
      ttl: FINISHED_JOB_TRUST_MS,
    });
  }

  /**
   * The encoded document, unless none was kept for this account, base and URL, it was dropped, it is past
   * its trust, or the job has expired at `now`.
   */
  get(account: string, base: string, url: string, now: number): Buffer | undefined {
    const entry = this.entries.get(url);
    if (!entry || entry.account !== account || entry.base !== base) return undefined;
    if (entry.expiresAt > now) return entry.document;
    this.entries.delete(url);
    return undefined;
  }

  /** Drops an account's entries, when a control deletes its jobs. */
  forgetAccount(account: string): void {
    for (const [url, entry] of [...this.entries.entries()]) if (entry.account === account) this.entries.delete(url);
  }

  set(account: string, base: string, url: string, document: Buffer, expiresAt: number): void {
    this.entries.set(url, { account, base, document: markShared(document), expiresAt });
  }

  /** Bytes held, as counted against the bound. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}
