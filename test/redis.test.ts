// Rate limits shared through Redis (REDIS_URL): two server processes count against one budget, and a
// Redis that cannot be reached lets requests through instead of failing them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { withRedis } from './support/targets.ts';
import { createKeyWithCli, http, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const ITEM = '$custom:::$default:::RL-1';
const itemBody = {
  data: { type: 'catalog-item', attributes: { external_id: 'RL-1', title: 'Rate limited', description: 'D', url: 'https://shop.example/rl-1' } },
};

await withRedis('rate limits shared through Redis', (redisUrl) => {
  let servers: RunningServer[];
  before(async () => {
    const databaseUrl = await sqliteTarget.freshDatabaseUrl();
    // A fresh account, so that counters from other runs against the same Redis cannot interfere.
    const key = createKeyWithCli(databaseUrl, `rl-${randomBytes(6).toString('hex')}`);
    const env = { CATALOG_RATE_LIMITS: 'on', REDIS_URL: redisUrl };
    servers = [await startServer({ databaseUrl, key, env }), await startServer({ databaseUrl, key, env })];
  });
  after(() => Promise.all(servers.map((s) => s.stop())));

  it('lets no more than the burst limit through across both servers, and 429s say when to retry', async () => {
    assert.equal((await http(servers[0], 'POST', '/api/catalog-items', itemBody)).status, 201);
    const sent = 450; // get_catalog_item allows 350 a second per account
    const responses = await Promise.all(Array.from({ length: sent }, (_, i) => http(servers[i % 2], 'GET', `/api/catalog-items/${ITEM}`)));
    const ok = responses.filter((r) => r.status === 200);
    const throttled = responses.filter((r) => r.status === 429);
    assert.equal(ok.length + throttled.length, sent, 'every response is 200 or 429');
    // Each server alone sees 225 requests, under the limit: only a count shared through Redis throttles any.
    assert.ok(throttled.length > 0, 'some requests are throttled although neither server alone saw the limit');
    // Fixed windows: however the requests fall across them, a window's whole budget is served before a 429.
    assert.ok(ok.length >= 350, `at least the burst limit is served (${ok.length})`);
    for (const r of throttled) {
      assert.equal(r.body.errors[0].code, 'throttled');
      assert.equal(r.headers.get('retry-after'), '1');
    }
  });
});

await withRedis('rate limits when Redis is down', () => {
  let server: RunningServer;
  before(async () => {
    // Nothing listens on port 1: every limiter call fails at once.
    server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_RATE_LIMITS: 'on', REDIS_URL: 'redis://127.0.0.1:1' } });
  });
  after(() => server.stop());

  it('serves requests (fail open), logs the outage once and shuts down cleanly', async () => {
    assert.equal((await http(server, 'POST', '/api/catalog-items', itemBody)).status, 201);
    for (let i = 0; i < 20; i++) {
      const read = await http(server, 'GET', `/api/catalog-items/${ITEM}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.data.attributes.title, 'Rate limited');
    }
    assert.equal(server.process.exitCode, null, 'still running');
    assert.equal(server.output().match(/redis unreachable/g)?.length, 1, server.output());
    assert.equal(await server.stop(), 0);
  });
});
