// Request bodies are JSON:API documents sent as application/vnd.api+json or application/json; anything else
// is refused with 415 before authentication, as the first step of every request.
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

const JSON_TYPES = /^application\/(vnd\.api\+)?json\s*(;|$)/i;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function registerContentType(app: FastifyInstance): void {
  // Both JSON types parse as Fastify's own JSON parser does, keeping the text as received for the journal.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const keepText: FastifyBodyParser<string> = (request, text, done) => {
    request.rawBody = text;
    parseJson(request, text, done);
  };
  app.decorateRequest('rawBody', undefined);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, keepText);
  app.addContentTypeParser('application/vnd.api+json', { parseAs: 'string' }, keepText);
  app.addHook('onRequest', (request, _reply, done) => {
    if (!hasBody(request.headers)) return done();
    const type = request.headers['content-type'];
    if (!type || !JSON_TYPES.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', `Content-Type '${type ?? ''}' is not supported; send application/vnd.api+json or application/json.`);
    }
    done();
  });
}
