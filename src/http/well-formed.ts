// JSON may escape a lone UTF-16 surrogate ("\ud800"), which no store or link can carry: it is not Unicode.
// One check over every parsed body, before schema validation and so before anything is stored, answers
// a 400 pointing at the first string (or member name) that is not well-formed.
import type { FastifyInstance } from 'fastify';
import { invalid } from './errors.js';

/** `\uD800` to `\uDFFF`, in any case: the escapes that can make a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** The JSON pointer of the first ill-formed string in `value`, or undefined. Iterative: bodies nest deeply. */
export function illFormedAt(value: unknown): string | undefined {
  const pending: Array<[unknown, string]> = [[value, '']];
  while (pending.length) {
    const [v, pointer] = pending.pop()!;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return pointer || '/';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) pending.push([v[i], `${pointer}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, member] = entries[i];
        if (!name.isWellFormed()) return `${pointer}/${escape(name.toWellFormed())}`;
        pending.push([member, `${pointer}/${escape(name)}`]);
      }
    }
  }
  return undefined;
}

export function registerWellFormedBodies(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    // Decoded UTF-8 holds no surrogate: one can only come from a \u escape, so a text without one needs no walk.
    if (request.body === undefined || (typeof request.rawBody === 'string' && !SURROGATE_ESCAPE.test(request.rawBody))) return done();
    const pointer = illFormedAt(request.body);
    if (pointer !== undefined) throw invalid('Strings must be well-formed Unicode; this one contains a lone surrogate.', { pointer });
    done();
  });
}
