// The test controls under /__admin/, registered only while CATALOG_CONTROLS is on. Account controls need a
// full-access key of the account they act on (http/auth.ts); server-wide ones the admin token (admin-auth.ts).
import type { FastifyInstance } from 'fastify';
import type { FinishedJobCache } from '../api/jobs/finished-cache.js';
import type { StoredClock } from '../clock.js';
import type { JobEngine } from '../jobs/engine.js';
import type { Pace } from '../jobs/pace.js';
import type { Store } from '../store/store.js';
import { registerAccountControls } from './accounts.js';
import { registerAdminAuth } from './admin-auth.js';
import { registerClockControls } from './clock.js';
import { registerFixtureControls } from './fixtures.js';
import { registerJobControls } from './jobs.js';
import { registerPaceControls } from './pace.js';
import { registerResetControl } from './reset.js';

export interface ControlParts {
  store: Store;
  engine: JobEngine;
  clock: StoredClock;
  finished: FinishedJobCache;
  adminToken: string | undefined;
  serverPace: Pace;
}

export function registerControls(app: FastifyInstance, parts: ControlParts): void {
  registerAdminAuth(app, parts.adminToken);
  registerAccountControls(app, parts);
  registerResetControl(app, parts.store, parts.finished);
  registerFixtureControls(app, parts.store, parts.clock);
  registerPaceControls(app, parts.store, parts.serverPace);
  // A moved clock may make held or scheduled jobs due (or expired) at once.
  registerClockControls(app, parts.clock, () => parts.engine.clockMoved());
  registerJobControls(app, parts.engine);
}
