// How often a publish's state is polled. The first polls come quickly, since
// small apps are READY within a second; the gap then grows to a cap, so that
// a version that takes minutes costs the server one request every few
// seconds. Jitter keeps many waiting versions from polling in lockstep.
// What a run learns of its own publishes adjusts this (ready-timing.ts).

export interface PollSchedule {
  /** Gap before the first poll. */
  initialMs: number;
  /** Each gap is the previous one times this. */
  factor: number;
  /** No gap is longer than this (before jitter). */
  maxMs: number;
  /** Each gap is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = { initialMs: 100, factor: 1.5, maxMs: 5000, jitter: 0.2 };

/** The gap before poll number `attempt` (0-based). */
export function pollDelay(attempt: number, random: () => number, schedule: PollSchedule = DEFAULT_POLL_SCHEDULE): number {
  const base = Math.min(schedule.maxMs, schedule.initialMs * schedule.factor ** attempt);
  const scale = 1 - schedule.jitter + 2 * schedule.jitter * random();
  return Math.round(base * scale);
}

/** The gap to wait when the server asked for one: never shorter than it asked. */
export function honourRetryAfter(delayMs: number, retryAfterMs: number | undefined): number {
  return retryAfterMs !== undefined && retryAfterMs > delayMs ? retryAfterMs : delayMs;
}
