// Talking to the control API (/__admin/) over plain HTTP, as a client in any language would: every answer is
// a JSON:API document (errors held to the error schema), sent as application/vnd.api+json.
import assert from 'node:assert/strict';
import { assertDocument } from './documents.ts';

export const ADMIN_TOKEN = 'test-admin-token-4f1c2b9e8d7a';

export type Auth = { key: string } | { token: string } | { header: string } | undefined;

export interface ControlResponse {
  status: number;
  body: any;
}

export async function control(url: string, auth: Auth, method: string, path: string, body?: unknown): Promise<ControlResponse> {
  const headers: Record<string, string> = {};
  if (auth && 'key' in auth) headers.authorization = `Klaviyo-API-Key ${auth.key}`;
  if (auth && 'token' in auth) headers.authorization = `Bearer ${auth.token}`;
  if (auth && 'header' in auth) headers.authorization = auth.header;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status === 204) {
    assert.equal(text, '', `${method} ${path}: 204 with a body`);
    return { status: 204, body: undefined };
  }
  assert.equal(res.headers.get('content-type'), 'application/vnd.api+json', `${method} ${path}: ${text.slice(0, 300)}`);
  const parsed = JSON.parse(text);
  if (res.status >= 400) assertDocument(res.status, parsed);
  else assert.ok(parsed.data !== undefined, `${method} ${path}: no data in ${text.slice(0, 300)}`);
  return { status: res.status, body: parsed };
}

/** A new account through the admin control: its name and full-access key (and keys for `scopes`). */
export async function createAccount(url: string, scopes?: string[][]): Promise<{ account: string; key: string; keys: { id: string; key: string; scopes: string[] }[] }> {
  const res = await control(url, { token: ADMIN_TOKEN }, 'POST', '/__admin/accounts', scopes ? { scopes } : {});
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { account: res.body.data.id, key: res.body.data.attributes.api_key, keys: res.body.data.attributes.keys };
}

/** The first error of an error document, for assertions. */
export const firstError = (res: ControlResponse) => res.body.errors[0];
