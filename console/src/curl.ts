// A journaled request as a curl command to repeat it, with its credential elided (replaced by a shell
// variable), and header values as the journal view shows them. Pure, so it is tested in Node.

export interface JournaledRequest {
  method: string;
  path: string;
  /** The query string (with or without `?`) or its parameters. */
  query?: unknown;
  request: { headers?: Record<string, unknown>; body?: unknown; body_truncated?: boolean };
}

/** Headers curl writes itself, or that describe the connection rather than the request. */
const SKIPPED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'accept-encoding', 'transfer-encoding', 'te', 'upgrade']);
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** The shell variable that stands for the credential of each scheme. */
const PLACEHOLDERS: Record<string, string> = { 'klaviyo-api-key': '$KLAVIYO_API_KEY', bearer: '$CATALOG_ADMIN_TOKEN' };

/** A header value as shown: credentials replaced, whatever the journal recorded. */
export function shownHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name.toLowerCase())) return value;
  const scheme = value.trim().split(/\s+/)[0];
  return scheme && scheme !== value.trim() ? `${scheme} …(elided)` : '…(elided)';
}

export function queryString(query: unknown): string {
  if (typeof query === 'string') return query.replace(/^\?/, '');
  if (!query || typeof query !== 'object') return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, String(v));
  }
  return params.toString();
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Each header once per value, as name/value pairs. */
export function headerPairs(headers: Record<string, unknown> | undefined): [string, string][] {
  return Object.entries(headers ?? {}).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v): [string, string] => [name, String(v)]));
}

export function curlCommand(origin: string, entry: JournaledRequest): string {
  const search = queryString(entry.query);
  const parts = [`curl -X ${entry.method} ${shellQuote(`${origin}${entry.path}${search ? `?${search}` : ''}`)}`];
  for (const [name, value] of headerPairs(entry.request.headers)) {
    const lower = name.toLowerCase();
    if (SKIPPED.has(lower)) continue;
    if (SECRET_HEADERS.has(lower)) {
      const scheme = value.trim().split(/\s+/)[0];
      const placeholder = PLACEHOLDERS[scheme.toLowerCase()];
      // Double quotes, so that the shell puts the variable's value in; the recorded secret is never written.
      if (placeholder) parts.push(`-H "${name}: ${scheme} ${placeholder}"`);
      continue;
    }
    parts.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  }
  const body = entry.request.body;
  if (body !== undefined && body !== null && body !== '') parts.push(`--data-raw ${shellQuote(typeof body === 'string' ? body : JSON.stringify(body))}`);
  const command = parts.join(' \\\n  ');
  return entry.request.body_truncated ? `# The journal kept only the start of this body: the command sends that part.\n${command}` : command;
}
