// Links are absolute, built from the Host the client sent: refuse a Host that cannot be the authority of a
// URL (`a b`, `a[b`) instead of writing it into every link, and fall back to the address the request came
// in on when an HTTP/1.0 client sends none.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalid } from './errors.js';

/** A DNS name or IPv4 address, or a bracketed IPv6 literal, with an optional port: RFC 3986 authority, no userinfo. */
const HOST = /^(?:[A-Za-z0-9._~-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The authority links are built with: the validated Host header, or the local address it came in on. */
export function hostOf(request: FastifyRequest): string {
  const host = request.headers.host;
  if (host !== undefined) return host;
  const { localAddress = '127.0.0.1', localPort } = request.socket;
  return `${localAddress.includes(':') ? `[${localAddress}]` : localAddress}:${localPort}`;
}

export function registerHostCheck(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const host = request.headers.host;
    if (host !== undefined && !HOST.test(host)) throw invalid('The Host header is not a valid host name.');
    // HTTP/1.1 requires Host (RFC 9112 3.2); only HTTP/1.0 clients may leave it out.
    if (host === undefined && request.raw.httpVersion !== '1.0') throw invalid('The Host header is required.');
    done();
  });
}
