// The journal of one server process: a ring of the latest requests per account, and the listeners (live
// streams) of each account. Nothing is shared between processes: each keeps what it served.
// Each account's ring holds at most `size` entries and about BODY_BYTES_PER_ACCOUNT of bodies: an account that
// sends or reads large documents keeps fewer entries rather than holding memory without end.
import { BodyBuffers } from './bodies.js';
import type { Capture } from './entry.js';
import { Ring } from './ring.js';

/**
 * Held bodies are touched on every request, and what the ring holds is the server's working set: with 8 MB the
 * bench's GET job (7 KB answers) needed 1.4x the server CPU per request of the journal off, with 1 MB 1.08x
 * (0.89x the throughput); half a megabyte stays within a core's cache.
 */
export const BODY_BYTES_PER_ACCOUNT = 512 * 1024;

/** Entries are recorded when answered but kept in the order the requests arrived. */
const arrivedBefore = (a: Capture, b: Capture) => a.arrival < b.arrival;

interface AccountLog {
  ring: Ring<Capture>;
  /** Body bytes the ring holds. */
  bytes: number;
}

export type Listener = (capture: Capture) => void;

export class Journal {
  private readonly logs = new Map<string, AccountLog>();
  /** Where captures keep large bodies; the journal gives the buffers back as it lets entries go. */
  readonly bodies = new BodyBuffers();
  private readonly listeners = new Map<string, Set<Listener>>();

  /** `size`: entries kept per account (CATALOG_JOURNAL_SIZE). */
  constructor(readonly size: number) {}

  append(account: string, capture: Capture): void {
    let log = this.logs.get(account);
    if (!log) this.logs.set(account, (log = { ring: new Ring(this.size, arrivedBefore), bytes: 0 }));
    log.bytes += capture.bytes;
    const overwritten = log.ring.push(capture);
    if (overwritten) this.forget(log, overwritten);
    while (log.bytes > BODY_BYTES_PER_ACCOUNT && log.ring.length > 1) this.forget(log, log.ring.shift()!);
    const listening = this.listeners.get(account);
    if (listening) for (const listener of listening) listener(capture);
  }

  private forget(log: AccountLog, capture: Capture): void {
    log.bytes -= capture.bytes;
    this.bodies.release(capture.requestBody);
    this.bodies.release(capture.responseBody);
    this.bodies.release(capture.lost?.body);
  }

  entries(account: string, order: 'newest' | 'oldest'): Iterable<Capture> {
    return this.logs.get(account)?.ring.values(order) ?? [];
  }

  clear(account: string): void {
    const log = this.logs.get(account);
    if (!log) return;
    for (const capture of log.ring.values('oldest')) this.forget(log, capture);
    this.logs.delete(account);
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
}
