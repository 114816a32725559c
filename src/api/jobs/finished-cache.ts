// A finished job never changes until it expires, and clients poll jobs: its rendered document (for one URL,
// without `include`, whose resources may change) is kept in memory, encoded, and served as is until `expires_at`.

const MAX_ENTRIES = 2000;

export class FinishedJobCache {
  private readonly entries = new Map<string, { body: Buffer; expiresAt: number }>();

  get(key: string, now: number): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.body;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, body: Buffer, expiresAt: number): void {
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { body, expiresAt });
  }
}
