// What views share: the signed-in credential (a context) and loading a document as the route changes.
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { request, type Answer } from './api.ts';
import type { Credential } from './session.ts';

export const CredentialContext = createContext<Credential | null>(null);

export function useCredential(): Credential {
  const credential = useContext(CredentialContext);
  if (!credential) throw new Error('no credential: views render only when signed in');
  return credential;
}

export interface Loaded<T> {
  answer?: Answer<T>;
  error?: unknown;
  loading: boolean;
  reload(): void;
}

/** GETs `path` (again whenever it changes, or on reload()); a path of null loads nothing. */
export function useDocument<T = any>(path: string | null): Loaded<T> {
  const credential = useCredential();
  const [state, setState] = useState<{ answer?: Answer<T>; error?: unknown; loading: boolean }>({ loading: path !== null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    request<T>(credential, path, { signal: abort.signal }).then(
      (answer) => setState({ answer, loading: false }),
      (error) => abort.signal.aborted || setState({ error, loading: false }),
    );
    return () => abort.abort();
  }, [credential, path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** Sets the page title, so that each view is announced and listed in history by name. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Catalog console`;
  }, [title]);
}
