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
});

