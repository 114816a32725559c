// A job's progress as server-sent events, for the console's live progress bar: `event: job` with the job
// resource object exactly as `GET /api/<kind>/{job_id}` renders it, sent at once and then whenever it
// changes; the stream ends after the job's terminal state (or `event: gone` when the job expired).
// Jobs may run in another process (`catalog-server worker`), so the stream reads the store every `pollMs`
// rather than listening to this process's engine. Account-scoped: another account's job is a 404.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import type { JobRecord } from '../catalog/model.js';
import { notFound } from '../http/errors.js';
import { baseUrl } from '../http/jsonapi.js';
import type { EventStreams, Ticker } from '../http/sse.js';
import { JOB_KINDS, type JobKind } from '../jobs/kinds.js';
import type { Store } from '../store/store.js';
import { renderJob } from '../api/jobs/routes.js';

export interface JobStreamParts {
  store: Pick<Store, 'getJob'>;
  clock: Clock;
  streams: EventStreams;
  ticker: Ticker;
  /** How often an open stream reads its job. */
  pollMs: number;
}

/** The job with this id among the account's jobs of every kind (ids are unique across kinds). */
async function findJob(store: JobStreamParts['store'], account: string, id: string, now: string): Promise<{ kind: JobKind; job: JobRecord } | undefined> {
  const found = await Promise.all(JOB_KINDS.map(async (kind) => ({ kind, job: await store.getJob(account, kind.type, id, now) })));
  return found.find((f) => f.job !== undefined) as { kind: JobKind; job: JobRecord } | undefined;
}

export function registerJobStream(app: FastifyInstance, parts: JobStreamParts): void {
  const { store, clock } = parts;
  app.get<{ Params: { job_id: string } }>('/__admin/jobs/:job_id/stream', {
    config: { control: 'account', controlName: 'stream_job' },
  }, async (request, reply) => {
    const { account } = request;
    const id = request.params.job_id;
    const found = await findJob(store, account, id, clock.now().toISOString());
    if (!found) throw notFound(`There is no job with id '${id}'.`);
    const { kind } = found;
    const base = baseUrl(request);
    const stream = parts.streams.start(reply, account);

    let last = '';
    /** Sends the job if it changed; ends the stream once it is finished. */
    const show = (job: JobRecord) => {
      const data = renderJob(base, kind, job);
      const text = JSON.stringify(data);
      if (text !== last) stream.send('job', data);
      last = text;
      if (job.status !== 'processing' && job.status !== 'queued') stream.end();
    };
    let reading = false;
    const poll = async () => {
      if (reading || stream.closed) return; // a slow read is not overtaken by the next tick
      reading = true;
      try {
        const job = await store.getJob(account, kind.type, id, clock.now().toISOString());
        if (stream.closed) return;
        if (job) show(job);
        else {
          stream.send('gone', { id, detail: `The job '${id}' no longer exists (it expired).` });
          stream.end();
        }
      } catch (err) {
        request.log.warn({ err, job: id }, 'job stream: reading the job failed; will retry');
      } finally {
        reading = false;
      }
    };
    stream.onClose(parts.ticker.every(parts.pollMs, () => void poll()));
    show(found.job);
    return reply;
  });
}
