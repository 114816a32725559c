// Scale-out on PostgreSQL: two API servers without workers and two job workers share one database. Bulk
// update jobs of 100 items that overwrite the same items go in through both servers, with single creates
// alongside, while workers are killed with SIGKILL; every job must finish exactly once, every item must end
// with the value of the last job that touched it (jobs of an account take effect in the order they were
// accepted), no request may fail, and the locks any one connection holds stay bounded (pg_locks).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { LOCK, LOCK_STRIPES } from '../src/store/postgres.ts';
import { withPostgres } from './support/targets.ts';
import { eventually, http, newKey, startServer, startWorker, type RunningProcess, type RunningServer } from './support/server.ts';

const ITEMS = 300;
const JOBS = 60;
/** Job j updates WINDOW items from item j*STRIDE on, so each job overwrites most of the previous one's. */
const WINDOW = 100;
const STRIDE = 30;
/** Every FAILING-th job names, in place of its last item, one that does not exist: one failure. */
const FAILING = 4;
/** After every CREATING-th update job comes a job creating NEW items: run twice, it would fail as conflicts. */
const CREATING = 6;
const NEW = 5;

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const itemName = (i: number) => `MP-${i}`;
const failing = (j: number) => j % FAILING === 0;
/** The items job j updates (a failing job's last one is missing instead). */
const windowOf = (j: number) => Array.from({ length: failing(j) ? WINDOW - 1 : WINDOW }, (_, k) => (j * STRIDE + k) % ITEMS);

function jobBody(j: number) {
  const updates = windowOf(j).map((i) => ({ type: 'catalog-item', id: id(itemName(i)), attributes: { title: `job ${j}` } }));
  if (failing(j)) updates.push({ type: 'catalog-item', id: id(`MISSING-${j}`), attributes: { title: `job ${j}` } });
  return { data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: updates } } } };
}

/** The most locks any one connection held, and the most advisory locks, sampled until stop() (pg_locks). */
function sampleLocks(db: pg.Client) {
  const peak = { locks: 0, advisory: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.query<{ locks: string; advisory: string }>(`SELECT count(*) AS locks, count(*) FILTER (WHERE locktype = 'advisory') AS advisory
        FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND pid <> pg_backend_pid() GROUP BY pid`);
      for (const r of rows) {
        peak.locks = Math.max(peak.locks, Number(r.locks));
        peak.advisory = Math.max(peak.advisory, Number(r.advisory));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return { peak, stop: async () => { running = false; await loop; } };
}

function createJobBody(c: number) {
  const items = Array.from({ length: NEW }, (_, k) => ({
    type: 'catalog-item', attributes: { external_id: `NEW-${c}-${k}`, title: `new ${c}`, description: 'D', url: 'https://shop.example/new' },
  }));
  return { data: { type: 'catalog-item-bulk-create-job', attributes: { items: { data: items } } } };
}

/** Runs `task` for 0..count-1, `width` at a time. */
async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await task(next++);
  }));
}

