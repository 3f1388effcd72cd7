// The fault profiles of the matrix: what the emulator does wrong during each
// apply. Rates are the issue's; `dense` variants raise them for the small
// matrix in `npm test`, whose catalog is too small for a 2% rate to fire.

import type { FaultSpec } from '../src/emulator/index.js';
import type { FaultBursts } from './chaos-stage.js';

export interface FaultProfile {
  name: string;
  /** One line for the table and the README. */
  describe: string;
  /** The emulator's faults during both applies (the seed is added by the runner). */
  faults: FaultSpec;
  bursts?: FaultBursts;
  /** Restart the emulator (state kept) after this publish request of the first apply; from the run's seed and planned publishes. */
  restartAfterPost?: (seed: number, plannedPublishes: number) => number;
  /** Every publish of the catalog's failing app ends FAILED. */
  failingApp?: boolean;
  /**
   * Apply with the CLI's default late-commit window (120 s) rather than the
   * run's scaled one: the late-commit profiles, whose commits land seconds to
   * minutes after the 504, are judged against the window users get.
   */
  defaultWindow?: boolean;
  /**
   * The first apply is two applies started at the same moment: from the same
   * checkout (the lock must stop one) or from two copies of it (the read before
   * each publish must stop one app by app).
   */
  race?: 'same-checkout' | 'two-checkouts';
  /** The emulator's publish-to-READY time for this profile, when it matters to it. */
  readyAfterMs?: number;
}

export const PROFILES: readonly FaultProfile[] = [
  { name: 'none', describe: 'no faults (the control)', faults: {} },
  { name: '503', describe: '5% of requests answered 503 with Retry-After: 1', faults: { rate503: 0.05, retryAfterS: 1 } },
  {
    name: '429-bursts',
    describe: '429 with Retry-After: 1 for 40% of requests, in bursts of 20 requests out of every 80',
    faults: { retryAfterS: 1 },
    bursts: { every: 80, length: 20, faults: { rate429: 0.4 } },
  },
  { name: 'resets', describe: '3% of connections reset before the request is handled', faults: { resetRate: 0.03 } },
  { name: 'ambiguous', describe: '2% of publishes committed, then their connection dropped (ambiguous write)', faults: { dropPublishResponseRate: 0.02 } },
  {
    name: 'latency',
    describe: '0-20 ms on every request, and spikes of 300-1000 ms for 10 requests out of every 50',
    faults: { jitterMs: 20 },
    bursts: { every: 50, length: 10, faults: { latencyMs: 300, jitterMs: 700 } },
  },
  { name: 'failing-app', describe: 'every publish of one app ends FAILED', faults: {}, failingApp: true },
  {
    name: 'restart',
    describe: 'the emulator restarted (state kept) after a publish of the first apply, open connections dropped',
    faults: {},
    restartAfterPost: (seed, planned) => 1 + (seed % Math.max(1, Math.ceil(planned * 0.6))),
  },
  {
    name: 'mixed',
    describe: '2% each of 503, 429, resets and ambiguous writes, 0-50 ms jitter, all at once',
    faults: { rate503: 0.02, rate429: 0.02, resetRate: 0.02, dropPublishResponseRate: 0.02, jitterMs: 50, retryAfterS: 1 },
  },
  {
    name: 'late-5s',
    describe: 'up to 10 publishes answered 504 at once and committed 5 s later (default 120 s window)',
    faults: { lateCommitRate: 0.3, maxLateCommit: 10, lateCommitMs: 5000 },
    defaultWindow: true,
  },
  {
    name: 'late-30s',
    describe: 'up to 10 publishes answered 504 at once and committed 30 s later (default 120 s window)',
    faults: { lateCommitRate: 0.3, maxLateCommit: 10, lateCommitMs: 30_000 },
    defaultWindow: true,
  },
  {
    name: 'late-120s',
    describe: 'up to 10 publishes answered 504 at once and committed 120 s later (default 120 s window)',
    faults: { lateCommitRate: 0.3, maxLateCommit: 10, lateCommitMs: 120_000 },
    defaultWindow: true,
  },
  {
    name: 'trickle',
    describe: 'up to 3 publishes committed, then their answers trickled one byte a second (cut at the apply timeout and grace)',
    faults: { tricklePublishRate: 0.2, maxTricklePublish: 3, trickleEveryMs: 1000 },
  },
  {
    name: 'race-same-checkout',
    describe: 'two applies of one checkout started at once, 20-40 ms per request (the lock stops one)',
    faults: { latencyMs: 20, jitterMs: 20 },
    race: 'same-checkout',
    readyAfterMs: 1500,
  },
  {
    name: 'race-two-checkouts',
    describe: 'two applies from two copies of the checkout started at once, 20-40 ms per request (the read before each publish stops one)',
    faults: { latencyMs: 20, jitterMs: 20 },
    race: 'two-checkouts',
    readyAfterMs: 1500,
  },
];

/** Profiles that last minutes per run (a real 120 s late commit): left out of the small matrix of `npm test`. */
export const LONG_PROFILES: ReadonlySet<string> = new Set(['late-120s', 'trickle']);

/**
 * Denser faults for a small catalog, so that each profile's fault fires in a
 * single run of a dozen apps: the test asserts that it did.
 */
export const DENSE_FAULTS: Readonly<Record<string, FaultSpec>> = {
  '503': { rate503: 0.1, retryAfterS: 1 },
  resets: { resetRate: 0.08 },
  ambiguous: { dropPublishResponseRate: 0.25 },
  mixed: { rate503: 0.05, rate429: 0.05, resetRate: 0.05, dropPublishResponseRate: 0.15, jitterMs: 30, retryAfterS: 1 },
  // Scaled down in time for the test: committed 1.5 s and 4 s after the 504, within a 6 s window.
  'late-5s': { lateCommitRate: 0.5, maxLateCommit: 3, lateCommitMs: 1500 },
  'late-30s': { lateCommitRate: 0.5, maxLateCommit: 3, lateCommitMs: 4000 },
};

export function profileNamed(name: string): FaultProfile {
  const found = PROFILES.find((p) => p.name === name);
  if (!found) throw new Error(`no fault profile "${name}" (profiles: ${PROFILES.map((p) => p.name).join(', ')})`);
  return found;
}
