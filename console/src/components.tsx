// Small pieces every view uses. Everything from the server is rendered as text: values are strings in JSX,
// which Preact writes as text nodes, never as markup.
import type { ComponentChildren } from 'preact';
import { ApiProblem } from './api.ts';

/** Any JSON value as one line of text (strings as they are, the rest as JSON). */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (value === '') return '""';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A path with its query decoded for reading (`page[size]=25`, not `page%5Bsize%5D=25`). */
export function readable(path: string): string {
  const [base, search] = path.split('?', 2);
  if (!search) return base;
  return `${base}?${[...new URLSearchParams(search)].map(([name, value]) => `${name}=${value}`).join('&')}`;
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A server's JSON body, indented; text that is not JSON as it came. */
export function prettyText(body: string): string {
  try {
    return pretty(JSON.parse(body));
  } catch {
    return body;
  }
}

export function Problem({ error, context }: { error: unknown; context?: string }) {
  const problem = error instanceof ApiProblem ? error : new ApiProblem(0, error instanceof Error ? error.message : String(error));
  return (
    <div class="notice error" role="alert">
      <p>
        {context ? `${context}: ` : ''}
        {problem.status ? `${problem.status} — ` : ''}
        {problem.message}
      </p>
      {problem.errors.some((e) => e.source) && (
        <ul>
          {problem.errors.map((e) => (
            <li>
              <code>{e.code}</code> {e.source?.pointer ?? e.source?.parameter}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** What a view shows when the server has no such control: its path answered 404. */
export function Unavailable({ what, path, children }: { what: string; path: string; children?: ComponentChildren }) {
  return (
    <div class="notice info" role="status">
      <p>
        {what} is not available on this server: <code>GET {path}</code> answered 404. The server may be an older version
        without it, or run with <code>CATALOG_CONTROLS=off</code>.
      </p>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" role="status">Loading {what}…</p>;
}

/** A wide table in a region that scrolls sideways on narrow screens, reachable with the keyboard. */
export function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function JsonBlock({ label, body }: { label: string; body: string }) {
  return (
    <figure class="json">
      <figcaption>{label}</figcaption>
      <pre tabIndex={0}>{body}</pre>
    </figure>
  );
}

/** Name/value rows (attributes, counters, headers). */
export function Pairs({ label, rows }: { label: string; rows: [string, unknown][] }) {
  return (
    <Scroll label={label}>
      <table class="pairs">
        <caption class="visually-hidden">{label}</caption>
        <tbody>
          {rows.map(([name, value]) => (
            <tr>
              <th scope="row">{name}</th>
              <td>{text(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

/** The request a view made, as text, so a user can repeat it. */
export function RequestLine({ method = 'GET', path }: { method?: string; path: string }) {
  return (
    <p class="request">
      <code>
        {method} {readable(path)}
      </code>
    </p>
  );
}
