// The credential the console signs in with: an account's API key (`pk_...`) or the server's admin token.
// Kept in sessionStorage only (gone when the tab closes), sent only in the Authorization header.

export type CredentialKind = 'key' | 'admin';

export interface Credential {
  kind: CredentialKind;
  secret: string;
}

const STORAGE_KEY = 'catalog-console.credential';

/** Private API keys start with pk_; anything else is taken for the admin token. */
export function credentialFor(secret: string): Credential {
  const trimmed = secret.trim();
  return { kind: trimmed.startsWith('pk_') ? 'key' : 'admin', secret: trimmed };
}

export function authorization(credential: Credential): string {
  return credential.kind === 'key' ? `Klaviyo-API-Key ${credential.secret}` : `Bearer ${credential.secret}`;
}

/** What the header shows of the credential: never the whole secret. */
export function describe(credential: Credential): string {
  return credential.kind === 'key' ? `API key ${credential.secret.slice(0, 7)}…` : 'admin token';
}

export function loadCredential(): Credential | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (stored && (stored.kind === 'key' || stored.kind === 'admin') && typeof stored.secret === 'string') return stored;
  } catch {
    // unreadable: signed out
  }
  return null;
}

export function saveCredential(credential: Credential): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credential));
}

export function clearCredential(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
