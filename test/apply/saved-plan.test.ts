import { describe, expect, it } from 'vitest';
import { parseDuration, formatDuration } from '../../src/apply/clock.js';
import { stillToDo } from '../../src/apply/converge.js';
import { appsToPublish, findChangedApps, planWithout } from '../../src/apply/saved-plan.js';
import { UNKNOWN } from '../../src/appshub/types.js';
import { fingerprintObservedApp } from '../../src/plan/compute.js';
import type { ObservedApp, ObservedState } from '../../src/plan/observed.js';
import type { NoopAppPlan } from '../../src/plan/types.js';
import { createApp, newRevision, newVersion, planOf, updateApp } from './plans.js';

function observedApp(id: string, name: string, revision = 0): ObservedApp {
  return {
    id,
    name,
    workspace: { id: '7', name: 'Toy apps' },
    description: 'Words',
    allowCopy: true,
    thumbnail: null,
    defaultVersion: 1,
    versions: [
      {
        appId: id,
        version: 1,
        revision,
        state: 'READY',
        stateDetail: null,
        workflowPath: '/a.p7wf',
        workflowFingerprint: 'f1',
        url: UNKNOWN,
        updated: UNKNOWN,
      },
    ],
  };
}

function observed(...apps: ObservedApp[]): ObservedState {
  return { serverUrl: 'https://fake.example', apps, workflows: UNKNOWN };
}

describe('the stale-plan guard', () => {
  const same = observedApp('app1', 'Same');
  const moved = observedApp('app2', 'Moved');
  const update = (app: ObservedApp) => ({ ...updateApp(app.name, app.id, [newRevision(app.name, 1, 0, '/b.p7wf')]), observedFingerprint: fingerprintObservedApp(app) });
  const plan = planOf(update(same), update(moved), createApp('New'), createApp('Taken'));

  it('refuses exactly the apps whose server state moved since the plan', () => {
    const now = observed(same, observedApp('app2', 'Moved', 1), observedApp('app9', 'Taken'));
    expect(findChangedApps(plan, now)).toEqual([
      { app: 'Moved', detail: 'changed after the plan was made, on the server or in what the config declares for it; run "p7apps plan" again' },
      { app: 'Taken', detail: 'was created on the server after the plan was made; run "p7apps plan" again' },
    ]);
  });

  it('refuses an app that is gone', () => {
    expect(findChangedApps(plan, observed(same))).toEqual([{ app: 'Moved', detail: 'is no longer on the server (id app2); run "p7apps plan" again' }]);
  });

  it('accepts a plan whose apps are as they were', () => {
    expect(findChangedApps(plan, observed(same, moved))).toEqual([]);
  });

  it('refuses an app whose id the server now lists for another app too, naming it', () => {
    const observed: ObservedState = { serverUrl: 'https://fake.example', workflows: {}, apps: [observedApp('app1', 'A'), observedApp('app1', 'B')] };
    const plan = planOf({ ...updateApp('A', 'app1', [newRevision('A', 1, 0, '/a2.p7wf')]), observedFingerprint: fingerprintObservedApp(observedApp('app1', 'A')) });
    expect(findChangedApps(plan, observed)).toEqual([{ app: 'A', detail: 'shares its id app1 with "B" on the server now; run "p7apps plan" again' }]);
  });

  it('drops refused apps from the plan and recounts its summary', () => {
    const rest = planWithout(plan, new Set(['Moved', 'Taken']));
    expect(appsToPublish(rest)).toEqual(['Same', 'New']);
    expect(rest.summary).toMatchObject({ create: 1, update: 1, publishes: 2, republishes: 1 });
  });
});

describe('convergence', () => {
  it('is empty for a plan with nothing to do', () => {
    expect(stillToDo(planOf({ action: 'no-op', name: 'A', appId: 'app1', workspace: UNKNOWN, observedFingerprint: 'x', notes: [] }))).toEqual([]);
  });

  it('lists an app still publishing as left to do, in words, not as a conflict', () => {
    const plan = planOf({ action: 'wait', name: 'B', appId: 'b1', workspace: UNKNOWN, notes: [], publishing: [{ version: 2, state: 'INITIALIZING', declared: true }] });
    expect(stillToDo(plan)).toEqual([{ app: 'B', reasons: ['version 2 is still publishing (state INITIALIZING)'], conflicts: [] }]);
  });

  it('lists what is left per app, in words, with conflicts', () => {
    const plan = planOf(createApp('A', 2), { action: 'conflict', name: 'B', notes: [], conflicts: [{ kind: 'version-in-progress', version: 2, state: 'INITIALIZING' }] });
    expect(stillToDo(plan)).toEqual([
      { app: 'A', reasons: ['the app is not on the server yet', 'version 2 is new'], conflicts: [] },
      { app: 'B', reasons: [], conflicts: ['version 2 is still being published on the server (state INITIALIZING)'] },
    ]);
  });
});

describe('convergence after a publish committed twice', () => {
  const noop = (name: string, versions: number[]): NoopAppPlan => ({
    action: 'no-op',
    name,
    appId: 'app1',
    workspace: UNKNOWN,
    observedFingerprint: 'x',
    notes: versions.map((version) => ({ kind: 'unmanaged-version', version, revision: 0 })),
  });

  it('counts an undeclared version that appeared in an app the apply published to as not converged, naming it', () => {
    const before = planOf(updateApp('A', 'app1', [newVersion('A', 2, '/b.p7wf', 1)]));
    const remaining = stillToDo(planOf(noop('A', [3])), before);
    expect(remaining).toEqual([{ app: 'A', reasons: [], conflicts: [expect.stringMatching(/^v3 appeared during this apply but the config does not declare it: a publish was probably committed twice \(a late commit after a lost answer, or another apply at the same time\)\. Look at "A" in AppsHub/)] }]);
  });

  it.each([
    ['an undeclared version that was there before', planOf({ ...updateApp('A', 'app1', [newVersion('A', 2, '/b.p7wf', 1)]), notes: [{ kind: 'unmanaged-version', version: 3, revision: 0 }] })],
    ['an app the apply did not publish to', planOf(noop('A', []))],
  ])('leaves alone %s', (_what, before) => {
    expect(stillToDo(planOf(noop('A', [3])), before)).toEqual([]);
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['500ms', 500],
    ['1500', 1500],
    ['1.5s', 1500],
  ])('reads %s as %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', 'soon', '-5s', '0', '10 minutes', '5d'])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it.each([
    [350, '350ms'],
    [12_000, '12s'],
    [90_000, '1m 30s'],
    [900_000, '15m'],
    [5_400_000, '1h 30m'],
  ])('writes %i ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
