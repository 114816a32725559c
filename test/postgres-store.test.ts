// What PostgreSQL adds to the SQLite behaviour: concurrent writers in several processes, and input that
// SQLite stores but PostgreSQL cannot (U+0000), which must be a 400, never a 500. (Ids and SKUs have one
// byte limit on both stores: limits.test.ts.)
import assert from 'node:assert/strict';
import pg from 'pg';
import { after, before, it } from 'node:test';
import { withPostgres } from './support/targets.ts';
import { eventually, http, newKey, startServer, type RunningServer } from './support/server.ts';

const item = (externalId: string) => ({
  type: 'catalog-item', attributes: { external_id: externalId, title: 'T', description: 'D', url: 'https://shop.example/' },
});
const variant = (externalId: string, sku: string) => ({
  type: 'catalog-variant',
  attributes: { external_id: externalId, title: 'T', description: 'D', sku, inventory_quantity: 1, price: 1, url: 'https://shop.example/' },
  relationships: { item: { data: { type: 'catalog-item', id: '$custom:::$default:::RACE-1' } } },
});

await withPostgres('postgres store', (target) => {
  let servers: RunningServer[];
  before(async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    const key = newKey();
    servers = await Promise.all([0, 1].map(() => startServer({ databaseUrl, key })));
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('serialises concurrent writes to one resource across processes', async () => {
    const creates = await Promise.all(Array.from({ length: 20 }, (_, i) => http(servers[i % 2], 'POST', '/api/catalog-items', { data: item('RACE-1') })));
    assert.deepEqual(creates.map((r) => r.status).sort(), [201, ...Array(19).fill(409)]);

    // Updates of different attributes, at once through both processes: each reads the item and writes it
    // back whole, so without serialisation one would undo another.
    for (let round = 0; round < 5; round++) {
      const values = { title: `t${round}`, description: `d${round}`, url: `https://shop.example/${round}`, price: round, image_full_url: `https://img/${round}`, image_thumbnail_url: `https://thumb/${round}` };
      const updates = await Promise.all(Object.entries(values).map(([name, value], i) => http(servers[i % 2], 'PATCH', '/api/catalog-items/$custom:::$default:::RACE-1',
        { data: { type: 'catalog-item', id: '$custom:::$default:::RACE-1', attributes: { [name]: value } } })));
      assert.deepEqual(updates.map((r) => r.status), Array(6).fill(200));
      const read = await http(servers[round % 2], 'GET', '/api/catalog-items/$custom:::$default:::RACE-1?fields[catalog-item]=title,description,url,price,image_full_url,image_thumbnail_url');
      assert.deepEqual(read.body.data.attributes, values, `round ${round}`);
    }
  });

  it('answers 400 for text PostgreSQL cannot store, in single writes and jobs, and 404 for ids that cannot exist', async () => {
    const [s] = servers;
    const nul = await http(s, 'POST', '/api/catalog-items', { data: item('A\u0000B') });
    assert.equal(nul.status, 400);
    assert.equal(nul.body.errors[0].detail, 'Text containing the character U+0000 cannot be stored.');
    assert.equal((await http(s, 'GET', '/api/catalog-items/$custom:::$default:::A%00B')).status, 404);
    assert.equal((await http(s, 'GET', '/api/catalog-item-bulk-create-jobs/A%00B')).status, 404);

    const job = await http(s, 'POST', '/api/catalog-variant-bulk-create-jobs',
      { data: { type: 'catalog-variant-bulk-create-job', attributes: { variants: { data: [variant('OK-1', 'S'), variant('OK-2', 'S\u0000')] } } } });
    assert.equal(job.status, 400, 'refused before it is queued, where it would block the queue');
    assert.equal(job.body.errors[0].code, 'invalid');

    // The queue still works, and nothing of the refused requests was stored.
    const ok = await http(s, 'POST', '/api/catalog-variant-bulk-create-jobs',
      { data: { type: 'catalog-variant-bulk-create-job', attributes: { variants: { data: [variant('OK-3', 'S')] } } } });
    assert.equal(ok.status, 202);
    const done = await eventually(async () => {
      const res = await http(s, 'GET', `/api/catalog-variant-bulk-create-jobs/${ok.body.data.id}`);
      return res.body.data.attributes.status === 'complete' ? res.body.data.attributes : undefined;
    });
    assert.deepEqual([done.completed_count, done.failed_count], [1, 0]);
    assert.equal((await http(s, 'GET', '/api/catalog-variants/$custom:::$default:::OK-1')).status, 404);
  });
});

await withPostgres('postgres: a variant changed while its item is deleted', (target) => {
  it('answers 404 to a PATCH of a variant whose item a concurrent DELETE removes, and never writes it back', async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    const key = newKey();
    const servers = await Promise.all([0, 1].map(() => startServer({ databaseUrl, key })));
    // One connection holds a lock; another watches who waits (statistics read in a transaction stay as first read).
    const [admin, observer] = [new pg.Client({ connectionString: databaseUrl }), new pg.Client({ connectionString: databaseUrl })];
    await Promise.all([admin.connect(), observer.connect()]);
    /** Statements of the servers waiting for a lock, whose text starts with `prefix`. */
    const waiting = async (prefix: string) => (await observer.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND wait_event_type = 'Lock' AND starts_with(query, $1)`,
      [prefix])).rows[0].n;
    try {
      const [s] = servers;
      assert.equal((await http(s, 'POST', '/api/catalog-categories', { data: { type: 'catalog-category', attributes: { external_id: 'RACE-C', name: 'N' } } })).status, 201);
      assert.equal((await http(s, 'POST', '/api/catalog-items', { data: { ...item('RACE-I'), relationships: { categories: { data: [{ type: 'catalog-category', id: '$custom:::$default:::RACE-C' }] } } } })).status, 201);
      // Eight variants: a variant's lock stripe is that of its item one time in 16, and then the PATCH simply waits.
      const variants = Array.from({ length: 8 }, (_, i) => `RACE-V${i}`);
      for (const v of variants) {
        const body = variant(v, v);
        body.relationships.item.data.id = '$custom:::$default:::RACE-I';
        assert.equal((await http(s, 'POST', '/api/catalog-variants', { data: body })).status, 201);
      }
      // Hold the DELETE open after it has deleted the item and its variants: it waits for the item's category
      // link, which this connection keeps locked.
      await admin.query('BEGIN');
      await admin.query(`SELECT 1 FROM item_categories WHERE item = 'RACE-I' FOR UPDATE`);
      const deleting = http(servers[1], 'DELETE', '/api/catalog-items/$custom:::$default:::RACE-I');
      await eventually(async () => ((await waiting('DELETE FROM item_categories')) === 1 ? true : undefined));
      // A server makes one change of an account at a time, and those that arrive meanwhile together after it
      // (store/account-groups.ts). So the first PATCH the other server receives has loaded its variant (the
      // delete is not committed) and waits to write it, or for the item's lock stripe; the other PATCHes wait
      // in their server, behind it or behind the DELETE.
      const patches = variants.map((v, i) => http(servers[i % 2], 'PATCH', `/api/catalog-variants/$custom:::$default:::${v}`,
        { data: { type: 'catalog-variant', id: `$custom:::$default:::${v}`, attributes: { title: 'patched' } } }));
      await eventually(async () => ((await waiting('UPDATE resources')) + (await waiting('SELECT pg_advisory_xact_lock')) === 1 ? true : undefined));
      await admin.query('COMMIT');

      assert.equal((await deleting).status, 204);
      for (const [i, res] of (await Promise.all(patches)).entries()) {
        assert.equal(res.status, 404, `${variants[i]}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.errors[0].code, 'not_found');
      }
      for (const v of variants) assert.equal((await http(s, 'GET', `/api/catalog-variants/$custom:::$default:::${v}`)).status, 404, v);
      const left = await observer.query(`SELECT count(*)::int AS n FROM resources WHERE kind = 'variant'`);
      assert.equal(left.rows[0].n, 0);
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await Promise.all([admin.end(), observer.end()]);
      await Promise.all(servers.map((x) => x.stop()));
    }
  });
});

