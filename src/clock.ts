// Where the server reads the time. Everything that stamps or schedules (resource and job timestamps, job pace,
// expiry) asks a Clock rather than `new Date()`, so a test can hold or move time instead of sleeping.
// What stays on real time: the revision check (a future revision is refused), rate-limit windows, caches and
// connection timeouts.
import type { Store } from './store/store.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** How often a process reads the clock offset another process may have set. */
export const CLOCK_FOLLOW_MS = 1_000;

/**
 * Real time moved by an offset, which the clock control sets (PUT /__admin/clock). The offset is kept in the
 * store, so every process of a deployment follows it: the one that set it at once, the others within
 * CLOCK_FOLLOW_MS. Time keeps running from wherever it was set.
 */
export class StoredClock implements Clock {
  private offsetMs = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Counts set() calls, so that a read begun before one cannot undo it. */
  private sets = 0;

  constructor(private readonly store: Store, private readonly real: () => number = Date.now) {}

  now(): Date {
    return new Date(this.real() + this.offsetMs);
  }

  /** How far this clock is from real time, in milliseconds. */
  get offset(): number {
    return this.offsetMs;
  }

  async set(offsetMs: number): Promise<void> {
    await this.store.setClockOffsetMs(offsetMs);
    this.sets++;
    this.offsetMs = offsetMs;
  }

  /** Reads the stored offset now; a failed read keeps the last one. */
  async refresh(onError: (err: unknown) => void): Promise<void> {
    const sets = this.sets;
    await this.store.clockOffsetMs().then((ms) => {
      if (sets === this.sets) this.offsetMs = ms;
    }, onError);
  }

  /** Reads the stored offset now and then every CLOCK_FOLLOW_MS until stop(). */
  async follow(onError: (err: unknown) => void): Promise<void> {
    await this.refresh(onError);
    this.timer ??= setInterval(() => void this.refresh(onError), CLOCK_FOLLOW_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
