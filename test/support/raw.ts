// HTTP/1.x over a plain socket, for requests fetch and node:http refuse to send (bad Host headers, no Host,
// malformed paths): the request goes out byte for byte as written, and the answer is checked like http()'s.
import { connect } from 'node:net';
import { assertDocument } from './documents.ts';
import { REVISION, type RunningServer } from './server.ts';

export interface RawAnswer {
  status: number;
  body: any;
}

/**
 * Sends `head` (request line and headers, CRLF-separated, no final blank line) and `body` as written, on a
 * new socket, and resolves to the whole answer as it came (latin1).
 */
export function rawExchange(server: RunningServer, head: string, body = ''): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (text += d));
    socket.on('error', reject);
    socket.on('end', () => resolve(text));
    // Written, not ended: a half-closed socket may be dropped before a slow answer; `close` ends it after.
    socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`);
  });
}

/** rawExchange, with the answer's status and body, the body checked like http()'s. */
export async function rawRequest(server: RunningServer, head: string, body = ''): Promise<RawAnswer> {
  const text = await rawExchange(server, head, body);
  const [top, ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(top)?.[1]);
  const raw = rest.join('\r\n\r\n');
  const payload = /transfer-encoding: chunked/i.test(top) ? dechunk(raw) : raw;
  try {
    const parsed = payload ? JSON.parse(Buffer.from(payload, 'latin1').toString('utf8')) : undefined;
    assertDocument(status, parsed, { method: head.split(' ')[0], url: server.url });
    return { status, body: parsed };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${text}`);
  }
}

function dechunk(raw: string): string {
  let out = '';
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

/** The headers of an authorised request, for rawRequest. */
export const rawAuth = (server: RunningServer) => `Authorization: Klaviyo-API-Key ${server.key}\r\nrevision: ${REVISION}`;

