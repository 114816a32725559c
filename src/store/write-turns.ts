// SQLite lets one connection write at a time. In a process that runs its job engine on a thread of its own,
// the request thread and the engine thread each hold a connection to the same file. Between them the write
// lock is this one, in shared memory, taken before BEGIN IMMEDIATE and given back after COMMIT, rather than
// SQLite's own, whose busy handler blocks the thread and sleeps in steps of milliseconds:
// - the request thread never blocks (every request would wait): when the lock is taken it waits, without
//   blocking, for it to be given back;
// - the engine thread may block; and when it gives the lock back while the request thread waits, it lets the
//   request thread write first (without that, the engine, which begins its next batch at once, would seldom
//   leave a gap).
// Other processes on the same file are kept out by SQLite's lock as before (busy_timeout).

// Node has had Atomics.waitAsync since 16; TypeScript types it from lib es2024, newer than this project's target.
type WaitAsync = (cells: Int32Array, index: number, value: number, timeoutMs: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** 0: free; REQUESTS or ENGINE: who holds it. */
const LOCK = 0;
/** 1 while the request thread waits for the lock. */
const WANTED = 1;
const FREE = 0;
const REQUESTS = 1;
const ENGINE = 2;
/** A waiter looks again at least this often, whether or not it was told the lock was given back. */
const POLL_MS = 5;
/** The engine thread lets the request thread go first for this long at most. */
const YIELD_MS = 50;

export class WriteTurns {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.cells = new Int32Array(buffer);
  }

  /** Request thread: takes the lock if it is free now. */
  requestTakes(): boolean {
    return Atomics.compareExchange(this.cells, LOCK, FREE, REQUESTS) === FREE;
  }

  /** Request thread, the lock being taken: resolves when it is given back, or after POLL_MS. */
  async requestWaits(): Promise<void> {
    Atomics.store(this.cells, WANTED, 1);
    const wait = waitAsync(this.cells, LOCK, Atomics.load(this.cells, LOCK), POLL_MS);
    if (wait.async) await wait.value;
  }

  /** Request thread: gives the lock back; an engine thread that let it go first goes on. */
  requestGives(): void {
    Atomics.store(this.cells, WANTED, 0);
    Atomics.store(this.cells, LOCK, FREE);
    Atomics.notify(this.cells, LOCK);
    Atomics.notify(this.cells, WANTED);
  }

  /** Engine thread: takes the lock, blocking until it is free. */
  engineTakes(): void {
    for (;;) {
      const holder = Atomics.compareExchange(this.cells, LOCK, FREE, ENGINE);
      if (holder === FREE) return;
      Atomics.wait(this.cells, LOCK, holder, POLL_MS);
    }
  }

  /** Engine thread: gives the lock back and, if the request thread waits for it, lets it write first. */
  engineGives(): void {
    Atomics.store(this.cells, LOCK, FREE);
    Atomics.notify(this.cells, LOCK);
    if (Atomics.load(this.cells, WANTED)) Atomics.wait(this.cells, WANTED, 1, YIELD_MS);
  }
}
