// GET /openapi.json: an OpenAPI 3.1 document of every route this server answers, made from the routes
// themselves as they are registered (an onRoute hook): their path patterns, the JSON Schemas Fastify validates
// requests with, and their config (the Klaviyo operation, or a control's name). Nothing is written twice, so
// the document cannot drift from the server: a route added later, a control among them, appears by itself.
// Routes may add documentation in their schema (summary, description, tags, produces, security), under
// @fastify/swagger's names. HEAD routes Fastify adds beside GET ones are left out (every GET path answers HEAD).
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { ERROR_DOCUMENT_SCHEMA } from '../http/errors.js';
import { JSONAPI, baseUrl } from '../http/jsonapi.js';
import type { QuerySpec } from '../http/query.js';
import { REVISION_FORMAT } from '../http/revision.js';
import { routeName } from './route-name.js';

type Json = Record<string, unknown>;

const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const TAGS = [
  { name: 'Catalogs', description: "Klaviyo's Catalogs API (revision 2026-04-15), as the official SDKs call it." },
  { name: 'Controls', description: 'Test controls under /__admin/ (CATALOG_CONTROLS=off removes them).' },
  { name: 'Server', description: 'Health, readiness, metrics and this documentation.' },
];

const COMPONENTS = {
  securitySchemes: {
    KlaviyoApiKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'A private API key: `Klaviyo-API-Key pk_...`' },
    AdminToken: { type: 'http', scheme: 'bearer', description: 'CATALOG_ADMIN_TOKEN' },
  },
  schemas: { ErrorDocument: ERROR_DOCUMENT_SCHEMA },
  responses: {
    Error: { description: 'A JSON:API error document', content: { [JSONAPI]: { schema: { $ref: '#/components/schemas/ErrorDocument' } } } },
  },
};

const REVISION_PARAMETER = {
  name: 'revision', in: 'header', required: true,
  description: 'The API revision, YYYY-MM-DD with an optional .suffix, at most two years old (e.g. 2026-04-15).',
  schema: { type: 'string', pattern: REVISION_FORMAT.source },
};

/** `/api/catalog-items/:id` -> `/api/catalog-items/{id}` and the names of its parameters. */
export function openApiPath(url: string): { path: string; names: string[] } {
  const names: string[] = [];
  const path = url
    .replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, (_, name: string) => {
      names.push(name);
      return `{${name}}`;
    })
    .replace(/\*$/, () => {
      names.push('wildcard');
      return '{wildcard}';
    });
  return { path, names };
}

const humanize = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' ');

/** The properties of an object schema (querystring, headers) as OpenAPI parameters. */
function objectParameters(schema: unknown, where: 'query' | 'header'): Json[] {
  const s = (schema ?? {}) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, property]) => ({ name, in: where, required: !!s.required?.includes(name), schema: property }));
}

/** The query parameters a route's QuerySpec accepts, as parseQuery reads them. */
function queryParameters(spec: QuerySpec | undefined): Json[] {
  if (!spec) return [];
  const param = (name: string, schema: Json, description: string) => ({ name, in: 'query', required: false, schema, description });
  const parameters = Object.entries(spec.fields ?? {}).map(([type, names]) =>
    param(`fields[${type}]`, { type: 'string' }, `Sparse fieldset: a comma-separated list of ${names.join(', ')}.`));
  if (spec.include) parameters.push(param('include', { type: 'string' }, `Comma-separated: ${spec.include.join(', ')}.`));
  if (spec.filter) {
    const forms = Object.entries(spec.filter).map(([field, op]) => `${op}(${field},…)`);
    parameters.push(param('filter', { type: 'string' }, `Filters joined by commas or and(…): ${forms.join(', ')}.`));
  }
  if (spec.sort) parameters.push(param('sort', { type: 'string', enum: ['created', '-created'] }, 'Order by creation time.'));
  if (spec.page?.pageSize) parameters.push(param('page[size]', { type: 'integer', minimum: 1, maximum: 100, default: 100 }, 'Resources per page.'));
  if (spec.page) parameters.push(param('page[cursor]', { type: 'string' }, 'The cursor of links.next or links.prev.'));
  return parameters;
}

