import { describe, expect, it } from 'vitest';
import type { DesiredApp } from '../../src/config/desired.js';
import { computePlan } from '../../src/plan/compute.js';
import type { ObservedApp } from '../../src/plan/observed.js';
import { enforceSafety, PlanRefusedError, safetyCheck, safetyLines, safetyPolicy } from '../../src/plan/safety.js';
import { desiredApp, desiredState, observedApp, observedState } from './builders.js';
import { guardedPlan } from './rich-plan.js';

/** A catalog of `existing` apps of which `revised` get a new revision and `added` get a new version; plus `created` new apps. */
function planWith(counts: { existing: number; revised: number; added?: number; created?: number }, safety?: { maxRepublishPercent?: number; maxRepublishApps?: number }) {
  const desired: DesiredApp[] = [];
  const observed: ObservedApp[] = [];
  for (let i = 0; i < counts.existing; i += 1) {
    const name = `App ${String(i).padStart(2, '0')}`;
    const addsVersion = i >= counts.revised && i < counts.revised + (counts.added ?? 0);
    desired.push(desiredApp(name, addsVersion ? { 1: 'A', 2: 'B' } : { 1: 'A' }));
    observed.push(observedApp(name, { 1: { workflow: 'A', fingerprint: i < counts.revised ? 'edited' : undefined } }));
  }
  for (let i = 0; i < (counts.created ?? 0); i += 1) desired.push(desiredApp(`New ${i}`, { 1: 'A' }));
  return computePlan({ ...desiredState(...desired), ...(safety ? { safety } : {}) }, observedState(observed));
}

describe('safetyCheck: the large-change guard', () => {
  it.each([
    { name: '6 of 10 existing apps revised: needs --force', existing: 10, revised: 6, needsForce: true },
    { name: '5 of 5 revised: not more than 5', existing: 5, revised: 5, needsForce: false },
    { name: '6 of 20 revised: 30% is not more than 30%', existing: 20, revised: 6, needsForce: false },
    { name: '7 of 20 revised: 35%', existing: 20, revised: 7, needsForce: true },
    { name: 'new versions and new apps are not churn', existing: 10, revised: 0, added: 10, created: 10, needsForce: false },
    { name: 'config limits: 2 of 10 with at most 1 app and 10%', existing: 10, revised: 2, safety: { maxRepublishPercent: 10, maxRepublishApps: 1 }, needsForce: true },
    { name: 'config limits: 2 of 10 with at most 2 apps', existing: 10, revised: 2, safety: { maxRepublishPercent: 0, maxRepublishApps: 2 }, needsForce: false },
    { name: 'config limits: 100% turns the guard off', existing: 10, revised: 10, safety: { maxRepublishPercent: 100 }, needsForce: false },
    { name: 'config limits: 0 and 0, any republish', existing: 30, revised: 1, safety: { maxRepublishPercent: 0, maxRepublishApps: 0 }, needsForce: true },
    { name: 'config limits: only the percentage set, the app count stays 5', existing: 10, revised: 5, safety: { maxRepublishPercent: 10 }, needsForce: false },
  ])('$name', ({ existing, revised, added, created, safety, needsForce }) => {
    const verdict = safetyCheck(planWith({ existing, revised, added, created }, safety));
    expect(verdict.needsForce).toBe(needsForce);
    expect(verdict.republishedApps).toHaveLength(revised);
    expect(verdict.existingApps).toBe(existing);
    expect(verdict.limits).toEqual({ maxRepublishPercent: safety?.maxRepublishPercent ?? 30, maxRepublishApps: safety?.maxRepublishApps ?? 5 });
    // Nothing is said about --force when no existing app is republished.
    expect(safetyLines(verdict)).toEqual(
      revised === 0
        ? []
        : [
            `apply ${needsForce ? 'will need' : 'needs no'} --force: ${revised} of ${existing} existing apps republished (limit: ${verdict.limits.maxRepublishPercent}% / ${verdict.limits.maxRepublishApps} app${verdict.limits.maxRepublishApps === 1 ? '' : 's'})`,
          ],
    );
  });

  it.each([
    { name: 'only new apps, none on the server yet (0 of 0)', existing: 0, revised: 0, created: 3 },
    { name: 'only new versions of existing apps', existing: 4, revised: 0, added: 4 },
    { name: 'new apps beside unchanged ones', existing: 4, revised: 0, created: 1 },
  ])('says nothing about --force when the plan republishes no existing app: $name', ({ existing, revised, added, created }) => {
    expect(safetyLines(safetyCheck(planWith({ existing, revised, added, created })))).toEqual([]);
  });

  it('takes an explicit policy over the one the plan was made with', () => {
    const plan = planWith({ existing: 10, revised: 6 });
    expect(safetyCheck(plan).needsForce).toBe(true);
    expect(safetyCheck(plan, { maxRepublishPercent: 70, maxRepublishApps: 5, protectedApps: [] }).needsForce).toBe(false);
  });

  it('uses 30% and 5 apps for a plan made without a policy (an older saved plan)', () => {
    const { safety: _omitted, ...plan } = planWith({ existing: 10, revised: 6 });
    expect(safetyCheck(plan).limits).toEqual({ maxRepublishPercent: 30, maxRepublishApps: 5 });
    expect(safetyCheck(plan).needsForce).toBe(true);
  });
});

