// A bounded ring: keeps the last `capacity` values pushed, overwriting the oldest. Pushing is one slot write
// (and a few more for a value that arrives out of order), so recording a request costs the same whether the
// ring is empty or full.
export class Ring<T> {
  private readonly slots: (T | undefined)[];
  /** The slot of the oldest value. */
  private head = 0;
  private size = 0;

  /** `before(a, b)`: a belongs before b. A pushed value moves back past the newest values it belongs before. */
  constructor(readonly capacity: number, private readonly before?: (a: T, b: T) => boolean) {
    this.slots = new Array(capacity).fill(undefined);
  }

  private slot(i: number): number {
    return (this.head + i) % this.capacity;
  }

  get length(): number {
    return this.size;
  }

  /** Adds `value` as the newest; returns the oldest value when it had to make room by overwriting it. */
  push(value: T): T | undefined {
    const overwritten = this.size === this.capacity ? this.slots[this.head] : undefined;
    if (this.size < this.capacity) this.size++;
    else this.head = (this.head + 1) % this.capacity;
    let i = this.size - 1;
    if (this.before) {
      for (; i > 0 && this.before(value, this.slots[this.slot(i - 1)]!); i--) this.slots[this.slot(i)] = this.slots[this.slot(i - 1)];
    }
    this.slots[this.slot(i)] = value;
    return overwritten;
  }

  /** Removes and returns the oldest value. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const value = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return value;
  }

  /** The values held, newest first (or oldest first). */
  *values(order: 'newest' | 'oldest'): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) {
      yield this.slots[this.slot(order === 'oldest' ? i : this.size - 1 - i)]!;
    }
  }
}
