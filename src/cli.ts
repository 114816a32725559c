#!/usr/bin/env node
// Commands: serve (API and job worker), worker (jobs only), keys (create, list, revoke), migrate,
// export and import (fixtures), exec (run a command against a fresh server), tail (the live journal).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DEFAULT_ACCOUNT, createKey, ensureConfiguredKey, parseScopes } from './keys.js';
import { JobEngine } from './jobs/engine.js';
import { sweepExpiredJobs } from './jobs/expiry.js';
import { exportCatalog } from './fixtures/format.js';
import { importFile, ImportFileError, isCsv } from './fixtures/file.js';
import { execCommand } from './library/exec.js';
import { TailError, tail } from './journal/tail.js';
import { buildWorkerHttp } from './ops/worker-http.js';
import { progressBar } from './progress.js';
import { openClock, startServer } from './start.js';
import { openStore } from './store/open.js';
import type { Store } from './store/store.js';
import { createLogger } from './ops/logger.js';
import { jobMetrics } from './ops/metrics.js';
import type { Logger } from 'pino';

const USAGE = `usage: catalog-server <command>
  serve [--no-worker]     serve the API (and run bulk jobs unless --no-worker)
  worker [--metrics-port N]
                          run bulk jobs only (and serve /metrics, /healthz, /readyz on port N)
  keys create [--account NAME] [--scopes catalogs:read,catalogs:write,profiles:write]
  keys list
  keys revoke <id>
  migrate                 apply database migrations and exit
  export [--account NAME]               print the account's catalog as a fixture document (JSON)
  import <file.json|file.csv> [--account NAME]
                          import a fixture document or a CSV product feed, all or nothing
  exec -- <command> [args...]
                          run a command against a server on a fresh in-memory database
                          (KLAVIYO_BASE_URL, KLAVIYO_API_KEY, CATALOG_ADMIN_TOKEN set); exits with its status
  tail [--url URL] [--key KEY] [--operation ID] [--method M] [--path-prefix P] [--status N] [--status-class 5xx] [--json]
                          print the requests of KEY's account as the server journals them (KEY: a full-access key,
                          default CATALOG_API_KEY; URL default CATALOG_URL or http://127.0.0.1:PORT)
Environment: PORT, HOST, DATABASE_URL, PG_POOL_SIZE, CATALOG_API_KEY, CATALOG_RATE_LIMITS, CATALOG_PUBLIC_URL, REDIS_URL, CATALOG_JOB_PACE, CATALOG_JOB_PACE_SCALE, CATALOG_CONTROLS,
  CATALOG_JOURNAL, CATALOG_JOURNAL_SIZE, CATALOG_CONSOLE, CATALOG_STREAM_POLL_MS, LOG_LEVEL, LOG_FORMAT,
  CATALOG_REQUEST_TIMEOUT_MS, CATALOG_IDLE_TIMEOUT_MS, CATALOG_KEEP_ALIVE_TIMEOUT_MS, CATALOG_MAX_CONNECTIONS,
  CATALOG_KEY_CACHE_MS, CATALOG_AUTH_FAILURES_PER_MINUTE, CATALOG_ADMIN_TOKEN, CATALOG_SEED (see README)`;

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
  const server = await startServer(config, { logger, withWorker, prepare: (store) => prepareKeys(config, store) });
  onSignals(server.stop);
  console.log(`klaviyo-catalog-server listening on ${server.url}${withWorker ? '' : ' (no job worker)'}`);
  if (config.console) console.log(`console: ${server.url}/console`);
}

async function worker(config: Config, metricsPort: number | undefined): Promise<void> {
  const store = await openStore(config.databaseUrl);
  const clock = await openClock(store, config, logger);
  const engine = new JobEngine(store, { clock, log: logger, pollMs: config.jobPollMs, observer: jobMetrics });
  const stopSweeping = sweepExpiredJobs(store, clock, logger);
  const app = metricsPort === undefined ? undefined : buildWorkerHttp(config, { store, clock, logger });
  onSignals(async () => {
    await app?.close();
    await engine.stop();
    stopSweeping();
    clock.stop();
    await store.close();
  });
  engine.start();
  const address = await app?.listen({ port: metricsPort, host: config.host });
  console.log(`klaviyo-catalog-server worker running${address ? `; metrics on ${address}/metrics` : ''}`);
}

/** export and import: one account's catalog, to stdout or from a file. */
async function fixtures(config: Config, command: 'export' | 'import', args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { account: { type: 'string' } } });
  const account = values.account ?? DEFAULT_ACCOUNT;
  if (command === 'import' && positionals.length !== 1) throw new ConfigError('usage: catalog-server import <file.json|file.csv> [--account NAME]');
  if (command === 'export' && positionals.length) throw new ConfigError('usage: catalog-server export [--account NAME] > file.json');
  const store = await openStore(config.databaseUrl);
  try {
    if (command === 'export') {
      process.stdout.write(`${JSON.stringify(await exportCatalog(store, account), null, 2)}\n`);
      return;
    }
    const [path] = positionals;
    const clock = await openClock(store, config, logger);
    clock.stop(); // one reading is enough for one import
    // A bar on a terminal, for feeds large enough to take a moment; nothing in a pipe or a log.
    const bar = isCsv(path) && process.stderr.isTTY ? progressBar(process.stderr, `reading ${path}`) : undefined;
    let counts;
    try {
      counts = await importFile(store, account, path, clock.now().toISOString(), bar?.update);
    } finally {
      bar?.done();
    }
    console.log(`imported ${counts.items} items, ${counts.variants} variants and ${counts.categories} categories into account "${account}"`);
  } finally {
    await store.close();
  }
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

async function tailCommand(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' },
      operation: { type: 'string' }, method: { type: 'string' }, 'path-prefix': { type: 'string' }, status: { type: 'string' }, 'status-class': { type: 'string' },
    },
  });
  const key = values.key ?? config.apiKey;
  if (!key) throw new ConfigError('tail needs a full-access key of the account to follow: --key pk_... or CATALOG_API_KEY');
  const filters: Record<string, string> = {};
  for (const name of ['operation', 'method', 'path-prefix', 'status', 'status-class'] as const) {
    if (values[name] !== undefined) filters[name.replace('-', '_')] = values[name];
  }
  const url = values.url ?? (process.env.CATALOG_URL || `http://127.0.0.1:${config.port}`);
  try {
    await tail({ url, key, filters, json: values.json === true, print: (line) => console.log(line) });
    console.error('the server closed the journal stream');
  } catch (err) {
    if (!(err instanceof TailError)) throw err;
    console.error(err.message);
  }
  // It runs until interrupted: any other end is a failure.
  process.exitCode = 1;
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
    case 'tail':
      return tailCommand(config, rest);
    case 'export':
    case 'import':
      return fixtures(config, command, rest);
    case 'exec':
      process.exitCode = await execCommand(rest);
      return;
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
  // Mistakes in the command or the input are explained in a line; anything else is shown whole.
  console.error(err instanceof ConfigError || err instanceof ImportFileError ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
