// Fault rules: what a rule matches (operationId, method, path pattern), what it does (an error status, latency,
// a dropped connection, a truncated body), when (before the operation runs, or after it, replacing its
// answer) and how often (the next N matching requests, with a seeded probability, or until deleted).
// Rules belong to an account and live in the memory of the process that was told about them.
import { ulid } from 'ulid';
import { document, object } from '../api/schemas.js';
import { invalid } from '../http/errors.js';
import { OPERATIONS } from '../http/operations.js';
import { METHODS } from './filter.js';
import { freshSeed, seededRandom, type Random } from './random.js';

export type FaultAction =
  | { type: 'status'; status: number; code: string; detail?: string; retry_after?: number }
  | { type: 'latency'; ms: number }
  | { type: 'latency'; min_ms: number; max_ms: number }
  | { type: 'drop' }
  | { type: 'truncate' };

export interface FaultRule {
  id: string;
  operation: string | undefined;
  method: string | undefined;
  path: string | undefined;
  when: 'before' | 'after';
  action: FaultAction;
  times: number | undefined;
  probability: number | undefined;
  /** Seeds the rule's draws (probability, latency range): the same seed replays the same faults. */
  seed: number;
  fired: number;
  createdAt: Date;
  pathPattern: RegExp | undefined;
  random: Random;
}

export const MAX_RULES_PER_ACCOUNT = 100;
export const MAX_LATENCY_MS = 60_000;

/** The Klaviyo error code each status answers with unless the rule names one. */
const DEFAULT_CODES: Record<number, string> = {
  400: 'invalid', 401: 'not_authenticated', 403: 'permission_denied', 404: 'not_found', 405: 'method_not_allowed',
  408: 'request_timeout', 409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 429: 'throttled',
  500: 'error', 502: 'bad_gateway', 503: 'service_unavailable', 504: 'gateway_timeout', 524: 'timeout',
};
/** The server errors an integration meets in practice, the ones the official SDKs retry among them. */
const SERVER_STATUSES = [500, 502, 503, 504, 524];

/** The JSON:API envelope; the fields' combinations are checked in parseRule, with clearer messages. */
export const ruleBody = document(object({
  type: { enum: ['fault-rule'] },
  attributes: object({
    operation: { type: 'string' },
    method: { type: 'string' },
    path: { type: 'string', minLength: 1, maxLength: 1000 },
    when: { enum: ['before', 'after'] },
    action: object({
      type: { type: 'string' },
      status: { type: 'integer' },
      code: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
      detail: { type: 'string', minLength: 1, maxLength: 1000 },
      retry_after: { type: 'integer', minimum: 0, maximum: 86_400 },
      ms: { type: 'integer', minimum: 0, maximum: MAX_LATENCY_MS },
      min_ms: { type: 'integer', minimum: 0, maximum: MAX_LATENCY_MS },
      max_ms: { type: 'integer', minimum: 0, maximum: MAX_LATENCY_MS },
    }, ['type']),
    times: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    probability: { type: 'number', minimum: 0, maximum: 1 },
    seed: { type: 'integer', minimum: 0, maximum: 4_294_967_295 },
  }, ['action']),
}, ['type', 'attributes']));

export interface RuleAttributes {
  operation?: string;
  method?: string;
  path?: string;
  when?: 'before' | 'after';
  action: Record<string, unknown> & { type: string };
  times?: number;
  probability?: number;
  seed?: number;
}

const at = (field: string) => ({ pointer: `/data/attributes/${field}` });

/** Only the fields an action takes: anything else is named, rather than silently ignored. */
function onlyFields(action: Record<string, unknown>, allowed: string[]): void {
  for (const name of Object.keys(action)) {
    if (name !== 'type' && !allowed.includes(name)) throw invalid(`'${name}' does not apply to a ${action.type} action.`, at(`action/${name}`));
  }
}

function parseAction(action: RuleAttributes['action']): FaultAction {
  switch (action.type) {
    case 'status': {
      onlyFields(action, ['status', 'code', 'detail', 'retry_after']);
      const status = action.status as number | undefined;
      if (status === undefined) throw invalid(`A status action needs 'status'.`, at('action/status'));
      if (!((status >= 400 && status <= 499) || SERVER_STATUSES.includes(status))) {
        throw invalid(`'status' must be a 4xx status or one of ${SERVER_STATUSES.join(', ')}.`, at('action/status'));
      }
      const code = (action.code as string | undefined) ?? DEFAULT_CODES[status];
      if (!code) throw invalid(`Status ${status} has no usual Klaviyo error code: give one as 'code'.`, at('action/code'));
      if (status === 429 && code !== 'throttled') throw invalid(`A 429 is Klaviyo's 'throttled' error; leave 'code' out.`, at('action/code'));
      const parsed: FaultAction = { type: 'status', status, code };
      if (action.detail !== undefined) parsed.detail = action.detail as string;
      // Klaviyo's 429 always says when to come back: one second unless the rule says otherwise.
      const retryAfter = (action.retry_after as number | undefined) ?? (status === 429 ? 1 : undefined);
      if (retryAfter !== undefined) parsed.retry_after = retryAfter;
      return parsed;
    }
    case 'latency': {
      onlyFields(action, ['ms', 'min_ms', 'max_ms']);
      const { ms, min_ms: min, max_ms: max } = action as { ms?: number; min_ms?: number; max_ms?: number };
      if (ms !== undefined && min === undefined && max === undefined) return { type: 'latency', ms };
      if (ms === undefined && min !== undefined && max !== undefined) {
        if (min > max) throw invalid(`'min_ms' must not be above 'max_ms'.`, at('action/min_ms'));
        return { type: 'latency', min_ms: min, max_ms: max };
      }
      throw invalid(`A latency action takes either 'ms', or both 'min_ms' and 'max_ms'.`, at('action'));
    }
    case 'drop':
    case 'truncate':
      onlyFields(action, []);
      return { type: action.type };
    default:
      throw invalid(`'${action.type}' is not an action: use status, latency, drop or truncate.`, at('action/type'));
  }
}

