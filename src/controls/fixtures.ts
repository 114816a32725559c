// Account controls: export the account's catalog as one fixture document, and import such a document (all or
// nothing; errors point at the bad entry). See fixtures/ for the document and how it is applied.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import { exportCatalog } from '../fixtures/format.js';
import { importCatalog } from '../fixtures/import.js';
import { send } from '../http/jsonapi.js';
import type { Store } from '../store/store.js';

/** A whole catalog may be larger than an API request: 100 MB (about 300,000 items). */
export const FIXTURE_BODY_LIMIT = 100 * 1024 * 1024;

const importQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { create_missing_categories: { enum: ['true', 'false'] } },
};

export function registerFixtureControls(app: FastifyInstance, store: Store, clock: Clock): void {
  app.get('/__admin/fixtures', { config: { control: 'account', controlName: 'export_fixtures' } }, async (request, reply) => {
    return send(reply, 200, await exportCatalog(store, request.account));
  });

  app.post<{ Querystring: { create_missing_categories?: 'true' | 'false' } }>('/__admin/fixtures', {
    config: { control: 'account', controlName: 'import_fixtures' },
    bodyLimit: FIXTURE_BODY_LIMIT,
    schema: { querystring: importQuery },
  }, async (request, reply) => {
    const counts = await importCatalog(store, request.account, request.body, clock.now().toISOString(), {
      createMissingCategories: request.query.create_missing_categories === 'true',
    });
    return send(reply, 200, { data: { type: 'catalog-fixture-import', id: request.id, attributes: counts } });
  });
}
