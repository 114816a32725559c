// Bulk jobs, for every kind: POST validates the whole payload and stores the job, already `processing` (202);
// GET shows it as the engine moves it along; the list pages through an account's jobs of that kind.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { checkInput, type ResourceInput } from '../../catalog/changes.js';
import { compoundId, externalIdOf, ID_FORM } from '../../catalog/ids.js';
import { invalid, notFound } from '../../http/errors.js';
import { countJob } from '../../ops/metrics.js';
import { throttled } from '../../http/rate-limit.js';
import { baseUrl, listLinks, pathId, requestLink, send } from '../../http/jsonapi.js';
import { operation } from '../../http/operations.js';
import { parseQuery, type ParsedQuery, type QuerySpec } from '../../http/query.js';
import { JOB_KINDS, MAX_JOBS_IN_PROGRESS, type JobKind } from '../../jobs/kinds.js';
import type { JobEngine } from '../../jobs/engine.js';
import { firstRunAfter, type Pace, type PaceSettings } from '../../jobs/pace.js';
import type { Clock } from '../../clock.js';
import { klaviyoTime } from '../../http/timestamps.js';
import type { JobRecord, PendingJob } from '../../catalog/model.js';
import type { Store } from '../../store/store.js';
import { JOB_ATTRIBUTE_NAMES, createResourceObject, deleteResourceObject, jobDocument, updateResourceObject } from '../schemas.js';
import { fieldsOf, raise } from '../shared.js';
import { FinishedJobCache } from './finished-cache.js';
import type { ReadCache } from '../../http/read-cache.js';
import { renderResource } from '../resources/serialize.js';

/**
 * A job as Klaviyo shows it. The changed resources are listed (data only) once it has finished; while it
 * processes the list is empty; the 202 of its creation, and a finished job that changed nothing, have no
 * `relationships` member at all.
 */
export function renderJob(base: string, kind: JobKind, job: JobRecord, fields?: Set<string>, accepted = false) {
  const all: Record<string, unknown> = {
    status: job.status,
    created_at: klaviyoTime(job.createdAt),
    total_count: job.totalCount,
    completed_count: job.completedCount,
    failed_count: job.failedCount,
    completed_at: klaviyoTime(job.completedAt),
    errors: job.errors,
    expires_at: klaviyoTime(job.expiresAt),
  };
  const attributes: Record<string, unknown> = {};
  for (const name of JOB_ATTRIBUTE_NAMES) if (!fields || fields.has(name)) attributes[name] = all[name];
  const changed = job.status === 'processing' ? [] : job.resourceIds;
  const listed = !accepted && (job.status === 'processing' || changed.length > 0);
  return {
    type: kind.type,
    id: job.id,
    attributes,
    ...(listed && { relationships: { [kind.listName]: { data: changed.map((id) => ({ type: kind.resource.type, id: compoundId(id) })) } } }),
    links: { self: `${base}/api/${kind.path}/${pathId(job.id)}/` },
  };
}

/** Rules beyond the schema, for every resource: ids well formed, none twice in one job, checkInput's. */
function checkPayload(kind: JobKind, inputs: ResourceInput[]): void {
  const seen = new Set<string>();
  inputs.forEach((input, i) => {
    const at = `/data/attributes/${kind.listName}/data/${i}`;
    const externalId = kind.action === 'create' ? (input.attributes!.external_id as string) : externalIdOf(input.id);
    if (externalId === undefined) throw invalid(`'${input.id}' is not a valid id; ${ID_FORM}.`, { pointer: `${at}/id` });
    if (seen.has(externalId)) throw invalid(`'${compoundId(externalId)}' appears more than once in this job.`, { pointer: at });
    seen.add(externalId);
    const problem = checkInput(input, at);
    if (problem) raise(problem);
  });
}

