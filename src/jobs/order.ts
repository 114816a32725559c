// Jobs of one account that touch the same resource take effect in the order they were accepted, whatever
// their pace: a job waits while an earlier unfinished job that is not running (held, paced, backing off)
// touches one of its resources. Jobs on other resources pass it, as they would on Klaviyo.
import type { PendingJob } from '../catalog/model.js';
import { remainingRefs } from './apply.js';

export class HeldResources {
  private readonly keys = new Set<string>();

  private static keysOf(job: PendingJob): string[] {
    return remainingRefs(job).map((ref) => `${ref.kind}\u0000${ref.externalId}`);
  }

  /** A job that stays unfinished: later jobs on its resources must wait for it. */
  hold(job: PendingJob): void {
    for (const key of HeldResources.keysOf(job)) this.keys.add(key);
  }

  blocks(job: PendingJob): boolean {
    return this.keys.size > 0 && HeldResources.keysOf(job).some((key) => this.keys.has(key));
  }
}

const isDue = (job: PendingJob, now: string) => job.runAfter !== null && job.runAfter <= now;

/** Of an account's unfinished jobs in acceptance order, those that may run now (at most `limit`). */
export function runnableJobs(jobs: PendingJob[], now: string, limit: number): PendingJob[] {
  const held = new HeldResources();
  const chosen: PendingJob[] = [];
  for (const job of jobs) {
    if (chosen.length >= limit) break;
    if (isDue(job, now) && !held.blocks(job)) chosen.push(job);
    else held.hold(job);
  }
  return chosen;
}
