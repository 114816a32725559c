// The HTTP app built in this process (no child process, no port) for tests that look at its routes or
// inject requests: buildServer over a fresh SQLite store, as `serve` assembles it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { StoredClock, systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { loadCursors } from '../../src/http/cursors.ts';
import { JobEngine } from '../../src/jobs/engine.ts';
import { jobMetrics } from '../../src/ops/metrics.ts';
import { buildServer } from '../../src/server.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

export interface InProcessApp {
  app: FastifyInstance;
  store: SqliteStore;
  close(): Promise<void>;
}

export async function inProcessApp(env: NodeJS.ProcessEnv = {}): Promise<InProcessApp> {
  const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'catalog-test-')), 'catalog.db'));
  const quiet = { error() {}, warn() {}, info() {}, debug() {} } as never;
  await store.migrate();
  const engine = new JobEngine(store, { clock: systemClock, log: quiet, pollMs: 50, observer: jobMetrics });
  const app = buildServer(loadConfig(env), { store, engine, clock: new StoredClock(store), cursors: await loadCursors(store) });
  await app.ready();
  return {
    app,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/**
 * Every route the app answers, as `METHOD /path/:param`, read from Fastify's own route tree (printRoutes), not
 * from anything this project records.
 */
export function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    const path = (parents[depth - 1] ?? '') + m[2];
    parents[depth] = path;
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) routes.push(`${method} ${path}`);
  }
  return routes;
}
