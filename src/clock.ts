// Where the server reads the time. Everything that stamps or schedules (job creation, pace, expiry) asks a
// Clock rather than `new Date()`, so a test can hold or move time instead of sleeping.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
