// What each run state allows, per the guide: which end a run, which allow
// deleting, and that a state the guide does not name is never an end.

import { describe, expect, it } from 'vitest';
import { isRunDeletable, isRunEnded, runPhase } from '../../src/runs/states.js';
import { RUN_STATES, type RunState } from '../../src/runs/types.js';

const known = (name: (typeof RUN_STATES)[number]): RunState => ({ kind: 'known', name });

describe('run states', () => {
  it.each<[RunState, string, boolean, boolean]>([
    [known('QUEUED_TO_INITIALIZE'), 'deploying', false, false],
    [known('CONFIGURATION'), 'configurable', false, true],
    [known('QUEUED_TO_RUN'), 'queued', false, false],
    [known('RUNNING'), 'running', false, false],
    [known('FINISHED'), 'finished', true, true],
    [known('FAILED'), 'failed', true, true],
    [known('INTERRUPTED'), 'interrupted', true, true],
    // A state the guide does not name, even one that sounds final, is neither an end nor deletable.
    [{ kind: 'other', name: 'COMPLETED' }, 'other', false, false],
  ])('%j is %s, ended %s, deletable %s', (state, phase, ended, deletable) => {
    expect(runPhase(state)).toBe(phase);
    expect(isRunEnded(state)).toBe(ended);
    expect(isRunDeletable(state)).toBe(deletable);
  });

  it('names every state of the guide, in the order a run passes through them', () => {
    expect(RUN_STATES).toEqual(['QUEUED_TO_INITIALIZE', 'CONFIGURATION', 'QUEUED_TO_RUN', 'RUNNING', 'FINISHED', 'FAILED', 'INTERRUPTED']);
  });
});
