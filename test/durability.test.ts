// A 201 or 202 means it is on disk: kill the server with SIGKILL in the middle of writes and jobs, restart
// it, and find every acknowledged item and job, every job finished with exact counters.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { eventually, http, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const itemBody = (externalId: string) => ({
  data: { type: 'catalog-item', attributes: { external_id: externalId, title: 'initial', description: 'd', url: 'https://shop.example/x' } },
});
const jobBody = (n: number, ids: string[]) => ({
  data: { type: 'catalog-item-bulk-update-job', attributes: { items: { data: ids.map((x) => ({ type: 'catalog-item', id: id(x), attributes: { title: `job-${n}` } })) } } },
});

async function finishedJob(server: RunningServer, jobId: string) {
  return eventually(async () => {
    const res = await http(server, 'GET', `/api/catalog-item-bulk-update-jobs/${jobId}`);
    assert.equal(res.status, 200, `acknowledged job ${jobId} exists`);
    return res.body.data.attributes.status === 'complete' ? res.body.data : undefined;
  }, 30_000);
}

await forEachStore('durability', (target) => {
  it('loses nothing acknowledged when killed with SIGKILL, and finishes every job after a restart', async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    let server = await startServer({ databaseUrl });
    const base = Array.from({ length: 300 }, (_, i) => `BASE-${i}`);
    for (const x of base) assert.equal((await http(server, 'POST', '/api/catalog-items', itemBody(x))).status, 201);

    // Under load: items being created and jobs (each over 100 of the base items) being accepted, in parallel.
    const ackedItems: string[] = [];
    const ackedJobs: { n: number; jobId: string; ids: string[] }[] = [];
    let stop = false;
    const creating = (async () => {
      for (let i = 0; !stop; i++) {
        const res = await http(server, 'POST', '/api/catalog-items', itemBody(`LIVE-${i}`)).catch(() => undefined);
        if (res?.status === 201) ackedItems.push(`LIVE-${i}`);
      }
    })();
    let jobNumber = 0;
    const submitting = (async () => {
      while (!stop) {
        const n = ++jobNumber;
        const ids = base.slice((n * 37) % 200, ((n * 37) % 200) + 100);
        const res = await http(server, 'POST', '/api/catalog-item-bulk-update-jobs', jobBody(n, ids)).catch(() => undefined);
        if (res?.status === 202) ackedJobs.push({ n, jobId: res.body.data.id, ids });
      }
    })();
    await eventually(async () => (ackedJobs.length >= 40 ? true : undefined));
    await server.kill();
    stop = true;
    await Promise.all([creating, submitting]);
    assert.ok(ackedItems.length > 0 && ackedJobs.length >= 40);

    server = await startServer({ databaseUrl, key: server.key });
    try {
      for (const x of ackedItems) assert.equal((await http(server, 'GET', `/api/catalog-items/${id(x)}`)).status, 200, `item ${x}`);
      for (const job of ackedJobs) {
        const done = await finishedJob(server, job.jobId);
        assert.equal(done.attributes.total_count, 100);
        assert.equal(done.attributes.completed_count, 100);
        assert.equal(done.attributes.failed_count, 0);
      }
      // Jobs take effect in acceptance order: each item holds the value of a job at least as late as the
      // last acknowledged one that touched it (a job sent but not acknowledged before the kill may be later).
      for (const x of base) {
        const lastAcked = Math.max(0, ...ackedJobs.filter((j) => j.ids.includes(x)).map((j) => j.n));
        const title = (await http(server, 'GET', `/api/catalog-items/${id(x)}`)).body.data.attributes.title;
        const n = title === 'initial' ? 0 : Number(title.slice(4));
        assert.ok(n >= lastAcked, `${x}: holds ${title}, last acknowledged job-${lastAcked}`);
      }
      console.log(`# durability: ${ackedItems.length} items and ${ackedJobs.length} jobs acknowledged before SIGKILL, all found after restart`);
    } finally {
      await server.stop();
    }
  });

  it('on SIGTERM finishes in-flight requests, exits cleanly and leaves queued jobs to resume', async () => {
    const databaseUrl = await target.freshDatabaseUrl();
    // Without a worker, the job stays queued until the next start.
    let server = await startServer({ databaseUrl, args: ['--no-worker'] });
    for (let i = 0; i < 100; i++) await http(server, 'POST', '/api/catalog-items', itemBody(`T-${i}`));
    const job = await http(server, 'POST', '/api/catalog-item-bulk-update-jobs', jobBody(1, Array.from({ length: 100 }, (_, i) => `T-${i}`)));
    assert.equal(job.status, 202);
    const inFlight = Array.from({ length: 20 }, (_, i) => http(server, 'POST', '/api/catalog-items', itemBody(`F-${i}`)).catch(() => undefined));
    const exit = server.stop();
    const answered = await Promise.all(inFlight);
    assert.equal(await exit, 0);
    const acked = answered.flatMap((r, i) => (r?.status === 201 ? [`F-${i}`] : []));
    server = await startServer({ databaseUrl, key: server.key });
    try {
      for (const x of acked) assert.equal((await http(server, 'GET', `/api/catalog-items/${id(x)}`)).status, 200);
      const done = await finishedJob(server, job.body.data.id);
      assert.equal(done.attributes.completed_count, 100);
      assert.equal((await http(server, 'GET', `/api/catalog-items/${id('T-7')}`)).body.data.attributes.title, 'job-1');
    } finally {
      await server.stop();
    }
  });
});