describe('safetyCheck: protected apps', () => {
  const existing = observedApp('Gear', { 1: 'A', 2: 'B' }, { defaultVersion: 1, description: 'Old words.' });
  it.each([
    { name: 'a new revision of a version', desired: desiredApp('Gear', { 1: 'A', 2: 'C' }), change: 'revision' },
    { name: 'another default version (an existing one: a new revision of it)', desired: desiredApp('Gear', { 1: 'A', 2: 'B' }, { defaultVersion: 2 }), change: 'revision' },
    { name: 'a new version made the default', desired: desiredApp('Gear', { 1: 'A', 2: 'B', 3: 'C' }, { defaultVersion: 3 }), change: 'default' },
    { name: 'a new description', desired: desiredApp('Gear', { 1: 'A', 2: 'B' }, { description: 'New words.' }), change: 'revision' },
    { name: 'a new version carrying a new description', desired: desiredApp('Gear', { 1: 'A', 2: 'B', 3: 'C' }, { description: 'New words.' }), change: 'settings' },
    { name: 'only a new version, not the default', desired: desiredApp('Gear', { 1: 'A', 2: 'B', 3: 'C' }), change: null },
  ])('$name: $change', ({ desired, change }) => {
    const plan = computePlan(desiredState({ ...desired, protect: true }), observedState([existing]));
    const verdict = safetyCheck(plan);
    expect(verdict.protectedApps).toEqual(['Gear']);
    expect(verdict.protectedSteps.map((s) => s.change)).toEqual(change === null ? [] : [change]);
    // The same plan for an app that is not protected needs nothing.
    expect(safetyCheck(computePlan(desiredState(desired), observedState([existing]))).protectedSteps).toEqual([]);
  });

  it('never stops creating a protected app', () => {
    const plan = computePlan(desiredState(desiredApp('Gear', { 1: 'A', 2: 'B' }, { protect: true, defaultVersion: 2 })), observedState([]));
    expect(safetyCheck(plan).protectedSteps).toEqual([]);
  });

  it('reads the policy from the config: limits, defaults, protected apps sorted', () => {
    expect(safetyPolicy(desiredState(desiredApp('b', { 1: 'A' }, { protect: true }), desiredApp('a', { 1: 'A' }, { protect: true }), desiredApp('c', { 1: 'A' })))).toEqual({
      maxRepublishPercent: 30,
      maxRepublishApps: 5,
      protectedApps: ['a', 'b'],
    });
    expect(safetyPolicy({ apps: [], safety: { maxRepublishApps: 0 } })).toEqual({ maxRepublishPercent: 30, maxRepublishApps: 0, protectedApps: [] });
  });
});

describe('enforceSafety', () => {
  it.each([
    { name: 'no flags: the large change first', options: {}, kind: 'large-change', apps: [] },
    { name: '--force only: the protected apps', options: { force: true }, kind: 'protected', apps: ['Crane', 'Jack', 'Kiln'] },
    { name: '--force and one protected app allowed', options: { force: true, allowProtected: ['Jack'] }, kind: 'protected', apps: ['Crane', 'Kiln'] },
    { name: 'all allowed', options: { force: true, allowProtected: ['Kiln', 'Crane', 'Jack'] }, kind: null, apps: [] },
  ])('$name', ({ options, kind, apps }) => {
    const run = () => enforceSafety(guardedPlan(), options);
    if (kind === null) {
      expect(run().protectedSteps).toHaveLength(3);
      return;
    }
    let caught: unknown;
    try {
      run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PlanRefusedError);
    const refused = caught as PlanRefusedError;
    expect(refused.kind).toBe(kind);
    expect(refused.apps).toEqual(apps);
    if (kind === 'large-change') {
      expect(refused.message).toBe(
        'refusing to apply: the plan puts new revisions on 7 existing apps of 10 (70%, more than 30% and more than 5); a revision replaces what users run. Check the plan, then apply it with --force if it is what you mean',
      );
      expect(refused.hint).toMatch(/--force\.$/);
    } else {
      for (const app of apps) expect(refused.message).toContain(`"${app}": step 1`);
      expect(refused.hint).toBe(`If that is intended, run again with ${apps.map((a) => `--allow-protected "${a}"`).join(' ')}.`);
    }
  });
});
