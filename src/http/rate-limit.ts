// Rate limits per account and operation in fixed windows: burst (1 s) and steady (60 s), figures from the
// operations table. Counters live in memory, or in Redis when REDIS_URL is set so that every server process
// shares them. Over a limit: 429 with Retry-After and no RateLimit-* headers; otherwise RateLimit-Limit names
// both windows (`75, 75;w=1, 750;w=60`, as Klaviyo sends it) and Remaining/Reset describe the steady window.
import type { FastifyInstance } from 'fastify';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { countRateLimited, countRedisError } from '../ops/metrics.js';
import { ApiError } from './errors.js';
import { routeConfig } from './route-config.js';

export type LimiterFactory = (name: string, points: number, seconds: number) => RateLimiterAbstract;

export const memoryLimiters: LimiterFactory = (name, points, seconds) =>
  new RateLimiterMemory({ keyPrefix: name, points, duration: seconds });

/** Where Klaviyo's 429 errors send the client (their `links.type`). */
export const RATE_LIMIT_DOCS = 'https://developers.klaviyo.com/en/docs/rate_limits_and_error_handling#rate-limits';

/** The 429 error as Klaviyo writes it (`detail` for other limits, such as jobs in progress). */
export function throttled(seconds: number, detail = `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`): ApiError {
  return new ApiError(429, 'throttled', detail, { pointer: '/data' }, { 'Retry-After': String(seconds) }, { links: { type: RATE_LIMIT_DOCS }, meta: [] });
}

export function registerRateLimits(app: FastifyInstance, makeLimiter: LimiterFactory): void {
  const limiters = new Map<string, { burst: RateLimiterAbstract; steady: RateLimiterAbstract }>();
  function limitersFor(id: string, burst: number, steady: number) {
    let pair = limiters.get(id);
    if (!pair) {
      pair = { burst: makeLimiter(`${id}:burst`, burst, 1), steady: makeLimiter(`${id}:steady`, steady, 60) };
      limiters.set(id, pair);
    }
    return pair;
  }

  async function consume(operation: string, window: 'burst' | 'steady', limiter: RateLimiterAbstract, account: string): Promise<RateLimiterRes | undefined> {
    try {
      return await limiter.consume(account);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        countRateLimited(operation, window);
        throw throttled(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      }
      // The counter store (Redis: memory counters never fail) is unreachable: serve the request rather than
      // fail it (fail open). The store's client reports the outage itself, once; this would repeat it for every request.
      countRedisError('command');
      app.log.debug({ err }, 'rate limiter unavailable; request allowed');
      return undefined;
    }
  }

  app.addHook('onRequest', async (request, reply) => {
    const op = routeConfig(request).operation;
    if (!op || !request.account) return;
    const { burst, steady } = limitersFor(op.id, op.rateLimit.burst, op.rateLimit.steady);
    await consume(op.id, 'burst', burst, request.account);
    const res = await consume(op.id, 'steady', steady, request.account);
    if (!res) return;
    reply.header('RateLimit-Limit', `${op.rateLimit.burst}, ${op.rateLimit.burst};w=1, ${op.rateLimit.steady};w=60`);
    reply.header('RateLimit-Remaining', res.remainingPoints);
    reply.header('RateLimit-Reset', Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
  });
}
