// Catalog resource ids are `{integration}:::{catalog}:::{external_id}`; only `$custom` and `$default` exist.
import { LIMITS } from './resources.js';

const PREFIX = '$custom:::$default:::';

export function compoundId(externalId: string): string {
  return PREFIX + externalId;
}

/** Most bytes (UTF-8) of a compound id: the prefix and an external id of at most LIMITS.idBytes. */
export const MAX_ID_BYTES = PREFIX.length + LIMITS.idBytes; // the prefix is ASCII: one byte a character

/** How every message that refuses an id says what an id looks like: one wording, from one place. */
export const ID_FORM = `ids look like ${compoundId('{external_id}')}`;

/** The external id inside a compound id, or undefined when the id is not well formed. */
export function externalIdOf(id: unknown): string | undefined {
  if (typeof id !== 'string' || !id.startsWith(PREFIX)) return undefined;
  const externalId = id.slice(PREFIX.length);
  return externalId.length > 0 ? externalId : undefined;
}
