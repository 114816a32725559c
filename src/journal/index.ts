// The request journal and fault injection, as Fastify hooks plus their control routes under /__admin/.
// Hooks are registered in the order they must run: fault firing (preHandler, and onSend for `after` faults)
// before the recorder's onSend, so that the journal shows what the client was actually sent.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import { registerFaultRoutes } from './fault-routes.js';
import { FaultRules } from './faults.js';
import { registerFaultFiring } from './firing.js';
import { Journal } from './journal.js';
import { registerRecorder } from './recorder.js';
import { registerJournalRoutes } from './routes.js';
import { registerJournalStream } from './stream.js';

export interface JournalSettings {
  /** CATALOG_JOURNAL: off leaves fault rules working but records nothing. */
  enabled: boolean;
  /** CATALOG_JOURNAL_SIZE: entries kept per account. */
  size: number;
}

export function registerJournalAndFaults(app: FastifyInstance, settings: JournalSettings, clock: Clock): void {
  const rules = new FaultRules();
  registerFaultFiring(app, rules);
  registerFaultRoutes(app, rules);
  if (!settings.enabled) return;
  const journal = new Journal(settings.size);
  registerRecorder(app, journal, clock);
  registerJournalRoutes(app, journal);
  registerJournalStream(app, journal);
}
