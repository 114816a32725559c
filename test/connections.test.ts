// Slow and greedy clients, on raw sockets: a body dribbled a byte at a time is cut off with a JSON:API 408, a
// too-large body is answered 413 and the connection closed when the client stops sending, and connections
// beyond the cap are refused while the ones within it keep working. Timeouts are made small through env.
// A request that arrives while the server shuts down gets a JSON:API 503.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, it } from 'node:test';
import { assertDocument } from './support/documents.ts';
import { http, REVISION, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

/** A socket to the server, collecting what it receives; `closed` resolves with it when the server closes. */
function open(server: RunningServer): Promise<{ socket: Socket; received: () => string; closed: Promise<string> }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d));
    const closed = new Promise<string>((r) => socket.on('close', () => r(data)));
    socket.once('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

function head(server: RunningServer, method: string, path: string, extra: string[] = []): string {
  return [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Klaviyo-API-Key ${server.key}`, `revision: ${REVISION}`, ...extra, '', ''].join('\r\n');
}

function jsonBody(response: string): any {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

let server: RunningServer;
before(async () => {
  server = await startServer({
    databaseUrl: await sqliteTarget.freshDatabaseUrl(),
    env: { CATALOG_REQUEST_TIMEOUT_MS: '400', CATALOG_MAX_CONNECTIONS: '3' },
  });
});
after(() => server.stop());

it('answers a body dribbled a byte at a time with a JSON:API 408 and closes the connection', { timeout: 15_000 }, async () => {
  const { socket, closed } = await open(server);
  socket.write(head(server, 'POST', '/api/catalog-items', ['Content-Type: application/vnd.api+json', 'Content-Length: 1000']));
  // Keeps sending (so the connection is never idle) until the server gives up on the request.
  const dribble = setInterval(() => socket.writable && socket.write('{'), 50);
  const response = await closed;
  clearInterval(dribble);
  assert.match(response, /^HTTP\/1\.1 408 /);
  assert.match(response, /content-type: application\/vnd\.api\+json/i);
  assert.equal(jsonBody(response).errors[0].code, 'request_timeout');
});

it('does not wait past the request timeout on a too-large body the client stops sending', { timeout: 15_000 }, async () => {
  const { socket, closed } = await open(server);
  socket.write(head(server, 'POST', '/api/catalog-items', ['Content-Type: application/vnd.api+json', `Content-Length: ${6 * 1024 * 1024}`]));
  socket.write('{"data":');
  // Sends nothing more. The server reads the rest of a too-large body before its 413 (so that clients still
  // sending can read the answer); a client that never sends it is cut off when the request's time is up.
  const response = await closed;
  assert.match(response, /^HTTP\/1\.1 408 /);
  assert.equal(jsonBody(response).errors[0].code, 'request_timeout');
});

it('refuses connections beyond the cap and serves again once one closes', { timeout: 15_000 }, async () => {
  const held = [await open(server), await open(server), await open(server)];
  // A request on each shows the server has accepted all three.
  for (const c of held) c.socket.write(head(server, 'GET', '/healthz'));
  for (const c of held) while (!/\r\n\r\n/.test(c.received())) await new Promise((r) => setTimeout(r, 10));
  const extra = await open(server);
  assert.equal(await extra.closed, '', 'the fourth connection is closed without an answer');
  held[0].socket.destroy();
  await held[0].closed;
  let status = 0;
  // The server notices the closed connection a moment later.
  for (let i = 0; i < 100 && status !== 200; i++) {
    status = await http(server, 'GET', '/healthz').then((r) => r.status, () => 0);
  }
  assert.equal(status, 200);
  for (const c of held.slice(1)) c.socket.destroy();
});

/** Whether a new connection to `server` is refused (it has stopped listening). */
function refused(server: RunningServer): Promise<boolean> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** The status lines, headers and bodies of the responses in `raw`, which carry Content-Length. */
function responses(raw: string): { status: number; headers: string; body: any }[] {
  const out = [];
  let rest = raw;
  while (rest.length) {
    const end = rest.indexOf('\r\n\r\n');
    const headers = rest.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
    const body = rest.slice(end + 4, end + 4 + length);
    rest = rest.slice(end + 4 + length);
    const status = Number(headers.slice(9, 12));
    if (status !== 100) out.push({ status, headers, body: body ? JSON.parse(body) : undefined });
  }
  return out;
}

it('answers a request that arrives while the server shuts down with a JSON:API 503, after finishing the one in flight', { timeout: 15_000 }, async () => {
  const closing = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() });
  const { socket, received, closed } = await open(closing);
  const body = JSON.stringify({ data: { type: 'catalog-item', attributes: { external_id: 'IN-FLIGHT', title: 'T', description: 'D', url: 'u' } } });
  // A request in flight keeps the connection open through the shutdown: its headers are in (the server has
  // answered `100 Continue`), its body is not yet.
  socket.write(head(closing, 'POST', '/api/catalog-items', ['Content-Type: application/vnd.api+json', `Content-Length: ${Buffer.byteLength(body)}`, 'Expect: 100-continue']));
  while (!received().includes('100 Continue')) await new Promise((r) => setTimeout(r, 10));
  const exit = closing.stop();
  while (!(await refused(closing))) await new Promise((r) => setTimeout(r, 10));
  // Shutting down: the body arrives, and a second request behind it on the same connection.
  socket.write(body + head(closing, 'GET', '/api/catalog-items'));
  const [inFlight, late] = responses(await closed);
  assert.equal(inFlight.status, 201);
  assert.equal(inFlight.body.data.id, '$custom:::$default:::IN-FLIGHT');
  assert.equal(late.status, 503);
  assert.match(late.headers, /content-type: application\/vnd\.api\+json/i);
  assert.match(late.headers, /retry-after: 1/i);
  assert.match(late.headers, /cache-control: no-store/i);
  assertDocument(late.status, late.body);
  assert.equal(late.body.errors[0].code, 'service_unavailable');
  assert.equal(await exit, 0);
});
