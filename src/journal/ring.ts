// A bounded ring: keeps the last `capacity` values pushed, overwriting the oldest. Pushing is one slot write,
// so recording a request costs the same whether the ring is empty or full.
export class Ring<T> {
  private readonly slots: (T | undefined)[];
  /** The slot the next push writes. */
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array(capacity).fill(undefined);
  }

  push(value: T): void {
    this.slots[this.next] = value;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.size < this.capacity) this.size++;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.size = 0;
  }

  /** The values held, newest first (or oldest first). */
  *values(order: 'newest' | 'oldest'): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) {
      const back = order === 'newest' ? i + 1 : this.size - i;
      yield this.slots[(this.next - back + this.capacity) % this.capacity]!;
    }
  }
}