function responsesOf(schema: FastifySchema, successType: string): Json {
  const declared = schema.response as Record<string, Json> | undefined;
  const responses: Json = {};
  for (const [status, response] of Object.entries(declared ?? {})) {
    responses[status] = 'content' in response
      ? { description: (response.description as string) ?? 'Answer', content: response.content }
      : { description: (response.description as string) ?? 'Answer', content: { [successType]: { schema: response } } };
  }
  if (!declared) responses['2XX'] = { description: 'Success', content: { [successType]: { schema: {} } } };
  responses['4XX'] ??= { $ref: '#/components/responses/Error' };
  responses['5XX'] ??= { $ref: '#/components/responses/Error' };
  return responses;
}

interface CollectedRoute {
  method: string;
  url: string;
  schema: FastifySchema;
  config: RouteOptions['config'];
}

function operationObject(route: CollectedRoute, operationId: string): Json {
  const { schema, config } = route;
  const { names } = openApiPath(route.url);
  const params = (schema.params ?? {}) as { properties?: Record<string, Json> };
  const parameters = [
    ...names.map((name) => ({ name, in: 'path', required: true, schema: params.properties?.[name] ?? { type: 'string' } })),
    ...objectParameters(schema.querystring, 'query'),
    ...queryParameters(config?.query),
    ...objectParameters(schema.headers, 'header'),
  ];
  const op = config?.operation;
  if (op) parameters.push(REVISION_PARAMETER);
  const notes = op
    ? [`Scopes: ${op.scopes.join(', ')}.`, `Rate limits per account: ${op.rateLimit.burst}/s burst, ${op.rateLimit.steady}/min steady.`]
    : config?.control === 'account' ? ['A test control: needs a full-access key and acts on its account.'] : [];
  const description = [schema.description, ...notes].filter(Boolean).join('\n\n');
  const tag = route.url.startsWith('/api/') ? 'Catalogs' : route.url.startsWith('/__admin/') ? 'Controls' : 'Server';
  const security = schema.security ?? (op || config?.control === 'account' ? [{ KlaviyoApiKey: [] }]
    : config?.control === 'admin' ? [{ AdminToken: [] }] : undefined);
  const successType = schema.produces?.[0] ?? (op || config?.control ? JSONAPI : 'application/json');
  return {
    operationId,
    summary: schema.summary ?? humanize(operationId),
    ...(description ? { description } : {}),
    tags: schema.tags ?? [tag],
    ...(parameters.length ? { parameters } : {}),
    ...(schema.body ? { requestBody: { required: true, content: { [JSONAPI]: { schema: schema.body }, 'application/json': { schema: schema.body } } } } : {}),
    responses: responsesOf(schema, successType),
    ...(security ? { security } : {}),
  };
}

function pathsOf(routes: CollectedRoute[]): Json {
  const paths: Record<string, Json> = {};
  const taken = new Set<string>();
  for (const route of routes) {
    let operationId = routeName(route);
    // operationIds must be unique; one operation served at two paths gets a numbered second name.
    for (let n = 2; taken.has(operationId); n++) operationId = `${routeName(route)}_${n}`;
    taken.add(operationId);
    const { path } = openApiPath(route.url);
    (paths[path] ??= {})[route.method.toLowerCase()] = operationObject(route, operationId);
  }
  return paths;
}

/** Collects every route registered after it (call it before any route), and serves GET /openapi.json. */
export function registerOpenApi(app: FastifyInstance): void {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url, schema: route.schema ?? {}, config: route.config });
    }
  });
  let paths: Json | undefined; // every route is known once the server answers: built on the first request
  app.get('/openapi.json', { schema: { summary: 'This OpenAPI 3.1 document' } }, async (request, reply) => {
    paths ??= pathsOf(routes);
    const document = {
      openapi: '3.1.0',
      info: {
        title: 'klaviyo-catalog-server',
        version: VERSION,
        description: "A self-hostable server implementing Klaviyo's Catalogs API, with test controls. Generated from the routes this server has registered.",
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: baseUrl(request) }],
      tags: TAGS,
      paths,
      components: COMPONENTS,
    };
    return reply.type('application/json').send(JSON.stringify(document));
  });
}
