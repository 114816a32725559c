// Test control for bulk jobs: step a job that the manual pace holds (apply the next N resources, complete it,
// fail given resources with given errors, or cancel it). Account-scoped: it needs a full-access key, and
// touches only that key's account's jobs.
import type { FastifyInstance } from 'fastify';
import { invalid, notFound } from '../http/errors.js';
import { baseUrl, requestLink, send } from '../http/jsonapi.js';
import { NotPendingError } from '../jobs/apply.js';
import type { JobEngine, JobStep } from '../jobs/engine.js';
import { JOB_KIND_BY_TYPE } from '../jobs/kinds.js';
import { renderJob } from '../api/jobs/routes.js';

const stepBody = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { enum: ['apply', 'complete', 'fail', 'cancel'] },
    /** With `apply`: how many more resources to apply (default 1). */
    count: { type: 'integer', minimum: 1, maximum: 100 },
    /** With `fail`: the resources to fail (compound ids, as the job's errors name them in meta.id) and each one's error detail. */
    errors: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: { id: { type: 'string' }, detail: { type: 'string', minLength: 1, maxLength: 1000 } },
      },
    },
  },
};

type StepBody = { action: JobStep['action']; count?: number; errors?: { id: string; detail?: string }[] };

function toStep(body: StepBody): JobStep {
  if (body.count !== undefined && body.action !== 'apply') throw invalid(`'count' goes with the action 'apply' only.`, { pointer: '/count' });
  if (body.errors !== undefined && body.action !== 'fail') throw invalid(`'errors' goes with the action 'fail' only.`, { pointer: '/errors' });
  switch (body.action) {
    case 'apply':
      return { action: 'apply', count: body.count ?? 1 };
    case 'fail':
      if (!body.errors) throw invalid(`'errors' is a required field for the action 'fail'.`, { pointer: '/errors' });
      return { action: 'fail', errors: body.errors };
    default:
      return { action: body.action };
  }
}

export function registerJobControls(app: FastifyInstance, engine: JobEngine): void {
  app.post<{ Params: { job_id: string }; Body: StepBody }>('/__admin/jobs/:job_id/actions', {
    config: { control: 'account', controlName: 'step_job' },
    schema: { body: stepBody },
  }, async (request, reply) => {
    const step = toStep(request.body);
    let job;
    try {
      job = await engine.step(request.account, request.params.job_id, step);
    } catch (err) {
      if (err instanceof NotPendingError) throw invalid(err.message, { pointer: `/errors/${err.index}/id` });
      throw err;
    }
    if (!job) throw notFound(`There is no unfinished job with id '${request.params.job_id}'.`);
    return send(reply, 200, { data: renderJob(baseUrl(request), JOB_KIND_BY_TYPE.get(job.type)!, job), links: { self: requestLink(request) } });
  });
}
