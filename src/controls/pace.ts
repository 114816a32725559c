// Account control: the account's job pace. Jobs the account submits after a change get the new pace (a job's
// schedule is fixed when it is accepted); `null` returns the account to the server's (CATALOG_JOB_PACE).
import type { FastifyInstance } from 'fastify';
import { document, object } from '../api/schemas.js';
import { send } from '../http/jsonapi.js';
import { PACES, type Pace } from '../jobs/pace.js';
import type { Store } from '../store/store.js';

const paceBody = document(object({
  type: { type: 'string', enum: ['job-pace'] },
  id: { type: 'string' },
  attributes: object({ pace: { enum: [...PACES, null] } }, ['pace']),
}, ['type', 'attributes']));

export function registerPaceControls(app: FastifyInstance, store: Store, serverPace: Pace): void {
  const render = (account: string, own: string | undefined) => ({
    data: { type: 'job-pace', id: account, attributes: { pace: own ?? serverPace, server_pace: serverPace } },
  });

  app.get('/__admin/jobs/pace', { config: { control: 'account', controlName: 'get_job_pace' } }, async (request, reply) => {
    return send(reply, 200, render(request.account, await store.accountJobPace(request.account)));
  });

  app.put<{ Body: { data: { attributes: { pace: Pace | null } } } }>('/__admin/jobs/pace', {
    config: { control: 'account', controlName: 'set_job_pace' },
    schema: { body: paceBody },
  }, async (request, reply) => {
    const { pace } = request.body.data.attributes;
    await store.setAccountJobPace(request.account, pace);
    return send(reply, 200, render(request.account, pace ?? undefined));
  });
}
