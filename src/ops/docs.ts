// GET /docs: the OpenAPI document (openapi.ts) as a reference page, rendered in the browser by Swagger UI from
// the swagger-ui-dist package installed with the server: nothing is fetched from anywhere else, and the page
// runs under a strict Content-Security-Policy (no inline script or style, no eval, no other origin).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export const DOCS_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>klaviyo-catalog-server API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// No validator badge (it would call validator.swagger.io), operationIds shown, operations listed open.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  validatorUrl: null,
  displayOperationId: true,
  docExpansion: 'list',
  deepLinking: true,
});
`;

/** The page and its script change with the server's version only: a browser may keep the assets for an hour. */
const ASSET_CACHE = 'public, max-age=3600';

function page(reply: FastifyReply, type: string, body: string | Buffer, cache = 'no-store'): FastifyReply {
  return reply.header('Content-Security-Policy', DOCS_CSP).header('Cache-Control', cache).type(type).send(body);
}

export function registerDocs(app: FastifyInstance): void {
  const assets = new Map<string, Promise<Buffer>>();
  const asset = (file: string) => {
    let content = assets.get(file);
    if (!content) assets.set(file, (content = readFile(join(SWAGGER_UI, file))));
    return content;
  };
  app.get('/docs', { schema: { summary: 'This API reference, rendered from /openapi.json', produces: ['text/html'] } }, async (_request, reply) =>
    page(reply, 'text/html; charset=utf-8', PAGE));
  app.get('/docs/init.js', { schema: { summary: "The reference page's script", produces: ['text/javascript'] } }, async (_request, reply) =>
    page(reply, 'text/javascript; charset=utf-8', INIT, ASSET_CACHE));
  app.get('/docs/swagger-ui-bundle.js', { schema: { summary: 'Swagger UI', produces: ['text/javascript'] } }, async (_request, reply) =>
    page(reply, 'text/javascript; charset=utf-8', await asset('swagger-ui-bundle.js'), ASSET_CACHE));
  app.get('/docs/swagger-ui.css', { schema: { summary: "Swagger UI's styles", produces: ['text/css'] } }, async (_request, reply) =>
    page(reply, 'text/css; charset=utf-8', await asset('swagger-ui.css'), ASSET_CACHE));
}
