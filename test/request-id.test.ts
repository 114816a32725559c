// One id per request, found everywhere a user or an operator looks: the X-Request-Id response header, the `id`
// of an error document, the access log line and the request journal. A client's own well-formed id is kept; any other gets one of ours.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { journal } from './support/admin.ts';
import { rawExchange } from './support/raw.ts';
import { eventually, http, REVISION, sdk, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

/** The access lines (JSON, msg "request") the server has printed so far. */
function accessLines(server: RunningServer): any[] {
  return server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request');
}

/** The access line of request `id`, once the server has written it (it logs after answering). */
function accessLine(server: RunningServer, id: string): Promise<any> {
  return eventually(async () => accessLines(server).find((entry) => entry.request_id === id), 5_000)
    .catch(() => assert.fail(`no access line with request_id ${id} in:\n${server.output()}`));
}

/** A request written byte for byte (so that a header can be sent twice); returns the status line and headers. */
async function rawHead(server: RunningServer, lines: string[]): Promise<string> {
  const { host } = new URL(server.url);
  return (await rawExchange(server, `${lines.join('\r\n')}\r\nHost: ${host}`)).split('\r\n\r\n')[0];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { LOG_LEVEL: 'info' } });
  });
  after(() => server.stop());

  it("keeps a client's well-formed id: in the response, the error document and the access log line", async () => {
    const id = 'client-Req_42.retry:1';
    const missing = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::NOPE', undefined, { 'x-request-id': id });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-request-id'), id);
    assert.equal(missing.body.errors[0].id, id);
    const line = await accessLine(server, id);
    assert.equal(line.level, 30, 'at info');
    assert.deepEqual(
      { operation: line.operation, account: line.account, method: line.method, url: line.url, status: line.status },
      { operation: 'get_catalog_item', account: 'default', method: 'GET', url: '/api/catalog-items/$custom:::$default:::NOPE', status: 404 },
    );
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(accessLines(server).filter((entry) => entry.request_id === id).length, 1, 'one line per request');
    // ... and in the account's request journal, under the same id.
    const entry = (await journal(server, { operation: 'get_catalog_item' })).find((e) => e.id === id);
    assert.ok(entry, `no journal entry with id ${id}`);
    assert.equal(entry.response.status, 404);
    assert.equal(entry.response.body.errors[0].id, id);
  });

  it('logs an access line for every request, never with the key or the body', async () => {
    const id = 'create-1';
    const res = await fetch(`${server.url}/api/catalog-items`, {
      method: 'POST',
      headers: { authorization: `Klaviyo-API-Key ${server.key}`, revision: REVISION, 'content-type': 'application/vnd.api+json', 'x-request-id': id },
      body: JSON.stringify({ data: { type: 'catalog-item', attributes: { external_id: 'RID1', title: 'BODYSECRET', description: 'd', url: 'https://shop.example/r' } } }),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-request-id'), id);
    const line = await accessLine(server, id);
    assert.deepEqual([line.operation, line.account, line.status], ['create_catalog_item', 'default', 201]);
    assert.ok(!server.output().includes(server.key), 'the key is never logged');
    assert.ok(!server.output().includes('BODYSECRET'), 'bodies are never logged');
  });

  it('makes an id of its own for a missing or malformed one, different for every request', async () => {
    const sent = [undefined, '', 'has space', 'x'.repeat(129), 'ümlaut', 'a/b', 'a"b'];
    const ids = new Set<string>();
    for (const value of sent) {
      const res = await http(server, 'GET', '/api/catalog-items', undefined, value === undefined ? {} : { 'x-request-id': value });
      assert.equal(res.status, 200);
      const id = res.headers.get('x-request-id')!;
      assert.match(id, UUID, `for ${JSON.stringify(value)}`);
      ids.add(id);
    }
    assert.equal(ids.size, sent.length);
    const longest = 'y'.repeat(128);
    assert.equal((await http(server, 'GET', '/healthz', undefined, { 'x-request-id': longest })).headers.get('x-request-id'), longest);
  });

  it('does not take an id sent twice', async () => {
    const head = await rawHead(server, ['GET /healthz HTTP/1.1', 'X-Request-Id: twice', 'X-Request-Id: twice']);
    assert.match(head, /^HTTP\/1\.1 200/);
    const id = /^x-request-id: (.*)$/im.exec(head)?.[1];
    assert.match(id ?? '', UUID);
  });

  it('carries the id on every kind of answer: success, errors before and after routing, refusals', async () => {
    const api = sdk(server.url, server.key);
    const created = await api.createCatalogItem({ data: { type: 'catalog-item' as any, attributes: { externalId: 'RID2', title: 't', description: 'd', url: 'https://shop.example/2' } } });
    assert.match(created.response.headers['x-request-id'], UUID);
    const cases: [string, string, Record<string, string | undefined>][] = [
      ['GET', '/no/such/path', {}],
      ['DELETE', '/healthz', {}],
      ['GET', '/api/catalog-items', { authorization: undefined }],
      ['GET', '/api/catalog-items', { revision: 'yesterday' }],
      ['POST', '/api/catalog-items', { 'content-type': 'text/plain' }],
    ];
    for (const [method, path, headers] of cases) {
      const res = await http(server, method, path, method === 'POST' ? 'x' : undefined, { ...headers, 'x-request-id': `case-${method}` });
      assert.ok(res.status >= 400, `${method} ${path}`);
      assert.equal(res.headers.get('x-request-id'), `case-${method}`, `${method} ${path}`);
      assert.equal(res.body.errors[0].id, `case-${method}`, `${method} ${path}`);
    }
    // Refused before routing (not valid percent-encoding): no hook runs, and the id is still there.
    const head = await rawHead(server, ['GET /api/catalog-items/%zz HTTP/1.1', 'X-Request-Id: bad-path']);
    assert.match(head, /^HTTP\/1\.1 400/);
    assert.match(head, /^x-request-id: bad-path$/im);
  });
});

describe('request ids in pretty logs (LOG_FORMAT=pretty)', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' } });
  });
  after(() => server.stop());

  it('prints one readable line per request with the id, not JSON', async () => {
    await http(server, 'GET', '/api/catalog-items', undefined, { 'x-request-id': 'pretty-1' });
    const lines = await eventually(async () => {
      const found = server.output().split('\n').filter((line) => line.includes('pretty-1'));
      return found.length ? found : undefined;
    }, 5_000);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.ok(!lines[0].startsWith('{'), lines[0]);
    assert.match(lines[0], /INFO.*: request .*"operation":"get_catalog_items"/);
  });
});
