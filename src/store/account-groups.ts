// Group commit by account, for a store whose every statement is a round trip (PostgreSQL). Work of an account
// that arrives while a transaction of that account is in flight waits, and then goes in the next transaction
// together with whatever else arrived meanwhile: one lock, one load, one write and one commit for the group,
// in the order it arrived. Every caller still hears back only after the commit that made its work durable.
// One transaction of an account is in flight at a time; different accounts run side by side.

export interface Waiting {
  reject(error: unknown): void;
}

export class AccountGroups<W extends Waiting> {
  /** Accounts with a transaction in flight, and what waits for the next one. */
  private readonly waiting = new Map<string, W[]>();

  /**
   * `commit` settles every member of the group it is given (resolves or rejects each); `maxGroup` bounds a
   * transaction's size, and the rest wait for the one after.
   */
  constructor(
    private readonly commit: (account: string, group: W[]) => Promise<void>,
    private readonly maxGroup: number,
  ) {}

  add(account: string, entry: W): void {
    const waiting = this.waiting.get(account);
    if (waiting) {
      waiting.push(entry);
      return;
    }
    this.waiting.set(account, []);
    void this.run(account, [entry]);
  }

  private async run(account: string, group: W[]): Promise<void> {
    try {
      await this.commit(account, group);
    } catch (error) {
      for (const entry of group) entry.reject(error); // commit settles its group; this only guards a bug in it
    }
    const next = this.waiting.get(account)!;
    if (next.length === 0) this.waiting.delete(account);
    else void this.run(account, next.splice(0, this.maxGroup));
  }
}
