// Reads batched by turn of the event loop, for a store whose every query is a round trip (PostgreSQL). The
// requests a server takes in at once (one turn) each ask for one resource; asked together, those of one
// account go to the database as one query, answered when it returns. Nothing waits for a later turn: the
// batch leaves as soon as the turn's work is done (setImmediate), so a lone read is not held back, and each
// read is still sent after it was asked, seeing every change committed before.

interface Asked<K, V> {
  key: K;
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export class TurnBatches<K, V> {
  private pending = new Map<string, Asked<K, V>[]>();

  /** `load` answers an account's keys in their order, undefined where there is nothing. */
  constructor(private readonly load: (account: string, keys: K[]) => Promise<(V | undefined)[]>) {}

  get(account: string, key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => this.flush());
      const asked = this.pending.get(account);
      if (asked) asked.push({ key, resolve, reject });
      else this.pending.set(account, [{ key, resolve, reject }]);
    });
  }

  private flush(): void {
    const batches = this.pending;
    this.pending = new Map();
    for (const [account, asked] of batches) {
      this.load(account, asked.map((a) => a.key)).then(
        (values) => asked.forEach((a, i) => a.resolve(values[i])),
        (error) => asked.forEach((a) => a.reject(error)),
      );
    }
  }
}
