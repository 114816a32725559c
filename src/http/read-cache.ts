// Encoded answers of the reads that render many rows (lists, a job with its items), reused while nothing in
// the store has changed: a console or a client polling an unchanged page gets the same bytes without reading
// and rendering a hundred rows again. Validity comes from the store's own version (Store.readVersion), which
// moves on any write by any process, so an entry can never outlive the data it shows; a store that cannot
// tell cheaply (PostgreSQL) gets no caching, nor does a process started with CATALOG_READ_CACHE_MB=0. An
// answer is kept only when the version was the same before and after rendering it, so it shows one state of
// the store, not a mix.
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';
import { baseUrl } from './jsonapi.js';
import { markShared } from './shared-bodies.js';

/** Counted for each entry besides its bytes: the key and the cache's own bookkeeping. */
const ENTRY_OVERHEAD = 200;

export interface Rendered {
  document: unknown;
  /** When the answer stops being true whatever the store holds (a job's expiry), in ms since the epoch. */
  until?: number;
}

interface Entry {
  version: string;
  body: Buffer;
  until: number;
}

export class ReadCache {
  /** None when the cache is off (maxBytes 0). The least recently read go first. */
  private readonly entries: LRUCache<string, Entry> | undefined;

  constructor(private readonly store: Store, private readonly clock: Clock, maxBytes: number) {
    this.entries = maxBytes > 0
      ? new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: (entry, key) => entry.body.length + key.length + ENTRY_OVERHEAD })
      : undefined;
  }

  /**
   * The encoded answer to this request: kept from an earlier identical request (same account, links' base
   * and URL) while the store is unchanged, or rendered now.
   */
  async answer(request: FastifyRequest, render: () => Promise<Rendered>): Promise<Buffer> {
    const before = this.entries && this.store.readVersion?.();
    if (!this.entries || before === undefined) return Buffer.from(JSON.stringify((await render()).document));
    const key = `${request.account}\n${baseUrl(request)}\n${request.url}`;
    const hit = this.entries.get(key);
    if (hit && hit.version === before && hit.until > this.clock.now().getTime()) return hit.body;
    const { document, until = Infinity } = await render();
    const body = Buffer.from(JSON.stringify(document));
    if (this.store.readVersion?.() === before) this.entries.set(key, { version: before, body: markShared(body), until });
    return body;
  }
}
