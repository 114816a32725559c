// API keys: `pk_` + 40 hex characters. Only a SHA-256 hash is stored; the key itself is shown once.
import { createHash, randomBytes } from 'node:crypto';
import { ConfigError } from './config.js';
import { ALL_SCOPES, type Scope } from './scopes.js';
import type { KeyRecord, Store } from './store/store.js';

export const DEFAULT_ACCOUNT = 'default';

export function generateKey(): string {
  return `pk_${randomBytes(20).toString('hex')}`;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Scopes from `--scopes a,b`; none given means full access, but an empty list is a mistake, not full access. */
export function parseScopes(raw: string | undefined): Scope[] {
  if (raw === undefined) return [...ALL_SCOPES];
  const scopes = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (scopes.length === 0) throw new ConfigError(`--scopes needs at least one scope: ${ALL_SCOPES.join(', ')}`);
  for (const s of scopes) {
    if (!ALL_SCOPES.includes(s as Scope)) throw new Error(`unknown scope "${s}"; known scopes: ${ALL_SCOPES.join(', ')}`);
  }
  return scopes as Scope[];
}

export async function createKey(store: Store, account: string, scopes: Scope[]): Promise<{ key: string; record: KeyRecord }> {
  const key = generateKey();
  const record = await store.ensureKey(account, hashKey(key), key.slice(0, 7), scopes);
  return { key, record };
}

/** Makes sure `key` exists with full access for the default account (CATALOG_API_KEY); safe to repeat. */
export async function ensureConfiguredKey(store: Store, key: string): Promise<KeyRecord> {
  return store.ensureKey(DEFAULT_ACCOUNT, hashKey(key), key.slice(0, 7), [...ALL_SCOPES]);
}
