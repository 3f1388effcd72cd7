// The fault matrix, small: every profile of bench/chaos-profiles.ts once,
// on a 12-app catalog, with denser faults where the rates would not
// fire on so few requests. `npm run chaos` runs the full matrix (50 apps,
// many seeds); the judging code is the same (bench/chaos-run.ts): the real
// CLI in-process, the emulator on a loopback socket, and the verdict taken
// from the emulator's own state, never from what p7apps says.

import { describe, expect, it } from 'vitest';
import { DENSE_FAULTS, LONG_PROFILES, PROFILES } from '../../bench/chaos-profiles.js';
import { runChaos, type RunResult } from '../../bench/chaos-run.js';

const SEED = 1;
const TOKEN = 'fault-matrix-token-5e1f0c3a9b7d';

/** Evidence that the profile's fault really happened in the run. */
const FIRED: Record<string, (r: RunResult) => number> = {
  none: () => 1,
  '503': (r) => r.faults['503'],
  '429-bursts': (r) => r.faults['429'],
  resets: (r) => r.faults.reset,
  // Noticed by the applier, not only injected by the emulator.
  ambiguous: (r) => Math.min(r.faults.dropPublishResponse, r.applies[0]!.ambiguous),
  latency: (r) => r.latencySpikes,
  'failing-app': (r) => r.faults.failPublish,
  restart: (r) => r.restarts,
  mixed: (r) => r.faults['503'] + r.faults['429'] + r.faults.reset + r.faults.dropPublishResponse,
  // Noticed by the applier too: each late commit was found by looking again, not sent twice.
  'late-5s': (r) => Math.min(r.faults.lateCommit, r.applies[0]!.ambiguous),
  'late-30s': (r) => Math.min(r.faults.lateCommit, r.applies[0]!.ambiguous),
  'race-same-checkout': (r) => r.applies[0]!.race!.lockRefused,
  'race-two-checkouts': (r) => r.applies[0]!.race!.stoppedByCheck,
};

describe.concurrent('fault matrix: 12 apps, one seed per profile', () => {
  it.each(PROFILES.filter((p) => !LONG_PROFILES.has(p.name)).map((profile) => [profile.name, profile] as const))(
    '%s: no duplicate version, nothing lost, converged within two applies',
    async (name, profile) => {
      const outputs: string[] = [];
      const result = await runChaos(profile, SEED, {
        apps: 12,
        readyAfterMs: 20,
        timeLimitMs: 100_000,
        token: TOKEN,
        scaledWindowMs: 1500,
        // The late-commit profiles' window, scaled down as their commits are (DENSE_FAULTS).
        ...(profile.defaultWindow ? { windowMs: 6000 } : {}),
        ...(DENSE_FAULTS[name] ? { faults: DENSE_FAULTS[name] } : {}),
        onOutput: (_label, text) => outputs.push(text),
      });
      const [first, second] = result.applies as [RunResult['applies'][0], RunResult['applies'][0]];

      expect(FIRED[name]!(result), 'the fault was injected').toBeGreaterThan(0);
      expect(first.plannedPublishes).toBeGreaterThan(10);
      expect([...first.duplicates, ...second.duplicates]).toEqual([]);
      expect(second.differences).toEqual([]);
      expect(result.convergedAfter).not.toBeNull();
      expect(result.falseSuccesses).toBe(0);
      if (profile.race) {
        // One of the two was stopped, and said so with exit 1; none published twice.
        const race = first.race!;
        expect(Math.max(first.exitCode, race.otherExitCode)).toBe(1);
        expect(race.reportedDuplicates).toBe(0);
      }
      if (name === 'none') expect(result.faults).toMatchObject({ '503': 0, '429': 0, reset: 0, dropPublishResponse: 0, failPublish: 0 });

      if (profile.failingApp) {
        // Each apply publishes the failing app once and says so with exit 1; the rest converge.
        expect(result.failingAppReported).toBe(true);
        expect(second.publishRequests).toBe(1);
      } else if (result.convergedAfter === 1 && !profile.race) {
        // Once converged, a second apply publishes nothing.
        expect(first.exitCode, first.stderrTail).toBe(0);
        expect(second.publishRequests).toBe(0);
      }
      for (const text of outputs) expect(text).not.toContain(TOKEN);
    },
    100_000,
  );
});
