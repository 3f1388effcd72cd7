// Shared by the check tests: a clock that moves when the code under test
// waits, and the check the emulator seeds answer (x = 3 gives y = 9).

import type { Clock } from '../../src/apply/clock.js';
import type { CheckSpec } from '../../src/checks/spec.js';

/** Time that moves only when the check waits: each sleep jumps the clock (and so the emulator's runs) forward. */
export function steppingClock(start = Date.UTC(2026, 0, 1)): Clock & { now(): number } {
  let now = start;
  return {
    now: () => now,
    async sleep(ms, signal) {
      if (signal?.aborted) return;
      now += Math.max(0, ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export const SMOKE: CheckSpec = { name: 'smoke', parameters: [{ name: 'x', value: 3 }], expect: [{ result: 'y', expectation: { kind: 'equals', value: 9 } }], timeoutMs: 60_000, personal: false };