await withPostgres('postgres outage', (target) => {
  it('answers 503 with Retry-After while the database refuses connections, and recovers', async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    const name = new URL(databaseUrl).pathname.slice(1);
    const server = await startServer({ databaseUrl, env: { PG_POOL_SIZE: '2' } });
    const admin = new pg.Client({ connectionString: databaseUrl.replace(`/${name}`, '/postgres') });
    await admin.connect();
    try {
      assert.equal((await http(server, 'POST', '/api/catalog-items', { data: item('BEFORE') })).status, 201);
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const during = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::BEFORE');
      assert.equal(during.status, 503);
      assert.equal(during.body.errors[0].code, 'service_unavailable');
      assert.equal(during.headers.get('retry-after'), '1');
      // Creates of one account made together (one group): each is answered, all with the same 503.
      const burst = await Promise.all(['B-1', 'B-2', 'B-3', 'B-4'].map((id) => http(server, 'POST', '/api/catalog-items', { data: item(id) })));
      assert.deepEqual(burst.map((res) => res.status), [503, 503, 503, 503]);
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      const after = await eventually(async () => {
        const res = await http(server, 'GET', '/api/catalog-items/$custom:::$default:::BEFORE');
        return res.status === 200 ? res : undefined;
      });
      assert.equal(after.body.data.attributes.external_id, 'BEFORE');
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await server.stop();
    }
  });
});
