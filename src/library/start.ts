// Library mode: the real server, started in the calling process on a free port with an in-memory database,
// for one test file (or one suite). `newAccount()` gives each test an isolated account of its own.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../config.js';
import type { CatalogFixture } from '../fixtures/format.js';
import type { Pace } from '../jobs/pace.js';
import { createKey, DEFAULT_ACCOUNT, ensureConfiguredKey } from '../keys.js';
import { ALL_SCOPES, type Scope } from '../scopes.js';
import { startServer } from '../start.js';
import { CatalogControls, type CreatedAccount } from './client.js';

export interface CatalogServerOptions {
  /** Default `sqlite::memory:` (gone at stop()); `sqlite:<path>` or `postgres://...` to keep it. */
  databaseUrl?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The server's job pace (default `instant`); each account may set its own with the controls. */
  jobPace?: Pace;
  /** Klaviyo's rate limits (default true). */
  rateLimits?: boolean;
  /** The token of the server-wide controls; default a random one, which `controls` holds. */
  adminToken?: string;
  /** A fixture document, or the path of a fixture (.json) or CSV feed (.csv), imported into the default account. */
  seed?: CatalogFixture | string;
  /** pino log level (default `warn`). */
  logLevel?: string;
  /** Any other setting, by the environment variable the README names (e.g. `{ CATALOG_JOB_TTL_SECONDS: '60' }`). */
  env?: Record<string, string | undefined>;
}

export interface CatalogAccount extends CreatedAccount {
  /** The controls, acting on this account. */
  controls: CatalogControls;
}

export interface CatalogServer {
  /** Where the API is: give it to the SDK as `basePath` (or as KLAVIYO_BASE_URL to your code). */
  url: string;
  /** A full-access key of `account`. */
  apiKey: string;
  /** The default account (`default`). */
  account: string;
  adminToken: string;
  /** The control API, acting on the default account, with the admin token. */
  controls: CatalogControls;
  /** A fresh, isolated account with a full-access key (and a key per scope list in `scopes`). */
  newAccount(options?: { scopes?: Scope[][] }): Promise<CatalogAccount>;
  /** Stops the server and closes its database. */
  stop(): Promise<void>;
}

export async function startCatalogServer(options: CatalogServerOptions = {}): Promise<CatalogServer> {
  const adminToken = options.adminToken ?? options.env?.CATALOG_ADMIN_TOKEN ?? randomBytes(24).toString('hex');
  const given = (name: string, value: string | number | boolean | undefined) => (value === undefined ? {} : { [name]: String(value) });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: 'sqlite::memory:',
    ...options.env,
    CATALOG_ADMIN_TOKEN: adminToken,
    ...given('DATABASE_URL', options.databaseUrl),
    ...given('PORT', options.port),
    ...given('HOST', options.host),
    ...given('CATALOG_JOB_PACE', options.jobPace),
    ...given('CATALOG_RATE_LIMITS', options.rateLimits === undefined ? undefined : options.rateLimits ? 'on' : 'off'),
    ...given('CATALOG_SEED', typeof options.seed === 'string' ? options.seed : undefined),
  });
  let apiKey = '';
  const server = await startServer(config, {
    logger: pino({ level: options.logLevel ?? options.env?.LOG_LEVEL ?? 'warn' }),
    withWorker: true,
    prepare: async (store) => {
      if (config.apiKey) await ensureConfiguredKey(store, (apiKey = config.apiKey));
      else apiKey = (await createKey(store, DEFAULT_ACCOUNT, [...ALL_SCOPES])).key;
    },
  });
  const controls = new CatalogControls(server.url, { apiKey, adminToken });
  try {
    if (options.seed && typeof options.seed === 'object') await controls.importFixture(options.seed);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    url: server.url,
    apiKey,
    account: DEFAULT_ACCOUNT,
    adminToken,
    controls,
    async newAccount(accountOptions) {
      const created = await controls.createAccount(accountOptions);
      return { ...created, controls: controls.forAccount(created.apiKey) };
    },
    stop: server.stop,
  };
}
