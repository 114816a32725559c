// A worker (`catalog-server worker`) serves no API, but it is the process that applies bulk jobs, so its job
// counters and apply times live there. With --metrics-port it answers GET /metrics, /healthz and /readyz on
// that port (HOST's address), and nothing else.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { registerErrorHandling } from '../http/errors.js';
import { registerNotFound } from '../http/not-found.js';
import { registerSecurityHeaders } from '../http/security-headers.js';
import type { Store } from '../store/store.js';
import { registerAccessLog } from './access-log.js';
import { registerMetrics } from './metrics.js';
import { registerHealth } from './readiness.js';
import { registerRequestIds, requestIdOptions } from './request-id.js';

export function buildWorkerHttp(config: Config, parts: { store: Store; clock: Clock; logger: FastifyBaseLogger }): FastifyInstance {
  const app = Fastify({ loggerInstance: parts.logger, ...requestIdOptions, return503OnClosing: false });
  registerRequestIds(app);
  registerErrorHandling(app);
  registerSecurityHeaders(app);
  registerNotFound(app);
  registerAccessLog(app);
  registerMetrics(app, { store: parts.store, clock: parts.clock, adminToken: config.adminToken });
  registerHealth(app, { store: parts.store });
  return app;
}
