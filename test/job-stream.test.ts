// The job event stream (GET /__admin/jobs/{job_id}/stream) the console's job page reads: the job as the API
// renders it, at once and on every change, until it is finished; with the job run by a separate worker
// process; account-scoped like every control. In-process tests tick the stream's timers by hand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { EventParser, type ServerEvent } from '../console/src/sse.ts';
import type { JobRecord } from '../src/catalog/model.ts';
import { registerJobStream } from '../src/controls/job-stream.ts';
import { registerErrorHandling } from '../src/http/errors.ts';
import { EventStreams, MAX_STREAMS_PER_ACCOUNT, type Ticker } from '../src/http/sse.ts';
import { forEachStore } from './support/targets.ts';
import { createKeyWithCli, http, sdk, sqliteTarget, startServer, startWorker, type RunningServer } from './support/server.ts';

/** An open event stream read piece by piece: raw text, and events as the console's parser reads them. */
interface OpenStream {
  status: number;
  headers: Headers;
  /** The next event; undefined once the stream has ended. */
  next(): Promise<ServerEvent | undefined>;
  /** Reads until the raw text so far satisfies `done`. */
  until(done: (raw: string) => boolean): Promise<string>;
  cancel(): Promise<void>;
}

async function openStream(url: string, headers: Record<string, string>): Promise<OpenStream> {
  const response = await fetch(url, { headers });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const parser = new EventParser();
  const queued: ServerEvent[] = [];
  let raw = '';
  let ended = false;
  const more = async () => {
    const { done, value } = await reader.read();
    if (done) ended = true;
    else {
      const text = decoder.decode(value, { stream: true });
      raw += text;
      queued.push(...parser.push(text));
    }
  };
  return {
    status: response.status,
    headers: response.headers,
    async next() {
      while (queued.length === 0 && !ended) await more();
      return queued.shift();
    },
    async until(done) {
      while (!done(raw)) {
        if (ended) throw new Error(`the stream ended without it:\n${raw}`);
        await more();
      }
      return raw;
    },
    cancel: () => reader.cancel(),
  };
}

const keyHeader = (key: string) => ({ authorization: `Klaviyo-API-Key ${key}` });

function createItemsJob(prefix: string, count: number) {
  return {
    data: {
      type: 'catalog-item-bulk-create-job' as any,
      attributes: { items: { data: Array.from({ length: count }, (_, i) => ({
        type: 'catalog-item' as any,
        attributes: { externalId: `${prefix}-${i}`, title: `T ${i}`, description: 'd', url: `https://shop.example/${prefix}-${i}` },
      })) } },
    },
  };
}

