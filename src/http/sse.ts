// Server-sent event streams (`text/event-stream`): `event: <name>\ndata: <json>\n\n` frames, a `: keep-alive`
// comment every 15 s so that proxies and the idle-connection timeout leave a quiet stream open, a bound on
// the streams one account holds open, and every open stream ended when the server closes (a stream never
// finishes by itself, so it would otherwise hold `close()` up). Browsers read them with fetch() and a stream
// reader, which, unlike EventSource, can send the Authorization header.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { throttled } from './rate-limit.js';

/** Runs `fn` every `ms` until the returned function is called. Injected so tests can tick by hand. */
export interface Ticker {
  every(ms: number, fn: () => void): () => void;
}

export const realTicker: Ticker = {
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};

export const KEEP_ALIVE_MS = 15_000;
/** Streams one account may hold open in one process; more are answered 429 until one closes. */
export const MAX_STREAMS_PER_ACCOUNT = 16;

export interface EventStream {
  /** Sends an event; nothing once the stream was ended or closed. */
  send(event: string, data: unknown): void;
  /** Ends the stream (idempotent). */
  end(): void;
  /** Ended by end(), or closed for any other reason. */
  readonly closed: boolean;
  /** Called once, when the stream ends for any reason: end(), the client going away, the server closing. */
  onClose(fn: () => void): void;
}

export class EventStreams {
  /** Open streams, with the end that also frees their connection when the server closes. */
  private readonly open = new Map<EventStream, () => void>();
  private readonly perAccount = new Map<string, number>();

  constructor(app: FastifyInstance, private readonly ticker: Ticker = realTicker, private readonly keepAliveMs = KEEP_ALIVE_MS) {
    app.addHook('preClose', async () => {
      for (const close of [...this.open.values()]) close();
    });
  }

  /** Answers the request with an event stream held by `account`; throws a 429 when it holds too many. */
  start(reply: FastifyReply, account: string): EventStream {
    const held = this.perAccount.get(account) ?? 0;
    if (held >= MAX_STREAMS_PER_ACCOUNT) {
      throw throttled(1, `This account already has ${MAX_STREAMS_PER_ACCOUNT} event streams open; close one first.`);
    }
    this.perAccount.set(account, held + 1);
    const body = new PassThrough();
    const listeners: (() => void)[] = [];
    const stopKeepAlive = this.ticker.every(this.keepAliveMs, () => body.writable && body.write(': keep-alive\n\n'));
    let closed = false;
    const stream: EventStream = {
      send: (event, data) => {
        if (!closed) body.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      end: () => {
        closed = true;
        body.end();
      },
      get closed() {
        return closed;
      },
      onClose: (fn) => listeners.push(fn),
    };
    // Fastify destroys the body when the client goes away; end() finishes it. Either way: clean up once.
    body.once('close', () => {
      closed = true;
      stopKeepAlive();
      this.open.delete(stream);
      const left = (this.perAccount.get(account) ?? 1) - 1;
      if (left > 0) this.perAccount.set(account, left);
      else this.perAccount.delete(account);
      for (const fn of listeners) fn();
    });
    // The last chunk sent, the socket goes too: server.close() must not wait for a client to hang up.
    this.open.set(stream, () => {
      reply.raw.once('finish', () => reply.raw.socket?.destroy());
      stream.end();
    });
    // The comment flushes the headers at once, so the client knows the stream is open before the first event.
    body.write(': stream open\n\n');
    reply.code(200).header('Content-Type', 'text/event-stream').header('X-Accel-Buffering', 'no').send(body);
    return stream;
  }
}
