// One bulk job: its counters and a progress bar that move while it is `processing`, fed by the server's job
// event stream (read with fetch, so the key travels in a header); its per-resource errors; the resources it
// changed; and, while it is unfinished, the test controls that step it (apply N, complete, cancel).
import { useEffect, useState } from 'preact/hooks';
import { isMissing, request, stream } from '../api.ts';
import { viewOfType, externalIdOf } from '../catalog.ts';
import { JsonBlock, Loading, Pairs, Problem, RequestLine, Scroll, pretty, text } from '../components.tsx';
import { useCredential, useDocument, useTitle } from '../hooks.ts';
import { JOB_KIND_BY_TYPE, isFinished, kindLabel, type JobKind } from '../jobs.ts';
import { apiId, href } from '../route.ts';
import type { Credential } from '../session.ts';

/** When the server has no job stream, the job is read this often instead. */
const POLL_MS = 2000;

type Live =
  | { mode: 'idle' | 'connecting' | 'live' | 'ended' | 'gone' | 'polling' }
  | { mode: 'stopped'; error: unknown };

/** Keeps `onJob` fed with the job while `active`: from the event stream, or by polling when there is none. */
function useJobUpdates(credential: Credential, kind: JobKind, id: string, active: boolean, onJob: (job: any) => void): [Live, () => void] {
  const [live, setLive] = useState<Live>({ mode: 'idle' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!active) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => request(credential, `/api/${kind.path}/${apiId(id)}`, { signal: abort.signal }).then((answer) => {
      onJob(answer.document.data);
      if (!isFinished(answer.document.data.attributes.status)) timer = setTimeout(poll, POLL_MS);
    }, (error) => abort.signal.aborted || setLive({ mode: 'stopped', error }));
    setLive({ mode: 'connecting' });
    stream(credential, `/__admin/jobs/${apiId(id)}/stream`, (event) => {
      if (event.event === 'job') {
        setLive({ mode: 'live' });
        onJob(JSON.parse(event.data));
      } else if (event.event === 'gone') setLive({ mode: 'gone' });
    }, abort.signal).then(
      () => abort.signal.aborted || setLive((l) => (l.mode === 'gone' ? l : { mode: 'ended' })),
      (error) => {
        if (abort.signal.aborted) return;
        if (!isMissing(error)) return setLive({ mode: 'stopped', error });
        setLive({ mode: 'polling' });
        void poll();
      },
    );
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [credential, kind, id, active, attempt]);
  return [live, () => setAttempt((n) => n + 1)];
}

function LiveNote({ live, finished, reconnect }: { live: Live; finished: boolean; reconnect: () => void }) {
  if (finished) return <p class="live">Finished: this is the job's final state.</p>;
  switch (live.mode) {
    case 'live':
    case 'connecting':
      return <p class="live"><span class="dot" aria-hidden="true" /> Live: updates arrive from the server's job event stream.</p>;
    case 'polling':
      return <p class="live">This server has no job event stream; reading the job every {POLL_MS / 1000} s.</p>;
    case 'gone':
      return <p class="live">The job no longer exists (it expired).</p>;
    case 'stopped':
    case 'ended':
      return (
        <div class="live">
          {live.mode === 'stopped' ? <Problem error={live.error} context="Live updates stopped" /> : <p>The event stream ended before the job finished.</p>}
          <button type="button" onClick={reconnect}>Reconnect</button>
        </div>
      );
    default:
      return null;
  }
}

function Progress({ attributes: a }: { attributes: any }) {
  const done = a.completed_count + a.failed_count;
  return (
    <div class="progress">
      <label for="job-progress">Progress</label>
      <progress id="job-progress" max={a.total_count} value={done} aria-valuetext={`${done} of ${a.total_count}`} />
      <p>{`${done} of ${a.total_count} resources tried: ${a.completed_count} completed, ${a.failed_count} failed`}</p>
    </div>
  );
}

