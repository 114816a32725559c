// Sign-in: an account's API key (catalog, jobs, journal, faults) or the admin token (accounts, keys, clock).
// The secret is checked with one request, then kept in sessionStorage for this tab only.
import { useState } from 'preact/hooks';
import { ApiProblem, request } from '../api.ts';
import { Problem } from '../components.tsx';
import { useTitle } from '../hooks.ts';
import { credentialFor, type Credential } from '../session.ts';

/** One request that only a valid credential of its kind can make. */
const CHECK = { key: '/api/catalog-items?page%5Bsize%5D=1', admin: '/__admin/accounts' };

export function SignIn({ onSignedIn }: { onSignedIn: (credential: Credential) => void }) {
  useTitle('Sign in');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const credential = credentialFor(secret);
    if (!credential.secret) return setError(new ApiProblem(0, 'Enter an API key or the admin token.'));
    setBusy(true);
    setError(undefined);
    try {
      await request(credential, CHECK[credential.kind]);
      onSignedIn(credential);
    } catch (err) {
      setError(credential.kind === 'admin' && err instanceof ApiProblem && err.status === 404
        ? new ApiProblem(404, 'This server has no admin controls: set CATALOG_ADMIN_TOKEN (and keep CATALOG_CONTROLS on) to use an admin token. Account API keys start with pk_.')
        : err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title" tabIndex={-1}>Sign in</h1>
      <form onSubmit={submit} noValidate>
        <label for="secret">API key or admin token</label>
        <input id="secret" name="secret" type="password" autoComplete="off" spellcheck={false} required
          aria-describedby="secret-help" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        <p id="secret-help" class="help">
          A private API key (<code>pk_…</code>) shows that account's catalog, jobs, journal and faults; the admin token
          shows accounts, keys and the clock. It is kept in this tab's session storage only and sent only in the
          Authorization header.
        </p>
        <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
      {error !== undefined && <Problem error={error} context="Could not sign in" />}
    </section>
  );
}
