// Fault rules of the account: what they match (operation by name, method, path), when they act (before or
// after the handler), what they do (a status, latency, a dropped connection, a truncated body), and how
// often they have fired. Add them with a form; delete one or all.
import { useState } from 'preact/hooks';
import { isMissing, request } from '../api.ts';
import { Loading, Problem, RequestLine, Scroll, Unavailable, text } from '../components.tsx';
import { useCredential, useDocument, useTitle } from '../hooks.ts';
import { OPERATION_IDS } from '../operations.ts';
import { actionText } from '../faults.ts';

const PATH = '/__admin/faults';
/** The methods a rule may name (the API has no PUT). */
const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'HEAD'];
const ACTIONS = { status: 'Answer with a status', latency: 'Add latency', drop: 'Drop the connection', truncate: 'Truncate the response' } as const;
type ActionType = keyof typeof ACTIONS;

const EMPTY = { operation: '', method: '', path: '', when: 'before', action: 'status' as ActionType, status: '503', code: '', detail: '', retry_after: '', ms: '', min_ms: '', max_ms: '', times: '', probability: '', seed: '' };
type Form = typeof EMPTY;

/** The rule's attributes from the form: empty fields left out, numbers as numbers. */
function ruleFrom(form: Form) {
  const n = (s: string) => (s.trim() === '' ? undefined : Number(s));
  const action = form.action === 'status' ? { type: 'status', status: n(form.status), code: form.code.trim() || undefined, detail: form.detail.trim() || undefined, retry_after: n(form.retry_after) }
    : form.action === 'latency' ? (form.ms.trim() ? { type: 'latency', ms: n(form.ms) } : { type: 'latency', min_ms: n(form.min_ms), max_ms: n(form.max_ms) })
    : { type: form.action };
  return {
    operation: form.operation || undefined,
    method: form.method || undefined,
    path: form.path.trim() || undefined,
    when: form.when,
    action,
    times: n(form.times),
    probability: n(form.probability),
    seed: n(form.seed),
  };
}

