// One check's run against the emulator over loopback, through the real run
// client: passing, failing on a result (named, expected vs got), a run that
// FAILED, a timeout, lost answers while deploying and deleting, and an
// interruption in the middle of a run. In every case the run is gone after.

import { describe, expect, it } from 'vitest';
import type { AppsHubClient } from '../../src/appshub/client.js';
import type { CheckEvent } from '../../src/checks/events.js';
import { runCheck, type CheckReport } from '../../src/checks/run.js';
import type { CheckSpec } from '../../src/checks/spec.js';
import { emulator, runsClient, runsSeed, squareRun } from '../emulator/helpers.js';
import { SMOKE, steppingClock } from './fixtures.js';

const SQUARE_SEED = runsSeed(
  [
    { path: '/Users/1/Square.p7wf', run: squareRun(9, 500) },
    { path: '/Users/1/SquareWrong.p7wf', run: squareRun(6, 500) },
    { path: '/Users/1/SquareBroken.p7wf', run: { parameters: [{ name: 'x', default: 1 }], results: [{ name: 'y' }], fail: 'Solver crashed' } },
    { path: '/Users/1/SquareSlow.p7wf', run: { parameters: [{ name: 'x', default: 1 }], results: [{ name: 'y' }], runTimeMs: 3_600_000 } },
  ],
  [
    {
      name: 'Square',
      workspace: 'Toy apps',
      defaultVersion: 1,
      versions: [
        { version: 1, workflow: '/Users/1/Square.p7wf' },
        { version: 2, workflow: '/Users/1/SquareWrong.p7wf' },
        { version: 3, workflow: '/Users/1/SquareBroken.p7wf' },
        { version: 4, workflow: '/Users/1/SquareSlow.p7wf' },
      ],
    },
  ],
);

async function setUp(faults?: string) {
  const clock = steppingClock();
  const emu = await emulator({ seed: SQUARE_SEED, now: clock.now, runTiming: { deployMs: 100, queueMs: 50, runMs: 500 }, ...(faults ? { faults } : {}) });
  const client = runsClient(emu);
  return { emu, clock, client, appId: emu.snapshot().apps[0]!.id };
}

async function check(setup: Awaited<ReturnType<typeof setUp>>, version: number | undefined, spec: CheckSpec = SMOKE, signal = new AbortController().signal) {
  const events: CheckEvent[] = [];
  const report: CheckReport = await runCheck({ app: 'Square', appId: setup.appId, ...(version ? { version } : {}) }, spec, {
    api: setup.client,
    clock: setup.clock,
    signal,
    emit: (event) => events.push({ ...event, at: setup.clock.now() } as CheckEvent),
    runName: (name) => `p7apps check ${name} test`,
  });
  return { report, events };
}

describe('a check against the emulator', () => {
  it.each<[string, number | undefined, CheckReport['outcome']]>([
    ['the default version passes', undefined, { status: 'passed', state: 'FINISHED' }],
    ['a wrong result fails, naming it', 2, {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'y', expected: { kind: 'equals', value: 9 }, got: { kind: 'value', value: 6 } }],
    }],
    ['a run that FAILED fails with its detail', 3, { status: 'failed', reason: 'run-ended', state: 'FAILED', detail: 'Solver crashed' }],
  ])('%s, and its run is deleted', async (_name, version, outcome) => {
    const setup = await setUp();
    const { report, events } = await check(setup, version);
    expect(report.outcome).toEqual(outcome);
    expect([report.cleanup, report.version]).toEqual(['deleted', version ?? null]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['check-start', 'check-run-deployed', 'check-done', 'check-cleanup']));
    expect(setup.emu.snapshot().runs).toEqual([]);
  });

  it('a run past its timeout is interrupted, fails as timed out, and is deleted', async () => {
    const setup = await setUp();
    const { report } = await check(setup, 4, { ...SMOKE, timeoutMs: 5_000 });
    expect(report.outcome).toEqual({ status: 'failed', reason: 'timed-out', state: 'RUNNING', timeoutMs: 5_000 });
    expect(report.cleanup).toBe('deleted');
    expect(setup.emu.snapshot().runs).toEqual([]);
  });

  it('an unknown parameter name: could not run, nothing left behind', async () => {
    const setup = await setUp();
    const { report } = await check(setup, undefined, { ...SMOKE, parameters: [{ name: 'nope', value: 1 }] });
    expect(report.outcome.status).toBe('could-not-run');
    expect(report.cleanup).toBe('deleted');
    expect(setup.emu.snapshot().runs).toEqual([]);
  });
});

describe('lost answers and interruptions leave no run behind', () => {
  it.each([
    ['a lost deploy answer', 'dropRunDeployNext=1', 'dropRunDeploy'],
    ['a lost delete answer', 'dropRunDeleteNext=1', 'dropRunDelete'],
    ['a lost start answer', 'dropRunStartNext=1', 'dropRunStart'],
  ] as const)('%s: the check still passes and its run is deleted', async (_name, faults, counter) => {
    const setup = await setUp(faults);
    const { report } = await check(setup, undefined);
    expect(setup.emu.faultCounts()[counter]).toBe(1);
    expect([report.outcome.status, report.cleanup]).toEqual(['passed', 'deleted']);
    expect(setup.emu.snapshot().runs).toEqual([]);
  });

  it('an interruption while the run is RUNNING interrupts and deletes it', async () => {
    const setup = await setUp();
    const controller = new AbortController();
    const events: CheckEvent[] = [];
    const report = await runCheck({ app: 'Square', appId: setup.appId, version: 4 }, SMOKE, {
      api: setup.client,
      clock: setup.clock,
      signal: controller.signal,
      emit: (event) => {
        events.push(event as CheckEvent);
        if (event.type === 'check-run-state' && event.state === 'RUNNING') controller.abort();
      },
    });
    expect(report.interrupted).toBe(true);
    expect(report.outcome).toEqual({ status: 'could-not-run', detail: 'the check was interrupted before its run ended' });
    expect(report.cleanup).toBe('deleted');
    expect(setup.emu.snapshot().runs).toEqual([]);
  });

  it('an interruption during the deploy finds the run by its name and deletes it', async () => {
    const setup = await setUp();
    const controller = new AbortController();
    const api = {
      ...bind(setup.client),
      async deployAppRun(...args: Parameters<AppsHubClient['deployAppRun']>) {
        await setup.client.deployAppRun(...args);
        controller.abort();
        throw Object.assign(new Error('aborted'), { ambiguous: true });
      },
    };
    const report = await runCheck({ app: 'Square', appId: setup.appId }, SMOKE, { api, clock: setup.clock, signal: controller.signal, emit: () => {}, runName: () => 'p7apps check smoke cut' });
    expect([report.outcome.status, report.cleanup]).toEqual(['could-not-run', 'deleted']);
    expect(setup.emu.snapshot().runs).toEqual([]);
  });
});

function bind(client: AppsHubClient) {
  return {
    deployAppRun: client.deployAppRun.bind(client),
    getRun: client.getRun.bind(client),
    listRuns: client.listRuns.bind(client),
    patchRunParameters: client.patchRunParameters.bind(client),
    startRun: client.startRun.bind(client),
    interruptRun: client.interruptRun.bind(client),
    deleteRun: client.deleteRun.bind(client),
    probeVersionRuns: client.probeVersionRuns.bind(client),
  };
}
