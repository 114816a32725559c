// What this server adds to Fastify's request, route config and instance.
import 'fastify';
import type { Cursors } from './http/cursors.js';
import type { Operation } from './http/operations.js';
import type { QuerySpec } from './http/query.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The spec operation a route implements: its scopes and rate limits come from the operations table. */
    operation?: Operation;
    /**
     * A test control (under /__admin/): `account` ones need a full-access key and act on its account; `admin`
     * ones (server-wide) need `Authorization: Bearer <CATALOG_ADMIN_TOKEN>`.
     */
    control?: 'account' | 'admin';
    /** A control's operationId-like name (e.g. `reset_account`), for metrics, the OpenAPI document and the journal. */
    controlName?: string;
    /** The query parameters a route accepts (http/query.ts parses by it; the OpenAPI document lists it). */
    query?: QuerySpec;
  }
  interface FastifyRequest {
    /** The account of the authenticated API key. */
    account: string;
    /**
     * The account the presented key belongs to, set even when the key was refused (revoked, or lacking the
     * operation's scope): the journal records refused requests for it. Empty when no known key was sent.
     */
    keyAccount: string;
    /** The body text as received, for the journal (JSON bodies only; undefined when there was none). */
    rawBody: string | undefined;
  }
  /** Route documentation beside the validation schemas, in @fastify/swagger's names; ops/openapi.ts reads them. */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    /** Media types of the success answer, when not JSON. */
    produces?: string[];
    /** OpenAPI security requirements, when not those the route's config implies. */
    security?: Record<string, string[]>[];
  }
  interface FastifyInstance {
    publicUrl: string | undefined;
    /** Drops this process's cached key lookups, so that a deleted or revoked key stops working at once here. */
    forgetKeys(): void;
    /** Seals and opens page cursors (the deployment's secret, from the store). */
    cursors: Cursors;
  }
}

declare global {
  // ES2024, in Node from 20: not in the ES2022 library this project compiles against.
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}
