// The journal and fault-rule controls (under /__admin/) as a test uses them: plain HTTP with an account's key.
// Their documents are not catalog resources, so they are not held to the catalog schemas, but every error is.
import assert from 'node:assert/strict';
import { ApiKeySession, CatalogsApi } from 'klaviyo-api';
import { assertDocument, validateSdkResponses } from './documents.ts';

export interface Account {
  url: string;
  key: string;
}

export interface AdminResponse {
  status: number;
  headers: Headers;
  body: any;
}

export async function admin(account: Account, method: string, path: string, body?: unknown): Promise<AdminResponse> {
  const res = await fetch(account.url + path, {
    method,
    headers: {
      authorization: `Klaviyo-API-Key ${account.key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/vnd.api+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (res.status >= 400) assertDocument(res.status, parsed);
  return { status: res.status, headers: res.headers, body: parsed };
}

/** The journal's entries (attributes with the id), for a query such as `{ operation: 'create_catalog_item' }`. */
export async function journal(account: Account, query: Record<string, string> = {}): Promise<any[]> {
  const res = await admin(account, 'GET', `/__admin/journal?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.map((e: any) => {
    assert.equal(e.type, 'journal-entry');
    return { id: e.id, ...e.attributes };
  });
}

export async function journalCount(account: Account, query: Record<string, string> = {}): Promise<number> {
  const res = await admin(account, 'GET', `/__admin/journal/count?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual([res.body.data.type, res.body.data.id], ['journal-count', 'count']);
  return res.body.data.attributes.count;
}

/** Creates a fault rule and returns it (id and attributes). */
export async function addFault(account: Account, attributes: Record<string, unknown>): Promise<any> {
  const res = await admin(account, 'POST', '/__admin/faults', { data: { type: 'fault-rule', attributes } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.data.id, ...res.body.data.attributes };
}

export async function faults(account: Account): Promise<any[]> {
  const res = await admin(account, 'GET', '/__admin/faults');
  assert.equal(res.status, 200);
  return res.body.data.map((r: any) => ({ id: r.id, ...r.attributes }));
}

/** The official SDK with its own retries as shipped (429, 503, 504, 524; three attempts in all). */
export function retryingSdk(account: Account): CatalogsApi {
  validateSdkResponses();
  const api = new CatalogsApi(new ApiKeySession(account.key));
  api.basePath = account.url;
  return api;
}
