// The console's logic that runs without a browser, checked against the real server where it talks to it:
// the event-stream parser, the filters its forms build (sent to the server), "copy as curl" (run with
// curl when it is installed), and fault rules as the server lists them, in words.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CATALOG_VIEWS, filterExpression, quote } from '../console/src/catalog.ts';
import { curlCommand, shownHeader } from '../console/src/curl.ts';
import { actionText } from '../console/src/faults.ts';
import { EventParser } from '../console/src/sse.ts';
import { addFault, faults } from './support/admin.ts';
import { REVISION, http, sdk, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

describe('console: event-stream parser', () => {
  it('reads events split anywhere across chunks, with comments, several data lines and CRLF', () => {
    const parser = new EventParser();
    const text = ': stream open\n\nevent: job\ndata: {"a":\ndata: 1}\n\n: keep-alive\n\r\ndata: plain\r\n\r\nevent: gone\ndata: {}\n\n';
    const events = [];
    for (let i = 0; i < text.length; i += 3) events.push(...parser.push(text.slice(i, i + 3)));
    assert.deepEqual(events, [
      { event: 'job', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
      { event: 'gone', data: '{}' },
    ]);
  });
});

describe('console: copy as curl', () => {
  const key = 'pk_recorded0secret0key0000000000000000000';
  const entry = {
    method: 'POST',
    path: '/api/catalog-items',
    query: { 'fields[catalog-item]': 'title' },
    request: {
      headers: { host: 'h:1', 'content-length': '99', authorization: `Klaviyo-API-Key ${key}`, revision: REVISION, 'content-type': 'application/vnd.api+json' },
      body: { data: { type: 'catalog-item', attributes: { external_id: "CURL-1", title: "Bob's \"shirt\"", description: 'd', url: 'https://shop.example/c' } } },
    },
  };

  it('never writes the recorded key, in the command or in the headers shown', () => {
    const command = curlCommand('http://127.0.0.1:8080', entry);
    assert.ok(!command.includes(key));
    assert.match(command, /-H "authorization: Klaviyo-API-Key \$KLAVIYO_API_KEY"/);
    assert.doesNotMatch(command, /host:|content-length/i);
    assert.equal(shownHeader('Authorization', `Klaviyo-API-Key ${key}`), 'Klaviyo-API-Key …(elided)');
    assert.equal(shownHeader('authorization', 'Bearer admin-secret'), 'Bearer …(elided)');
    assert.equal(shownHeader('revision', REVISION), REVISION);
    assert.match(curlCommand('http://x', { ...entry, request: { ...entry.request, headers: { Authorization: 'Bearer t' } } }), /"Authorization: Bearer \$CATALOG_ADMIN_TOKEN"/);
    assert.match(curlCommand('http://x', { ...entry, request: { ...entry.request, body_truncated: true } }), /^# The journal kept only the start/);
  });

  const hasCurl = spawnSync('curl', ['--version']).status === 0;
  describe('run with curl', { skip: hasCurl ? false : 'curl is not installed' }, () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() });
    });
    after(() => server.stop());

    it('repeats the request, with the key from $KLAVIYO_API_KEY', async () => {
      const run = spawnSync('bash', ['-c', `${curlCommand(server.url, entry)} --silent --show-error --write-out '\\n%{http_code}'`], {
        env: { ...process.env, KLAVIYO_API_KEY: server.key }, encoding: 'utf8',
      });
      const [body, status] = run.stdout.split(/\n(?=\d+$)/);
      assert.equal(status, '201', run.stderr);
      assert.deepEqual(JSON.parse(body).data.attributes, { title: "Bob's \"shirt\"" });
      const item = await sdk(server.url, server.key).getCatalogItem('$custom:::$default:::CURL-1');
      assert.equal(item.body.data.attributes!.title, "Bob's \"shirt\"");
    });
  });
});

describe('console: CATALOG_CONSOLE=off', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_CONSOLE: 'off' } });
  });
  after(() => server.stop());

  it('removes the console, and only it', async () => {
    for (const path of ['/console', '/console/app.js']) {
      const answer = await http(server, 'GET', path);
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.errors[0].code, 'not_found');
    }
    assert.doesNotMatch(server.output(), /console:/);
    assert.equal((await http(server, 'GET', '/api/catalog-items')).status, 200);
  });
});

describe('console: list filters', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() });
    const api = sdk(server.url, server.key);
    for (const [externalId, title, published] of [['Q-1', 'say "hi" \\ bye', true], ['Q-2', 'plain', false]] as const) {
      await api.createCatalogItem({ data: { type: 'catalog-item' as any, attributes: { externalId, title, description: 'd', url: 'https://shop.example/q', published } } });
    }
  });
  after(() => server.stop());

  const found = async (values: Record<string, string>) => {
    const filter = filterExpression(CATALOG_VIEWS.items, values);
    const answer = await http(server, 'GET', `/api/catalog-items?${new URLSearchParams(filter ? { filter } : {})}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.data.map((r: any) => r.attributes.external_id);
  };

  it('builds filters the server reads as meant: quotes and backslashes, ids with or without their prefix, booleans', async () => {
    assert.equal(quote('a"b\\c'), '"a\\"b\\\\c"');
    assert.deepEqual(await found({ title: 'say "hi" \\ b' }), ['Q-1']);
    assert.deepEqual(await found({ ids: 'Q-2, $custom:::$default:::Q-1' }), ['Q-1', 'Q-2']);
    assert.deepEqual(await found({ published: 'false' }), ['Q-2']);
    assert.deepEqual(await found({ published: 'true', title: 'plain' }), []);
    assert.deepEqual(await found({}), ['Q-1', 'Q-2']);
  });

  it('offers each list exactly the filters the server allows', async () => {
    for (const view of Object.values(CATALOG_VIEWS)) {
      const values = { ids: 'X', item: 'X', category: 'X', title: 'x', name: 'x', sku: 'x', published: 'true' };
      const filter = filterExpression(view, values)!;
      const answer = await http(server, 'GET', `/api/${view.def.path}?${new URLSearchParams({ filter })}`);
      assert.equal(answer.status, 200, `${view.route}: ${filter} ${JSON.stringify(answer.body)}`);
    }
  });
});

describe('console: fault rules in words', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('names each action as the server lists it', async () => {
    const actions = [
      { type: 'status', status: 429 },
      { type: 'status', status: 503, code: 'maintenance', retry_after: 30 },
      { type: 'latency', ms: 250 },
      { type: 'latency', min_ms: 10, max_ms: 20 },
      { type: 'drop' },
    ];
    for (const action of actions) await addFault(server, { action });
    await addFault(server, { when: 'after', action: { type: 'truncate' } });
    const listed = await faults(server);
    assert.deepEqual(listed.map((rule) => actionText(rule.action)), [
      'status 429 (throttled), Retry-After 1',
      'status 503 (maintenance), Retry-After 30',
      'latency 250 ms',
      'latency 10–20 ms',
      'drop the connection',
      'truncate the response',
    ]);
  });
});
