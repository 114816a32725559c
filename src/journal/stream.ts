// The live journal: an event stream (http/sse.ts: frames, keep-alive, per-account bound, ended on close) with
// one `event: entry` per new entry of the account, optionally filtered like a query. Read with fetch() and the
// Authorization header (the console, `catalog-server tail`): keys never go in URLs.
import type { FastifyInstance } from 'fastify';
import type { EventStreams } from '../http/sse.js';
import { renderEntry } from './entry.js';
import { matches, parseFilter } from './filter.js';
import type { Journal } from './journal.js';

export function registerJournalStream(app: FastifyInstance, journal: Journal, streams: EventStreams): void {
  app.get<{ Querystring: Record<string, unknown> }>('/__admin/journal/stream', {
    config: { control: 'account', controlName: 'stream_journal' },
    schema: { summary: 'Follow the request journal live', produces: ['text/event-stream'] },
  }, async (request, reply) => {
    const filter = parseFilter(request.query);
    const stream = streams.start(reply, request.account);
    stream.onClose(journal.subscribe(request.account, (capture) => {
      if (matches(filter, capture)) stream.send('entry', renderEntry(capture));
    }));
    return reply;
  });
}
