// Starts the real server (dist/cli.js) as a child process on a free port, against a fresh database, and
// gives tests what they need to talk to it: its URL, an API key, the official SDK and raw HTTP.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertDocument, validateSdkResponses } from './documents.ts';
import { ApiKeySession, CatalogsApi, RetryWithExponentialBackoff } from 'klaviyo-api';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
export const REVISION = '2026-04-15';

export interface StoreTarget {
  name: string;
  /** A DATABASE_URL for a new, empty database. */
  freshDatabaseUrl(): Promise<string>;
}

export const sqliteTarget: StoreTarget = {
  name: 'sqlite',
  async freshDatabaseUrl() {
    return `sqlite:${join(mkdtempSync(join(tmpdir(), 'catalog-test-')), 'catalog.db')}`;
  },
};

export interface RunningServer extends RunningProcess {
  url: string;
  key: string;
  databaseUrl: string;
}

export interface StartOptions {
  databaseUrl: string;
  key?: string;
  env?: Record<string, string>;
  args?: string[];
}

let keyCounter = 0;
export function newKey(): string {
  keyCounter++;
  return `pk_test${process.pid}x${Date.now()}x${keyCounter}`.replace(/x/g, '0').padEnd(43, '0');
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A running `catalog-server` child process. */
export interface RunningProcess {
  process: ChildProcess;
  output: () => string;
  /** SIGTERM, and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, and wait for exit. */
  kill(): Promise<void>;
}

/** Spawns `catalog-server <args>` and waits until its output matches `ready`; returns the match too. */
async function launch(args: string[], env: Record<string, string | undefined>, ready: RegExp): Promise<RunningProcess & { ready: RegExpExecArray }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${out}`)), 20_000);
    child.stdout!.on('data', () => {
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited with ${code}:\n${out}`));
    });
  });
  return {
    ready: match,
    process: child,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      return waitForExit(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await waitForExit(child);
    },
  };
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const key = options.key ?? newKey();
  const started = await launch(['serve', ...(options.args ?? [])], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    CATALOG_API_KEY: key,
    CATALOG_RATE_LIMITS: 'off',
    CATALOG_JOB_POLL_MS: '50',
    ...options.env,
  }, /listening on (http:\/\/[\d.:]+)/);
  return { ...started, url: started.ready[1], key, databaseUrl: options.databaseUrl };
}

/** Runs `catalog-server <args>` against a database and returns its stdout (throws on failure). */
export function cli(databaseUrl: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`catalog-server ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Creates a key with the CLI; the key is the last line of its output. */
export function createKeyWithCli(databaseUrl: string, account: string, scopes?: string): string {
  const out = cli(databaseUrl, ['keys', 'create', '--account', account, ...(scopes ? ['--scopes', scopes] : [])]);
  return out.trim().split('\n').pop()!;
}

/** The official SDK pointed at our server, with its automatic retries off so tests see every status. */
export function sdk(url: string, key: string): CatalogsApi {
  validateSdkResponses();
  const api = new CatalogsApi(new ApiKeySession(key, new RetryWithExponentialBackoff({ numRetries: 0 })));
  api.basePath = url;
  return api;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** Plain HTTP with the usual headers (override or drop any with `headers`), for what the SDK cannot send. */
export async function http(server: { url: string; key: string }, method: string, path: string, body?: unknown, headers: Record<string, string | undefined> = {}): Promise<RawResponse> {
  const all: Record<string, string | undefined> = {
    authorization: `Klaviyo-API-Key ${server.key}`,
    revision: REVISION,
    'content-type': body === undefined ? undefined : 'application/vnd.api+json',
    ...headers,
  };
  const sent: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (v !== undefined) sent[k] = v;
  const res = await fetch(server.url + path, {
    method,
    headers: sent,
    // Bytes as given (e.g. invalid UTF-8); anything else as JSON.
    body: body === undefined ? undefined : typeof body === 'string' ? body : body instanceof Uint8Array ? new Blob([body as Uint8Array<ArrayBuffer>]) : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  assertDocument(res.status, parsed, { method, url: server.url + path });
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Like `http`, but through node:http so that header names arrive exactly as the server wrote them. */
export function httpRawHeaders(server: { url: string; key: string }, method: string, path: string, body?: unknown): Promise<{ status: number; rawHeaders: string[]; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, {
      method,
      headers: {
        authorization: `Klaviyo-API-Key ${server.key}`,
        revision: REVISION,
        ...(payload === undefined ? {} : { 'content-type': 'application/vnd.api+json', 'content-length': Buffer.byteLength(payload) }),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        try {
          const parsed = text ? JSON.parse(text) : undefined;
          assertDocument(res.statusCode!, parsed, { method, url: server.url + path });
          resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, body: parsed });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `catalog-server worker` (jobs only; no HTTP unless `args` has --metrics-port) against a database. */
export function startWorker(databaseUrl: string, env: Record<string, string> = {}, args: string[] = []): Promise<RunningProcess> {
  return launch(['worker', ...args], { DATABASE_URL: databaseUrl, CATALOG_JOB_POLL_MS: '50', ...env }, /worker running/);
}
