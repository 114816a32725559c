// JSON:API errors: one ApiError class thrown anywhere, one error handler that renders every failure
// (ours, Fastify's, schema validation) as `{"errors":[...]}` and never leaks a stack trace.
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStoreUnavailable, UnstorableValueError } from '../store/errors.js';

export interface ErrorSource {
  pointer?: string;
  parameter?: string;
}

export interface ErrorObject {
  id: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  source?: ErrorSource;
  links?: { type: string };
  meta?: unknown;
}

/** The JSON Schema of every error answer (sendError), for the OpenAPI document. */
export const ERROR_DOCUMENT_SCHEMA = {
  type: 'object',
  required: ['errors'],
  properties: {
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'status', 'code', 'title', 'detail'],
        properties: {
          id: { type: 'string', description: "The request's id (also sent as X-Request-Id)." },
          status: { type: 'integer' },
          code: { type: 'string' },
          title: { type: 'string' },
          detail: { type: 'string' },
          source: { type: 'object', properties: { pointer: { type: 'string' }, parameter: { type: 'string' } } },
          links: { type: 'object', properties: { type: { type: 'string' } } },
          meta: {},
        },
      },
    },
  },
};

const TITLES: Record<string, string> = {
  invalid: 'Invalid input.',
  not_found: 'Not found.',
  conflict: 'Conflict.',
  not_authenticated: 'Authentication credentials were not provided.',
  authentication_failed: 'Incorrect authentication credentials.',
  permission_denied: 'You do not have permission to perform this action.',
  throttled: 'Request was throttled.',
  unsupported_media_type: 'Unsupported media type.',
  payload_too_large: 'Payload too large.',
  method_not_allowed: 'Method not allowed.',
  request_timeout: 'Request timeout.',
  service_unavailable: 'Service unavailable.',
  bad_gateway: 'Bad gateway.',
  gateway_timeout: 'Gateway timeout.',
  timeout: 'A timeout occurred.',
  error: 'A server error occurred.',
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly source?: ErrorSource,
    readonly headers?: Record<string, string>,
    /** Members some errors carry after `source` (the 429's `links` and `meta`). */
    readonly extra?: Pick<ErrorObject, 'links' | 'meta'>,
  ) {
    super(detail);
  }

  /** `id`: the request's id (request-id.ts), so that a user quoting an error's id names the request. */
  toObject(id: string = randomUUID()): ErrorObject {
    const title = TITLES[this.code] ?? (this.status < 500 ? 'The request failed.' : TITLES.error);
    const error: ErrorObject = { id, status: this.status, code: this.code, title, detail: this.message };
    if (this.source) error.source = this.source;
    return Object.assign(error, this.extra);
  }
}

export const invalid = (detail: string, source?: ErrorSource) => new ApiError(400, 'invalid', detail, source);
/** Klaviyo's 404s point at the request document as a whole. */
export const notFound = (detail: string) => new ApiError(404, 'not_found', detail, { pointer: '/data/' });
export const conflict = (detail: string, source?: ErrorSource) => new ApiError(409, 'conflict', detail, source);

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns the first schema violation into the error a Klaviyo client expects, with a pointer into the body. */
export function fromValidation(errors: AjvError[]): ApiError {
  const e = errors[0];
  const path = e.instancePath;
  switch (e.keyword) {
    case 'required':
      return invalid(`'${e.params.missingProperty}' is a required field.`, { pointer: `${path}/${e.params.missingProperty}` });
    case 'additionalProperties':
      return invalid(`'${e.params.additionalProperty}' is not a valid field here.`, { pointer: `${path}/${e.params.additionalProperty}` });
    case 'enum':
      if (path.endsWith('/type')) {
        return conflict(`The type must be ${(e.params.allowedValues as unknown[]).map((v) => `'${v}'`).join(' or ')}.`, { pointer: path });
      }
      return invalid(`Must be one of ${JSON.stringify(e.params.allowedValues)}.`, { pointer: path });
    case 'type':
      return invalid(`Must be of type ${String(e.params.type).replace(',', ' or ')}.`, { pointer: path || '/' });
    case 'minLength':
      return invalid('Must not be empty.', { pointer: path });
    case 'maxBytes':
      return invalid(`Must not exceed ${e.params.limit} bytes (UTF-8).`, { pointer: path });
    case 'maxItems':
      return invalid(`At most ${e.params.limit} resources are allowed.`, { pointer: path });
    case 'minItems':
      return invalid(`At least ${e.params.limit} resource is required.`, { pointer: path });
    default:
      return invalid(`Invalid value: ${e.message ?? e.keyword}.`, { pointer: path || '/' });
  }
}