/** Random bytes for job ids, drawn 4 KB at a time: ulid alone asks the system's CSPRNG once per character. */
let randomPool = Buffer.alloc(0);
let randomAt = 0;
function pooledRandom(): number {
  if (randomAt === randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  return randomPool[randomAt++] / 256;
}

async function renderJobDocument(request: FastifyRequest, store: Store, kind: JobKind, job: JobRecord, query: ParsedQuery) {
  const base = baseUrl(request);
  const data = renderJob(base, kind, job, query.fields.get(kind.type));
  if (!query.include.has(kind.listName)) return { data, links: { self: requestLink(request) } };
  const rows = job.status === 'processing' ? [] : await store.getResources(request.account, kind.resource.kind, job.resourceIds);
  const included = rows.map((row) => renderResource(base, kind.resource, row, { fields: query.fields.get(kind.resource.type) }));
  return { data, included, links: { self: requestLink(request) } };
}

export interface JobRouteParts {
  store: Store;
  /** The engine of this process, told of new jobs (it may not run them: `serve --no-worker`). */
  runner: Pick<JobEngine, 'notify'>;
  clock: Clock;
  /** The server's pace; an account's own (a test control, kept in the store) overrides it. */
  pace: PaceSettings;
  /** How long a job stays readable after it was accepted. */
  ttlMs: number;
  /** Finished jobs' documents, served from memory (controls drop an account's when they delete its jobs). */
  finished: FinishedJobCache;
  /** Jobs with their items, served from memory while the store is unchanged. */
  reads: ReadCache;
}

function registerJobKind(app: FastifyInstance, parts: JobRouteParts, kind: JobKind): void {
  const { store, runner, clock, finished, reads } = parts;
  const resourceObject = kind.action === 'create' ? createResourceObject(kind.resource)
    : kind.action === 'update' ? updateResourceObject(kind.resource)
    : deleteResourceObject(kind.resource);
  const jobFields = { [kind.type]: ['id', ...JOB_ATTRIBUTE_NAMES] };
  const getSpec: QuerySpec = kind.action === 'delete'
    ? { fields: jobFields }
    : { fields: { ...jobFields, ...fieldsOf(kind.resource) }, include: [kind.listName] };

  app.post<{ Body: { data: { attributes: Record<string, { data: ResourceInput[] }> } } }>(`/api/${kind.path}`, {
    config: { operation: operation(kind.operations.create), query: { fields: jobFields } },
    schema: { body: jobDocument(kind.type, kind.listName, resourceObject) },
  }, async (request, reply) => {
    const query = parseQuery(request);
    const inputs = request.body.data.attributes[kind.listName].data;
    checkPayload(kind, inputs);
    const pace = (await store.accountJobPace(request.account)) as Pace | undefined;
    const now = clock.now();
    const runAfter = firstRunAfter(pace ? { ...parts.pace, pace } : parts.pace, now);
    const job: PendingJob = {
      id: ulid(undefined, pooledRandom), account: request.account, type: kind.type, status: 'processing',
      totalCount: inputs.length, completedCount: 0, failedCount: 0, errors: [], resourceIds: [],
      createdAt: now.toISOString(), completedAt: null, expiresAt: new Date(now.getTime() + parts.ttlMs).toISOString(),
      operations: inputs, attempts: 0, lastError: null, runAfter: runAfter && runAfter.toISOString(), allowance: null,
    };
    if (!(await store.enqueueJob(job, MAX_JOBS_IN_PROGRESS))) {
      throw throttled(1, `This account already has ${MAX_JOBS_IN_PROGRESS} jobs in progress; wait for some to complete.`);
    }
    countJob(kind.type, 'accepted');
    runner.notify();
    const data = renderJob(baseUrl(request), kind, job, query.fields.get(kind.type), true);
    return send(reply, 202, { data, links: { self: requestLink(request) } });
  });

  app.get<{ Params: { job_id: string } }>(`/api/${kind.path}/:job_id`, {
    config: { operation: operation(kind.operations.get), query: getSpec },
  }, async (request, reply) => {
    // A poll of a finished job: the same URL as last time, answered before even its query is read again (it was
    // read and found valid when the entry was made). Never an `include`, which the read cache below serves.
    const base = baseUrl(request);
    const cached = finished.get(request.account, base, request.url, clock.now().getTime());
    if (cached) return send(reply, 200, cached);
    const query = parseQuery(request);
    const findJob = async () => {
      const job = await store.getJob(request.account, kind.type, request.params.job_id, clock.now().toISOString());
      if (!job) throw notFound(`There is no ${kind.type} with id '${request.params.job_id}'.`);
      return job;
    };
    // With its items, the document changes as they do: kept only while the store is unchanged.
    if (query.include.size) {
      return send(reply, 200, await reads.answer(request, async () => {
        const job = await findJob();
        return { document: await renderJobDocument(request, store, kind, job, query), until: Date.parse(job.expiresAt) };
      }));
    }
    const job = await findJob();
    const document = Buffer.from(JSON.stringify(await renderJobDocument(request, store, kind, job, query)));
    if (job.status !== 'processing') finished.set(request.account, base, request.url, document, Date.parse(job.expiresAt));
    return send(reply, 200, document);
  });

  const listSpec: QuerySpec = { fields: jobFields, filter: { status: 'equals' }, page: { pageSize: false } };
  app.get(`/api/${kind.path}`, { config: { operation: operation(kind.operations.list), query: listSpec } }, async (request, reply) => {
    const query = parseQuery(request);
    const page = await store.listJobs(request.account, kind.type, query.filters, { ...query.page, size: 100 }, clock.now().toISOString());
    const base = baseUrl(request);
    return send(reply, 200, { data: page.rows.map((job) => renderJob(base, kind, job, query.fields.get(kind.type))), links: listLinks(request, page) });
  });
}

export function registerJobs(app: FastifyInstance, parts: JobRouteParts): void {
  for (const kind of JOB_KINDS) registerJobKind(app, parts, kind);
}
