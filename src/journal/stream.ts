// The live journal: server-sent events, one `event: entry` per new entry of the account (optionally filtered
// like a query), and a `: keep-alive` comment every 15 s so that proxies keep the connection open. Read with
// fetch() and the Authorization header (the console, `catalog-server tail`): keys never go in URLs.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { throttled } from '../http/rate-limit.js';
import { renderEntry } from './entry.js';
import { matches, parseFilter } from './filter.js';
import type { Journal } from './journal.js';

export const KEEP_ALIVE_MS = 15_000;
/** Open streams per account: each costs a connection and a render of every entry. */
export const MAX_STREAMS_PER_ACCOUNT = 20;
/** A reader this far behind is cut off (it may reconnect) rather than buffered for without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export function registerJournalStream(app: FastifyInstance, journal: Journal): void {
  const open = new Set<PassThrough>();
  // Open streams would hold a graceful shutdown until its grace period ends: end them first.
  app.addHook('preClose', (done) => {
    for (const stream of open) stream.end();
    done();
  });

  app.get<{ Querystring: Record<string, unknown> }>('/__admin/journal/stream', {
    config: { control: 'account', controlName: 'stream_journal' },
  }, async (request, reply) => {
    const filter = parseFilter(request.query);
    const account = request.account;
    if (journal.listenerCount(account) >= MAX_STREAMS_PER_ACCOUNT) {
      throw throttled(5, `At most ${MAX_STREAMS_PER_ACCOUNT} journal streams may be open per account; close one first.`);
    }
    const stream = new PassThrough();
    const write = (text: string) => {
      if (stream.writableLength > MAX_BUFFERED_BYTES) stream.end();
      else stream.write(text);
    };
    const unsubscribe = journal.subscribe(account, (capture) => {
      if (matches(filter, capture)) write(`event: entry\ndata: ${JSON.stringify(renderEntry(capture))}\n\n`);
    });
    const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
    open.add(stream);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(stream);
    };
    stream.once('close', stop);
    stream.once('finish', stop);
    reply.raw.once('close', () => {
      stop();
      stream.destroy();
    });
    // Sent at once, so that the reader sees the stream open before the first entry.
    stream.write(': journal stream open\n\n');
    reply.header('Content-Type', 'text/event-stream').header('X-Accel-Buffering', 'no');
    return reply.send(stream);
  });
}
