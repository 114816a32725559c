// Fires fault rules. Each authenticated API request that passed validation is offered to its account's rules
// just before the operation would run (preHandler). A `before` fault acts there: the operation does not run.
// An `after` fault lets the operation run (a write is stored) and then acts on its answer (onSend): replaces
// it with an error, delays it, cuts it short or drops the connection instead of sending it.
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import type { Operation } from '../http/operations.js';
import { ApiError, prepareError } from '../http/errors.js';
import { throttled } from '../http/rate-limit.js';
import { countFaultFired } from '../ops/metrics.js';
import { captureAnswer, decodedPath, type FiredFault, type SentAnswer } from './entry.js';
import { latencyOf, type FaultAction, type FaultRule, type FaultRules } from './faults.js';

export interface FaultFiring {
  rule: FiredFault;
  /** What a latency action waits, drawn when the rule fired. */
  delayMs: number;
  /** The connection was closed instead of answering. */
  dropped: boolean;
  /** The operation's own answer, when an `after` fault replaced, cut or dropped it. */
  lost?: SentAnswer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The fault rule that fired for this request, if one did. */
    fault: FaultFiring | null;
  }
}

const DETAILS: Record<number, string> = {
  500: 'The server could not complete the request; it has been logged.',
  502: 'The server received an invalid response from an upstream server.',
  503: 'The service is temporarily unavailable; retry shortly.',
  504: 'An upstream server did not answer in time.',
  524: 'The server did not answer in time.',
};

/** The error a status action answers with; a 429 is exactly Klaviyo's throttled answer. */
function faultError(action: Extract<FaultAction, { type: 'status' }>): ApiError {
  const seconds = action.retry_after;
  if (action.status === 429) return action.detail ? throttled(seconds!, action.detail) : throttled(seconds!);
  const detail = action.detail ?? DETAILS[action.status] ?? `The request failed with status ${action.status}.`;
  return new ApiError(action.status, action.code, detail, undefined, seconds === undefined ? undefined : { 'Retry-After': String(seconds) });
}

/** Klaviyo's 429s carry Retry-After and none of the RateLimit-* headers every other answer has. */
function dropRateLimitHeaders(reply: FastifyReply): void {
  reply.removeHeader('ratelimit-limit');
  reply.removeHeader('ratelimit-remaining');
  reply.removeHeader('ratelimit-reset');
}

function drop(request: FastifyRequest): void {
  request.fault!.dropped = true;
  request.raw.socket?.destroy();
}

function summary(rule: FaultRule): FiredFault {
  return { id: rule.id, when: rule.when, action: rule.action };
}

export interface FaultHooks {
  /** Offers a request of `op` to its account's rules, and acts on a `before` fault. */
  preHandler(op: Operation): preHandlerHookHandler;
  /** Acts on an `after` fault. */
  onSend: onSendHookHandler;
}

export function faultFiring(app: FastifyInstance, rules: FaultRules): FaultHooks {
  app.decorateRequest('fault', null);

  const preHandler = (op: Operation): preHandlerHookHandler => (request, reply, done) => {
    if (!request.account) return done();
    const rule = rules.fire(request.account, op.id, request.method, () => decodedPath(request.url));
    if (!rule) return done();
    request.fault = { rule: summary(rule), delayMs: latencyOf(rule), dropped: false };
    countFaultFired(op.id, rule.action.type);
    if (rule.when === 'after') return done();
    const { action } = rule;
    switch (action.type) {
      case 'status':
        if (action.status === 429) dropRateLimitHeaders(reply);
        return done(faultError(action));
      case 'latency':
        setTimeout(done, request.fault.delayMs);
        return;
      case 'drop':
        drop(request);
        // Ends the lifecycle without the handler: the onSend hooks still record the request.
        reply.send();
        return;
      default:
        return done();
    }
  };

  const onSend: onSendHookHandler = (request, reply, payload, done) => {
    const fault = request.fault;
    if (fault === null || fault.rule.when !== 'after') return done(null, payload);
    const action = fault.rule.action as FaultAction;
    switch (action.type) {
      case 'status': {
        fault.lost = captureAnswer(reply, payload);
        if (action.status === 429) dropRateLimitHeaders(reply);
        return done(null, prepareError(reply, faultError(action)));
      }
      case 'latency':
        setTimeout(() => done(null, payload), fault.delayMs);
        return;
      case 'drop':
        fault.lost = captureAnswer(reply, payload);
        drop(request);
        return done(null, payload);
      case 'truncate': {
        fault.lost = captureAnswer(reply, payload);
        const bytes = typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : undefined;
        return done(null, bytes ? bytes.subarray(0, Math.floor(bytes.length / 2)) : payload);
      }
    }
  };

  return { preHandler, onSend };
}
