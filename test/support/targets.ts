// The backends the end-to-end suites run against: SQLite always; PostgreSQL and Redis when reachable at
// CATALOG_TEST_POSTGRES_URL / CATALOG_TEST_REDIS_URL. A suite whose service is down is reported as skipped,
// or fails the run when CATALOG_TEST_REQUIRE_SERVICES=1 (CI), so that it cannot pass without running.
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sqliteTarget, type StoreTarget } from './server.ts';

const POSTGRES_URL = process.env.CATALOG_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.CATALOG_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const REQUIRED = process.env.CATALOG_TEST_REQUIRE_SERVICES === '1';

/** Test databases older than this are left over from runs that did not clean up, and are dropped. */
const STALE_MS = 3600_000;

/** Runs `use` with a client connected as the test server's administrator (to create, alter or drop databases). */
export async function withAdmin<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {}); // a dropped connection fails the query in hand; that is enough
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Databases are named catalog_test_<created ms>_<random>, so that a later run knows which are stale. */
async function dropStaleDatabases(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'catalog\\_test\\_%'`);
  for (const { datname } of rows) {
    const created = Number(datname.split('_')[2]);
    if (Date.now() - created > STALE_MS) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

const postgresTarget: StoreTarget = {
  name: 'postgres',
  async freshDatabaseUrl() {
    const name = `catalog_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
    await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    return url.toString();
  },
};

/** A suite that could not run, counted as a skipped test in the summary. */
function skipped(name: string, reason: string): void {
  describe(name, () => it('needs a service that is not reachable', { skip: reason }, () => {}));
}

/** The reason a service cannot be used: printed, and fatal when services are required. */
function unavailable(service: string, url: string, err: unknown): string {
  const reason = `${service} not reachable at ${url} (${(err as Error).message})`;
  if (REQUIRED) throw new Error(`${reason}, and CATALOG_TEST_REQUIRE_SERVICES=1`);
  console.log(`SKIP ${reason}`);
  return reason;
}

let postgres: Promise<StoreTarget | string> | undefined;
/** The PostgreSQL target, or why there is none; probed once per test file. */
function probePostgres(): Promise<StoreTarget | string> {
  postgres ??= withAdmin(dropStaleDatabases).then(() => postgresTarget, (err) => unavailable('postgres', POSTGRES_URL, err));
  return postgres;
}

export async function storeTargets(): Promise<StoreTarget[]> {
  const pgTarget = await probePostgres();
  return typeof pgTarget === 'string' ? [sqliteTarget] : [sqliteTarget, pgTarget];
}

/** Declares `suite` once per storage backend; a backend that is not reachable shows as a skipped suite. */
export async function forEachStore(name: string, suite: (target: StoreTarget) => void): Promise<void> {
  for (const target of await storeTargets()) describe(`${name} [${target.name}]`, () => suite(target));
  const pgTarget = await probePostgres();
  if (typeof pgTarget === 'string') skipped(`${name} [postgres]`, pgTarget);
}

/** Declares `suite` with the PostgreSQL target, or as skipped when PostgreSQL is not reachable. */
export async function withPostgres(name: string, suite: (target: StoreTarget) => void): Promise<void> {
  const pgTarget = await probePostgres();
  if (typeof pgTarget === 'string') skipped(name, pgTarget);
  else describe(name, () => suite(pgTarget));
}

async function pingRedis(): Promise<void> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // the failed connect() says it
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

/** Declares `suite` with the Redis URL, or as skipped when Redis is not reachable. */
export async function withRedis(name: string, suite: (redisUrl: string) => void): Promise<void> {
  const reason = await pingRedis().then(() => undefined, (err) => unavailable('redis', REDIS_URL, err));
  if (reason) skipped(name, reason);
  else describe(name, () => suite(REDIS_URL));
}