function Errors({ errors }: { errors: any[] }) {
  if (errors.length === 0) return <p class="empty">No resource failed.</p>;
  return (
    <Scroll label="Errors per resource">
      <table>
        <caption class="visually-hidden">Errors per resource</caption>
        <thead>
          <tr><th scope="col">Resource</th><th scope="col">Code</th><th scope="col">Title</th><th scope="col">Detail</th><th scope="col">Pointer</th></tr>
        </thead>
        <tbody>
          {errors.map((e) => (
            <tr>
              <td>{text(e.meta?.id)}</td>
              <td>{text(e.code)}</td>
              <td>{text(e.title)}</td>
              <td>{text(e.detail)}</td>
              <td>{text(e.source?.pointer)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

function Changed({ data }: { data: { type: string; id: string }[] }) {
  if (data.length === 0) return <p class="empty">None yet.</p>;
  return (
    <ul class="columns">
      {data.map((r) => {
        const view = viewOfType(r.type);
        const label = externalIdOf(r.id) ?? r.id;
        return <li>{view ? <a href={href([view.route, r.id])}>{label}</a> : label}</li>;
      })}
    </ul>
  );
}

/** The test controls for an unfinished job (POST /__admin/jobs/{job_id}/actions). */
function Steps({ id, onJob }: { id: string; onJob: (job: any) => void }) {
  const credential = useCredential();
  const pace = useDocument<any>('/__admin/jobs/pace');
  const [count, setCount] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function step(body: { action: string; count?: number }) {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await request(credential, `/__admin/jobs/${apiId(id)}/actions`, { method: 'POST', body });
      onJob(answer.document.data);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const paceName = pace.answer?.document?.data?.attributes?.pace;
  return (
    <section class="steps" aria-labelledby="steps-title">
      <h2 id="steps-title">Step this job</h2>
      <p class="help">
        Test controls: the <code>manual</code> pace holds jobs until they are stepped; stepping a job held by
        another pace runs it now.{paceName ? ` This account's pace: ${paceName}.` : ''}
      </p>
      <form class="inline" onSubmit={(e) => { e.preventDefault(); void step({ action: 'apply', count: Number(count) }); }}>
        <label for="step-count">Resources to apply</label>
        <input id="step-count" type="number" min={1} max={100} value={count} onInput={(e) => setCount(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>Apply next</button>
        <button type="button" disabled={busy} onClick={() => step({ action: 'complete' })}>Complete</button>
        <button type="button" class="danger" disabled={busy} onClick={() => step({ action: 'cancel' })}>Cancel job</button>
      </form>
      {error !== undefined && <Problem error={error} context="The step failed" />}
    </section>
  );
}

export function JobView({ type, id }: { type: string; id: string }) {
  const kind = JOB_KIND_BY_TYPE.get(type);
  useTitle(`Job ${id}`);
  if (!kind) return <Problem error={new Error(`'${type}' is not a bulk job kind.`)} />;
  return <JobPage kind={kind} id={id} />;
}

function JobPage({ kind, id }: { kind: JobKind; id: string }) {
  const credential = useCredential();
  const path = `/api/${kind.path}/${apiId(id)}`;
  const { answer, error, loading } = useDocument(path);
  const [job, setJob] = useState<any>();
  useEffect(() => setJob(answer?.document?.data), [answer]);
  const a = job?.attributes;
  const finished = isFinished(a?.status);
  const [live, reconnect] = useJobUpdates(credential, kind, id, a?.status === 'processing', setJob);

  return (
    <section aria-labelledby="view-title">
      <p class="breadcrumb"><a href={href(['jobs'])}>Jobs</a></p>
      <h1 id="view-title" tabIndex={-1}>{kindLabel(kind)} job</h1>
      <p class="subtitle"><code>{id}</code></p>
      <RequestLine path={path} />
      {error !== undefined && <Problem error={error} />}
      {loading && !job && <Loading what="the job" />}
      {a && (
        <>
          <div class="job-state" aria-live="polite">
            <p>Status: <strong class={`status ${a.status}`} data-testid="job-status">{a.status}</strong></p>
            <Progress attributes={a} />
          </div>
          <LiveNote live={live} finished={finished} reconnect={reconnect} />
          {!finished && <Steps id={id} onJob={setJob} />}
          <h2>Counters</h2>
          <Pairs label="Counters" rows={['total_count', 'completed_count', 'failed_count', 'created_at', 'completed_at', 'expires_at'].map((n) => [n, a[n]])} />
          <h2>Errors</h2>
          <Errors errors={a.errors ?? []} />
          <h2>Changed {kind.listName}</h2>
          <Changed data={job.relationships?.[kind.listName]?.data ?? []} />
          <JsonBlock label="The job as the API shows it" body={pretty(job)} />
        </>
      )}
    </section>
  );
}
