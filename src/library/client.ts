// A typed client of the control API (/__admin/), for tests in JavaScript or TypeScript. Account controls act on
// the account of `apiKey` (a full-access key); server-wide ones need `adminToken` (CATALOG_ADMIN_TOKEN).
// startCatalogServer() hands one out ready to use; against a server started otherwise, make one yourself.
import { Readable } from 'node:stream';
import { csvToFixture, describeInFeed } from '../fixtures/csv.js';
import type { CatalogFixture } from '../fixtures/format.js';
import type { ImportCounts } from '../fixtures/import.js';
import type { Pace } from '../jobs/pace.js';
import type { Scope } from '../scopes.js';

/** A JSON:API error object, as the server sends it. */
export interface ControlErrorObject {
  id: string;
  status: number;
  code: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string };
}

/** A control answered with an error: `status` and the JSON:API `errors` it sent. */
export class ControlError extends Error {
  constructor(readonly status: number, readonly errors: ControlErrorObject[], where?: string) {
    const first = errors[0];
    const at = where ?? first?.source?.pointer;
    super(`${status} ${first?.code ?? 'error'}: ${first?.detail ?? 'no detail'}${at ? ` (at ${at})` : ''}`);
    this.name = 'ControlError';
  }
}

export interface ControlsOptions {
  /** A full-access key of the account the account controls act on. */
  apiKey?: string;
  /** CATALOG_ADMIN_TOKEN, for the server-wide controls (accounts, clock). */
  adminToken?: string;
}

export interface AccountKey {
  id: string;
  /** The key itself: shown only when it is created. */
  key: string;
  scopes: Scope[];
}

export interface CreatedAccount {
  account: string;
  /** A full-access key of the account. */
  apiKey: string;
  /** The full-access key first, then one per scope list asked for. */
  keys: AccountKey[];
}

export interface AccountSummary {
  account: string;
  keys: { id: string; prefix: string; scopes: Scope[]; created_at: string; revoked_at: string | null }[];
}

export interface JobPaceState {
  /** The pace the account's next jobs get. */
  pace: Pace;
  /** CATALOG_JOB_PACE: the pace of accounts that set none. */
  serverPace: Pace;
}

export interface ClockState {
  now: Date;
  /** How far the clock is from real time. */
  offsetSeconds: number;
  real: boolean;
}

/** What a job step does to an unfinished job (see README "Control API"). */
export type JobStepRequest =
  | { action: 'apply'; count?: number }
  | { action: 'complete' }
  | { action: 'fail'; errors: { id: string; detail?: string }[] }
  | { action: 'cancel' };

/** A job as the API renders it (JSON:API resource object). */
export interface JobResource {
  type: string;
  id: string;
  attributes: {
    status: 'processing' | 'complete' | 'cancelled';
    created_at: string;
    total_count: number;
    completed_count: number;
    failed_count: number;
    completed_at: string | null;
    errors: { id: string; code: string; title: string; detail: string; source: { pointer: string }; meta: { id: string } }[];
    expires_at: string;
  };
  relationships?: Record<string, { data: { type: string; id: string }[] }>;
}

export class CatalogControls {
  constructor(readonly url: string, private readonly options: ControlsOptions = {}) {}

  /** The same controls, acting on the account of another full-access key. */
  forAccount(apiKey: string): CatalogControls {
    return new CatalogControls(this.url, { ...this.options, apiKey });
  }

