// Hostile input from issue 10 (part b), each as a client sends it: every one is a JSON:API 4xx, never a 5xx,
// and nothing a request refuses is stored. Raw sockets where fetch cannot send the request (Host headers).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { rawRequest, rawAuth } from './support/raw.ts';
import { forEachStore } from './support/targets.ts';
import { http, startServer, type RunningServer } from './support/server.ts';

await forEachStore('hostile input', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('refuses a page[cursor] that is an unparsable URL with a 400 naming page[cursor]', async () => {
    for (const cursor of ['http://[', 'https://', 'http://x/?page[cursor]=%E0%A4%A']) {
      const res = await http(server, 'GET', `/api/catalog-items?page[cursor]=${encodeURIComponent(cursor)}`);
      assert.equal(res.status, 400, cursor);
      assert.deepEqual(res.body.errors[0].source, { parameter: 'page[cursor]' }, cursor);
    }
  });

  it('refuses a malformed Host header with a 400 on lists, single resources and errors alike', async () => {
    for (const host of ['a b', 'a[b', 'x/y', 'a@b', '[::1', 'h:port']) {
      for (const path of ['/api/catalog-items', '/api/catalog-variants?page[size]=1', '/api/catalog-items/nope']) {
        const res = await rawRequest(server, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${rawAuth(server)}`);
        assert.equal(res.status, 400, `${host} ${path}`);
        assert.match(res.body.errors[0].detail, /Host/);
      }
    }
  });

  it('builds links from a valid Host, and from the local address when an HTTP/1.0 client sends none', async () => {
    const created = await http(server, 'POST', '/api/catalog-items', { data: { type: 'catalog-item', attributes: { external_id: 'H', title: 'T', description: 'D', url: 'u' } } });
    assert.equal(created.status, 201);
    const named = await rawRequest(server, `GET /api/catalog-items HTTP/1.1\r\nHost: shop.example:8080\r\n${rawAuth(server)}`);
    assert.equal(named.status, 200);
    assert.equal(named.body.links.self, 'http://shop.example:8080/api/catalog-items');
    assert.equal(named.body.data[0].links.self, 'http://shop.example:8080/api/catalog-items/$custom:::$default:::H/');
    const ipv6 = await rawRequest(server, `GET /api/catalog-items HTTP/1.1\r\nHost: [::1]:9\r\n${rawAuth(server)}`);
    assert.equal(ipv6.body.links.self, 'http://[::1]:9/api/catalog-items');
    const old = await rawRequest(server, `GET /api/catalog-items HTTP/1.0\r\n${rawAuth(server)}`);
    assert.equal(old.status, 200);
    assert.equal(old.body.links.self, `${server.url}/api/catalog-items`);
    const missing = await rawRequest(server, `GET /api/catalog-items HTTP/1.1\r\n${rawAuth(server)}`);
    assert.equal(missing.status, 400);
    assert.match(missing.body.errors[0].detail, /Host/);
  });

  it('refuses a lone surrogate in any string of any body with a 400 pointing at it, and stores nothing', async () => {
    const lone = '"X\\ud800"'; // the JSON escape, as a client sends it
    const item = (externalId: string) => `{"type":"catalog-item","attributes":{"external_id":${externalId},"title":"T","description":"D","url":"u"}}`;
    const cases: Array<[string, string, string, string]> = [
      ['POST', '/api/catalog-items', `{"data":${item(lone)}}`, '/data/attributes/external_id'],
      ['POST', '/api/catalog-items', `{"data":{"type":"catalog-item","attributes":{"external_id":"S","title":"T","description":"D","url":"u","custom_metadata":{"k\\udc00":1}}}}`, '/data/attributes/custom_metadata/k\ufffd'],
      ['PATCH', '/api/catalog-items/$custom:::$default:::H', `{"data":{"type":"catalog-item","id":"$custom:::$default:::H","attributes":{"title":${lone}}}}`, '/data/attributes/title'],
      ['POST', '/api/catalog-categories/$custom:::$default:::C/relationships/items', `{"data":[{"type":"catalog-item","id":${lone}}]}`, '/data/0/id'],
      ['POST', '/api/catalog-item-bulk-create-jobs', `{"data":{"type":"catalog-item-bulk-create-job","attributes":{"items":{"data":[${item('"J1"')},${item(lone)}]}}}}`, '/data/attributes/items/data/1/attributes/external_id'],
      ['POST', '/api/back-in-stock-subscriptions', `{"data":{"type":"back-in-stock-subscription","attributes":{"channels":["EMAIL"],"profile":{"data":{"type":"profile","attributes":{"email":"a\\udfff@b.co"}}}},"relationships":{"variant":{"data":{"type":"catalog-variant","id":"$custom:::$default:::V"}}}}}`, '/data/attributes/profile/data/attributes/email'],
    ];
    for (const [method, path, body, pointer] of cases) {
      const res = await http(server, method, path, body);
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.deepEqual(res.body.errors[0].source, { pointer }, `${method} ${path}`);
    }
    const items = await http(server, 'GET', '/api/catalog-items');
    assert.deepEqual(items.body.data.map((i: any) => i.id).filter((i: string) => i !== '$custom:::$default:::H'), []);
    const jobs = await http(server, 'GET', '/api/catalog-item-bulk-create-jobs');
    assert.deepEqual(jobs.body.data, []);
  });

  it('answers malformed percent-encoding in a path with a JSON:API 400', async () => {
    for (const bad of ['%', '%ZZ', '%E0%A4%A', '%ED%A0%80', 'a%FF']) {
      for (const template of ['/api/catalog-items/{}', '/api/catalog-items/{}/relationships/categories', '/api/{}']) {
        const path = template.replace('{}', bad);
        const res = await rawRequest(server, `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${rawAuth(server)}`);
        assert.equal(res.status, 400, path);
        assert.equal(res.body.errors[0].code, 'invalid', path);
      }
    }
  });
});
