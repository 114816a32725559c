// Encoded answers that a cache keeps and sends again and again (read-cache.ts, finished-cache.ts). They are never
// written to after they are made, and they live as long as their cache entry anyway, so anything else that wants
// to hold one (the journal, for each request it records) can hold a reference rather than a copy of its own.
const shared = new WeakSet<Buffer>();

/** Marks `body` as shared: from now on it is only read. */
export function markShared(body: Buffer): Buffer {
  shared.add(body);
  return body;
}

export function isShared(body: Buffer): boolean {
  return shared.has(body);
}
