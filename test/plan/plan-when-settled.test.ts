// planWhenSettled on virtual time: it re-plans after growing pauses while an
// app waits for a version still publishing, stops as soon as none waits, at
// the deadline, when told to give up, or when stopped.

import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/compute.js';
import type { Plan } from '../../src/plan/types.js';
import { planWhenSettled } from '../../src/settle/plan-when-settled.js';
import { VirtualClock } from '../apply/virtual-clock.js';
import { desiredApp, desiredState, observedApp, observedState } from './builders.js';

const desired = desiredState(desiredApp('Beam', { 1: 'Beam' }, { description: 'new words' }), desiredApp('Gear', { 1: 'Gear' }, { workspace: { name: 'Elsewhere' } }));
const schedule = { firstMs: 1000, factor: 2, maxMs: 3000 };

/** Beam v1 is INITIALIZING for the first `reads` plans, READY after. */
function server(publishingFor: number, withConflict = false): () => Promise<Plan> {
  let reads = 0;
  return async () => {
    reads += 1;
    const state = reads <= publishingFor ? 'INITIALIZING' : 'READY';
    const apps = [observedApp('Beam', { 1: { workflow: 'Beam', state } })];
    if (withConflict) apps.push(observedApp('Gear', { 1: 'Gear' }));
    return computePlan(withConflict ? desired : desiredState(desired.apps[0]!), observedState(apps));
  };
}

describe('planWhenSettled', () => {
  it.each<[string, number, number, boolean, number[]]>([
    ['settled at once: one read, no pause', 0, 60_000, false, []],
    ['settles after three reads: pauses of 1s, 2s', 2, 60_000, false, [1000, 2000]],
    ['pauses grow to the longest and no further', 5, 60_000, false, [1000, 2000, 3000, 3000, 3000]],
    ['the deadline comes first: the last pause ends at it, and the plan still waits', 100, 4500, true, [1000, 2000, 1500]],
  ])('%s', async (_name, publishingFor, timeoutMs, stillWaiting, pauses) => {
    const clock = new VirtualClock();
    const seen: string[][] = [];
    const settled = await planWhenSettled(server(publishingFor), { timeoutMs, clock, schedule, onWaiting: (v) => seen.push(v) });
    expect(settled.stillWaiting).toBe(stillWaiting);
    expect(clock.sleeps.map((s) => s.ms)).toEqual(pauses);
    expect(settled.reads).toBe(pauses.length + 1);
    expect(settled.plan.apps[0]!.action).toBe(stillWaiting ? 'wait' : 'update');
    // Said once while the awaited list stays the same.
    expect(seen).toEqual(publishingFor === 0 ? [] : [['"Beam" v1 (INITIALIZING)']]);
  });

  it('gives up at once when told (a conflict refuses the plan anyway)', async () => {
    const clock = new VirtualClock();
    const settled = await planWhenSettled(server(5, true), { timeoutMs: 60_000, clock, schedule, giveUpWhen: (plan) => plan.summary.conflict > 0 });
    expect(settled).toMatchObject({ stillWaiting: true, reads: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('stops when the run is stopped', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const once = server(100);
    const settled = await planWhenSettled(
      async () => {
        const plan = await once();
        controller.abort();
        return plan;
      },
      { timeoutMs: 60_000, clock, schedule, signal: controller.signal },
    );
    expect(settled).toMatchObject({ stillWaiting: true, reads: 1 });
  });
});
