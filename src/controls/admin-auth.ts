// Server-wide controls (`config.control: 'admin'`) answer only `Authorization: Bearer <CATALOG_ADMIN_TOKEN>`.
// Without a configured token they are off: 403 saying how to turn them on.
import type { FastifyInstance } from 'fastify';
import { adminTokenCheck } from '../http/admin-token.js';
import { ApiError } from '../http/errors.js';
import { routeConfig } from '../http/route-config.js';

export function registerAdminAuth(app: FastifyInstance, adminToken: string | undefined): void {
  const check = adminTokenCheck(adminToken);
  app.addHook('onRequest', (request, _reply, done) => {
    if (routeConfig(request).control !== 'admin') return done();
    if (!check) throw new ApiError(403, 'permission_denied', 'Server-wide controls are off: start the server with CATALOG_ADMIN_TOKEN set to use them.');
    check(request);
    done();
  });
}
