// The planner's handling of the default version and of version numbers the
// server assigns: every publish says explicitly whether it moves the default,
// and nothing is published that could land on a number the plan did not mean.

import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/compute.js';
import type { AppPlan, PlannedPublish } from '../../src/plan/types.js';
import { desiredApp, desiredState, desiredThumbnail, observedApp, observedState, sha, wf, type VersionSpec } from './builders.js';

function publishesOf(app: AppPlan | undefined): PlannedPublish[] {
  if (!app || (app.action !== 'create' && app.action !== 'update')) throw new Error(`expected publishes, got ${JSON.stringify(app)}`);
  return app.publishes;
}
const line = (p: PlannedPublish) => [p.request.version ?? 'next', p.expect.version, p.request.setVersionAsDefault, p.request.thumbnail ? 'thumb' : '-', p.request.description ?? '-'];

describe('defaults and numbering', () => {
  it('[3,4] declared on an app with 1,2: two publishes without version, expecting 3 then 4, default kept by explicit false', () => {
    const plan = computePlan(
      desiredState(desiredApp('Beam', { 3: 'Beam3', 4: 'Gear' }, { description: 'new' })),
      observedState([observedApp('Beam', { 1: 'Beam', 2: 'Beam2' })]),
    );
    expect(publishesOf(plan.apps[0]).map(line)).toEqual([
      ['next', 3, false, '-', 'new'],
      ['next', 4, false, '-', 'new'],
    ]);
  });

  it('a default that is a not-yet-created version is set by that version\'s own publish only', () => {
    const plan = computePlan(
      desiredState(desiredApp('Beam', { 1: 'Beam', 2: 'Beam2', 3: 'Beam3' }, { defaultVersion: 3 })),
      observedState([observedApp('Beam', { 1: 'Beam', 2: 'Beam2' }, { defaultVersion: 2 })]),
    );
    expect(publishesOf(plan.apps[0]).map(line)).toEqual([['next', 3, true, '-', '-']]);
  });

  it('a gap is a conflict; a new app must start at 1', () => {
    const gap = computePlan(desiredState(desiredApp('Beam', { 1: 'Beam', 2: 'Beam2', 4: 'Gear' })), observedState([observedApp('Beam', { 1: 'Beam', 2: 'Beam2' })]));
    expect(gap.apps[0]!.action).toBe('conflict');
    const fresh = computePlan(desiredState(desiredApp('Beam', { 2: 'Beam2' })), observedState([]));
    expect(fresh.apps[0]!.action).toBe('conflict');
  });

  it('moving the default back with other changes: only the desired default carries true; the thumbnail rides once, on the first publish', () => {
    const plan = computePlan(
      desiredState(desiredApp('Beam', { 1: 'Beam', 2: 'Beam2' }, { defaultVersion: 1, thumbnail: desiredThumbnail('a') })),
      observedState([
        observedApp('Beam', { 1: 'Beam', 2: { workflow: 'Beam2', fingerprint: 'old' } }, { defaultVersion: 2, thumbnail: { url: 'https://x/t', sha256: sha('b') } }),
      ]),
    );
    expect(publishesOf(plan.apps[0]).map(line)).toEqual([
      [1, 1, true, 'thumb', '-'],
      [2, 2, false, '-', '-'],
    ]);
  });

  it('a new app: v1 true (the server makes it default anyway), later versions true only for the declared default', () => {
    const plan = computePlan(desiredState(desiredApp('Beam', { 1: 'Beam', 2: 'Beam2', 3: 'Beam3' }, { defaultVersion: 2, thumbnail: desiredThumbnail() })), observedState([]));
    expect(publishesOf(plan.apps[0]).map(line)).toEqual([
      ['next', 1, true, 'thumb', '-'],
      ['next', 2, true, '-', '-'],
      ['next', 3, false, '-', '-'],
    ]);
  });

  it('a settings-only change republishes the current default with false when the default is unmanaged, and never an undeclared version', () => {
    const plan = computePlan(
      desiredState(desiredApp('Beam', { 1: 'Beam', 2: 'Beam2' }, { allowCopy: false })),
      observedState([observedApp('Beam', { 1: 'Beam', 2: 'Beam2', 3: 'Gear' }, { defaultVersion: 3 })]),
    );
    expect(publishesOf(plan.apps[0]).map(line)).toEqual([[2, 2, false, '-', '-']]);
    expect(publishesOf(plan.apps[0])[0]!.request).toMatchObject({ allowGetAsWorkflow: false, workflowPath: wf('Beam2') });
  });
});

describe('versions still publishing', () => {
  it('an undeclared version still publishing blocks every publish to the app (A10): the app waits, not a conflict', () => {
    // Under A10 the server answers 409 to each publish until the undeclared v2
    // is READY: the plan waits for it (plan --wait, and apply, wait it out),
    // rather than publishes that sit on 409s until --timeout.
    const plan = computePlan(
      desiredState(desiredApp('Beam', { 1: 'Beam' }, { description: 'new words' })),
      observedState([observedApp('Beam', { 1: 'Beam', 2: { workflow: 'Beam2', state: 'QUEUED_TO_INITIALIZE' } })]),
    );
    expect(plan.apps[0]).toMatchObject({ action: 'wait', publishing: [{ version: 2, state: 'QUEUED_TO_INITIALIZE', declared: false }] });
    expect(plan.summary).toMatchObject({ conflict: 0, waiting: 1, publishes: 0 });
  });

  it.each<[string, Record<number, VersionSpec>, 'no-op' | 'wait']>([
    ['nothing to publish: an undeclared version publishing is none of the plan\'s business', {}, 'no-op'],
    ['a declared version publishing too: both are waited for', { 3: { workflow: 'Beam3', state: 'INITIALIZING' } }, 'wait'],
  ])('%s', (_name, more, action) => {
    const plan = computePlan(
      desiredState(desiredApp('Beam', 3 in more ? { 1: 'Beam', 3: 'Beam3' } : { 1: 'Beam' })),
      observedState([observedApp('Beam', { 1: 'Beam', 2: { workflow: 'Beam2', state: 'QUEUED_TO_INITIALIZE' }, ...more })]),
    );
    expect(plan.apps[0]!.action).toBe(action);
    if (action === 'wait') {
      expect(plan.apps[0]).toMatchObject({ publishing: [{ version: 2, declared: false }, { version: 3, declared: true }] });
    }
  });

  it('settings whose only carrier is still publishing wait for it, rather than call for a person', () => {
    const plan = computePlan(
      desiredState(desiredApp('Beam', { 1: 'Beam' }, { description: 'new words' })),
      observedState([observedApp('Beam', { 1: { workflow: 'Beam', state: 'QUEUED_TO_INITIALIZE' } })]),
    );
    expect(plan.apps[0]).toMatchObject({ action: 'wait', publishing: [{ version: 1, declared: true }] });
  });

  it('a conflict a person must resolve is said before waiting', () => {
    const plan = computePlan(
      desiredState(desiredApp('Beam', { 1: 'Beam', 2: 'Beam2' }, { workspace: { name: 'Elsewhere' } })),
      observedState([observedApp('Beam', { 1: 'Beam', 2: { workflow: 'Beam2', state: 'INITIALIZING' } })]),
    );
    expect(plan.apps[0]).toMatchObject({ action: 'conflict', conflicts: [{ kind: 'workspace-differs' }] });
  });
});
