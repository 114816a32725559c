// How long an accepted job stays `processing` before the engine applies it.
// - instant: as soon as a worker gets to it (tests and CI).
// - realistic: after a delay drawn log-uniformly from 10 s to 6 min (times CATALOG_JOB_PACE_SCALE), the
//   range Klaviyo's live API was seen to take (12 s, 16 s and 4.5 min for 2-item jobs, 5.6 min for 6 items).
// - manual: held until a control releases it (apply N resources, complete, cancel).

export const PACES = ['instant', 'realistic', 'manual'] as const;
export type Pace = (typeof PACES)[number];

const REALISTIC_MIN_MS = 10_000;
const REALISTIC_MAX_MS = 360_000;

export interface PaceSettings {
  pace: Pace;
  /** Multiplies realistic delays: 0.01 turns 10 s - 6 min into 100 ms - 3.6 s. */
  scale: number;
}

/** When a job accepted at `now` may first run; null holds it until released. */
export function firstRunAfter(settings: PaceSettings, now: Date, random: () => number = Math.random): Date | null {
  switch (settings.pace) {
    case 'instant':
      return now;
    case 'manual':
      return null;
    case 'realistic': {
      const ms = REALISTIC_MIN_MS * (REALISTIC_MAX_MS / REALISTIC_MIN_MS) ** random();
      return new Date(now.getTime() + Math.round(ms * settings.scale));
    }
  }
}
