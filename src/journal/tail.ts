// `catalog-server tail`: follows the live journal of a key's account (GET /__admin/journal/stream) and prints
// one line per request, or each entry as one line of JSON with --json. A client of the server like any other.

export interface TailOptions {
  /** The server, e.g. http://127.0.0.1:8080 */
  url: string;
  /** A full-access key of the account to follow. */
  key: string;
  /** Stream filters, named as the query parameters (operation, method, path_prefix, status, status_class). */
  filters: Record<string, string>;
  json: boolean;
  print: (line: string) => void;
}

export class TailError extends Error {}

interface Entry {
  id: string;
  attributes: {
    time: string;
    method: string;
    path: string;
    query: Record<string, string | string[]>;
    operation: string | null;
    duration_ms: number;
    fault: { id: string; when: string; action: { type: string; status?: number } } | null;
    response: { status: number | null };
  };
}

/** `06:51:03.308  POST   /api/catalog-items  201   3.5 ms  create_catalog_item  req-a  [fault 01J… after 503]` */
export function formatEntry(entry: Entry): string {
  const a = entry.attributes;
  // Written for reading, not re-sending: `page[size]=2`, not `page%5Bsize%5D=2`.
  const search = Object.entries(a.query).flatMap(([k, v]) => [v].flat().map((x) => `${k}=${x}`)).join('&');
  const status = a.response.status === null ? '---' : String(a.response.status);
  const action = a.fault && (a.fault.action.type === 'status' ? String(a.fault.action.status) : a.fault.action.type);
  const fault = a.fault ? `  [fault ${a.fault.id} ${a.fault.when} ${action}]` : '';
  return `${a.time.slice(11, 23)}  ${a.method.padEnd(6)} ${a.path}${search ? `?${search}` : ''}  ${status}  ${a.duration_ms.toFixed(1).padStart(6)} ms  ${a.operation ?? '-'}  ${entry.id}${fault}`;
}

/** The `event:` name and `data:` of one server-sent event (the text between two blank lines). */
export function parseEvent(block: string): { event: string; data: string } | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue; // a comment: the keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : undefined;
}

/** Prints entries until the server ends the stream; throws TailError when it cannot be opened. */
export async function tail(o: TailOptions): Promise<void> {
  const search = new URLSearchParams(o.filters).toString();
  const address = `${o.url.replace(/\/+$/, '')}/__admin/journal/stream${search ? `?${search}` : ''}`;
  let res: Response;
  try {
    res = await fetch(address, { headers: { authorization: `Klaviyo-API-Key ${o.key}`, accept: 'text/event-stream' } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new TailError(`cannot reach ${o.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let detail = text;
    try {
      detail = JSON.parse(text).errors[0].detail;
    } catch {
      // not a JSON:API error: show the text as it came
    }
    throw new TailError(`${address.split('?')[0]} answered ${res.status}: ${detail}`);
  }
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of res.body) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = pending.indexOf('\n\n')) !== -1) {
      const event = parseEvent(pending.slice(0, end));
      pending = pending.slice(end + 2);
      if (event?.event === 'entry') o.print(o.json ? event.data : formatEntry(JSON.parse(event.data)));
    }
  }
}
