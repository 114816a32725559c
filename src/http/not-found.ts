// Requests no route answers: 405 with Allow when the path exists for other methods (as Klaviyo answers),
// 404 otherwise, both as JSON:API errors.
import type { FastifyInstance } from 'fastify';
import { ApiError, notFound, sendError } from './errors.js';

export function registerNotFound(app: FastifyInstance): void {
  const routes: { method: string; path: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = route.url.replace(/:[^/]+/g, '[^/]+');
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, path: new RegExp(`^${pattern}/?$`) });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = [...new Set(routes.filter((r) => r.path.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('Allow', allowed.join(', '));
      return sendError(reply, new ApiError(405, 'method_not_allowed', `${request.method} is not allowed here; allowed: ${allowed.join(', ')}.`));
    }
    return sendError(reply, notFound(`There is no ${request.method} ${path} in this API.`));
  });
}
