// Rate-limit counters in Redis, shared by every server process (REDIS_URL). Redis is an aid, not a
// dependency: when it is unreachable or slow, a limiter call fails at once and rate-limit.ts lets the
// request through (fail open), while ioredis keeps reconnecting in the background.
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { countRedisError } from '../ops/metrics.js';
import type { LimiterFactory } from './rate-limit.js';

export interface RedisLimiters {
  factory: LimiterFactory;
  /** Resolves when Redis answers (readiness); fails at once while it is unreachable. */
  ping(): Promise<unknown>;
  close(): Promise<void>;
}

export function redisLimiters(url: string, log: FastifyBaseLogger): RedisLimiters {
  const client = new Redis(url, {
    // No queueing while disconnected and a short timeout: a request never waits on Redis for long.
    enableOfflineQueue: false,
    commandTimeout: 500,
    maxRetriesPerRequest: 0,
  });
  // ioredis reports every failed reconnect; log the outage once, and its end. A listener is also what keeps
  // an 'error' event from crashing the process.
  let down = false;
  client.on('error', (err) => {
    countRedisError('connection');
    if (!down) log.warn({ err }, 'redis unreachable; rate limits are not enforced until it is back');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.warn('redis reachable again; rate limits enforced');
    down = false;
  });
  return {
    factory: (name, points, seconds) =>
      new RateLimiterRedis({ storeClient: client, rejectIfRedisNotReady: true, keyPrefix: `catalog-rl:${name}`, points, duration: seconds }),
    ping: () => client.ping(),
    async close() {
      // quit() waits for a reply that never comes when Redis is down; disconnect() does not wait.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
