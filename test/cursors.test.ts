// Page cursors are sealed for the account they were issued to: another account's cursor, a tampered one or one
// written by hand is a 400 naming page[cursor]; a deployment's cursors work in each of its processes and after
// a restart, because the secret lives in the database.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { createKeyWithCli, http, newKey, startServer, type RunningServer } from './support/server.ts';

const item = (externalId: string) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title: 'T', description: 'D', url: 'https://shop.example/x' } },
});
const ids = (res: { body: any }) => res.body.data.map((r: any) => r.attributes.external_id);
const cursorOf = (link: string) => new URL(link).searchParams.get('page[cursor]')!;
const page = (cursor: string) => `/api/catalog-items?page[size]=2&page[cursor]=${encodeURIComponent(cursor)}`;

function refused(res: { status: number; body: any }, what: string): void {
  assert.equal(res.status, 400, what);
  assert.equal(res.body.errors[0].code, 'invalid', what);
  assert.deepEqual(res.body.errors[0].source, { parameter: 'page[cursor]' }, what);
}

await forEachStore('page cursors', (target) => {
  let servers: RunningServer[];
  before(async () => {
    // Two processes started together on a new database: both want to create the secret; one does.
    const databaseUrl = await target.freshDatabaseUrl();
    const key = newKey();
    const count = target.name === 'postgres' ? 2 : 1; // several processes on one SQLite file are not supported
    servers = await Promise.all(Array.from({ length: count }, () => startServer({ databaseUrl, key })));
    for (let i = 0; i < 6; i++) assert.equal((await http(servers[0], 'POST', '/api/catalog-items', item(`C${i}`))).status, 201);
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('refuses another account\'s cursor, a tampered one and one written by hand, naming page[cursor]', async () => {
    const [server] = servers;
    const first = await http(server, 'GET', '/api/catalog-items?page[size]=2');
    const cursor = cursorOf(first.body.links.next);
    assert.deepEqual(ids(await http(server, 'GET', page(cursor))), ['C2', 'C3']);

    const other = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'cursor-other') };
    for (let i = 0; i < 6; i++) assert.equal((await http(other, 'POST', '/api/catalog-items', item(`O${i}`))).status, 201);
    refused(await http(other, 'GET', page(cursor)), 'a cursor of another account');
    const theirs = cursorOf((await http(other, 'GET', '/api/catalog-items?page[size]=2')).body.links.next);
    refused(await http(server, 'GET', page(theirs)), 'a cursor of another account, the other way');

    const bytes = Buffer.from(cursor, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] ^= 1;
      refused(await http(server, 'GET', page(tampered.toString('base64url'))), `byte ${i} changed`);
    }
    refused(await http(server, 'GET', page(cursor.slice(0, -1))), 'cut short');
    refused(await http(server, 'GET', page(`${cursor}A`)), 'lengthened');
    // What a cursor looked like before it was sealed: a position anyone could write.
    refused(await http(server, 'GET', page(Buffer.from(JSON.stringify({ s: 1, d: 'n' })).toString('base64url'))), 'written by hand');
  });

  it('takes a cursor in every process of the deployment and after a restart', async () => {
    const first = await http(servers[0], 'GET', '/api/catalog-items?page[size]=2&sort=-created');
    const next = first.body.links.next;
    const path = new URL(next).pathname + new URL(next).search;
    for (const server of servers) {
      const second = await http(server, 'GET', path);
      assert.deepEqual(ids(second), ['C3', 'C2'], server.url);
    }
    const stopped = servers.pop()!;
    await stopped.stop();
    const restarted = await startServer({ databaseUrl: stopped.databaseUrl, key: stopped.key });
    servers.push(restarted);
    assert.deepEqual(ids(await http(restarted, 'GET', path)), ['C3', 'C2']);
    // The SDK on http:// sends the whole link as the cursor; that is opened the same way.
    assert.deepEqual(ids(await http(restarted, 'GET', `/api/catalog-items?page[size]=2&sort=-created&page[cursor]=${encodeURIComponent(next)}`)), ['C3', 'C2']);
  });
});
