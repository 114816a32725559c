// Server-wide control: read, set or advance the server's clock, or return it to real time. Timestamps
// written, job pace and job expiry follow it; it keeps running from where it was put (see src/clock.ts).
import type { FastifyInstance } from 'fastify';
import type { StoredClock } from '../clock.js';
import { invalid } from '../http/errors.js';
import { send } from '../http/jsonapi.js';
import { klaviyoTime } from '../http/timestamps.js';

/** Far enough for any test (a job's 7 days, a year of subscriptions), near enough to stay a valid date. */
const MAX_OFFSET_SECONDS = 100 * 365 * 86_400;

const clockBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    time: { type: 'string' },
    advance_seconds: { type: 'number' },
    real: { enum: [true] },
  },
};

type ClockBody = { time?: string; advance_seconds?: number; real?: true };

export function registerClockControls(app: FastifyInstance, clock: StoredClock, onChange: () => void): void {
  const render = () => ({
    data: { type: 'clock', id: 'clock', attributes: { now: klaviyoTime(clock.now().toISOString()), offset_seconds: clock.offset / 1000, real: clock.offset === 0 } },
  });

  app.get('/__admin/clock', { config: { control: 'admin', controlName: 'get_clock' } }, async (_request, reply) => send(reply, 200, render()));

  app.put<{ Body: ClockBody }>('/__admin/clock', {
    config: { control: 'admin', controlName: 'set_clock' },
    schema: { body: clockBody },
  }, async (request, reply) => {
    const { time, advance_seconds: advance, real } = request.body;
    let offset = 0;
    if (time !== undefined) {
      const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(time) ? Date.parse(time) : NaN;
      if (Number.isNaN(at)) throw invalid('time must be an ISO 8601 date and time with an offset, e.g. 2030-01-01T00:00:00Z.', { pointer: '/time' });
      offset = at - Date.now();
    } else if (advance !== undefined) {
      offset = clock.offset + advance * 1000;
    } else if (real) {
      offset = 0;
    }
    if (Math.abs(offset) > MAX_OFFSET_SECONDS * 1000) {
      throw invalid(`The clock may be moved at most ${MAX_OFFSET_SECONDS} seconds (100 years) from real time.`, { pointer: time === undefined ? '/advance_seconds' : '/time' });
    }
    await clock.set(Math.round(offset));
    onChange();
    return send(reply, 200, render());
  });
}
