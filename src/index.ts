// The package's entry point (library mode): start the real server in-process, and drive its test controls.
export { startCatalogServer, type CatalogAccount, type CatalogServer, type CatalogServerOptions } from './library/start.js';
export {
  CatalogControls, ControlError, type AccountKey, type AccountSummary, type ClockState, type ControlErrorObject, type ControlsOptions,
  type CreatedAccount, type JobPaceState, type JobResource, type JobStepRequest,
} from './library/client.js';
export type { CatalogFixture, CategoryEntry, ItemEntry, VariantEntry } from './fixtures/format.js';
export type { ImportCounts } from './fixtures/import.js';
export type { Pace } from './jobs/pace.js';
export type { Scope } from './scopes.js';
