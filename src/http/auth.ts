// Authentication (`Authorization: Klaviyo-API-Key pk_...`) and the operation's scopes. Sets request.account.
// Lookups are cached by the key as sent (found and not found alike, bounded in entries and time), so a known
// key costs neither a hash nor a query; an address that keeps sending unknown keys is answered 429 without a
// lookup until its window passes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { hashKey } from '../keys.js';
import type { KeyRecord, Store } from '../store/store.js';
import { ApiError } from './errors.js';
import { throttled } from './rate-limit.js';
import { ALL_SCOPES, type Scope } from '../scopes.js';
import { routeConfig } from './route-config.js';

const PREFIX = 'Klaviyo-API-Key ';
/** Keys (and unknown keys) remembered per process; the least recently used go first. */
const CACHED_KEYS = 10_000;
/** Client addresses whose failed authentications are counted. */
const TRACKED_ADDRESSES = 100_000;
const FAILURE_WINDOW_MS = 60_000;

export interface AuthOptions {
  /** How long a lookup is trusted, so that revocation reaches every process within it. */
  cacheMs: number;
  /** Failed authentications an address may make per minute before it is throttled. */
  failuresPerMinute: number;
}

/** Full access (catalogs:write) includes read access, as in Klaviyo's scope model. */
function grants(held: Scope[], needed: Scope): boolean {
  return held.includes(needed) || (needed === 'catalogs:read' && held.includes('catalogs:write'));
}

/** lru-cache holds neither undefined nor null: an unknown key is cached as false. */
type Lookup = KeyRecord | false;

export function registerAuth(app: FastifyInstance, store: Store, options: AuthOptions): void {
  const keys = new LRUCache<string, Lookup>({ max: CACHED_KEYS, ttl: Math.max(1, options.cacheMs) });
  const failures = new LRUCache<string, number>({ max: TRACKED_ADDRESSES, ttl: FAILURE_WINDOW_MS, noUpdateTTL: true });

  async function lookup(presented: string): Promise<Lookup> {
    const key = (await store.findKeyByHash(hashKey(presented))) ?? false;
    if (options.cacheMs > 0) keys.set(presented, key);
    return key;
  }

  function tooManyFailures(address: string): ApiError {
    const seconds = Math.max(1, Math.ceil(failures.getRemainingTTL(address) / 1000));
    return throttled(seconds, `Too many failed authentications from this address. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`);
  }

  function fail(address: string, code: 'not_authenticated' | 'authentication_failed', detail: string): ApiError {
    failures.set(address, (failures.get(address) ?? 0) + 1);
    return new ApiError(401, code, detail);
  }

  app.decorate('forgetKeys', () => keys.clear());

  /** Lets the request through as the key's account, or refuses it. */
  function admit(request: FastifyRequest, address: string, key: Lookup): void {
    if (key) request.keyAccount = key.account;
    if (!key || key.revokedAt) {
      throw fail(address, 'authentication_failed', 'The Authorization header does not carry a valid private API key ("Klaviyo-API-Key pk_...").');
    }
    const op = routeConfig(request).operation;
    // Controls act on a whole account: only a full-access key may use them.
    const missing = (op?.scopes ?? ALL_SCOPES).filter((s) => !grants(key.scopes, s));
    if (missing.length) {
      throw new ApiError(403, 'permission_denied', `This API key lacks the scope(s) ${missing.join(', ')} that ${op?.id ?? 'this control'} requires.`, { pointer: '/data/' });
    }
    request.account = key.account;
  }

  // A callback hook: a known key is let through without a promise; only a lookup waits for the store.
  app.addHook('onRequest', (request, _reply, done) => {
    const { operation: op, control } = routeConfig(request);
    // Server-wide controls carry the admin token instead (controls/admin-auth.ts).
    if (!op && control !== 'account') return done();
    const address = request.ip;
    const header = request.headers.authorization?.trim();
    const presented = header?.startsWith(PREFIX) ? header.slice(PREFIX.length).trim() : undefined;
    const cached = presented !== undefined && options.cacheMs > 0 ? keys.get(presented) : undefined;
    // A throttled address still gets through with a key this process already knows to be valid.
    if (!cached && (failures.get(address) ?? 0) >= options.failuresPerMinute) throw tooManyFailures(address);
    // As Klaviyo: no credentials at all is not_authenticated; credentials that are wrong in any way
    // (another scheme, a malformed, unknown or revoked key) are authentication_failed.
    if (!header) throw fail(address, 'not_authenticated', 'Send a private API key as "Authorization: Klaviyo-API-Key pk_...".');
    if (presented === undefined) return admit(request, address, false); // refuses: another scheme
    if (cached !== undefined) {
      admit(request, address, cached);
      return done();
    }
    lookup(presented).then((key) => {
      let refused: unknown;
      try {
        admit(request, address, key);
      } catch (error) {
        refused = error;
      }
      done(refused as Error | undefined);
    }, done);
  });
}
