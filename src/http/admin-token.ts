// The admin token (CATALOG_ADMIN_TOKEN) guards what is not for tenants: /metrics when a token is set, and the
// server-wide controls. Sent as `Authorization: Bearer <token>`; compared as hashes in constant time, so the
// answer's timing says nothing about the token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();
const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/** A check that throws a JSON:API 401 unless the request carries `token`; undefined when no token is configured. */
export function adminTokenCheck(token: string | undefined): ((request: FastifyRequest) => void) | undefined {
  if (!token) return undefined;
  const expected = digest(token);
  return (request) => {
    const header = request.headers.authorization?.trim();
    if (!header) throw new ApiError(401, 'not_authenticated', 'Send the admin token as "Authorization: Bearer <CATALOG_ADMIN_TOKEN>".', undefined, CHALLENGE);
    const sent = /^Bearer\s+(.+)$/i.exec(header)?.[1].trim();
    if (!sent || !timingSafeEqual(digest(sent), expected)) {
      throw new ApiError(401, 'authentication_failed', 'The Authorization header does not carry the admin token ("Bearer <CATALOG_ADMIN_TOKEN>").', undefined, CHALLENGE);
    }
  };
}
