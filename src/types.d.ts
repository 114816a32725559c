// What this server adds to Fastify's request, route config and instance.
import 'fastify';
import type { Operation } from './http/operations.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The spec operation a route implements: its scopes and rate limits come from the operations table. */
    operation?: Operation;
    /** A test control (under /__admin/): `account` ones need a full-access key and act on its account. */
    control?: 'account';
    /** A control route's operationId-like name (e.g. `get_journal`), for metrics, OpenAPI and the journal. */
    controlName?: string;
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
  interface FastifyInstance {
    publicUrl: string | undefined;
  }
}

declare global {
  // ES2024, in Node from 20: not in the ES2022 library this project compiles against.
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}
