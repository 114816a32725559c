// Slow and greedy clients: a request must arrive whole within a time limit (a body dribbled a byte at a time
// is cut off with a 408), idle connections close, and only so many connections are open at once. The
// framework's own client errors (timeouts, oversized headers, malformed requests) are answered as JSON:API.
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import type { ConnectionLimits } from '../config.js';
import { ApiError } from './errors.js';

/** How often Node looks for requests past their time: often enough that a small test timeout is honoured. */
const checkingInterval = (requestTimeoutMs: number) => Math.max(50, Math.min(30_000, Math.floor(requestTimeoutMs / 4)));

function clientErrorResponse(err: NodeJS.ErrnoException): string {
  const [status, code, detail] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'request_timeout', 'The request did not arrive in time.']
    : err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'invalid', 'The request headers are too large.']
      : [400, 'invalid', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ errors: [new ApiError(status, code, detail).toObject()] });
  return `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n`
    + `Content-Type: application/vnd.api+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Fastify options for the limits; the connection cap is set on the server once it exists (applyConnectionCap). */
export function connectionOptions(limits: ConnectionLimits): Partial<FastifyServerOptions> {
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      // Node answers a missing Host with a bare 400; host.ts answers it as JSON:API instead.
      requireHostHeader: false,
      connectionsCheckingInterval: checkingInterval(limits.requestTimeoutMs),
      headersTimeout: Math.min(60_000, limits.requestTimeoutMs),
    },
    clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
      if (socket.writable && !socket.destroyed) socket.end(clientErrorResponse(err));
      else socket.destroy();
    },
  } as Partial<FastifyServerOptions>;
}