function AddRule({ onAdded }: { onAdded: () => void }) {
  const credential = useCredential();
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (name: keyof Form) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    // A truncated body is a cut answer, which exists only after the operation ran: the server takes no other.
    setForm({ ...form, [name]: value, ...(name === 'action' && value === 'truncate' ? { when: 'after' } : {}) });
  };
  const input = (name: keyof Form, label: string, type = 'text', hint?: string) => (
    <div class="field">
      <label for={`fault-${name}`}>{label}</label>
      <input id={`fault-${name}`} type={type} value={form[name]} onInput={set(name)} spellcheck={false} step={type === 'number' ? 'any' : undefined} placeholder={hint} />
    </div>
  );

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await request(credential, PATH, { method: 'POST', body: { data: { type: 'fault-rule', attributes: ruleFrom(form) } } });
      setForm(EMPTY);
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="rule-form" aria-labelledby="add-rule-title" onSubmit={submit}>
      <h2 id="add-rule-title">Add a rule</h2>
      <fieldset>
        <legend>Requests it matches (empty: any)</legend>
        <div class="field">
          <label for="fault-operation">Operation</label>
          <select id="fault-operation" value={form.operation} onChange={set('operation')}>
            <option value="">any operation</option>
            {OPERATION_IDS.map((id) => <option value={id}>{id}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="fault-method">Method</label>
          <select id="fault-method" value={form.method} onChange={set('method')}>
            <option value="">any</option>
            {METHODS.map((m) => <option value={m}>{m}</option>)}
          </select>
        </div>
        {input('path', 'Path', 'text', '/api/catalog-items')}
      </fieldset>
      <fieldset>
        <legend>What it does</legend>
        <div class="field">
          <label for="fault-when">When</label>
          <select id="fault-when" value={form.when} onChange={set('when')}>
            <option value="before">before the handler (the request has no effect)</option>
            <option value="after">after the handler (the change is made)</option>
          </select>
        </div>
        <div class="field">
          <label for="fault-action">Action</label>
          <select id="fault-action" value={form.action} onChange={set('action')}>
            {Object.entries(ACTIONS).map(([value, label]) => <option value={value}>{label}</option>)}
          </select>
        </div>
        {form.action === 'status' && (
          <>
            {input('status', 'Status', 'number')}
            {input('code', 'Error code', 'text', 'service_unavailable')}
            {input('detail', 'Error detail', 'text')}
            {input('retry_after', 'Retry-After (seconds)', 'number')}
          </>
        )}
        {form.action === 'latency' && (
          <>
            {input('ms', 'Latency (ms)', 'number')}
            {input('min_ms', 'or between (ms)', 'number')}
            {input('max_ms', 'and (ms)', 'number')}
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>How often (empty: always)</legend>
        {input('times', 'Times', 'number')}
        {input('probability', 'Probability (0 to 1)', 'number')}
        {input('seed', 'Random seed', 'number')}
      </fieldset>
      <button type="submit" disabled={busy}>Add rule</button>
      {error !== undefined && <Problem error={error} context="The rule was not added" />}
    </form>
  );
}

export function Faults() {
  useTitle('Faults');
  const credential = useCredential();
  const { answer, error, loading, reload } = useDocument<{ data: any[] }>(PATH);
  const [actionError, setActionError] = useState<unknown>();

  async function remove(path: string) {
    setActionError(undefined);
    try {
      await request(credential, path, { method: 'DELETE' });
      reload();
    } catch (err) {
      setActionError(err);
    }
  }

  if (isMissing(error)) return <section><h1 id="view-title" tabIndex={-1}>Faults</h1><Unavailable what="Fault injection" path={PATH} /></section>;
  const rules = answer?.document?.data ?? [];
  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>Faults</h1>
      <p class="help">Rules make this account's requests fail or slow down on purpose, to test how an integration copes.</p>
      <div class="toolbar">
        <RequestLine path={PATH} />
        <button type="button" onClick={reload}>Refresh</button>
      </div>
      {error !== undefined && <Problem error={error} />}
      {actionError !== undefined && <Problem error={actionError} context="Could not delete" />}
      {loading && !answer && <Loading what="fault rules" />}
      {answer && (rules.length === 0 ? <p class="empty">No fault rules.</p> : (
        <>
          <Scroll label="Fault rules">
            <table>
              <caption class="visually-hidden">Fault rules</caption>
              <thead>
                <tr>
                  <th scope="col">Rule</th><th scope="col">Operation</th><th scope="col">Method</th><th scope="col">Path</th>
                  <th scope="col">When</th><th scope="col">Action</th><th scope="col">Times</th><th scope="col">Probability</th><th scope="col">Seed</th>
                  <th scope="col">Fired</th><th scope="col"><span class="visually-hidden">Delete</span></th>
                </tr>
              </thead>
              <tbody>
                {rules.map((rule) => {
                  const a = rule.attributes ?? {};
                  return (
                    <tr>
                      <td><code>{rule.id}</code></td>
                      <td>{a.operation ?? 'any'}</td>
                      <td>{a.method ?? 'any'}</td>
                      <td>{a.path ?? 'any'}</td>
                      <td>{text(a.when)}</td>
                      <td>{actionText(a.action)}</td>
                      <td>{a.times ?? 'always'}</td>
                      <td>{text(a.probability ?? 1)}</td>
                      <td>{text(a.seed)}</td>
                      <td data-testid="fired">{text(a.fired)}</td>
                      <td><button type="button" class="danger" aria-label={`Delete rule ${rule.id}`} onClick={() => remove(`${PATH}/${encodeURIComponent(rule.id)}`)}>Delete</button></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </Scroll>
          <button type="button" class="danger" onClick={() => remove(PATH)}>Delete all rules</button>
        </>
      ))}
      <AddRule onAdded={reload} />
    </section>
  );
}
