// Records every answered API request in the journal of the account that made it: the account of the key it
// authenticated with, or, when the key was refused but belongs to an account (revoked, or lacking a scope),
// that account. Requests with no key or an unknown one belong to nobody and are not recorded.
// Runs in onSend, after any `after` fault has acted, so the entry shows what the client was sent.
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../clock.js';
import { NO_ANSWER, captureResponse, captureText, type Capture } from './entry.js';
import type { Journal } from './journal.js';

/**
 * Wall-clock time from the monotonic clock Fastify times requests with: the offset between the two is kept
 * while it holds within a millisecond (Date.now() truncates), so that entries in arrival order also read in
 * time order; it is taken anew when the clock moves (a test clock set, NTP).
 */
function wallClock(clock: Clock): (monotonic: number) => number {
  let offset = NaN;
  return (monotonic) => {
    const fresh = clock.now().getTime() - performance.now();
    if (!(Math.abs(fresh - offset) <= 1)) offset = fresh;
    return offset + monotonic;
  };
}

export function registerRecorder(app: FastifyInstance, journal: Journal, clock: Clock): void {
  const wallTime = wallClock(clock);
  app.addHook('onSend', (request, reply, payload, done) => {
    const op = request.routeOptions.config.operation;
    const account = request.account || request.keyAccount;
    if (op === undefined || !account) return done(null, payload);
    const durationMs = reply.elapsedTime;
    // Fastify's own start of the request, on its clock (performance.now()).
    const arrival = performance.now() - durationMs;
    const fault = request.fault;
    const capture: Capture = {
      id: request.id,
      time: Math.floor(wallTime(arrival)),
      arrival,
      method: request.method,
      url: request.url,
      operation: op.id,
      requestHeaders: request.headers,
      requestBody: captureText(request.rawBody),
      response: fault?.dropped ? NO_ANSWER : captureResponse(reply, payload),
      lost: fault?.lost,
      durationMs,
      fault: fault?.rule,
    };
    journal.append(account, capture);
    done(null, payload);
  });
}