/** `*` stands for any characters but `/`, `**` for any characters; the rest matches itself. */
function pathPattern(glob: string): RegExp {
  const body = glob.replace(/\/+$/, '').split(/(\*\*|\*)/).map((part) => {
    if (part === '**') return '.*';
    if (part === '*') return '[^/]*';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${body}/?$`);
}

export function parseRule(a: RuleAttributes, now: Date): FaultRule {
  if (a.operation !== undefined && !OPERATIONS.has(a.operation)) {
    throw invalid(`'${a.operation}' is not an operationId of the Catalogs API (such as create_catalog_item); leave it out to match every operation.`, at('operation'));
  }
  const method = a.method?.toUpperCase();
  if (method !== undefined && !METHODS.includes(method)) throw invalid(`'method' must be one of ${METHODS.join(', ')}.`, at('method'));
  if (a.path !== undefined && !a.path.startsWith('/')) throw invalid(`'path' must start with '/', as in /api/catalog-items/*.`, at('path'));
  const action = parseAction(a.action);
  // A truncated body is a cut answer: there is none before the operation has run.
  if (action.type === 'truncate' && a.when === 'before') throw invalid(`A truncate action acts on the answer: use 'when': 'after'.`, at('when'));
  if (a.seed !== undefined && a.probability === undefined && !(action.type === 'latency' && 'min_ms' in action)) {
    throw invalid(`'seed' seeds the draws of 'probability' or of a latency range; this rule has neither.`, at('seed'));
  }
  const seed = a.seed ?? freshSeed();
  return {
    id: ulid(),
    operation: a.operation,
    method,
    path: a.path,
    when: a.when ?? (action.type === 'truncate' ? 'after' : 'before'),
    action,
    times: a.times,
    probability: a.probability,
    seed,
    fired: 0,
    createdAt: now,
    pathPattern: a.path === undefined ? undefined : pathPattern(a.path),
    random: seededRandom(seed),
  };
}

export function renderRule(rule: FaultRule) {
  return {
    type: 'fault-rule',
    id: rule.id,
    attributes: {
      operation: rule.operation ?? null,
      method: rule.method ?? null,
      path: rule.path ?? null,
      when: rule.when,
      action: rule.action,
      times: rule.times ?? null,
      probability: rule.probability ?? null,
      seed: rule.seed,
      fired: rule.fired,
      created_at: rule.createdAt.toISOString(),
    },
  };
}

/** The milliseconds a latency action waits: fixed, or drawn uniformly from its range with the rule's seed. */
export function latencyOf(rule: FaultRule): number {
  const { action } = rule;
  if (action.type !== 'latency') return 0;
  if ('ms' in action) return action.ms;
  return action.min_ms + Math.floor(rule.random.next() * (action.max_ms - action.min_ms + 1));
}

export class FaultRules {
  private readonly byAccount = new Map<string, FaultRule[]>();

  add(account: string, rule: FaultRule): void {
    const rules = this.byAccount.get(account) ?? [];
    if (rules.length >= MAX_RULES_PER_ACCOUNT) throw invalid(`An account has at most ${MAX_RULES_PER_ACCOUNT} fault rules; delete some first.`, { pointer: '/data' });
    rules.push(rule);
    this.byAccount.set(account, rules);
  }

  list(account: string): readonly FaultRule[] {
    return this.byAccount.get(account) ?? [];
  }

  delete(account: string, id: string): boolean {
    const rules = this.byAccount.get(account);
    const i = rules?.findIndex((r) => r.id === id) ?? -1;
    if (i === -1) return false;
    rules!.splice(i, 1);
    if (rules!.length === 0) this.byAccount.delete(account);
    return true;
  }

  clear(account: string): void {
    this.byAccount.delete(account);
  }

  /**
   * The rule that fires for this request, counted as fired; undefined when none does. Rules are tried in
   * the order they were made and the first that fires acts alone. A rule with a probability draws once per
   * matching request it is tried on, so the same requests in the same order replay the same faults.
   */
  fire(account: string, operation: string, method: string, path: () => string): FaultRule | undefined {
    const rules = this.byAccount.get(account);
    if (!rules) return undefined;
    for (const rule of rules) {
      if (rule.times !== undefined && rule.fired >= rule.times) continue;
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.pathPattern && !rule.pathPattern.test(path())) continue;
      if (rule.probability !== undefined && rule.random.next() >= rule.probability) continue;
      rule.fired++;
      return rule;
    }
    return undefined;
  }
}
