// Server-wide endpoints that are not for tenants (metrics) answer only `Authorization: Bearer
// <CATALOG_ADMIN_TOKEN>` when a token is configured. Compared as hashes in constant time, so the answer's
// timing says nothing about the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ApiError } from './errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** An onRequest hook that refuses requests without the token; undefined when no token is configured (open). */
export function requireAdminToken(token: string | undefined): onRequestHookHandler | undefined {
  if (!token) return undefined;
  const expected = digest(token);
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization?.trim();
    if (!header) throw new ApiError(401, 'not_authenticated', 'Send the admin token as "Authorization: Bearer <CATALOG_ADMIN_TOKEN>".', undefined, { 'WWW-Authenticate': 'Bearer' });
    const sent = /^Bearer\s+(.+)$/i.exec(header)?.[1];
    if (!sent || !timingSafeEqual(digest(sent), expected)) {
      throw new ApiError(401, 'authentication_failed', 'The Authorization header does not carry the admin token ("Bearer <CATALOG_ADMIN_TOKEN>").', undefined, { 'WWW-Authenticate': 'Bearer' });
    }
  };
}
