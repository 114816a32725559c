// The account's request journal: the latest requests, a live tail from /__admin/journal/stream (filtered by the
// server, with the same parameters as the query), and for the one picked, its request and response (headers
// and bodies; the answer an `after` fault replaced) and a curl command that repeats it (key elided).
import { useEffect, useState } from 'preact/hooks';
import { isMissing, request, stream } from '../api.ts';
import { JsonBlock, Loading, Pairs, Problem, Scroll, Unavailable, prettyText, readable, text } from '../components.tsx';
import { curlCommand, headerPairs, queryString, shownHeader } from '../curl.ts';
import { useCredential, useTitle } from '../hooks.ts';
import { navigate } from '../route.ts';
import { OPERATION_IDS } from '../operations.ts';
import { firedText } from '../faults.ts';

const LIST_PATH = '/__admin/journal';
const STREAM_PATH = '/__admin/journal/stream';
/** Entries the tail keeps on the page. */
const KEPT = 500;
/** The methods the journal's `method` filter takes (the API has no PUT). */
const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'HEAD'];
const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'];

interface Answered {
  /** null: the connection was dropped (a `drop` fault), nothing was answered. */
  status: number | null;
  headers: Record<string, unknown>;
  body: unknown;
  body_truncated: boolean;
}

/** An entry as GET /__admin/journal and the stream's `entry` events carry it. */
interface Entry {
  id: string;
  attributes: {
    time: string;
    method: string;
    path: string;
    query: Record<string, string | string[]>;
    operation: string | null;
    revision: string | null;
    duration_ms: number;
    fault: { id: string; when: string; action: unknown } | null;
    request: { headers: Record<string, unknown>; body: unknown; body_truncated: boolean };
    response: Answered;
    lost_response: Answered | null;
  };
}

interface Filters {
  operation?: string;
  method?: string;
  status_class?: string;
  path_prefix?: string;
}

const statusText = (status: number | null) => (status === null ? 'dropped' : String(status));
const statusClass = (status: number | null) => (status === null ? 'http dropped' : `http s${String(status)[0]}`);

const bodyText = (body: unknown) => (body === undefined || body === null || body === '' ? '(empty)' : typeof body === 'string' ? prettyText(body) : JSON.stringify(body, null, 2));

function CopyCurl({ command }: { command: string }) {
  const [result, setResult] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(command);
      setResult('Copied.');
    } catch {
      setResult('The browser refused the clipboard: select the command and copy it.');
    }
  }
  return (
    <div class="curl">
      <JsonBlock label="As curl (the key is read from $KLAVIYO_API_KEY)" body={command} />
      <button type="button" onClick={copy}>Copy as curl</button> <span role="status">{result}</span>
    </div>
  );
}

const shownHeaders = (h: Record<string, unknown>) => headerPairs(h).map(([n, v]): [string, string] => [n, shownHeader(n, v)]);

function Response({ title, answer }: { title: string; answer: Answered }) {
  return (
    <div>
      <h3>{`${title} ${statusText(answer.status)}`}</h3>
      <Pairs label={`${title} headers`} rows={shownHeaders(answer.headers)} />
      <JsonBlock label={`${title} body${answer.body_truncated ? ' (truncated)' : ''}`} body={bodyText(answer.body)} />
    </div>
  );
}

function EntryDetail({ entry }: { entry: Entry }) {
  const a = entry.attributes;
  const search = queryString(a.query);
  return (
    <section class="entry" aria-labelledby="entry-title">
      <h2 id="entry-title" tabIndex={-1}>{`${a.method} ${readable(`${a.path}${search ? `?${search}` : ''}`)}`}</h2>
      <p class="subtitle">{`${a.time} · request id ${entry.id} · ${text(a.operation)} · revision ${text(a.revision)} · ${statusText(a.response.status)} in ${a.duration_ms} ms`}</p>
      {a.fault && <p class="notice info" data-testid="entry-fault">{`Fault: ${firedText(a.fault)}`}</p>}
      <div class="two">
        <div>
          <h3>Request</h3>
          <Pairs label="Request headers" rows={shownHeaders(a.request.headers)} />
          <JsonBlock label={`Request body${a.request.body_truncated ? ' (truncated)' : ''}`} body={bodyText(a.request.body)} />
        </div>
        <Response title="Response" answer={a.response} />
      </div>
      {a.lost_response && (
        <div class="lost">
          <p class="help">The operation ran and answered this, but the fault replaced it: the client never saw it.</p>
          <Response title="Lost response" answer={a.lost_response} />
        </div>
      )}
      <CopyCurl command={curlCommand(location.origin, a)} />
    </section>
  );
}

