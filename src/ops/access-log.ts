// One access line per request at `info`, in place of Fastify's own request logging: which operation, for which
// account, with what status and how long it took, under the request's id (the logger's `request_id`).
// Never a key, a header or a body.
import type { FastifyInstance } from 'fastify';
import { requestRouteName } from './route-name.js';

/** The logger's level as pino has it; Fastify's type does not show it. */
type LevelAware = { isLevelEnabled?: (level: string) => boolean };

export function registerAccessLog(app: FastifyInstance): void {
  // Below `info` the hook would cost every request for nothing (the level is fixed at start).
  if (!(app.log as LevelAware).isLevelEnabled?.('info')) return;
  // A callback hook: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({
      operation: requestRouteName(request),
      account: request.account || undefined,
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
    }, 'request');
    done();
  });
}
