// What each run state allows, as the guide describes it: which states end a
// run, which allow setting parameters and starting, which allow deleting.
// Pure: no I/O. A state the guide does not name is never taken for an end.

import type { KnownRunState, RunState } from './types.js';

/** Where a run is: `other` for a state the guide does not name. */
export type RunPhase = 'deploying' | 'configurable' | 'queued' | 'running' | 'finished' | 'failed' | 'interrupted' | 'other';

const PHASE: Record<KnownRunState, RunPhase> = {
  QUEUED_TO_INITIALIZE: 'deploying',
  CONFIGURATION: 'configurable',
  QUEUED_TO_RUN: 'queued',
  RUNNING: 'running',
  FINISHED: 'finished',
  FAILED: 'failed',
  INTERRUPTED: 'interrupted',
};

export function runPhase(state: RunState): RunPhase {
  return state.kind === 'known' ? PHASE[state.name] : 'other';
}

/** FINISHED, FAILED or INTERRUPTED: the run will not change any more. */
export function isRunEnded(state: RunState): boolean {
  const phase = runPhase(state);
  return phase === 'finished' || phase === 'failed' || phase === 'interrupted';
}

/** The guide: a run may be deleted in CONFIGURATION, FINISHED, FAILED or INTERRUPTED; a RUNNING one is interrupted first. */
export function isRunDeletable(state: RunState): boolean {
  return runPhase(state) === 'configurable' || isRunEnded(state);
}
