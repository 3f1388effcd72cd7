// The run client (src/appshub/client.ts, AppRunsApi) against the emulator's
// runs over loopback: a check-like run of the default and of a given
// version from deploy to delete, a server that runs no given version, and
// the lost answers of deploy, start and delete resolved without leaving a
// run behind.

import { describe, expect, it } from 'vitest';
import { AppsHubError } from '../../src/appshub/errors.js';
import { known } from '../../src/appshub/types.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { VERSION_RUNS_UNSUPPORTED_CODE, type RunDetails } from '../../src/runs/types.js';
import { emulator, manualClock, runsClient, runsSeed, squareRun } from './helpers.js';

const SEED = runsSeed(
  [
    { path: '/Users/1/Square.p7wf', run: squareRun(9, 500) },
    { path: '/Users/1/SquareBroken.p7wf', run: { parameters: [{ name: 'x', default: 1 }], results: [{ name: 'y' }], fail: 'Solver crashed' } },
  ],
  [
    {
      name: 'Square',
      workspace: 'Toy apps',
      defaultVersion: 1,
      versions: [
        { version: 1, workflow: '/Users/1/Square.p7wf' },
        { version: 2, workflow: '/Users/1/SquareBroken.p7wf' },
      ],
    },
  ],
);

async function setUp(options: { profiles?: string; faults?: string } = {}) {
  const clock = manualClock();
  const emu: RunningEmulator = await emulator({ seed: SEED, now: clock.now, runTiming: { deployMs: 100, queueMs: 50, runMs: 500 }, ...options });
  const client = runsClient(emu);
  return { emu, clock, client, appId: emu.snapshot().apps[0]!.id };
}

const stateOf = (run: RunDetails) => (known(run.state) ? run.state.name : 'unknown');

describe('a check-like run through the client', () => {
  it.each([
    ['the default version passes', undefined, 'FINISHED', [{ name: 'y', value: { data: 9, meta: {} }, labels: {} }], null],
    ['a given (broken) version fails with its detail', 2, 'FAILED', [], 'Solver crashed'],
  ] as const)('%s', async (_, version, end, results, detail) => {
    const { emu, clock, client, appId } = await setUp();
    const run = await client.deployAppRun(appId, { name: 'p7apps-check-1', personal: true, ...(version ? { version } : {}) });
    expect(stateOf(run)).toBe('QUEUED_TO_INITIALIZE');
    clock.advance(100);
    const patched = await client.patchRunParameters(run, [{ name: 'x', data: 3 }]);
    expect(known(patched.parameters) && patched.parameters.map((p) => p.value)).toEqual([{ data: 3, meta: {} }]);
    await client.startRun(run);
    clock.advance(50);
    expect(stateOf(await client.getRun(run))).toBe('RUNNING');
    clock.advance(500);
    const done = await client.getRun(run);
    expect([stateOf(done), done.results, done.stateDetail]).toEqual([end, results, detail]);
    expect(await client.deleteRun(run)).toBe('deleted');
    expect(emu.snapshot().runs).toEqual([]);
  });

  it('interrupts a running run, then deletes it', async () => {
    const { emu, clock, client, appId } = await setUp();
    const run = await client.deployAppRun(appId);
    clock.advance(100);
    await client.startRun(run);
    clock.advance(60);
    await client.interruptRun(run);
    expect(stateOf(await client.getRun(run))).toBe('INTERRUPTED');
    expect(await client.deleteRun(run)).toBe('deleted');
    expect(emu.snapshot().runs).toEqual([]);
  });

  it.each([
    ['the full server', undefined, 'supported'],
    ['a server without version runs', 'no-version-runs', 'unsupported'],
  ] as const)('probes version runs on %s', async (_, profiles, expected) => {
    const { client, appId } = await setUp(profiles ? { profiles } : {});
    expect(await client.probeVersionRuns(appId, 2)).toBe(expected);
  });

  it('says a server without version runs does not run a given version, and runs nothing', async () => {
    const { emu, client, appId } = await setUp({ profiles: 'no-version-runs' });
    const err = await client.deployAppRun(appId, { version: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppsHubError);
    expect((err as AppsHubError).code).toBe(VERSION_RUNS_UNSUPPORTED_CODE);
    expect(emu.snapshot().runs).toEqual([]);
  });
});

describe('lost answers', () => {
  it('finds a named run whose deploy answer was lost', async () => {
    const { emu, client, appId } = await setUp({ faults: 'dropRunDeployNext=1' });
    const run = await client.deployAppRun(appId, { name: 'p7apps-check-lost' });
    expect(emu.faultCounts().dropRunDeploy).toBe(1);
    expect(run.name).toBe('p7apps-check-lost');
    expect(emu.snapshot().runs.map((r) => r.id)).toEqual([run.id]);
  });

  it('finds a named run of a given version whose deploy answer was lost', async () => {
    const { emu, client, appId } = await setUp({ faults: 'dropRunDeployNext=1' });
    const run = await client.deployAppRun(appId, { name: 'p7apps-check-v2', version: 2 });
    expect(emu.snapshot().runs.map((r) => [r.id, r.owner])).toEqual([[run.id, expect.objectContaining({ version: 2, given: true })]]);
  });

  it('knows a start whose answer was lost took effect', async () => {
    const { emu, clock, client, appId } = await setUp({ faults: 'dropRunStartNext=1' });
    const run = await client.deployAppRun(appId);
    clock.advance(100);
    await client.startRun(run);
    expect(emu.faultCounts().dropRunStart).toBe(1);
    expect(stateOf(await client.getRun(run))).toBe('QUEUED_TO_RUN');
  });

  it('retries a delete whose answer was lost and takes the 404 for deleted', async () => {
    const { emu, clock, client, appId } = await setUp({ faults: 'dropRunDeleteNext=1' });
    const run = await client.deployAppRun(appId);
    clock.advance(100);
    expect(await client.deleteRun(run)).toBe('already-gone');
    expect(emu.faultCounts().dropRunDelete).toBe(1);
    expect(emu.counts()['DELETE apps/{id}/runs/{run}/']).toBe(2);
    expect(emu.snapshot().runs).toEqual([]);
  });
});
