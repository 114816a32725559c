// Account control: delete every item, variant, category, link, job and back-in-stock subscription of the
// account of the key. Its keys and settings (job pace) stay.
import type { FastifyInstance } from 'fastify';
import type { FinishedJobCache } from '../api/jobs/finished-cache.js';
import type { Store } from '../store/store.js';

export function registerResetControl(app: FastifyInstance, store: Store, finished: FinishedJobCache): void {
  app.post('/__admin/reset', { config: { control: 'account', controlName: 'reset_account' } }, async (request, reply) => {
    await store.deleteAccountData(request.account, { keys: false });
    finished.forgetAccount(request.account);
    return reply.code(204).send();
  });
}
