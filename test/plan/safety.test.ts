import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/compute.js';
import { safetyCheck } from '../../src/plan/safety.js';
import type { ObservedApp } from '../../src/plan/observed.js';
import type { DesiredApp } from '../../src/config/desired.js';
import { desiredApp, desiredState, observedApp, observedState } from './builders.js';

/** A catalog of `existing` apps of which `revised` get a new revision and `added` get a new version; plus `created` new apps. */
function planWith(counts: { existing: number; revised: number; added?: number; created?: number }) {
  const desired: DesiredApp[] = [];
  const observed: ObservedApp[] = [];
  for (let i = 0; i < counts.existing; i += 1) {
    const name = `App ${String(i).padStart(2, '0')}`;
    const addsVersion = i >= counts.revised && i < counts.revised + (counts.added ?? 0);
    desired.push(desiredApp(name, addsVersion ? { 1: 'A', 2: 'B' } : { 1: 'A' }));
    observed.push(observedApp(name, { 1: { workflow: 'A', fingerprint: i < counts.revised ? 'edited' : undefined } }));
  }
  for (let i = 0; i < (counts.created ?? 0); i += 1) desired.push(desiredApp(`New ${i}`, { 1: 'A' }));
  return computePlan(desiredState(...desired), observedState(observed));
}

describe('safetyCheck', () => {
  it.each([
    { name: '6 of 10 existing apps revised: refused', existing: 10, revised: 6, refuse: true },
    { name: '5 of 5 revised: allowed (not more than 5)', existing: 5, revised: 5, refuse: false },
    { name: '6 of 20 revised: allowed (30% is not more than 30%)', existing: 20, revised: 6, refuse: false },
    { name: '7 of 20 revised: refused (35%)', existing: 20, revised: 7, refuse: true },
    { name: 'new versions and new apps are not churn', existing: 10, revised: 0, added: 10, created: 10, refuse: false },
  ])('$name', ({ existing, revised, added, created, refuse }) => {
    const verdict = safetyCheck(planWith({ existing, revised, added, created }), { maxFraction: 0.3, minCount: 5 });
    expect(verdict.refuse).toBe(refuse);
    expect(verdict.revisedApps).toHaveLength(revised);
    expect(verdict.existingApps).toBe(existing);
    if (refuse) expect(verdict.reason).toMatch(new RegExp(`new revisions on ${revised} existing apps of ${existing} .*--force`));
    else expect(verdict.reason).toBeUndefined();
  });

  it('uses 30% and 5 by default', () => {
    expect(safetyCheck(planWith({ existing: 10, revised: 6 })).refuse).toBe(true);
    expect(safetyCheck(planWith({ existing: 10, revised: 6 }), { maxFraction: 0.7, minCount: 5 }).refuse).toBe(false);
  });
});
