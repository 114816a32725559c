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

/** GETs `path` (again whenever it changes, or on reload()). */
export function useDocument<T = any>(path: string): Loaded<T> {
  const credential = useCredential();
  const [state, setState] = useState<{ path?: string; answer?: Answer<T>; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    request<T>(credential, path, { signal: abort.signal }).then(
      (answer) => setState({ path, answer, loading: false }),
      (error) => abort.signal.aborted || setState({ path, error, loading: false }),
    );
    return () => abort.abort();
  }, [credential, path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  // What was read for another path is not shown while this one loads; a reload keeps showing the last result.
  const current = state.path === path;
  return { answer: current ? state.answer : undefined, error: current ? state.error : undefined, loading: state.loading || !current, reload };
}

/** Sets the page title, so that each view is announced and listed in history by name. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Catalog console`;
  }, [title]);
}
