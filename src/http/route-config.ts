// The config of the route a request is on, for the hooks every request passes (auth, revision, metrics...).
// Fastify's request.routeOptions builds a new object of a dozen fields on every read; this reads it once per
// request and keeps the config on the request.
import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by routeConfig() on first use. */
    routeConfigRead: FastifyContextConfig | null;
  }
}

export function registerRouteConfig(app: FastifyInstance): void {
  app.decorateRequest('routeConfigRead', null);
}

/** The route's config (with its `url` and `method`; no `url` for requests no route answered). */
export function routeConfig(request: FastifyRequest): FastifyContextConfig & { url?: string; method?: string } {
  return (request.routeConfigRead ??= request.routeOptions.config);
}