export function Journal({ query }: { query: URLSearchParams }) {
  useTitle('Journal');
  const credential = useCredential();
  const filters: Filters = Object.fromEntries([...query].filter(([k, v]) => v && ['operation', 'method', 'status_class', 'path_prefix'].includes(k)));
  const filterQuery = new URLSearchParams(filters as Record<string, string>).toString();
  const listPath = `${LIST_PATH}?${new URLSearchParams({ ...filters, order: 'newest', limit: '100' })}`;
  // The stream takes the same filters as the list (not order or limit): the server picks what the tail shows.
  const streamPath = filterQuery ? `${STREAM_PATH}?${filterQuery}` : STREAM_PATH;
  // The entries with the list they were read for: another filter's entries are never shown while this one loads.
  const [read, setRead] = useState<{ list: string; entries: Entry[] }>();
  const [error, setError] = useState<unknown>();
  const [tail, setTail] = useState<'on' | 'paused' | 'stopped'>('on');
  const [connected, setConnected] = useState(false);
  const [selected, setSelected] = useState<Entry | undefined>();
  const [round, setRound] = useState(0);
  const list = `${round} ${listPath}`;
  const entries = read?.list === list ? read.entries : undefined;

  useEffect(() => {
    const abort = new AbortController();
    setError(undefined);
    request<{ data: Entry[] }>(credential, listPath, { signal: abort.signal }).then((a) => setRead({ list, entries: a.document.data }), (e) => abort.signal.aborted || setError(e));
    return () => abort.abort();
  }, [credential, listPath, round]);

  useEffect(() => {
    if (tail !== 'on' || entries === undefined) return;
    const abort = new AbortController();
    stream(credential, streamPath, (event) => {
      if (event.event !== 'entry') return;
      const entry: Entry = JSON.parse(event.data);
      setRead((r) => r && r.list === list ? { list, entries: [entry, ...r.entries.filter((e) => e.id !== entry.id)].slice(0, KEPT) } : r);
    }, abort.signal, () => setConnected(true)).then(() => abort.signal.aborted || setTail('stopped'), (e) => {
      if (abort.signal.aborted) return;
      setTail('stopped');
      setError(e);
    }).finally(() => abort.signal.aborted || setConnected(false));
    return () => {
      abort.abort();
      setConnected(false);
    };
  }, [credential, tail, entries === undefined, streamPath]);

  if (isMissing(error)) return <section><h1 id="view-title" tabIndex={-1}>Journal</h1><Unavailable what="The request journal" path={LIST_PATH} /></section>;

  async function clear() {
    try {
      await request(credential, LIST_PATH, { method: 'DELETE' });
      setSelected(undefined);
      setRound((r) => r + 1);
    } catch (e) {
      setError(e);
    }
  }

  const setFilter = (name: keyof Filters) => (e: { currentTarget: { value: string } }) => navigate(['journal'], { ...filters, [name]: e.currentTarget.value });

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>Journal</h1>
      <form class="filters" role="search" aria-label="Filter the journal" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="journal-operation">Operation</label>
          <select id="journal-operation" value={filters.operation ?? ''} onChange={setFilter('operation')}>
            <option value="">any</option>
            {OPERATION_IDS.map((id) => <option value={id}>{id}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="journal-method">Method</label>
          <select id="journal-method" value={filters.method ?? ''} onChange={setFilter('method')}>
            <option value="">any</option>
            {METHODS.map((m) => <option value={m}>{m}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="journal-status">Status</label>
          <select id="journal-status" value={filters.status_class ?? ''} onChange={setFilter('status_class')}>
            <option value="">any</option>
            {STATUS_CLASSES.map((s) => <option value={s}>{s}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="journal-path">Path starts with</label>
          <input id="journal-path" type="text" value={filters.path_prefix ?? ''} onChange={setFilter('path_prefix')} spellcheck={false} />
        </div>
      </form>
      <div class="toolbar">
        <button type="button" aria-pressed={tail === 'on'} onClick={() => setTail(tail === 'on' ? 'paused' : 'on')}>
          {tail === 'on' ? 'Pause live tail' : 'Resume live tail'}
        </button>
        <span class="live" role="status">{tail === 'on' ? (connected ? 'Live: new requests appear at the top.' : 'Connecting to the live tail…') : tail === 'paused' ? 'Paused.' : 'The live tail stopped.'}</span>
        <button type="button" class="danger" onClick={clear}>Clear journal</button>
      </div>
      {error !== undefined && <Problem error={error} />}
      {entries === undefined && error === undefined && <Loading what="the journal" />}
      {entries && (
        <Scroll label="Journal entries">
          <table class="journal">
            <caption class="visually-hidden">Requests, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Operation</th>
                <th scope="col">Status</th><th scope="col">ms</th><th scope="col">Fault</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => {
                const a = entry.attributes;
                return (
                  <tr class={selected?.id === entry.id ? 'selected' : ''}>
                    <td><button type="button" class="link" aria-pressed={selected?.id === entry.id} onClick={() => setSelected(entry)}>{a.time}</button></td>
                    <td>{a.method}</td>
                    <td class="path">{a.path}</td>
                    <td>{text(a.operation)}</td>
                    <td><span class={statusClass(a.response.status)}>{statusText(a.response.status)}</span></td>
                    <td>{a.duration_ms}</td>
                    <td>{firedText(a.fault)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Scroll>
      )}
      {entries?.length === 0 && <p class="empty">No requests recorded{Object.keys(filters).length ? ' that match' : ''}.</p>}
      {selected && <EntryDetail key={selected.id} entry={selected} />}
    </section>
  );
}
