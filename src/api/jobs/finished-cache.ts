// A finished job never changes until it expires, and clients poll jobs: its rendered document (for one URL,
// without `include`, whose resources may change) is kept in memory, encoded, and served as is until `expires_at`.

const MAX_ENTRIES = 2000;

/** Entries are keyed by account first, so that one account's can be dropped together (forgetAccount). */
export const finishedJobKey = (account: string, url: string) => `${account}\n${url}`;

export class FinishedJobCache {
  private readonly entries = new Map<string, { body: Buffer; expiresAt: number }>();

  get(key: string, now: number): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.body;
    this.entries.delete(key);
    return undefined;
  }

  /** Drops an account's entries, when a control deletes its jobs. */
  forgetAccount(account: string): void {
    const prefix = finishedJobKey(account, '');
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  set(key: string, body: Buffer, expiresAt: number): void {
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { body, expiresAt });
  }
}
