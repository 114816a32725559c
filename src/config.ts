// Reads the environment once into one typed, validated object. Everything else takes a Config.
import { PACES, type Pace, type PaceSettings } from './jobs/pace.js';

export interface Config {
  port: number;
  host: string;
  /** `sqlite:<path>` or `postgres://...` */
  databaseUrl: string;
  apiKey: string | undefined;
  rateLimits: boolean;
  redisUrl: string | undefined;
  publicUrl: string | undefined;
  /** How long a finished job stays readable. */
  jobTtlMs: number;
  /** How often an idle worker looks for jobs accepted by other processes. */
  jobPollMs: number;
  /** How long accepted jobs stay `processing` (CATALOG_JOB_PACE, CATALOG_JOB_PACE_SCALE). */
  jobPace: PaceSettings;
  /** The test controls under /__admin/ (CATALOG_CONTROLS=off removes them). */
  controls: boolean;
  /** The request journal (CATALOG_JOURNAL, CATALOG_JOURNAL_SIZE): on, and the entries kept per account. */
  journal: { enabled: boolean; size: number };
  /** The web console at /console (CATALOG_CONSOLE=off removes it). */
  console: boolean;
  /** How often an open event stream (a job's progress) reads the store for changes. */
  streamPollMs: number;
  /** Slow or idle clients: how long a whole request may take to arrive, and how long a connection may sit idle. */
  connections: ConnectionLimits;
  /** How long a looked-up API key (or the absence of one) is trusted before the store is asked again. */
  keyCacheMs: number;
  /** Bytes of encoded reads kept per process (src/http/read-cache.ts); 0 keeps none. */
  readCacheBytes: number;
  /** Failed authentications one client address may make per minute before it is answered 429. */
  authFailuresPerMinute: number;
  /** CATALOG_ADMIN_TOKEN: the Bearer token of server-wide endpoints (/metrics) and controls; none when unset. */
  adminToken: string | undefined;
  /** LOG_LEVEL: pino's level; access lines are at info. */
  logLevel: LogLevel;
  /** LOG_FORMAT: JSON lines, or pretty lines for a person at a terminal. */
  logFormat: 'json' | 'pretty';
  /** A fixture (.json) or CSV feed (.csv) imported into the default account at start while it is empty (CATALOG_SEED). */
  seed: string | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ConnectionLimits {
  /** A request (headers and body) must have arrived this long after it started, or it gets a 408. */
  requestTimeoutMs: number;
  /** A connection on which nothing moves for this long is closed. */
  idleTimeoutMs: number;
  /** A kept-alive connection waits this long for the next request. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; more are refused. */
  maxConnections: number;
}

export class ConfigError extends Error {}

function onOff(name: string, raw: string | undefined): boolean {
  const value = (raw ?? 'on').toLowerCase();
  if (value !== 'on' && value !== 'off') throw new ConfigError(`${name} must be "on" or "off", got "${raw}"`);
  return value === 'on';
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

export function databaseUrlFrom(raw: string | undefined): string {
  if (!raw) return 'sqlite:./data/catalog.db';
  if (raw.startsWith('sqlite:') || raw.startsWith('postgres://') || raw.startsWith('postgresql://')) return raw;
  throw new ConfigError(`DATABASE_URL must be sqlite:<path> or postgres://..., got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const publicUrl = env.CATALOG_PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new ConfigError(`CATALOG_PUBLIC_URL must be an http(s) URL, got "${env.CATALOG_PUBLIC_URL}"`);
  }
  const apiKey = env.CATALOG_API_KEY || undefined;
  // As long as the keys `keys create` makes (pk_ + 40 hex digits) or Klaviyo's own: not a guessable password.
  if (apiKey && !/^pk_[A-Za-z0-9]{32,128}$/.test(apiKey)) {
    throw new ConfigError('CATALOG_API_KEY must start with "pk_" followed by 32 to 128 letters and digits');
  }
  const pace = (env.CATALOG_JOB_PACE || 'instant') as Pace;
  if (!PACES.includes(pace)) throw new ConfigError(`CATALOG_JOB_PACE must be one of ${PACES.join(', ')}, got "${env.CATALOG_JOB_PACE}"`);
  const scale = env.CATALOG_JOB_PACE_SCALE ? Number(env.CATALOG_JOB_PACE_SCALE) : 1;
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) {
    throw new ConfigError(`CATALOG_JOB_PACE_SCALE must be a number above 0 and at most 1000, got "${env.CATALOG_JOB_PACE_SCALE}"`);
  }
  const logLevel = (env.LOG_LEVEL || 'warn').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const logFormat = (env.LOG_FORMAT || 'json').toLowerCase();
  if (logFormat !== 'json' && logFormat !== 'pretty') throw new ConfigError(`LOG_FORMAT must be "json" or "pretty", got "${env.LOG_FORMAT}"`);
  const adminToken = env.CATALOG_ADMIN_TOKEN || undefined;
  // Sent as `Authorization: Bearer <token>`: it must fit in a header as it is, and not be guessable.
  if (adminToken && !/^[\x21-\x7e]{16,512}$/.test(adminToken)) {
    throw new ConfigError('CATALOG_ADMIN_TOKEN must be 16 to 512 printable characters without spaces');
  }
  return {
    port: integer('PORT', env.PORT, 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl: databaseUrlFrom(env.DATABASE_URL),
    apiKey,
    rateLimits: onOff('CATALOG_RATE_LIMITS', env.CATALOG_RATE_LIMITS),
    redisUrl: env.REDIS_URL || undefined,
    publicUrl,
    jobTtlMs: integer('CATALOG_JOB_TTL_SECONDS', env.CATALOG_JOB_TTL_SECONDS, 7 * 86400, 1, 365 * 86400) * 1000,
    jobPollMs: integer('CATALOG_JOB_POLL_MS', env.CATALOG_JOB_POLL_MS, 250, 10, 60_000),
    jobPace: { pace, scale },
    controls: onOff('CATALOG_CONTROLS', env.CATALOG_CONTROLS),
    journal: { enabled: onOff('CATALOG_JOURNAL', env.CATALOG_JOURNAL), size: integer('CATALOG_JOURNAL_SIZE', env.CATALOG_JOURNAL_SIZE, 1000, 1, 100_000) },
    console: onOff('CATALOG_CONSOLE', env.CATALOG_CONSOLE),
    streamPollMs: integer('CATALOG_STREAM_POLL_MS', env.CATALOG_STREAM_POLL_MS, 500, 10, 60_000),
    connections: {
      requestTimeoutMs: integer('CATALOG_REQUEST_TIMEOUT_MS', env.CATALOG_REQUEST_TIMEOUT_MS, 30_000, 100, 3_600_000),
      idleTimeoutMs: integer('CATALOG_IDLE_TIMEOUT_MS', env.CATALOG_IDLE_TIMEOUT_MS, 120_000, 100, 3_600_000),
      keepAliveTimeoutMs: integer('CATALOG_KEEP_ALIVE_TIMEOUT_MS', env.CATALOG_KEEP_ALIVE_TIMEOUT_MS, 72_000, 100, 3_600_000),
      maxConnections: integer('CATALOG_MAX_CONNECTIONS', env.CATALOG_MAX_CONNECTIONS, 10_000, 1, 1_000_000),
    },
    keyCacheMs: integer('CATALOG_KEY_CACHE_MS', env.CATALOG_KEY_CACHE_MS, 2_000, 0, 60_000),
    readCacheBytes: integer('CATALOG_READ_CACHE_MB', env.CATALOG_READ_CACHE_MB, 16, 0, 4096) * 1024 * 1024,
    authFailuresPerMinute: integer('CATALOG_AUTH_FAILURES_PER_MINUTE', env.CATALOG_AUTH_FAILURES_PER_MINUTE, 60, 1, 1_000_000),
    adminToken,
    logLevel,
    logFormat,
    seed: env.CATALOG_SEED || undefined,
  };
}
