// Server-wide controls, with the admin token: accounts and their keys (a new key is shown once, here only),
// and the server's clock (set, advance, back to real time).
import { useState } from 'preact/hooks';
import { isMissing, request } from '../api.ts';
import { Loading, Pairs, Problem, Scroll, Unavailable, text } from '../components.tsx';
import { useCredential, useDocument, useTitle } from '../hooks.ts';
import { credentialFor, type Credential } from '../session.ts';

const ACCOUNTS = '/__admin/accounts';
const CLOCK = '/__admin/clock';
const SCOPES = ['catalogs:read', 'catalogs:write', 'profiles:write'] as const;

/** Checkboxes for a key's scopes; all of them is full access. */
function ScopePicker({ id, scopes, onChange }: { id: string; scopes: string[]; onChange: (scopes: string[]) => void }) {
  return (
    <fieldset class="scopes">
      <legend>Scopes</legend>
      {SCOPES.map((scope) => (
        <label for={`${id}-${scope}`}>
          <input id={`${id}-${scope}`} type="checkbox" checked={scopes.includes(scope)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} />
          {scope}
        </label>
      ))}
    </fieldset>
  );
}

interface NewKey {
  id: string;
  key: string;
  scopes: string[];
}

/** Keys that are shown once: copy one or sign in with it. */
function NewKeys({ account, keys, onUse }: { account: string; keys: NewKey[]; onUse: (c: Credential) => void }) {
  return (
    <div class="notice secret" role="status">
      <p>{keys.length === 1 ? 'New key' : 'New keys'} for account <strong>{account}</strong>, shown only this once:</p>
      <ul class="new-keys">
        {keys.map((k) => (
          <li>
            <code class="key" data-testid="new-key">{k.key}</code> {k.scopes.join(', ')}{' '}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(k.key)}>Copy</button>{' '}
            <button type="button" onClick={() => onUse(credentialFor(k.key))}>Sign in with this key</button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * A new account always gets a full-access key; a key with fewer scopes is made beside it when fewer were chosen.
 * A new key of an account gets the chosen scopes (all of them when the body leaves them out).
 */
const keyBody = (chosen: string[]) => (chosen.length === SCOPES.length ? {} : { scopes: chosen });
const accountBody = (chosen: string[]) => (chosen.length === SCOPES.length ? {} : { scopes: [chosen] });

/** The keys a creation answered with: an account's `keys`, or one `api-key`. */
function newKeysOf(document: any): NewKey[] {
  const data = document?.data;
  if (data?.type === 'account') return data.attributes.keys;
  if (data?.type === 'api-key') return [{ id: data.id, key: data.attributes.key, scopes: data.attributes.scopes }];
  return [];
}

function Accounts({ onUse }: { onUse: (c: Credential) => void }) {
  const credential = useCredential();
  const { answer, error, loading, reload } = useDocument<{ data: any[] }>(ACCOUNTS);
  const [scopes, setScopes] = useState<string[]>([...SCOPES]);
  const [shown, setShown] = useState<{ account: string; keys: NewKey[] }>();
  const [actionError, setActionError] = useState<unknown>();
  const [confirming, setConfirming] = useState<string>();

  /** Sends a change; keys it created are shown once (for `account`, or the account it created); the list is read again. */
  async function change(method: string, path: string, body?: unknown, account?: string) {
    setActionError(undefined);
    setShown(undefined);
    try {
      const result = await request(credential, path, { method, body });
      const keys = newKeysOf(result.document);
      if (keys.length > 0) setShown({ account: account ?? String(result.document.data.id), keys });
      reload();
    } catch (err) {
      setActionError(err);
    }
  }

  if (isMissing(error)) return <Unavailable what="Account administration" path={ACCOUNTS} />;
  return (
    <section aria-labelledby="accounts-title">
      <h2 id="accounts-title">Accounts and keys</h2>
      {error !== undefined && <Problem error={error} />}
      {actionError !== undefined && <Problem error={actionError} context="The change failed" />}
      {shown && <NewKeys account={shown.account} keys={shown.keys} onUse={onUse} />}
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void change('POST', ACCOUNTS, accountBody(scopes)); }}>
        <ScopePicker id="new-account" scopes={scopes} onChange={setScopes} />
        <button type="submit">Create an account with a key</button>
      </form>
      {loading && !answer && <Loading what="accounts" />}
      {answer && (
        <Scroll label="Accounts">
          <table>
            <caption class="visually-hidden">Accounts</caption>
            <thead>
              <tr><th scope="col">Account</th><th scope="col">Keys</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {(answer.document.data ?? []).map((account) => {
                const keys: any[] = account.attributes?.keys ?? [];
                const path = `${ACCOUNTS}/${encodeURIComponent(account.id)}`;
                return (
                  <tr>
                    <th scope="row">{account.id}</th>
                    <td>
                      <ul class="keys">
                        {keys.map((key) => (
                          <li>
                            <code>{`${key.prefix}…`}</code> {text((key.scopes ?? []).join(', '))}
                            {key.revoked_at ? ` (revoked ${key.revoked_at})` : (
                              <>
                                {' '}
                                <button type="button" class="danger small" aria-label={`Revoke key ${key.id} of ${account.id}`}
                                  onClick={() => change('DELETE', `${path}/keys/${encodeURIComponent(key.id)}`)}>Revoke</button>
                              </>
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td class="actions">
                      <button type="button" onClick={() => change('POST', `${path}/keys`, keyBody(scopes), account.id)}>New key</button>{' '}
                      {confirming === account.id ? (
                        <>
                          <button type="button" class="danger" onClick={() => { setConfirming(undefined); void change('DELETE', path); }}>Delete {account.id} and its data</button>{' '}
                          <button type="button" onClick={() => setConfirming(undefined)}>Keep</button>
                        </>
                      ) : <button type="button" class="danger" onClick={() => setConfirming(account.id)}>Delete account</button>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Scroll>
      )}
      <p class="help">New keys get the scopes ticked above.</p>
    </section>
  );
}

function Clock() {
  const credential = useCredential();
  const { answer, error, reload } = useDocument<any>(CLOCK);
  const [time, setTime] = useState('');
  const [seconds, setSeconds] = useState('60');
  const [actionError, setActionError] = useState<unknown>();

  async function put(body: unknown) {
    setActionError(undefined);
    try {
      await request(credential, CLOCK, { method: 'PUT', body });
      reload();
    } catch (err) {
      setActionError(err);
    }
  }

  if (isMissing(error)) return <Unavailable what="The clock control" path={CLOCK} />;
  const attributes = answer?.document?.data?.attributes ?? {};
  return (
    <section aria-labelledby="clock-title">
      <h2 id="clock-title">Clock</h2>
      <p class="help">The time the server stamps and schedules with (job pace, expiry).</p>
      {error !== undefined && <Problem error={error} />}
      {actionError !== undefined && <Problem error={actionError} context="The clock was not changed" />}
      {answer && <Pairs label="Clock" rows={Object.entries(attributes)} />}
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void put({ time }); }}>
        <label for="clock-time">Set the time (ISO 8601)</label>
        <input id="clock-time" type="text" value={time} placeholder="2026-01-01T00:00:00Z" onInput={(e) => setTime(e.currentTarget.value)} spellcheck={false} />
        <button type="submit">Set</button>
      </form>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void put({ advance_seconds: Number(seconds) }); }}>
        <label for="clock-advance">Advance by (seconds)</label>
        <input id="clock-advance" type="number" min={1} value={seconds} onInput={(e) => setSeconds(e.currentTarget.value)} />
        <button type="submit">Advance</button>
      </form>
      <button type="button" onClick={() => put({ real: true })}>Back to real time</button>
    </section>
  );
}

export function Server({ onUse }: { onUse: (c: Credential) => void }) {
  useTitle('Server');
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>Server</h1>
      <Accounts onUse={onUse} />
      <Clock />
    </section>
  );
}
