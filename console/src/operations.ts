// The Klaviyo operations this server implements, by their spec operationId, from its own table (bundled at
// build): the journal filters and the fault form offer them by name.
import { OPERATIONS } from '../../src/http/operations.js';

export const OPERATION_IDS: string[] = [...OPERATIONS.keys()].sort();
