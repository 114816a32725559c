// Test control for bulk jobs: step a job that the manual pace holds (apply the next N resources, complete it,
// or cancel it). Account-scoped: it needs a full-access key, and touches only that key's account's jobs.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/errors.js';
import { baseUrl, requestLink, send } from '../http/jsonapi.js';
import type { JobEngine, JobStep } from '../jobs/engine.js';
import { JOB_KIND_BY_TYPE } from '../jobs/kinds.js';
import { renderJob } from '../api/jobs/routes.js';

const stepBody = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { enum: ['apply', 'complete', 'cancel'] },
    /** With `apply`: how many more resources to apply (default 1). */
    count: { type: 'integer', minimum: 1, maximum: 100 },
  },
};

export function registerJobControls(app: FastifyInstance, engine: JobEngine): void {
  app.post<{ Params: { job_id: string }; Body: { action: JobStep['action']; count?: number } }>('/__admin/jobs/:job_id/actions', {
    config: { control: 'account' },
    schema: { body: stepBody },
  }, async (request, reply) => {
    const { action, count } = request.body;
    const step: JobStep = action === 'apply' ? { action, count: count ?? 1 } : { action };
    const job = await engine.step(request.account, request.params.job_id, step);
    if (!job) throw notFound(`There is no unfinished job with id '${request.params.job_id}'.`);
    return send(reply, 200, { data: renderJob(baseUrl(request), JOB_KIND_BY_TYPE.get(job.type)!, job), links: { self: requestLink(request) } });
  });
}
