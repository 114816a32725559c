// What this server adds to Fastify's request, route config and instance.
import 'fastify';
import type { Operation } from './http/operations.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The spec operation a route implements: its scopes and rate limits come from the operations table. */
    operation?: Operation;
    /** A test control (under /__admin/): `account` ones need a full-access key and act on its account. */
    control?: 'account';
    /** An operationId-like name for a control route (e.g. `stream_job`), for metrics, the journal and docs. */
    controlName?: string;
  }
  interface FastifyRequest {
    /** The account of the authenticated API key. */
    account: string;
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
