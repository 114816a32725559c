// Server-wide controls (`config.control: 'admin'`) answer only `Authorization: Bearer <CATALOG_ADMIN_TOKEN>`.
// Without a configured token they are off: 403 saying how to turn them on.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';

const BEARER = /^Bearer\s+(.+)$/i;

/** Fixed-length digests: timingSafeEqual needs equal lengths, and the comparison must not reveal the token's. */
const digest = (token: string) => createHash('sha256').update(token).digest();

export function registerAdminAuth(app: FastifyInstance, adminToken: string | undefined): void {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.control !== 'admin') return;
    if (!expected) {
      throw new ApiError(403, 'permission_denied', 'Server-wide controls are off: start the server with CATALOG_ADMIN_TOKEN set to use them.');
    }
    const header = request.headers.authorization?.trim();
    if (!header) throw new ApiError(401, 'not_authenticated', 'Send the admin token as "Authorization: Bearer <CATALOG_ADMIN_TOKEN>".');
    const token = BEARER.exec(header)?.[1].trim();
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      throw new ApiError(401, 'authentication_failed', 'The Authorization header does not carry the admin token ("Bearer <CATALOG_ADMIN_TOKEN>").');
    }
  });
}
