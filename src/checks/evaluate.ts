// Whether a run that ended meets its check: pure, no I/O. A run must have
// FINISHED; then every expected result must be there and match. What did not
// match is kept whole (expected and got), so every renderer can say which
// result, what was wanted and what came.

import equal from 'fast-deep-equal';
import { known, type Maybe } from '../appshub/types.js';
import { runPhase } from '../runs/states.js';
import type { RunResult, RunState } from '../runs/types.js';
import type { CheckSpec, Expectation, JsonValue } from './spec.js';

/** What a result came as. */
export type GotValue =
  | { kind: 'value'; value: JsonValue }
  /** The run finished without this result. */
  | { kind: 'missing' }
  /** The server sent the result in a form p7apps cannot read. */
  | { kind: 'unreadable' };

export interface ResultMismatch {
  result: string;
  expected: Expectation;
  got: GotValue;
}

/** How a check ended. */
export type CheckOutcome =
  | { status: 'passed'; state: string }
  /** FINISHED, but results differ from what was expected. */
  | { status: 'failed'; reason: 'results'; state: string; mismatches: ResultMismatch[] }
  /** The run ended without finishing (FAILED, INTERRUPTED, or a state p7apps does not know). */
  | { status: 'failed'; reason: 'run-ended'; state: string; detail: string | null }
  /** The run did not end within the check's timeout (the cleanup then interrupts and deletes it, or says it was left). */
  | { status: 'failed'; reason: 'timed-out'; state: string | null; timeoutMs: number }
  /** The check could not be run at all: the run could not be deployed, configured or started, or its state could not be read. */
  | { status: 'could-not-run'; detail: string };

/** A run that has ended, as its last read showed it. */
export interface EndedRun {
  state: RunState;
  stateDetail: Maybe<string | null>;
  results: Maybe<RunResult[]>;
}

export function evaluateRun(spec: CheckSpec, run: EndedRun): CheckOutcome {
  const state = run.state.name;
  if (runPhase(run.state) !== 'finished') {
    const detail = known(run.stateDetail) && run.stateDetail ? run.stateDetail : null;
    return { status: 'failed', reason: 'run-ended', state, detail };
  }
  const results = known(run.results) ? run.results : [];
  const mismatches: ResultMismatch[] = [];
  for (const { result, expectation } of spec.expect) {
    const got = gotValue(results, result, !known(run.results));
    if (!matches(expectation, got)) mismatches.push({ result, expected: expectation, got });
  }
  return mismatches.length === 0 ? { status: 'passed', state } : { status: 'failed', reason: 'results', state, mismatches };
}

function gotValue(results: readonly RunResult[], name: string, listUnreadable: boolean): GotValue {
  if (listUnreadable) return { kind: 'unreadable' };
  // A name the server repeats: the first one counts, as a person reading the list would take it.
  const found = results.find((r) => r.name === name);
  if (found === undefined) return { kind: 'missing' };
  return known(found.value) ? { kind: 'value', value: found.value.data } : { kind: 'unreadable' };
}

export function matches(expectation: Expectation, got: GotValue): boolean {
  if (got.kind !== 'value') return false;
  if (expectation.kind === 'equals') return equal(expectation.value, got.value);
  const value = got.value;
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value - expectation.value) <= expectation.tolerance + toleranceSlack(expectation);
}

/** Binary fractions: 0.1 + 0.2 is 0.30000000000000004; a difference on the last bits of the operands is not a miss. */
function toleranceSlack(expectation: { value: number; tolerance: number }): number {
  return Number.EPSILON * Math.max(1, Math.abs(expectation.value), expectation.tolerance) * 4;
}

/** The expectation as one short phrase: `4`, `"ok"`, `3.14 ± 0.01`. */
export function describeExpectation(expectation: Expectation): string {
  return expectation.kind === 'equals' ? JSON.stringify(expectation.value) : `${expectation.value} ± ${expectation.tolerance}`;
}

/** What came, as one short phrase. */
export function describeGot(got: GotValue): string {
  if (got.kind === 'missing') return 'no such result';
  if (got.kind === 'unreadable') return 'a value p7apps cannot read';
  return JSON.stringify(got.value);
}