await forEachStore('job event stream, jobs run by a separate worker process', (target) => {
  let server: RunningServer;
  before(async () => {
    // No worker in the API process: the job stays processing until the test starts one.
    server = await startServer({
      databaseUrl: await target.freshDatabaseUrl(),
      args: ['--no-worker'],
      env: { CATALOG_JOB_PACE: 'realistic', CATALOG_JOB_PACE_SCALE: '0.001', CATALOG_STREAM_POLL_MS: '50' },
    });
  });
  after(() => server.stop());

  let jobId: string;
  it('sends the job at once, then each change until it is complete, then ends', async () => {
    const api = sdk(server.url, server.key);
    jobId = (await api.bulkCreateCatalogItems(createItemsJob('STREAM', 3))).body.data.id!;
    const stream = await openStream(`${server.url}/__admin/jobs/${jobId}/stream`, keyHeader(server.key));
    assert.equal(stream.status, 200);
    assert.equal(stream.headers.get('content-type'), 'text/event-stream');
    assert.equal(stream.headers.get('cache-control'), 'no-store');
    const first = await stream.next();
    assert.equal(first?.event, 'job');
    const processing = JSON.parse(first!.data);
    assert.equal(processing.id, jobId);
    assert.equal(processing.type, 'catalog-item-bulk-create-job');
    assert.deepEqual([processing.attributes.status, processing.attributes.completed_count, processing.attributes.total_count], ['processing', 0, 3]);

    const worker = await startWorker(server.databaseUrl, { CATALOG_JOB_PACE: 'realistic', CATALOG_JOB_PACE_SCALE: '0.001' });
    try {
      const later: ServerEvent[] = [];
      for (let event = await stream.next(); event; event = await stream.next()) later.push(event);
      assert.ok(later.length >= 1, 'at least the final state follows');
      const sent = [first!, ...later].map((e) => e.data);
      assert.equal(new Set(sent).size, sent.length, 'an unchanged job is not sent again');
      const last = JSON.parse(later.at(-1)!.data);
      assert.deepEqual([last.attributes.status, last.attributes.completed_count, last.attributes.failed_count], ['complete', 3, 0]);
      // The same resource object GET renders.
      const got = await api.getBulkCreateCatalogItemsJob(jobId);
      assert.deepEqual(last, got.response.data.data);
    } finally {
      await worker.stop();
    }
  });

  it('sends a finished job once and ends', async () => {
    const stream = await openStream(`${server.url}/__admin/jobs/${jobId}/stream`, keyHeader(server.key));
    const only = await stream.next();
    assert.equal(JSON.parse(only!.data).attributes.status, 'complete');
    assert.equal(await stream.next(), undefined);
  });

  it('is account-scoped: another account, a read-only key, no key and unknown ids are refused', async () => {
    const other = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'stream-other') };
    const readOnly = { url: server.url, key: createKeyWithCli(server.databaseUrl, 'default', 'catalogs:read') };
    const path = `/__admin/jobs/${jobId}/stream`;
    const foreign = await http(other, 'GET', path);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.errors[0].code, 'not_found');
    assert.equal((await http(readOnly, 'GET', path)).body.errors[0].code, 'permission_denied');
    assert.equal((await http(server, 'GET', path, undefined, { authorization: undefined })).body.errors[0].code, 'not_authenticated');
    const unknown = await http(server, 'GET', '/__admin/jobs/01JUNKNOWNJOB00000000000000/stream');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.errors[0].detail, /no job with id '01JUNKNOWNJOB00000000000000'/);
  });
});

describe('job event stream with CATALOG_CONTROLS=off', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_CONTROLS: 'off' } });
  });
  after(() => server.stop());

  it('does not exist', async () => {
    const jobId = (await sdk(server.url, server.key).bulkCreateCatalogItems(createItemsJob('OFF', 1))).body.data.id!;
    const answer = await http(server, 'GET', `/__admin/jobs/${jobId}/stream`);
    assert.equal(answer.status, 404);
    assert.equal(answer.body.errors[0].code, 'not_found');
  });
});

/** Timers the test fires by hand: `tick(ms)` runs everything registered to run every `ms`. */
class ManualTicker implements Ticker {
  private readonly timers = new Set<{ ms: number; fn: () => void }>();
  every(ms: number, fn: () => void) {
    const timer = { ms, fn };
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }
  tick(ms: number): void {
    for (const t of [...this.timers]) if (t.ms === ms) t.fn();
  }
  count(ms: number): number {
    return [...this.timers].filter((t) => t.ms === ms).length;
  }
}