await withPostgres('several servers and workers on one PostgreSQL database', (target) => {
  let databaseUrl: string;
  let servers: RunningServer[];
  /** Workers by name; the name is also their connections' application_name, to find them in pg_locks. */
  const workers = new Map<string, RunningProcess>();
  let started = 0;
  const addWorker = async () => {
    const name = `catalog-test-worker-${++started}`;
    workers.set(name, await startWorker(databaseUrl, { PGAPPNAME: name }));
  };
  let db: pg.Client;
  before(async () => {
    databaseUrl = await target.freshDatabaseUrl();
    const key = newKey();
    // Started together on an empty database: their migrations must not collide.
    servers = await Promise.all([0, 1].map(() => startServer({ databaseUrl, key, args: ['--no-worker'] })));
    await Promise.all([addWorker(), addWorker()]);
    db = new pg.Client(databaseUrl);
    await db.connect();
  });
  after(async () => {
    await db.end();
    await Promise.all([...servers, ...workers.values()].map((p) => p.stop()));
  });

  /** The worker that holds an account's job lock right now, i.e. is in the middle of a batch. */
  async function busyWorker(): Promise<string | undefined> {
    const { rows } = await db.query<{ name: string }>(`SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objsubid = 2 AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOCK.jobsOfAccount]);
    return rows.map((r) => r.name).find((name) => workers.has(name));
  }

  it('finishes every job once, in acceptance order, while workers are killed', async () => {
    const started = Date.now();
    await inParallel(ITEMS, 10, async (i) => {
      const res = await http(servers[i % 2], 'POST', '/api/catalog-items', {
        data: { type: 'catalog-item', attributes: { external_id: itemName(i), title: 'original', description: 'D', url: `https://shop.example/${i}` } },
      });
      assert.equal(res.status, 201);
    });

    const jobIds: string[] = [];
    const createJobIds: string[] = [];
    const locks = sampleLocks(db);
    // Other clients write meanwhile: single creates through both servers, each acknowledged one must be kept.
    let creating = true;
    const singles: string[] = [];
    const alongside = (async () => {
      for (let n = 0; creating; n++) {
        const res = await http(servers[n % 2], 'POST', '/api/catalog-items', {
          data: { type: 'catalog-item', attributes: { external_id: `SINGLE-${n}`, title: 'single', description: 'D', url: 'https://shop.example/s' } },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        singles.push(`SINGLE-${n}`);
      }
    })();
    const completed = async (server: RunningServer, path: string) => eventually(async () => {
      const res = await http(server, 'GET', path);
      return res.body.data.attributes.status === 'complete' ? res.body.data : undefined;
    }, 60_000);
    let kills = 0;
    /** SIGKILLs a worker in the middle of a batch, so that its transaction is cut off, and starts another. */
    async function killBusyWorker() {
      const until = Date.now() + 30_000;
      let victim: string | undefined;
      while (!(victim = await busyWorker())) {
        assert.ok(Date.now() < until, 'no worker was seen working');
        await new Promise((r) => setTimeout(r, 2));
      }
      await workers.get(victim)!.kill();
      workers.delete(victim);
      kills++;
      await addWorker();
    }
    for (let j = 0; j < JOBS; j++) {
      const res = await http(servers[j % 2], 'POST', '/api/catalog-item-bulk-update-jobs', jobBody(j));
      assert.equal(res.status, 202, JSON.stringify(res.body));
      jobIds.push(res.body.data.id);
      if (j % CREATING === CREATING - 1) {
        const created = await http(servers[j % 2], 'POST', '/api/catalog-item-bulk-create-jobs', createJobBody(createJobIds.length));
        assert.equal(created.status, 202, JSON.stringify(created.body));
        createJobIds.push(created.body.data.id);
      }
      if (j === JOBS / 3 || j === (2 * JOBS) / 3) await killBusyWorker();
    }

    for (let j = 0; j < JOBS; j++) {
      const job = await completed(servers[j % 2], `/api/catalog-item-bulk-update-jobs/${jobIds[j]}`);
      assert.equal(job.attributes.completed_count, windowOf(j).length, `job ${j}`);
      assert.equal(job.attributes.failed_count, failing(j) ? 1 : 0, `job ${j}`);
      assert.equal(job.attributes.total_count, WINDOW);
      assert.deepEqual(job.attributes.errors.map((e: any) => e.meta.id), failing(j) ? [id(`MISSING-${j}`)] : []);
      assert.deepEqual(job.relationships.items.data.map((r: any) => r.id), windowOf(j).map((i) => id(itemName(i))));
    }
    for (const [c, jobId] of createJobIds.entries()) {
      const job = await completed(servers[c % 2], `/api/catalog-item-bulk-create-jobs/${jobId}`);
      assert.deepEqual([job.attributes.completed_count, job.attributes.failed_count], [NEW, 0], `create job ${c} ran once`);
    }
    const elapsed = Date.now() - started;
    creating = false;
    await alongside;
    await locks.stop();
    // Before: one advisory lock per resource, ~2,000 in one transaction for 20 jobs of 100 items.
    assert.ok(locks.peak.advisory <= LOCK_STRIPES + 2, `a connection held ${locks.peak.advisory} advisory locks`);
    assert.ok(locks.peak.locks < 64, `a connection held ${locks.peak.locks} locks (max_locks_per_transaction is 64 by default)`);

    const expected = Array.from({ length: ITEMS }, () => 'original');
    for (let j = 0; j < JOBS; j++) for (const i of windowOf(j)) expected[i] = `job ${j}`;
    await inParallel(ITEMS, 10, async (i) => {
      const res = await http(servers[i % 2], 'GET', `/api/catalog-items/${id(itemName(i))}`);
      assert.equal(res.status, 200);
      assert.equal(res.body.data.attributes.title, expected[i], `item ${i}`);
    });
    await inParallel(createJobIds.length * NEW, 10, async (n) => {
      const c = Math.floor(n / NEW);
      const res = await http(servers[n % 2], 'GET', `/api/catalog-items/${id(`NEW-${c}-${n % NEW}`)}`);
      assert.equal(res.body.data?.attributes.title, `new ${c}`);
    });
    await inParallel(singles.length, 10, async (n) => {
      assert.equal((await http(servers[n % 2], 'GET', `/api/catalog-items/${id(singles[n])}`)).status, 200, singles[n]);
    });
    console.log(`multiprocess: ${JOBS} update jobs of ${WINDOW} items and ${createJobIds.length} create jobs over ${ITEMS} items, ${singles.length} single creates alongside, 2 servers, 2 workers, ${kills} SIGKILLs: all applied in ${elapsed} ms; peak locks of one connection ${locks.peak.locks} (${locks.peak.advisory} advisory)`);
    assert.equal(kills, 2);
  });
});
