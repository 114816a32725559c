// The name of the operation a route serves, for metrics, the OpenAPI document, logs and the journal: the spec's
// operationId for Klaviyo operations (config.operation.id), the control's name for test controls
// (config.controlName), and for any other route a name made from its method and path pattern
// (`GET /healthz` -> `get_healthz`). Made from the route, never from what a client sent.
import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import { routeConfig } from '../http/route-config.js';

/** The label of requests no route answered (404, 405, refused before routing). */
export const UNMATCHED = 'unmatched';

export interface RouteIdentity {
  method: string;
  /** The path pattern as registered (`/api/catalog-items/:id`). */
  url: string;
  config?: FastifyContextConfig;
}

export function routeName(route: RouteIdentity): string {
  return route.config?.operation?.id ?? route.config?.controlName
    ?? `${route.method}_${route.url}`.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** Names by route config: each route has its own (its HEAD twin too), which lives as long as the route. */
const names = new WeakMap<object, string>();

/** routeName of the route that answered `request` (cached per route: this runs for every request). */
export function requestRouteName(request: FastifyRequest): string {
  const config = routeConfig(request);
  const { url } = config;
  if (url === undefined) return UNMATCHED;
  // A route of several methods shares one config: named by the method of each request, uncached.
  if (typeof config.method !== 'string') return routeName({ method: request.method, url, config });
  let name = names.get(config);
  if (name === undefined) {
    name = routeName({ method: request.method, url, config });
    names.set(config, name);
  }
  return name;
}