describe('job event stream, in process with timers ticked by hand', () => {
  const POLL = 7;
  const KEEP_ALIVE = 11;
  const ticker = new ManualTicker();
  const job: JobRecord = {
    id: 'J1', account: 'a', type: 'catalog-item-bulk-update-job', status: 'processing', totalCount: 2, completedCount: 0, failedCount: 0,
    errors: [], resourceIds: [], createdAt: '2026-01-01T00:00:00.000Z', completedAt: null, expiresAt: '2026-01-08T00:00:00.000Z',
  };
  let reads = 0;
  let app: FastifyInstance;
  let url: string;
  before(async () => {
    app = Fastify();
    app.decorateRequest('account', '');
    registerErrorHandling(app);
    // Stands in for auth: the account is the one the test names.
    app.addHook('onRequest', async (request) => {
      request.account = String(request.headers['x-account']);
    });
    const store = {
      async getJob(account: string, type: string, id: string) {
        reads++;
        return account === job.account && type === job.type && id === job.id ? structuredClone(job) : undefined;
      },
    };
    registerJobStream(app, { store, clock: { now: () => new Date('2026-01-02T00:00:00Z') }, streams: new EventStreams(app, ticker, KEEP_ALIVE), ticker, pollMs: POLL });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/__admin/jobs/J1/stream`;
  });
  after(() => app.close()); // closed by the last test; again if it failed before

  /** Fires the poll timer and waits until the store has been read. */
  async function poll(): Promise<void> {
    const before = reads;
    ticker.tick(POLL);
    while (reads === before) await new Promise((resolve) => setImmediate(resolve));
  }

  it('sends changes only, a keep-alive comment on its tick, and ends after the terminal state', async () => {
    const stream = await openStream(url, { 'x-account': 'a' });
    assert.equal(JSON.parse((await stream.next())!.data).attributes.completed_count, 0);
    await poll();
    await poll(); // nothing changed twice: nothing sent
    ticker.tick(KEEP_ALIVE);
    await stream.until((raw) => raw.includes(': keep-alive\n\n'));
    job.completedCount = 1;
    await poll();
    const second = JSON.parse((await stream.next())!.data);
    assert.equal(second.attributes.completed_count, 1, 'the next event is the change, not a repeat');
    Object.assign(job, { completedCount: 2, status: 'complete', completedAt: '2026-01-02T00:00:00.000Z' });
    await poll();
    assert.equal(JSON.parse((await stream.next())!.data).attributes.status, 'complete');
    assert.equal(await stream.next(), undefined, 'the stream ends');
    assert.equal(ticker.count(POLL) + ticker.count(KEEP_ALIVE), 0, 'its timers are stopped');
  });

  it('ends with `gone` when the job disappears', async () => {
    Object.assign(job, { id: 'J2', status: 'processing', completedAt: null });
    const stream = await openStream(url.replace('J1', 'J2'), { 'x-account': 'a' });
    await stream.next();
    job.id = 'J3'; // J2 is no longer found
    await poll();
    assert.equal((await stream.next())?.event, 'gone');
    assert.equal(await stream.next(), undefined);
  });

  it(`refuses more than ${MAX_STREAMS_PER_ACCOUNT} open streams of one account, not of another`, async () => {
    Object.assign(job, { id: 'J1', status: 'processing' });
    const open = await Promise.all(Array.from({ length: MAX_STREAMS_PER_ACCOUNT }, () => openStream(url, { 'x-account': 'a' })));
    assert.ok(open.every((s) => s.status === 200));
    const refused = await fetch(url, { headers: { 'x-account': 'a' } });
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).errors[0].code, 'throttled');
    assert.equal((await fetch(url, { headers: { 'x-account': 'b' } })).status, 404, 'another account is not held up (and sees no job)');
    await open[0].cancel();
    // The freed place is reusable once the server has seen the client go.
    for (let tries = 0; ; tries++) {
      const again = await fetch(url, { headers: { 'x-account': 'a' } });
      if (again.status === 200) {
        await again.body!.cancel();
        break;
      }
      assert.ok(tries < 1000, 'a closed stream gives its place back');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(open.slice(1).map((s) => s.cancel()));
  });

  it('ends open streams when the server closes', async () => {
    const stream = await openStream(url, { 'x-account': 'a' });
    await stream.next();
    const closing = app.close();
    assert.equal(await stream.next(), undefined, 'the stream ends cleanly');
    // undici opens a spare connection after a cancelled body (the test above) and never uses it; close()
    // would wait for it until it timed out.
    app.server.closeAllConnections();
    await closing;
  });
});
