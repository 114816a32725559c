// The request journal and fault injection: hooks on the API operations' routes, plus control routes under
// /__admin/. Only API operations are journaled and faulted, so the hooks go on their routes alone (onRoute), with
// the operation in hand: no other route pays for them. Register this before the API routes.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { EventStreams } from '../http/sse.js';
import { registerFaultRoutes } from './fault-routes.js';
import { FaultRules } from './faults.js';
import { faultFiring } from './firing.js';
import { Journal } from './journal.js';
import { recorder } from './recorder.js';
import { registerJournalRoutes } from './routes.js';
import { registerJournalStream } from './stream.js';

export interface JournalParts {
  /** CATALOG_JOURNAL: off leaves fault rules working but records nothing. */
  enabled: boolean;
  /** CATALOG_JOURNAL_SIZE: entries kept per account. */
  size: number;
  clock: Clock;
  /** The server's event streams (the live journal is one). */
  streams: EventStreams;
}

const hooks = <T>(given: T | T[] | undefined): T[] => (given === undefined ? [] : [given].flat() as T[]);

export function registerJournalAndFaults(app: FastifyInstance, parts: JournalParts): void {
  const { clock } = parts;
  const rules = new FaultRules();
  const journal = parts.enabled ? new Journal(parts.size) : undefined;
  const faults = faultFiring(app, rules);
  const record = journal && recorder(journal, clock);
  // A route's own hooks run after the server's, so these see the answer as every other hook left it; the
  // fault's onSend goes first, so that the journal records what the client was actually sent.
  app.addHook('onRoute', (route) => {
    const op = route.config?.operation;
    if (!op) return;
    route.preHandler = [...hooks(route.preHandler), faults.preHandler(op)];
    route.onSend = [...hooks(route.onSend), faults.onSend, ...(record ? [record(op)] : [])];
  });
  registerFaultRoutes(app, rules, clock);
  if (journal) {
    registerJournalRoutes(app, journal);
    registerJournalStream(app, journal, parts.streams);
  }
}
