// Serves the web console (built into dist/console by `npm run build`) at /console. The few files are read
// once at start and served from memory: only names that exist are answered, so no request path ever reaches
// the file system. A strict Content-Security-Policy lets the page run only its own script and style and talk
// only to this origin; the console renders catalog data as text, never as HTML.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFound } from './errors.js';

/** Where the console build puts its files: dist/console, beside this module's dist/http. */
export const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  // DOM sinks such as innerHTML refuse strings: nothing can be parsed as HTML, whatever the data.
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

interface ConsoleFile {
  body: Buffer;
  type: string;
}

function readConsole(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!existsSync(join(dir, 'index.html'))) return files;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return files;
}

export function registerConsole(app: FastifyInstance, dir = CONSOLE_DIR): void {
  const files = readConsole(dir);
  const respond = (reply: FastifyReply, name: string) => {
    const file = files.get(name);
    if (!file) {
      throw notFound(files.size === 0 ? 'The console has not been built; run `npm run build`.' : `There is no console file '${name}'.`);
    }
    return reply
      .header('Content-Security-Policy', CONSOLE_CSP)
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Frame-Options', 'DENY')
      .header('Cross-Origin-Opener-Policy', 'same-origin')
      .header('Cross-Origin-Resource-Policy', 'same-origin')
      .type(file.type)
      .send(file.body);
  };
  // `/console` and `/console/` are one route (ignoreTrailingSlash): the page refers to its files by absolute path.
  app.get('/console', async (_request, reply) => respond(reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/console/:file', async (request, reply) => respond(reply, request.params.file));
}
