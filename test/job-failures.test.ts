// A job that cannot be applied must not stop any other: the store is made to fail (a trigger refuses to write
// items whose external id starts with POISON), jobs of two accounts are submitted around poison jobs, and every
// ordinary job completes; the poison jobs end (complete with per-resource errors, or cancelled) and nothing is
// left processing after a restart. Also: one account's backlog delays another's job by at most one batch.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { forEachStore } from './support/targets.ts';
import { createKeyWithCli, eventually, http, startServer, startWorker, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;

async function injectPoison(databaseUrl: string): Promise<void> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new Database(databaseUrl.slice('sqlite:'.length));
    db.pragma('busy_timeout = 5000');
    for (const event of ['INSERT', 'UPDATE']) {
      db.exec(`CREATE TRIGGER poison_${event} BEFORE ${event} ON resources WHEN NEW.external_id LIKE 'POISON%'
        BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    }
    db.close();
    return;
  }
  const client = new pg.Client(databaseUrl);
  await client.connect();
  await client.query(`CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
      IF NEW.external_id LIKE 'POISON%' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
    CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON resources FOR EACH ROW EXECUTE FUNCTION poison();`);
  await client.end();
}

function createJob(externalIds: string[]) {
  return {
    data: {
      type: 'catalog-item-bulk-create-job',
      attributes: { items: { data: externalIds.map((externalId) => ({
        type: 'catalog-item', attributes: { external_id: externalId, title: externalId, description: 'd', url: 'https://shop.example/x' },
      })) } },
    },
  };
}

const updateJob = (externalId: string, title: string) => ({
  data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: [{ type: 'catalog-item', id: id(externalId), attributes: { title } }] } } },
});

async function submit(server: { url: string; key: string }, path: string, body: unknown): Promise<string> {
  const res = await http(server, 'POST', `/api/${path}`, body);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.data.id;
}

const ended = (server: { url: string; key: string }, path: string, jobId: string) => eventually(async () => {
  const res = await http(server, 'GET', `/api/${path}/${jobId}`);
  return res.body.data.attributes.status === 'processing' ? undefined : res.body.data;
}, 30_000);

await forEachStore('jobs that cannot be applied', (target) => {
  it('end on their own while every other job of both accounts completes, and stay ended after a restart', async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    let server: RunningServer = await startServer({ databaseUrl });
    try {
      await injectPoison(databaseUrl);
      const other = { url: server.url, key: createKeyWithCli(databaseUrl, 'other-account') };
      for (const [n, account] of [server, other].entries()) {
        const mixed = await submit(account, 'catalog-item-bulk-create-jobs', createJob([`POISON-${n}`, `OK-${n}-1`, `OK-${n}-2`]));
        const hopeless = await submit(account, 'catalog-item-bulk-create-jobs', createJob([`POISON-${n}-a`, `POISON-${n}-b`]));
        const ordinary = await submit(account, 'catalog-item-bulk-create-jobs', createJob([`FINE-${n}-1`, `FINE-${n}-2`]));
        const after = await submit(account, 'catalog-item-bulk-update-jobs', updateJob(`OK-${n}-1`, 'updated after the poison job'));

        const fine = await ended(account, 'catalog-item-bulk-create-jobs', ordinary);
        assert.deepEqual([fine.attributes.status, fine.attributes.completed_count, fine.attributes.failed_count], ['complete', 2, 0]);

        const partly = await ended(account, 'catalog-item-bulk-create-jobs', mixed);
        assert.deepEqual([partly.attributes.status, partly.attributes.completed_count, partly.attributes.failed_count], ['complete', 2, 1]);
        assert.deepEqual(partly.attributes.errors.map((e: any) => [e.code, e.meta.id, e.source.pointer]), [['invalid', id(`POISON-${n}`), '/data/attributes/items/data']]);
        assert.match(partly.attributes.errors[0].detail, /could not be stored/);
        assert.doesNotMatch(partly.attributes.errors[0].detail, /injected/, 'no internal message reaches the client');
        assert.deepEqual(partly.relationships.items.data.map((r: any) => r.id), [id(`OK-${n}-1`), id(`OK-${n}-2`)]);

        const nothing = await ended(account, 'catalog-item-bulk-create-jobs', hopeless);
        assert.deepEqual([nothing.attributes.status, nothing.attributes.completed_count, nothing.attributes.failed_count], ['cancelled', 0, 2]);
        assert.equal(nothing.relationships, undefined);

        // The update waited for the job that created its item, then applied.
        const updated = await ended(account, 'catalog-item-bulk-update-jobs', after);
        assert.equal(updated.attributes.completed_count, 1);
        assert.equal((await http(account, 'GET', `/api/catalog-items/${id(`OK-${n}-1`)}`)).body.data.attributes.title, 'updated after the poison job');
      }

      await server.stop();
      server = await startServer({ databaseUrl });
      const again = { url: server.url, key: other.key };
      for (const account of [server, again]) {
        const processing = await http(account, 'GET', '/api/catalog-item-bulk-create-jobs?filter=equals(status,"processing")');
        assert.deepEqual(processing.body.data, []);
        const fresh = await submit(account, 'catalog-item-bulk-create-jobs', createJob([`AFTER-${account.key.slice(-4)}`]));
        assert.equal((await ended(account, 'catalog-item-bulk-create-jobs', fresh)).attributes.status, 'complete');
      }
    } finally {
      await server.stop();
    }
  });

  it('serve one account\'s job while another account has a large backlog', async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    const server = await startServer({ databaseUrl, args: ['--no-worker'] });
    try {
      const busy = server;
      const quiet = { url: server.url, key: createKeyWithCli(databaseUrl, 'quiet-account') };
      const backlog: string[] = [];
      for (let j = 0; j < 60; j++) {
        const ids = Array.from({ length: 100 }, (_, k) => `B-${j}-${k}`);
        backlog.push(await submit(busy, 'catalog-item-bulk-create-jobs', createJob(ids)));
      }
      const single = await submit(quiet, 'catalog-item-bulk-create-jobs', createJob(['Q-1']));
      const worker = await startWorker(databaseUrl);
      try {
        const done = await ended(quiet, 'catalog-item-bulk-create-jobs', single);
        const finishedBefore = (await Promise.all(backlog.map((jobId) => http(busy, 'GET', `/api/catalog-item-bulk-create-jobs/${jobId}`))))
          .filter((res) => res.body.data.attributes.status !== 'processing' && res.body.data.attributes.completed_at < done.attributes.completed_at).length;
        assert.ok(finishedBefore <= 20, `${finishedBefore} of the other account's jobs ran first (at most one batch may)`);
        for (const jobId of backlog) assert.equal((await ended(busy, 'catalog-item-bulk-create-jobs', jobId)).attributes.completed_count, 100);
      } finally {
        await worker.stop();
      }
    } finally {
      await server.stop();
    }
  });
});
