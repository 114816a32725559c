// The store's own failures. A value it cannot store is the request's fault (400). The others say nothing
// about the request or the job at hand: the database is away, busy or shutting down, or a lock or statement
// ran out of time. Requests answer them with 503 and Retry-After; the job engine retries the batch without
// charging a job for it.

/**
 * A value one store cannot hold although the request schema lets it through (PostgreSQL: text with U+0000).
 * Raised before anything is written; the HTTP layer answers it with a 400.
 */
export class UnstorableValueError extends Error {}

/**
 * A row a transaction loaded was deleted by another one before it could write it. (PostgreSQL: a change locks
 * what it refers to, but a variant is also deleted with its item, under the item's lock.) The change is run
 * again on fresh rows, where the domain finds the row gone; should that keep failing, it is a 503 like a deadlock.
 */
export class ConcurrentChangeError extends Error {
  constructor() {
    super('a row this change loaded was deleted by another transaction before it was written');
  }
}

/**
 * Connection failures; PostgreSQL shutting down, out of connections, past lock_timeout or statement_timeout,
 * or picking a deadlock victim; SQLite locked past its busy timeout.
 */
const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006',
  '55P03', '57014', '40P01', 'SQLITE_BUSY',
]);

export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof ConcurrentChangeError) return true;
  const e = (error ?? {}) as { code?: string; message?: string };
  return UNAVAILABLE.has(e.code ?? '') || /timeout exceeded when trying to connect|Connection terminated|not currently accepting connections/.test(e.message ?? '');
}
