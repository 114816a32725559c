// Holds every response body the tests receive (through the SDK or raw HTTP) to the server's own response
// schemas, which follow the spec's: a body that does not match fails the request it came from.
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { createRequire } from 'node:module';
import { documentLinksSchema, errorDocument, jobResponseObject, listLinksSchema, resourceResponseObject } from '../../src/api/schemas.ts';
import { RESOURCES } from '../../src/catalog/resources.ts';
import { JOB_KINDS } from '../../src/jobs/kinds.ts';

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);

const byType = new Map<string, ReturnType<typeof ajv.compile>>();
for (const def of Object.values(RESOURCES)) byType.set(def.type, ajv.compile(resourceResponseObject(def)));
for (const kind of JOB_KINDS) byType.set(kind.type, ajv.compile(jobResponseObject(kind.type, kind.listName, kind.resource.type)));
const errors = ajv.compile(errorDocument);
const listLinks = ajv.compile(listLinksSchema);
const documentLinks = ajv.compile(documentLinksSchema);

function check(validate: ReturnType<typeof ajv.compile>, value: unknown, where: string): void {
  if (!validate(value)) throw new Error(`response ${where} does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`);
}

function checkResource(resource: any, where: string): void {
  const validate = byType.get(resource?.type);
  if (!validate) throw new Error(`response ${where} has unknown type ${resource?.type}`);
  check(validate, resource, where);
}

/** Klaviyo answers this one operation with 200 and no body (the spec says 204). */
const EMPTY_200 = /^PATCH \S*\/api\/catalog-items\/[^/?]+\/relationships\/categories\/?(\?|$)/i;

export function assertDocument(status: number, body: any, request?: { method: string; url: string }): void {
  if (status === 204 || (status === 202 && !body) || (status === 200 && body?.status === 'ok')) return;
  if (status === 200 && request && EMPTY_200.test(`${request.method} ${request.url}`)) {
    if (body !== undefined && body !== '') throw new Error(`${request.method} ${request.url} answered 200 with a body: ${JSON.stringify(body)}`);
    return;
  }
  if (status >= 400) return check(errors, body, 'error');
  if (!body || typeof body !== 'object' || !('data' in body)) throw new Error(`response ${status} has no data: ${JSON.stringify(body)}`);
  if (Array.isArray(body.data)) body.data.forEach((r: unknown, i: number) => checkIdentifierOrResource(r, `data/${i}`));
  else checkIdentifierOrResource(body.data, 'data');
  (body.included ?? []).forEach((r: unknown, i: number) => checkResource(r, `included/${i}`));
  check(Array.isArray(body.data) ? listLinks : documentLinks, body.links, 'links');
}

/** Relationship endpoints return bare identifiers ({type, id}); everything else returns resources. */
function checkIdentifierOrResource(r: any, where: string): void {
  if (r && typeof r === 'object' && Object.keys(r).length === 2 && 'type' in r && 'id' in r) return;
  checkResource(r, where);
}

// The SDK is CommonJS and requires axios; interceptors must go on that same (CommonJS) instance.
const axios = createRequire(import.meta.url)('axios');

let installed = false;
/** Validates every response the official SDK (axios) receives. */
export function validateSdkResponses(): void {
  if (installed) return;
  installed = true;
  axios.interceptors.response.use(
    (res: any) => {
      assertDocument(res.status, res.data, { method: res.config.method, url: res.config.url });
      return res;
    },
    (err: any) => {
      if (err?.response) assertDocument(err.response.status, err.response.data, { method: err.config?.method, url: err.config?.url });
      return Promise.reject(err);
    },
  );
}
