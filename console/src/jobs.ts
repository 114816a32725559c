// The nine bulk job kinds, from the server's own table (bundled at build).
import { JOB_KINDS, JOB_KIND_BY_TYPE, type JobKind } from '../../src/jobs/kinds.js';

export const STATUSES = ['processing', 'complete', 'cancelled', 'queued'] as const;

export function kindLabel(kind: JobKind): string {
  const resource = kind.resource.kind;
  return `${resource[0].toUpperCase()}${resource.slice(1)} bulk ${kind.action}`;
}

export const isFinished = (status: string | undefined) => status === 'complete' || status === 'cancelled';

export { JOB_KINDS, JOB_KIND_BY_TYPE, type JobKind };
