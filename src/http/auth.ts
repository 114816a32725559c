// Authentication (`Authorization: Klaviyo-API-Key pk_...`) and the operation's scopes. Sets request.account.
import type { FastifyInstance } from 'fastify';
import { hashKey } from '../keys.js';
import type { KeyRecord, Store } from '../store/store.js';
import { ApiError } from './errors.js';
import { ALL_SCOPES, type Scope } from '../scopes.js';

const PREFIX = 'Klaviyo-API-Key ';
/** Keys are looked up once per this many ms per process, so revocation reaches every process within it. */
const CACHE_MS = 2000;

/** Full access (catalogs:write) includes read access, as in Klaviyo's scope model. */
function grants(held: Scope[], needed: Scope): boolean {
  return held.includes(needed) || (needed === 'catalogs:read' && held.includes('catalogs:write'));
}

export function registerAuth(app: FastifyInstance, store: Store): void {
  const cache = new Map<string, { key: KeyRecord | undefined; until: number }>();
  async function lookup(hash: string): Promise<KeyRecord | undefined> {
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.until > now) return hit.key;
    const key = await store.findKeyByHash(hash);
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { key, until: now + CACHE_MS });
    return key;
  }

  app.addHook('onRequest', async (request) => {
    const { operation: op, control } = request.routeOptions.config;
    if (!op && !control) return;
    // As Klaviyo: no credentials at all is not_authenticated; credentials that are wrong in any way
    // (another scheme, a malformed, unknown or revoked key) are authentication_failed.
    const header = request.headers.authorization?.trim();
    if (!header) throw new ApiError(401, 'not_authenticated', 'Send a private API key as "Authorization: Klaviyo-API-Key pk_...".');
    const key = header.startsWith(PREFIX) ? await lookup(hashKey(header.slice(PREFIX.length).trim())) : undefined;
    if (!key || key.revokedAt) {
      throw new ApiError(401, 'authentication_failed', 'The Authorization header does not carry a valid private API key ("Klaviyo-API-Key pk_...").');
    }
    // Controls act on a whole account: only a full-access key may use them.
    const missing = (op?.scopes ?? ALL_SCOPES).filter((s) => !grants(key.scopes, s));
    if (missing.length) {
      throw new ApiError(403, 'permission_denied', `This API key lacks the scope(s) ${missing.join(', ')} that ${op?.id ?? 'this control'} requires.`, { pointer: '/data/' });
    }
    request.account = key.account;
  });
}
