// How long to wait before asking a busy server again: the one rule for reads
// (retried in ./http.ts) and publishes (sent again by src/apply/execute.ts).
// A server's Retry-After is honoured, but never below a floor (a `0`, a
// negative, unreadable or past value must not turn retries into a flood) and
// never beyond a cap (a server must not park a run for a day): a longer wish,
// or one that does not fit in the time left, stops the retries instead.

import { formatDuration } from '../apply/clock.js';

export interface RetryWaitLimits {
  /** No wait after a busy answer (409, 429, 5xx) is shorter than this, whatever Retry-After says. */
  floorMs: number;
  /** A Retry-After longer than this is not waited for: the retries stop. */
  maxRetryAfterMs: number;
}

/** Floor 1 s; Retry-After honoured up to 5 minutes. */
export const DEFAULT_RETRY_WAIT_LIMITS: RetryWaitLimits = { floorMs: 1000, maxRetryAfterMs: 5 * 60_000 };

export type RetryWait =
  | { wait: true; ms: number }
  /** `why` completes "stopped: ..." and names the wait asked for and the limit it passed. */
  | { wait: false; limit: 'cap' | 'time-left'; why: string };

/**
 * The wait before the next attempt after a busy answer. `retryAfterMs` is
 * the server's wish (undefined when absent or unreadable), `fallbackMs` what
 * to wait without one, `remainingMs` the time left before the caller's own
 * deadline (Infinity when none).
 */
export function retryWait(retryAfterMs: number | undefined, fallbackMs: number, remainingMs: number, limits: RetryWaitLimits): RetryWait {
  if (retryAfterMs !== undefined && retryAfterMs > limits.maxRetryAfterMs) {
    return {
      wait: false,
      limit: 'cap',
      why: `the server asked to wait ${formatDuration(retryAfterMs)} (Retry-After), longer than the ${formatDuration(limits.maxRetryAfterMs)} p7apps waits`,
    };
  }
  const asked = retryAfterMs === undefined || !Number.isFinite(retryAfterMs) ? fallbackMs : retryAfterMs;
  const ms = Math.max(limits.floorMs, asked);
  if (ms > remainingMs) {
    return { wait: false, limit: 'time-left', why: `waiting ${formatDuration(ms)} more would pass the time left (${formatDuration(Math.max(0, remainingMs))})` };
  }
  return { wait: true, ms };
}
