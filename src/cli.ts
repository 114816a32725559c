#!/usr/bin/env node
// Commands: serve (API and job worker), worker (jobs only), keys (create, list, revoke), migrate.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DEFAULT_ACCOUNT, createKey, ensureConfiguredKey, parseScopes } from './keys.js';
import { JobEngine } from './jobs/engine.js';
import { sweepExpiredJobs } from './jobs/expiry.js';
import { systemClock } from './clock.js';
import { loadCursors } from './http/cursors.js';
import { redisLimiters } from './http/rate-limit-redis.js';
import { buildServer } from './server.js';
import { buildWorkerHttp } from './ops/worker-http.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { createLogger } from './ops/logger.js';
import type { Logger } from 'pino';

const USAGE = `usage: catalog-server <command>
  serve [--no-worker]     serve the API (and run bulk jobs unless --no-worker)
  worker [--metrics-port N]
                          run bulk jobs only (and serve /metrics, /healthz, /readyz on port N)
  keys create [--account NAME] [--scopes catalogs:read,catalogs:write,profiles:write]
  keys list
  keys revoke <id>
  migrate                 apply database migrations and exit
Environment: PORT, HOST, DATABASE_URL, PG_POOL_SIZE, CATALOG_API_KEY, CATALOG_RATE_LIMITS, CATALOG_PUBLIC_URL, REDIS_URL, CATALOG_JOB_PACE, CATALOG_JOB_PACE_SCALE, CATALOG_CONTROLS,
  CATALOG_CONSOLE, CATALOG_STREAM_POLL_MS, CATALOG_ADMIN_TOKEN, LOG_LEVEL, LOG_FORMAT,
  CATALOG_REQUEST_TIMEOUT_MS, CATALOG_IDLE_TIMEOUT_MS, CATALOG_KEEP_ALIVE_TIMEOUT_MS, CATALOG_MAX_CONNECTIONS,
  CATALOG_KEY_CACHE_MS, CATALOG_AUTH_FAILURES_PER_MINUTE (see README)`;

/** How long SIGTERM waits for requests in flight before cutting the remaining connections. */
const SHUTDOWN_GRACE_MS = 5_000;

/** Made from the configuration when a command starts. */
let logger: Logger;

/**
 * First start of a store that never had a key: make one full-access key and show it once. A store whose keys
 * were all revoked gets none: revoking every key must lock everyone out, not mint a new master key.
 */
async function prepareKeys(config: Config, store: Store): Promise<void> {
  if (config.apiKey) {
    await ensureConfiguredKey(store, config.apiKey);
  } else if ((await store.countKeys()) === 0) {
    const { key } = await createKey(store, DEFAULT_ACCOUNT, parseScopes(undefined));
    console.log(`Created a full-access API key for account "${DEFAULT_ACCOUNT}" (shown only this once):\n\n  ${key}\n`);
    console.log(`Send it as "Authorization: Klaviyo-API-Key ${key}" with a "revision: 2026-04-15" header,`);
    console.log(`or with the official SDK: new CatalogsApi(new ApiKeySession("${key}")) and api.basePath = "http://${config.host}:${config.port}".\n`);
  }
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop().then(() => process.exit(0), (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

async function serve(config: Config, withWorker: boolean): Promise<void> {
  const store = await openStore(config.databaseUrl);
  await prepareKeys(config, store);
  const clock = systemClock;
  const engine = new JobEngine(store, { clock, log: logger, pollMs: config.jobPollMs });
  const stopSweeping = sweepExpiredJobs(store, clock, logger);
  // With REDIS_URL, every server process counts against the same limits; without it, each its own.
  const redis = config.rateLimits && config.redisUrl ? redisLimiters(config.redisUrl, logger) : undefined;
  const cursors = await loadCursors(store);
  const app = buildServer(config, { store, engine, clock, cursors, logger, limiters: redis?.factory, redis });
  // Stop accepting, finish in-flight requests, let the job batch in hand commit, then close the store.
  onSignals(async () => {
    // Requests in flight get a grace period; a connection still open after it (a client that opened one
    // and never sent a request) must not keep the process alive.
    setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    await app.close();
    await engine.stop();
    stopSweeping();
    await redis?.close();
    await store.close();
  });
  if (withWorker) engine.start();
  const address = await app.listen({ port: config.port, host: config.host });
  console.log(`klaviyo-catalog-server listening on ${address}${withWorker ? '' : ' (no job worker)'}`);
  if (config.console) console.log(`console: ${address}/console`);
}

async function worker(config: Config, metricsPort: number | undefined): Promise<void> {
  const store = await openStore(config.databaseUrl);
  const engine = new JobEngine(store, { clock: systemClock, log: logger, pollMs: config.jobPollMs });
  const stopSweeping = sweepExpiredJobs(store, systemClock, logger);
  const app = metricsPort === undefined ? undefined : buildWorkerHttp(config, { store, clock: systemClock, logger });
  onSignals(async () => {
    await app?.close();
    await engine.stop();
    stopSweeping();
    await store.close();
  });
  engine.start();
  const address = await app?.listen({ port: metricsPort, host: config.host });
  console.log(`klaviyo-catalog-server worker running${address ? `; metrics on ${address}/metrics` : ''}`);
}

async function keys(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { account: { type: 'string' }, scopes: { type: 'string' } } });
  const store = await openStore(config.databaseUrl);
  try {
    switch (positionals[0]) {
      case 'create': {
        const { key, record } = await createKey(store, values.account ?? DEFAULT_ACCOUNT, parseScopes(values.scopes));
        console.log(`key ${record.id} for account "${record.account}" with scopes ${record.scopes.join(',')}:`);
        console.log(key);
        break;
      }
      case 'list':
        for (const k of await store.listKeys()) {
          console.log(`${k.id}\t${k.prefix}...\t${k.account}\t${k.scopes.join(',')}\t${k.createdAt}${k.revokedAt ? `\trevoked ${k.revokedAt}` : ''}`);
        }
        break;
      case 'revoke': {
        const id = Number(positionals[1]);
        if (!Number.isInteger(id)) throw new ConfigError('usage: keys revoke <id> (see keys list)');
        if (!(await store.revokeKey(id))) throw new ConfigError(`no active key with id ${id}`);
        console.log(`revoked key ${id}`);
        break;
      }
      default:
        throw new ConfigError(USAGE);
    }
  } finally {
    await store.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  logger = createLogger(config);
  switch (command) {
    case 'serve':
    case undefined: {
      const { values } = parseArgs({ args: rest, options: { 'no-worker': { type: 'boolean' } } });
      return serve(config, !values['no-worker']);
    }
    case 'worker': {
      const { values } = parseArgs({ args: rest, options: { 'metrics-port': { type: 'string' } } });
      const port = values['metrics-port'];
      if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) throw new ConfigError(`--metrics-port must be a port number, got "${port}"`);
      return worker(config, port === undefined ? undefined : Number(port));
    }
    case 'keys':
      return keys(config, rest);
    case 'migrate': {
      const store = await openStore(config.databaseUrl);
      await store.migrate();
      await store.close();
      console.log('migrations applied');
      return;
    }
    default:
      throw new ConfigError(USAGE);
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
