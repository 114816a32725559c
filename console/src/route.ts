// Hash routes (#/items?title=shirt): the page is one file, and a route never carries a credential.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  parts: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, query: new URLSearchParams(search) };
}

/** `$` and `:` stay readable in compound ids ($custom:::$default:::SHIRT-1). */
const segment = (s: string) => encodeURIComponent(s).replace(/%24/g, '$').replace(/%3A/gi, ':');

export function href(parts: string[], query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) search.set(k, v);
  const text = search.toString();
  return `#/${parts.map(segment).join('/')}${text ? `?${text}` : ''}`;
}

export function navigate(parts: string[], query: Record<string, string | undefined> = {}): void {
  location.hash = href(parts, query);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** A compound id in an API path, written as the API writes it in links. */
export const apiId = segment;
