// Records every answered API request in the journal of the account that made it: the account of the key it
// authenticated with, or, when the key was refused but belongs to an account (revoked, or lacking a scope),
// that account. Requests with no key or an unknown one belong to nobody and are not recorded.
// Runs in onSend, after any `after` fault has acted, so the entry shows what the client was sent.
import type { IncomingHttpHeaders } from 'node:http';
import type { onSendHookHandler } from 'fastify';
import type { Operation } from '../http/operations.js';
import type { Clock } from '../clock.js';
import { heldBytes } from './bodies.js';
import { answeredHeaders, type Capture } from './entry.js';
import type { Journal } from './journal.js';

/** How often the wall clock is read again: often enough to follow a test clock that was moved. */
const CLOCK_CHECK_MS = 10;

/**
 * Wall-clock time from the monotonic clock Fastify times requests with (performance.now()). The offset between
 * the two is kept while it holds within a millisecond (Date.now() truncates), so that entries in arrival order
 * also read in time order; it is taken anew when the clock moves (a test clock set, NTP).
 */
function wallClock(clock: Clock): (monotonic: number, now: number) => number {
  let offset = NaN;
  let checkedAt = -Infinity;
  return (monotonic, now) => {
    if (now - checkedAt >= CLOCK_CHECK_MS) {
      checkedAt = now;
      const fresh = clock.now().getTime() - now;
      if (!(Math.abs(fresh - offset) <= 1)) offset = fresh;
    }
    return Math.floor(offset + monotonic);
  };
}

/**
 * `next`, or `previous` when it holds the same headers. A client sends the same headers request after request,
 * and an operation answers with the same ones: sharing one object among entries spares the garbage collector
 * the thousand equal objects a full ring would otherwise hold (the journal's main cost, in the bench).
 */
function sameOr<T extends Record<string, unknown>>(previous: T | undefined, next: T): T {
  if (previous === undefined) return next;
  let names = 0;
  for (const name in next) {
    if (previous[name] !== next[name]) return next;
    names++;
  }
  for (const _ in previous) names--;
  return names === 0 ? previous : next;
}

/** The onSend hook that records the requests of operation `op`. */
export function recorder(journal: Journal, clock: Clock): (op: Operation) => onSendHookHandler {
  const wallTime = wallClock(clock);
  return (op) => {
    let sent: IncomingHttpHeaders | undefined;
    let answered: Record<string, unknown> | undefined;
    return (request, reply, payload, done) => {
      const account = request.account || request.keyAccount;
      if (!account) return done(null, payload);
      const durationMs = reply.elapsedTime;
      const now = performance.now();
      // Fastify's own start of the request, on its clock.
      const arrival = now - durationMs;
      const fault = request.fault;
      const dropped = fault?.dropped === true;
      const { bodies } = journal;
      const requestBody = bodies.keep(request.rawBody);
      const responseBody = dropped ? undefined : bodies.keep(payload);
      const lost = fault?.lost && { status: fault.lost.status, headers: fault.lost.headers, body: bodies.keep(fault.lost.payload) };
      const capture: Capture = {
        id: request.id,
        time: wallTime(arrival, now),
        arrival,
        method: request.method,
        url: request.url,
        operation: op.id,
        requestHeaders: (sent = sameOr(sent, request.headers)),
        requestBody,
        status: dropped ? null : reply.statusCode,
        responseHeaders: dropped ? {} : (answered = sameOr(answered, answeredHeaders(reply, payload))),
        responseBody,
        lost,
        durationMs,
        fault: fault?.rule,
        bytes: heldBytes(requestBody) + heldBytes(responseBody) + heldBytes(lost?.body),
      };
      journal.append(account, capture);
      done(null, payload);
    };
  };
}
