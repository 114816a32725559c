// Assembles the HTTP app. A request travels: content type -> auth -> revision -> rate limit (onRequest
// hooks, in that order) -> body parsing and schema validation -> handler (domain + one store transaction)
// -> JSON:API rendering. Every failure on the way is rendered by the error handler. Hooks that decide at once
// are written as callbacks (done), not async functions: every request passes them all, and a promise each
// would cost it a microtask per hook.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerBackInStock } from './api/back-in-stock/routes.js';
import { maxBytesKeyword } from './api/schemas.js';
import { registerJobs } from './api/jobs/routes.js';
import { registerRelationships } from './api/relationships/routes.js';
import { registerResources } from './api/resources/routes.js';
import type { Config } from './config.js';
import { registerAuth } from './http/auth.js';
import { connectionOptions } from './http/connections.js';
import type { Cursors } from './http/cursors.js';
import { registerContentType } from './http/content-type.js';
import { frameworkErrors, registerErrorHandling } from './http/errors.js';
import { registerHostCheck } from './http/host.js';
import { registerNotFound } from './http/not-found.js';
import { memoryLimiters, registerRateLimits, type LimiterFactory } from './http/rate-limit.js';
import { registerRevision } from './http/revision.js';
import type { JobEngine } from './jobs/engine.js';
import type { StoredClock } from './clock.js';
import { registerControls } from './controls/index.js';
import { registerJobStream } from './controls/job-stream.js';
import { FinishedJobCache } from './api/jobs/finished-cache.js';
import { ReadCache } from './http/read-cache.js';
import { registerConsole } from './http/console.js';
import { EventStreams, realTicker, type Ticker } from './http/sse.js';
import { registerWellFormedBodies } from './http/well-formed.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { registerTurnEndSends } from './http/turn-end-sends.js';
import { registerJournalAndFaults } from './journal/index.js';
import type { Store } from './store/store.js';
import { registerAccessLog } from './ops/access-log.js';
import { registerDocs } from './ops/docs.js';
import { registerMetrics } from './ops/metrics.js';
import { registerOpenApi } from './ops/openapi.js';
import { registerHealth, type ReadinessOptions } from './ops/readiness.js';
import { registerRequestIds, requestIdOptions } from './ops/request-id.js';
import { registerRouteConfig } from './http/route-config.js';

export const BODY_LIMIT = 5 * 1024 * 1024;

export interface ServerParts {
  store: Store;
  /** Answers job controls; runs jobs too when started (not under `serve --no-worker`). */
  engine: JobEngine;
  /** Every timestamp, job schedule and expiry reads it; the clock control moves it. */
  clock: StoredClock;
  /** Page cursors, sealed with the deployment's secret (loadCursors). */
  cursors: Cursors;
  limiters?: LimiterFactory;
  /** The Redis client behind `limiters`, for readiness. */
  redis?: ReadinessOptions['redis'];
  logger?: FastifyBaseLogger;
  /** Timers of event streams (polling, keep-alive); a test may tick them by hand. */
  ticker?: Ticker;
}

export function buildServer(config: Config, parts: ServerParts): FastifyInstance {
  const app = Fastify({
    ...(parts.logger ? { loggerInstance: parts.logger } : { logger: false }),
    ...requestIdOptions,
    bodyLimit: BODY_LIMIT,
    // Ids are compound and external ids can be long: allow path parameters well beyond the default 100 characters.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
    // Validate exactly as specified: no coercion, no silently dropped or defaulted properties.
    ajv: { customOptions: { removeAdditional: false, useDefaults: false, coerceTypes: false, allErrors: false }, plugins: [maxBytesKeyword] },
    // Closing and pre-routing failures are answered as JSON:API by errors.ts, not with Fastify's bodies.
    return503OnClosing: false,
    frameworkErrors,
    ...connectionOptions(config.connections),
  });
  app.server.maxConnections = config.connections.maxConnections;
  app.decorate('publicUrl', config.publicUrl);
  app.decorate('cursors', parts.cursors);
  app.decorateRequest('account', '');
  app.decorateRequest('keyAccount', '');
  registerRouteConfig(app);
  registerSecurityHeaders(app); // first, so that every answer has them, the 503 while closing included
  registerTurnEndSends(app);
  registerRequestIds(app);
  registerErrorHandling(app);
  registerHostCheck(app);
  registerNotFound(app);
  registerContentType(app);
  registerWellFormedBodies(app);
  registerAuth(app, parts.store, { cacheMs: config.keyCacheMs, failuresPerMinute: config.authFailuresPerMinute });
  registerRevision(app);
  if (config.rateLimits) registerRateLimits(app, parts.limiters ?? memoryLimiters);
  registerOpenApi(app); // before every other route: it lists the routes registered after it
  registerAccessLog(app);
  const { store, engine, clock } = parts;
  registerMetrics(app, { store, clock, adminToken: config.adminToken });
  registerHealth(app, { store, redis: parts.redis });
  registerDocs(app);
  const ticker = parts.ticker ?? realTicker;
  // One bound per account on the event streams it holds open, whichever they are (job progress, journal).
  const streams = new EventStreams(app, ticker);
  // Before the API routes: it adds its hooks to each operation's route as that is registered.
  if (config.controls) registerJournalAndFaults(app, { ...config.journal, clock, streams });
  const finished = new FinishedJobCache();
  const reads = new ReadCache(store, clock, config.readCacheBytes);
  registerResources(app, store, clock, reads);
  registerRelationships(app, store, reads);
  registerJobs(app, { store, runner: engine, clock, pace: config.jobPace, ttlMs: config.jobTtlMs, finished, reads });
  registerBackInStock(app, store, clock);
  if (config.controls) {
    registerControls(app, { store, engine, clock, finished, adminToken: config.adminToken, serverPace: config.jobPace.pace });
    registerJobStream(app, { store, clock, streams, ticker, pollMs: config.streamPollMs });
  }
  if (config.console) registerConsole(app);
  return app;
}
