// The journal's control routes (account-scoped, full-access key): query it, count it, clear it.
import type { FastifyInstance } from 'fastify';
import { send } from '../http/jsonapi.js';
import { renderEntry } from './entry.js';
import { count, parseFilter, parseQuery, select } from './filter.js';
import type { Journal } from './journal.js';

type Query = { Querystring: Record<string, unknown> };

export function registerJournalRoutes(app: FastifyInstance, journal: Journal): void {
  app.get<Query>('/__admin/journal', { config: { control: 'account', controlName: 'get_journal' } }, async (request, reply) => {
    const query = parseQuery(request.query);
    const chosen = select(journal.entries(request.account, query.order), query);
    return send(reply, 200, { data: chosen.map(renderEntry) });
  });

  app.get<Query>('/__admin/journal/count', { config: { control: 'account', controlName: 'count_journal' } }, async (request, reply) => {
    const n = count(journal.entries(request.account, 'newest'), parseFilter(request.query));
    return send(reply, 200, { data: { type: 'journal-count', id: 'count', attributes: { count: n } } });
  });

  app.delete('/__admin/journal', { config: { control: 'account', controlName: 'clear_journal' } }, async (request, reply) => {
    journal.clear(request.account);
    return reply.code(204).send();
  });
}
