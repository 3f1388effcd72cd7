// One check's run against the emulator over loopback, through the real run
// client: passing, failing on a result (named, expected vs got), a run that
// FAILED, a timeout, lost answers while deploying and deleting, and an
// interruption in the middle of a run. In every case the run is gone after.

import { describe, expect, it } from 'vitest';
import type { AppsHubClient } from '../../src/appshub/client.js';
import type { CheckEvent } from '../../src/checks/events.js';
import { runCheck, type CheckReport } from '../../src/checks/run.js';
import type { CheckSpec } from '../../src/checks/spec.js';
import { systemClock } from '../../src/apply/clock.js';
import type { AppRunsApi } from '../../src/runs/types.js';
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

/** The runs client, with some of its calls replaced: a server that answers otherwise than the emulator. */
function lyingClient(client: AppRunsApi, overrides: Partial<AppRunsApi>): AppRunsApi {
  const through: AppRunsApi = {
    deployAppRun: (...a) => client.deployAppRun(...a),
    getRun: (...a) => client.getRun(...a),
    listRuns: (...a) => client.listRuns(...a),
    patchRunParameters: (...a) => client.patchRunParameters(...a),
    startRun: (...a) => client.startRun(...a),
    interruptRun: (...a) => client.interruptRun(...a),
    deleteRun: (...a) => client.deleteRun(...a),
    probeVersionRuns: (...a) => client.probeVersionRuns(...a),
  };
  return { ...through, ...overrides };
}

/** Resolves after `ms` of real time, or rejects as soon as `signal` aborts, with its reason. */
function hang(ms: number, signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error('answered too late')), ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

describe('a server that answers otherwise', () => {
  // Found by an adversarial review: a run reported FINISHED (with the expected results) before p7apps set its
  // parameters and started it passed the check.
  it('a run FINISHED before p7apps started it: could not run, whatever its results say', async () => {
    const setup = await setUp();
    const calls: string[] = [];
    const api = lyingClient(setup.client, {
      getRun: async (run, signal) => {
        const details = await setup.client.getRun(run, signal);
        return { ...details, state: { kind: 'known', name: 'FINISHED' }, results: [{ name: 'y', value: { data: 9, meta: {} }, labels: {} }] };
      },
      patchRunParameters: async (...a) => (calls.push('patch'), setup.client.patchRunParameters(...a)),
      startRun: async (...a) => (calls.push('start'), setup.client.startRun(...a)),
    });
    const report = await runCheck({ app: 'Square', appId: setup.appId }, SMOKE, { api, clock: setup.clock, signal: new AbortController().signal, emit: () => {}, runName: (n) => `p7apps check ${n} test` });
    expect(report.outcome).toEqual({ status: 'could-not-run', detail: "the server reported the run FINISHED before p7apps could set its parameters and start it, so its results are not this check's" });
    expect(calls).toEqual([]);
    // Its cleanup believes the server too (a FINISHED run is deleted without an interrupt, which the emulator
    // refuses for a run not ended): whatever is left is named.
    if (report.cleanup !== 'deleted') expect([report.cleanup, report.runId, report.cleanupDetail]).toEqual(['left', expect.any(String), expect.any(String)]);
  });

  // Found by an adversarial review: a check of 3 s took 46 s against a server that answered its deploy late,
  // and one whose state reads came late started its run after its time was up.
  it.each<[string, (api: AppRunsApi) => Partial<AppRunsApi>]>([
    ['a deploy that is not answered', () => ({ deployAppRun: (_id, _o, signal) => hang(20_000, signal) })],
    // The first read is not answered; the cleanup's reads are.
    ['a state read that is not answered', (api) => {
      let reads = 0;
      return { getRun: (run, signal) => (reads++ === 0 ? hang(20_000, signal) : api.getRun(run, signal)) };
    }],
  ])('%s: the check times out at its limit, starts nothing, and leaves no run behind', async (_, overrides) => {
    const emu = await emulator({ seed: SQUARE_SEED, runTiming: { deployMs: 20, queueMs: 10, runMs: 50 } });
    const client = runsClient(emu);
    const calls: string[] = [];
    const api = lyingClient(client, { ...overrides(client), startRun: async (...a) => (calls.push('start'), client.startRun(...a)) });
    const started = Date.now();
    const report = await runCheck({ app: 'Square', appId: emu.snapshot().apps[0]!.id }, { ...SMOKE, timeoutMs: 300 }, {
      api,
      clock: systemClock,
      signal: new AbortController().signal,
      emit: () => {},
      runName: (n) => `p7apps check ${n} test`,
      cleanupTimeoutMs: 5_000,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.outcome).toMatchObject({ status: 'failed', reason: 'timed-out', timeoutMs: 300 });
    expect(calls).toEqual([]);
    expect(emu.snapshot().runs).toEqual([]);
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
