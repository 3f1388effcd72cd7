// Shared by the check tests: a clock that moves when the code under test
// waits, the check the emulator seeds answer (x = 3 gives y = 9), and a
// catalog with a config that checks it.

import type { Clock } from '../../src/apply/clock.js';
import type { CheckSpec } from '../../src/checks/spec.js';
import type { SeedDocument } from '../../src/emulator/index.js';
import { runsSeed, squareRun } from '../emulator/helpers.js';

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

/** Square runs right as version 1 (y = 9) and wrong as version 2 (y = 6); Slow runs for an hour. */
export function checkSeed(defaultVersion: number): SeedDocument {
  return runsSeed(
    [
      { path: '/Users/1/Square.p7wf', run: squareRun(9, 30) },
      { path: '/Users/1/SquareWrong.p7wf', run: squareRun(6, 30) },
      { path: '/Users/1/Slow.p7wf', run: squareRun(9, 3_600_000) },
    ],
    [
      { name: 'Square', workspace: 'Toy apps', defaultVersion, versions: [{ version: 1, workflow: '/Users/1/Square.p7wf' }, { version: 2, workflow: '/Users/1/SquareWrong.p7wf' }] },
      { name: 'Slow', workspace: 'Toy apps', defaultVersion: 1, versions: [{ version: 1, workflow: '/Users/1/Slow.p7wf' }] },
    ],
  );
}

/** Square with one check, smoke: x = 3 must give y = 9. */
export const CHECK_CONFIG = {
  defaults: { workspace: 'Toy apps' },
  apps: [
    {
      name: 'Square',
      checks: [{ name: 'smoke', parameters: { x: 3 }, expect: { y: 9 }, timeoutSeconds: 30 }],
      versions: [{ version: 1, workflow: '/Users/1/Square.p7wf' }, { version: 2, workflow: '/Users/1/SquareWrong.p7wf' }],
    },
  ],
};
