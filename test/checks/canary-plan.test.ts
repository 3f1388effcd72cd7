// Canary publishing as the planner writes it (pure): which publishes hold the
// new default back for its checks and add a promotion, which run their checks
// right after, and which carry none; and a saved plan keeps the checks.

import { describe, expect, it } from 'vitest';
import type { DesiredApp } from '../../src/config/desired.js';
import { computePlan } from '../../src/plan/compute.js';
import { planToDocument } from '../../src/plan/document.js';
import { planFromDocument } from '../../src/plan/document-read.js';
import type { ObservedApp, ObservedState } from '../../src/plan/observed.js';
import type { CreateAppPlan, UpdateAppPlan } from '../../src/plan/types.js';
import { desiredApp, desiredState, observedApp, observedState } from '../plan/builders.js';
import { SMOKE } from './fixtures.js';

/** A desired app whose versions in `checked` carry the smoke check. */
function app(versions: Record<number, string>, checked: number[], extra: Partial<DesiredApp> = {}): DesiredApp {
  const desired = desiredApp('Gearbox', versions, extra);
  for (const v of desired.versions) if (checked.includes(v.version)) v.checks = [SMOKE];
  return desired;
}

type Row = [step: number, version: number, creates: string, setAsDefault: boolean, checks: string | null, reasons: string[]];

function rows(desired: DesiredApp, observed: ObservedApp[], versionRuns?: ObservedState['versionRuns']): Row[] {
  const state = observedState(observed);
  if (versionRuns) state.versionRuns = versionRuns;
  const plan = computePlan(desiredState(desired), state);
  const planned = plan.apps[0] as CreateAppPlan | UpdateAppPlan;
  return planned.publishes.map((p) => [p.step, p.expect.version, p.expect.creates, p.request.setVersionAsDefault, p.checks?.mode ?? null, p.reasons.map((r) => r.kind)]);
}

describe('canary publishing in the plan', () => {
  it.each<[string, DesiredApp, ObservedApp[], ObservedState['versionRuns'], Row[]]>([
    ['a new checked default: canary, then the promotion', app({ 1: 'Gear', 2: 'Gear2' }, [2], { defaultVersion: 2 }), [observedApp('Gearbox', { 1: 'Gear' })], undefined, [
      [1, 2, 'version', false, 'canary', ['version-missing', 'default-changed']],
      [2, 2, 'revision', true, null, ['promote-after-checks']],
    ]],
    ['moving the default to an existing checked version', app({ 1: 'Gear', 2: 'Gear2' }, [2], { defaultVersion: 2 }), [observedApp('Gearbox', { 1: 'Gear', 2: 'Gear2' })], undefined, [
      [1, 2, 'revision', false, 'canary', ['default-changed']],
      [2, 2, 'revision', true, null, ['promote-after-checks']],
    ]],
    ['a new version that is not to be default: no checks', app({ 1: 'Gear', 2: 'Gear2' }, [1, 2], { defaultVersion: 1 }), [observedApp('Gearbox', { 1: 'Gear' })], undefined, [
      [1, 2, 'version', false, null, ['version-missing']],
    ]],
    ['a new revision of the version already default: checked right after', app({ 1: 'Gear2' }, [1], { defaultVersion: 1 }), [observedApp('Gearbox', { 1: 'Gear' })], undefined, [
      [1, 1, 'revision', true, 'after', ['workflow-path-changed']],
    ]],
    ['a new app: its first version is default anyway, checked right after', app({ 1: 'Gear' }, [1], { defaultVersion: 1 }), [], undefined, [
      [1, 1, 'app', true, 'after', ['app-missing']],
    ]],
    ['a server that runs no given version: checked right after it is default', app({ 1: 'Gear', 2: 'Gear2' }, [2], { defaultVersion: 2 }), [observedApp('Gearbox', { 1: 'Gear' })], 'unsupported', [
      [1, 2, 'version', true, 'after', ['version-missing', 'default-changed']],
    ]],
    ['no checks: the plan as before', app({ 1: 'Gear', 2: 'Gear2' }, [], { defaultVersion: 2 }), [observedApp('Gearbox', { 1: 'Gear' })], undefined, [
      [1, 2, 'version', true, null, ['version-missing', 'default-changed']],
    ]],
  ])('%s', (_name, desired, observed, versionRuns, expected) => {
    expect(rows(desired, observed, versionRuns)).toEqual(expected);
  });

  it('the promotion costs a revision in the summary, and a saved plan keeps the checks', () => {
    const plan = computePlan(desiredState(app({ 1: 'Gear', 2: 'Gear2' }, [2], { defaultVersion: 2 })), observedState([observedApp('Gearbox', { 1: 'Gear' })]));
    expect(plan.summary).toMatchObject({ publishes: 2, republishes: 1 });
    const restored = planFromDocument(JSON.parse(JSON.stringify(planToDocument(plan))), 'plan.json');
    expect(restored.apps).toEqual(plan.apps);
  });
});
