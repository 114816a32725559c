// Request ids: one id per request (Fastify's request.id), used in the X-Request-Id response header, the `id` of
// error documents, the access log line and the journal, so that one id quoted by a user finds everything.
// A client's own X-Request-Id is kept when it is well formed (it then ties our records to the client's);
// anything else (missing, too long, odd characters, sent twice) gets an id of ours.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** What a client may send as its request id: short, and safe in a header, a log line and a URL. */
export const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && WELL_FORMED_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** Fastify options: our id for every request, logged as `request_id`; Fastify's own request logging off (access-log.ts logs instead). */
export const requestIdOptions: Partial<FastifyServerOptions> = {
  // Not requestIdHeader: Fastify would take any value the client sends, unchecked.
  requestIdHeader: false,
  genReqId: requestIdOf,
  logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
};

/**
 * Every answer carries the id; registered first, so that even a request refused by the first hook has it.
 * (Failures before routing skip hooks: errors.ts frameworkErrors sets the header itself.)
 */
export function registerRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
