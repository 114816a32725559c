// The permissions an API key can carry, as Klaviyo names them. Keys, auth and the operation table share them.

export type Scope = 'catalogs:read' | 'catalogs:write' | 'profiles:write';

export const ALL_SCOPES: readonly Scope[] = ['catalogs:read', 'catalogs:write', 'profiles:write'];