  private async request<T>(auth: 'account' | 'admin', method: string, path: string, body?: unknown): Promise<T> {
    const secret = auth === 'account' ? this.options.apiKey : this.options.adminToken;
    if (!secret) throw new Error(auth === 'account' ? 'CatalogControls needs an apiKey for account controls' : 'CatalogControls needs the adminToken for server-wide controls');
    const headers: Record<string, string> = { authorization: auth === 'account' ? `Klaviyo-API-Key ${secret}` : `Bearer ${secret}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const document = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ControlError(response.status, document?.errors ?? []);
    return document as T;
  }

  // ---- account controls ----

  /** Deletes every item, variant, category, link, job and back-in-stock subscription of the account; keys stay. */
  async reset(): Promise<void> {
    await this.request('account', 'POST', '/__admin/reset');
  }

  /** The account's catalog as one fixture document (stable order). */
  exportFixture(): Promise<CatalogFixture> {
    return this.request('account', 'GET', '/__admin/fixtures');
  }

  /** Imports a fixture document, all or nothing; a bad entry throws a ControlError naming it. */
  async importFixture(fixture: CatalogFixture, options: { createMissingCategories?: boolean } = {}): Promise<ImportCounts> {
    const query = options.createMissingCategories ? '?create_missing_categories=true' : '';
    return (await this.request<{ data: { attributes: ImportCounts } }>('account', 'POST', `/__admin/fixtures${query}`, fixture)).data.attributes;
  }

  /** Imports a CSV product feed (one item per row), all or nothing; errors name the line and column. */
  async importCsv(csv: string): Promise<ImportCounts> {
    const feed = await csvToFixture(Readable.from([csv]));
    try {
      return await this.importFixture(feed.fixture, { createMissingCategories: true });
    } catch (err) {
      if (err instanceof ControlError) throw new ControlError(err.status, err.errors, describeInFeed(err.errors[0]?.source?.pointer, feed.lines));
      throw err;
    }
  }

  async getJobPace(): Promise<JobPaceState> {
    return paceState(await this.request('account', 'GET', '/__admin/jobs/pace'));
  }

  /** The pace of the jobs the account submits from now on; null: the server's again. */
  async setJobPace(pace: Pace | null): Promise<JobPaceState> {
    return paceState(await this.request('account', 'PUT', '/__admin/jobs/pace', { data: { type: 'job-pace', attributes: { pace } } }));
  }

  /** Steps an unfinished job of the account; resolves to the job as it then stands. */
  async stepJob(jobId: string, step: JobStepRequest): Promise<JobResource> {
    return (await this.request<{ data: JobResource }>('account', 'POST', `/__admin/jobs/${encodeURIComponent(jobId)}/actions`, step)).data;
  }

  /** Applies the next `count` resources of a held job. */
  applyJob(jobId: string, count = 1): Promise<JobResource> {
    return this.stepJob(jobId, { action: 'apply', count });
  }

  /** Applies the rest of a held job. */
  completeJob(jobId: string): Promise<JobResource> {
    return this.stepJob(jobId, { action: 'complete' });
  }

  /** Fails the named resources (compound ids) of a job now, each with its error detail. */
  failJob(jobId: string, errors: { id: string; detail?: string }[]): Promise<JobResource> {
    return this.stepJob(jobId, { action: 'fail', errors });
  }

  /** Cancels a job: what it applied stays, the rest never is. */
  cancelJob(jobId: string): Promise<JobResource> {
    return this.stepJob(jobId, { action: 'cancel' });
  }

  // ---- server-wide controls (admin token) ----

  /** A new, isolated account with a full-access key, and a key for each scope list in `scopes`. */
  async createAccount(options: { scopes?: Scope[][] } = {}): Promise<CreatedAccount> {
    const { data } = await this.request<{ data: { id: string; attributes: { api_key: string; keys: AccountKey[] } } }>('admin', 'POST', '/__admin/accounts', options);
    return { account: data.id, apiKey: data.attributes.api_key, keys: data.attributes.keys };
  }

  async listAccounts(): Promise<AccountSummary[]> {
    const { data } = await this.request<{ data: { id: string; attributes: { keys: AccountSummary['keys'] } }[] }>('admin', 'GET', '/__admin/accounts');
    return data.map((a) => ({ account: a.id, keys: a.attributes.keys }));
  }

  /** Deletes the account with everything it holds, keys included. */
  async deleteAccount(account: string): Promise<void> {
    await this.request('admin', 'DELETE', `/__admin/accounts/${encodeURIComponent(account)}`);
  }

  /** A new key for `account` (full access unless `scopes`); the key is shown only here. */
  async createKey(account: string, scopes?: Scope[]): Promise<AccountKey> {
    const { data } = await this.request<{ data: { id: string; attributes: { key: string; scopes: Scope[] } } }>('admin', 'POST', `/__admin/accounts/${encodeURIComponent(account)}/keys`, scopes ? { scopes } : {});
    return { id: data.id, key: data.attributes.key, scopes: data.attributes.scopes };
  }

  async revokeKey(account: string, keyId: string): Promise<void> {
    await this.request('admin', 'DELETE', `/__admin/accounts/${encodeURIComponent(account)}/keys/${encodeURIComponent(keyId)}`);
  }

  async getClock(): Promise<ClockState> {
    return clockState(await this.request('admin', 'GET', '/__admin/clock'));
  }

  /** Puts the server's clock at `time`; it runs on from there. */
  async setClock(time: Date | string): Promise<ClockState> {
    return clockState(await this.request('admin', 'PUT', '/__admin/clock', { time: time instanceof Date ? time.toISOString() : time }));
  }

  /** Moves the server's clock forward (or, negative, back) by `seconds`. */
  async advanceClock(seconds: number): Promise<ClockState> {
    return clockState(await this.request('admin', 'PUT', '/__admin/clock', { advance_seconds: seconds }));
  }

  /** Returns the server's clock to real time. */
  async useRealClock(): Promise<ClockState> {
    return clockState(await this.request('admin', 'PUT', '/__admin/clock', { real: true }));
  }
}

function paceState(document: { data: { attributes: { pace: Pace; server_pace: Pace } } }): JobPaceState {
  return { pace: document.data.attributes.pace, serverPace: document.data.attributes.server_pace };
}

function clockState(document: { data: { attributes: { now: string; offset_seconds: number; real: boolean } } }): ClockState {
  const a = document.data.attributes;
  return { now: new Date(a.now), offsetSeconds: a.offset_seconds, real: a.real };
}
