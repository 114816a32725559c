// The journal of one server process: a ring of the latest requests per account, and the listeners (live
// streams) of each account. Nothing is shared between processes: each keeps what it served.
import type { Capture } from './entry.js';
import { Ring } from './ring.js';

export type Listener = (capture: Capture) => void;

export class Journal {
  private readonly rings = new Map<string, Ring<Capture>>();
  private readonly listeners = new Map<string, Set<Listener>>();

  /** `size`: entries kept per account (CATALOG_JOURNAL_SIZE). */
  constructor(readonly size: number) {}

  append(account: string, capture: Capture): void {
    let ring = this.rings.get(account);
    if (!ring) this.rings.set(account, (ring = new Ring(this.size)));
    ring.push(capture);
    const listening = this.listeners.get(account);
    if (listening) for (const listener of listening) listener(capture);
  }

  entries(account: string, order: 'newest' | 'oldest'): Iterable<Capture> {
    return this.rings.get(account)?.values(order) ?? [];
  }

  clear(account: string): void {
    this.rings.delete(account);
  }

  /** Calls `listener` with each new entry of `account` until the returned function is called. */
  subscribe(account: string, listener: Listener): () => void {
    let listening = this.listeners.get(account);
    if (!listening) this.listeners.set(account, (listening = new Set()));
    listening.add(listener);
    return () => {
      listening.delete(listener);
      if (listening.size === 0 && this.listeners.get(account) === listening) this.listeners.delete(account);
    };
  }

  listenerCount(account: string): number {
    return this.listeners.get(account)?.size ?? 0;
  }
}
