// Bulk jobs of every kind, filterable by kind and status. All kinds at once shows the first page of each,
// newest first; one kind pages with its links.next / links.prev.
import { useEffect, useState } from 'preact/hooks';
import { cursorOf, request } from '../api.ts';
import { Loading, Problem, RequestLine, Scroll, text } from '../components.tsx';
import { useCredential, useTitle } from '../hooks.ts';
import { JOB_KINDS, JOB_KIND_BY_TYPE, STATUSES, kindLabel, type JobKind } from '../jobs.ts';
import { href, navigate } from '../route.ts';

interface Listed {
  kind: JobKind;
  job: any;
}

function listPath(kind: JobKind, status: string, cursor: string | undefined): string {
  const params = new URLSearchParams();
  if (status) params.set('filter', `equals(status,"${status}")`);
  if (cursor) params.set('page[cursor]', cursor);
  const search = params.toString();
  return `/api/${kind.path}${search ? `?${search}` : ''}`;
}

export function Jobs({ query }: { query: URLSearchParams }) {
  useTitle('Jobs');
  const credential = useCredential();
  const type = query.get('kind') ?? '';
  const status = query.get('status') ?? '';
  const cursor = query.get('cursor') ?? undefined;
  const chosen = JOB_KIND_BY_TYPE.get(type);
  const kinds = chosen ? [chosen] : JOB_KINDS;
  const paths = kinds.map((k) => listPath(k, status, chosen ? cursor : undefined));
  const [state, setState] = useState<{ jobs?: Listed[]; links?: any; more?: boolean; error?: unknown }>({});

  useEffect(() => {
    const abort = new AbortController();
    setState({}); // other kinds or statuses: the rows shown are no longer the answer
    Promise.all(paths.map((p) => request(credential, p, { signal: abort.signal }))).then((answers) => {
      const jobs = answers.flatMap((a, i) => (a.document.data as any[]).map((job) => ({ kind: kinds[i], job })));
      if (!chosen) jobs.sort((a, b) => String(b.job.attributes.created_at).localeCompare(String(a.job.attributes.created_at)));
      setState({ jobs, links: chosen ? answers[0].document.links : undefined, more: !chosen && answers.some((a) => a.document.links?.next) });
    }, (error) => abort.signal.aborted || setState({ error }));
    return () => abort.abort();
  }, [credential, paths.join(' ')]);

  const go = (changes: Record<string, string | undefined>) => navigate(['jobs'], { kind: type, status, ...changes });

  return (
    <section aria-labelledby="view-title">
      <h1 id="view-title" tabIndex={-1}>Jobs</h1>
      <form class="filters" role="search" aria-label="Filter jobs" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="job-kind">Kind</label>
          <select id="job-kind" value={type} onChange={(e) => go({ kind: e.currentTarget.value, cursor: undefined })}>
            <option value="">all kinds</option>
            {JOB_KINDS.map((k) => <option value={k.type}>{kindLabel(k)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="job-status">Status</label>
          <select id="job-status" value={status} onChange={(e) => go({ status: e.currentTarget.value, cursor: undefined })}>
            <option value="">any</option>
            {STATUSES.map((s) => <option value={s}>{s}</option>)}
          </select>
        </div>
      </form>
      {chosen ? <RequestLine path={paths[0]} /> : <p class="request">GET on each of the nine job lists (first page each), newest first</p>}
      {state.error !== undefined && <Problem error={state.error} />}
      {!state.jobs && state.error === undefined && <Loading what="jobs" />}
      {state.jobs && (
        <>
          <Scroll label="Jobs on this page">
            <table>
              <caption class="visually-hidden">Jobs</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                  <th scope="col">Done</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Created</th>
                  <th scope="col">Completed</th>
                </tr>
              </thead>
              <tbody>
                {state.jobs.map(({ kind, job }) => {
                  const a = job.attributes;
                  return (
                    <tr>
                      <td><a href={href(['jobs', kind.type, job.id])}>{job.id}</a></td>
                      <td>{kindLabel(kind)}</td>
                      <td><span class={`status ${a.status}`}>{a.status}</span></td>
                      <td>{`${a.completed_count + a.failed_count} / ${a.total_count}`}</td>
                      <td>{text(a.failed_count)}</td>
                      <td>{text(a.created_at)}</td>
                      <td>{text(a.completed_at)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </Scroll>
          {state.jobs.length === 0 && <p class="empty">No jobs{status ? ` with status ${status}` : ''}.</p>}
          {state.more && <p class="help">More jobs than one page of some kind: choose a kind to page through them.</p>}
          {chosen && (
            <nav class="pager" aria-label="Pages">
              <button type="button" disabled={!state.links?.prev} onClick={() => go({ cursor: cursorOf(state.links?.prev) })}>Previous page</button>
              <button type="button" disabled={!state.links?.next} onClick={() => go({ cursor: cursorOf(state.links?.next) })}>Next page</button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
