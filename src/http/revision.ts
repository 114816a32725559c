// The `revision` header: YYYY-MM-DD with an optional .suffix, a real date, not in the future and at most two
// years old (each revision is supported for two years).
import type { FastifyInstance } from 'fastify';
import { invalid } from './errors.js';
import { routeConfig } from './route-config.js';

/** YYYY-MM-DD with an optional .suffix. */
export const REVISION_FORMAT = /^(\d{4})-(\d{2})-(\d{2})(\.[A-Za-z0-9]+)?$/;

export function revisionProblem(revision: string | undefined, today: Date): string | undefined {
  const todayText = today.toISOString().slice(0, 10);
  const oldest = new Date(Date.UTC(today.getUTCFullYear() - 2, today.getUTCMonth(), today.getUTCDate())).toISOString().slice(0, 10);
  const accepted = `a revision header of the form YYYY-MM-DD[.suffix] from ${oldest} to ${todayText}`;
  if (!revision) return `The revision header is required: send ${accepted}.`;
  const m = REVISION_FORMAT.exec(revision);
  const date = m && new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (!m || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`) {
    return `'${revision}' is not a valid revision: send ${accepted}.`;
  }
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  if (day > todayText) return `Revision '${revision}' is in the future: send ${accepted}.`;
  if (day < oldest) return `Revision '${revision}' is no longer supported: send ${accepted}.`;
  return undefined;
}

const DAY_MS = 86_400_000;

export function registerRevision(app: FastifyInstance): void {
  // Clients send the same one or two revisions all day: remember which were fine, for the current day.
  let dayEnds = -Infinity;
  const accepted = new Set<string>();
  app.addHook('onRequest', (request, _reply, done) => {
    if (!routeConfig(request).operation) return done();
    const header = request.headers.revision;
    const revision = Array.isArray(header) ? header[0] : header;
    const nowMs = Date.now();
    // A new day (or a clock set back) may change which revisions are accepted.
    if (nowMs >= dayEnds || nowMs < dayEnds - DAY_MS) {
      dayEnds = (Math.floor(nowMs / DAY_MS) + 1) * DAY_MS;
      accepted.clear();
    }
    if (revision !== undefined && accepted.has(revision)) return done();
    const problem = revisionProblem(revision, new Date(nowMs));
    if (problem) throw invalid(problem, { parameter: 'revision' });
    if (accepted.size < 100) accepted.add(revision!);
    done();
  });
}