/** Maps Fastify's own failures (body parsing, limits, routing) onto JSON:API errors. */
function fromFastify(error: FastifyError, bodyLimit = 5 * 1024 * 1024): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return invalid('The request path is not valid percent-encoded UTF-8.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return invalid('A segment of the request path is too long.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'payload_too_large', `The request body must not exceed ${bodyLimit / 1024 / 1024} MB.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'Send the body as application/vnd.api+json or application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalid('The request body is empty.', { pointer: '/' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return invalid('The Content-Length header does not match the body.');
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return invalid('The request body is not valid JSON.', { pointer: '/' });
  }
  // Other client errors Fastify raises; nothing else is trusted to set its own status.
  if (error.code?.startsWith('FST_') && typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return invalid(error.message);
  }
  return undefined;
}

/**
 * Sets the error's status and headers on the reply and returns its document, encoded here for the same reason
 * as jsonapi.ts `send`: no charset parameter on the media type.
 */
export function prepareError(reply: FastifyReply, error: ApiError): Buffer {
  // On the raw response, because Fastify lowercases header names and Klaviyo sends `Retry-After` as written.
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.raw.setHeader(name, value);
  reply.code(error.status).type('application/vnd.api+json');
  return Buffer.from(JSON.stringify({ errors: [error.toObject(reply.request.id)] }));
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.send(prepareError(reply, error));
}

/** Reading at most this much of a body that is too large before answering (beyond it, the socket is cut). */
const DISCARD_LIMIT = 64 * 1024 * 1024;

/**
 * Reads and drops the rest of a body that is too large, so the client has finished sending when the 413
 * arrives; answering while it still sends makes many clients fail with EPIPE instead of reading the error.
 */
function discardBody(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    raw.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DISCARD_LIMIT) raw.destroy();
    });
    raw.once('end', resolve);
    raw.once('close', resolve);
    raw.resume();
  });
}

/**
 * Fastify's `frameworkErrors` option: failures it meets before routing (a path that is not valid
 * percent-encoding, a path parameter too long) rendered like every other error instead of Fastify's own body.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // No hook runs for these: the request id header (request-id.ts) is set here.
  reply.header('X-Request-Id', request.id);
  return sendError(reply, fromFastify(error) ?? new ApiError(500, 'error', 'The server could not complete the request; it has been logged.'));
}

/** Fastify's 503 while closing has its own body: refuse new requests here instead, as JSON:API. */
function registerClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.header('Connection', 'close');
    throw new ApiError(503, 'service_unavailable', 'The server is shutting down; retry shortly.', undefined, { 'Retry-After': '1' });
  });
}

export function registerErrorHandling(app: FastifyInstance): void {
  registerClosing(app);
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let apiError: ApiError | undefined;
    if (error instanceof ApiError) apiError = error;
    else if (error instanceof UnstorableValueError) apiError = invalid(error.message);
    else if (error.validation) apiError = fromValidation(error.validation as AjvError[]);
    else apiError = fromFastify(error, request.routeOptions.bodyLimit);
    if (!apiError && isStoreUnavailable(error)) {
      request.log.error({ err: error }, 'store unavailable');
      apiError = new ApiError(503, 'service_unavailable', 'The database is unavailable; retry shortly.', undefined, { 'Retry-After': '1' });
    }
    if (!apiError) {
      request.log.error({ err: error }, 'unhandled error');
      apiError = new ApiError(500, 'error', 'The server could not complete the request; it has been logged.');
    }
    if (apiError.status === 413) await discardBody(request);
    return sendError(reply, apiError);
  });
}
