// Server-wide account controls: create an isolated account with a full-access key (and keys with given
// scopes) in one call, list accounts and their keys (never the keys themselves), add and revoke keys, delete an
// account with everything it holds. Accounts exist through their keys: a new one is a name no key has used.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createKey } from '../keys.js';
import { notFound } from '../http/errors.js';
import { send } from '../http/jsonapi.js';
import { ALL_SCOPES, type Scope } from '../scopes.js';
import type { KeyRecord, Store } from '../store/store.js';
import type { FinishedJobCache } from '../api/jobs/finished-cache.js';

const scopeList = { type: 'array', minItems: 1, maxItems: ALL_SCOPES.length, uniqueItems: true, items: { enum: [...ALL_SCOPES] } };

const createAccountBody = {
  type: 'object',
  additionalProperties: false,
  properties: { scopes: { type: 'array', maxItems: 10, items: scopeList } },
};

const createKeyBody = { type: 'object', additionalProperties: false, properties: { scopes: scopeList } };

/** Both creates take an optional body: none at all means `{}`. */
async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

const newAccountName = () => `acct_${randomBytes(8).toString('hex')}`;

const keySummary = (k: KeyRecord) => ({ id: String(k.id), prefix: k.prefix, scopes: k.scopes, created_at: k.createdAt, revoked_at: k.revokedAt });

export interface AccountControlParts {
  store: Store;
  finished: FinishedJobCache;
}

export function registerAccountControls(app: FastifyInstance, { store, finished }: AccountControlParts): void {
  const keysOf = async (account: string) => (await store.listKeys()).filter((k) => k.account === account);

  app.post<{ Body: { scopes?: Scope[][] } | undefined }>('/__admin/accounts', {
    config: { control: 'admin', controlName: 'create_account' },
    schema: { body: createAccountBody },
    preValidation: emptyBodyAsObject,
  }, async (request, reply) => {
    const account = newAccountName();
    const keys = [];
    for (const scopes of [[...ALL_SCOPES], ...(request.body?.scopes ?? [])]) {
      const { key, record } = await createKey(store, account, scopes);
      keys.push({ id: String(record.id), key, scopes: record.scopes });
    }
    return send(reply, 201, { data: { type: 'account', id: account, attributes: { api_key: keys[0].key, keys } } });
  });

  app.get('/__admin/accounts', { config: { control: 'admin', controlName: 'list_accounts' } }, async (_request, reply) => {
    const byAccount = new Map<string, KeyRecord[]>();
    for (const k of await store.listKeys()) byAccount.set(k.account, [...(byAccount.get(k.account) ?? []), k]);
    const data = [...byAccount].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([account, keys]) => ({ type: 'account', id: account, attributes: { keys: keys.map(keySummary) } }));
    return send(reply, 200, { data });
  });

  app.delete<{ Params: { account: string } }>('/__admin/accounts/:account', {
    config: { control: 'admin', controlName: 'delete_account' },
  }, async (request, reply) => {
    const { account } = request.params;
    if ((await keysOf(account)).length === 0) throw notFound(`There is no account '${account}'.`);
    await store.deleteAccountData(account, { keys: true });
    finished.forgetAccount(account);
    app.forgetKeys();
    return reply.code(204).send();
  });

  app.post<{ Params: { account: string }; Body: { scopes?: Scope[] } | undefined }>('/__admin/accounts/:account/keys', {
    config: { control: 'admin', controlName: 'create_account_key' },
    schema: { body: createKeyBody },
    preValidation: emptyBodyAsObject,
  }, async (request, reply) => {
    const { key, record } = await createKey(store, request.params.account, request.body?.scopes ?? [...ALL_SCOPES]);
    return send(reply, 201, { data: { type: 'api-key', id: String(record.id), attributes: { key, account: record.account, prefix: record.prefix, scopes: record.scopes, created_at: record.createdAt } } });
  });

  app.delete<{ Params: { account: string; key_id: string } }>('/__admin/accounts/:account/keys/:key_id', {
    config: { control: 'admin', controlName: 'revoke_account_key' },
  }, async (request, reply) => {
    const { account, key_id: keyId } = request.params;
    const key = (await keysOf(account)).find((k) => String(k.id) === keyId && !k.revokedAt);
    if (!key || !(await store.revokeKey(key.id))) throw notFound(`Account '${account}' has no active key with id '${keyId}'.`);
    app.forgetKeys();
    return reply.code(204).send();
  });
}
