// The verdict on a run that ended, one row per rule: the run must FINISH,
// every expected result must be there, exact values compare as JSON, numbers
// within a tolerance (ends included, binary-fraction noise forgiven).

import { describe, expect, it } from 'vitest';
import { UNKNOWN } from '../../src/appshub/types.js';
import { describeExpectation, describeGot, evaluateRun, type CheckOutcome, type EndedRun } from '../../src/checks/evaluate.js';
import type { CheckSpec, Expectation } from '../../src/checks/spec.js';
import type { JsonValue, KnownRunState } from '../../src/runs/types.js';

const spec = (expect: Record<string, Expectation> = {}): CheckSpec => ({
  name: 'smoke',
  parameters: [],
  expect: Object.entries(expect).map(([result, expectation]) => ({ result, expectation })),
  timeoutMs: 60_000,
  personal: false,
});
const eq = (value: JsonValue): Expectation => ({ kind: 'equals', value });
const near = (value: number, tolerance: number): Expectation => ({ kind: 'near', value, tolerance });
const finished = (results: Record<string, JsonValue>): EndedRun => ({
  state: { kind: 'known', name: 'FINISHED' },
  stateDetail: null,
  results: Object.entries(results).map(([name, data]) => ({ name, value: { data, meta: {} }, labels: {} })),
});
const ended = (name: KnownRunState, detail: string | null = null): EndedRun => ({ state: { kind: 'known', name }, stateDetail: detail, results: [] });

describe('evaluateRun', () => {
  it.each<[string, CheckSpec, EndedRun, CheckOutcome]>([
    ['finishing is enough without expectations', spec(), finished({}), { status: 'passed', state: 'FINISHED' }],
    ['an exact number', spec({ y: eq(4) }), finished({ y: 4 }), { status: 'passed', state: 'FINISHED' }],
    ['an exact number that differs', spec({ y: eq(4) }), finished({ y: 5 }), {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'y', expected: eq(4), got: { kind: 'value', value: 5 } }],
    }],
    ['text is not a number', spec({ y: eq(4) }), finished({ y: '4' }), {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'y', expected: eq(4), got: { kind: 'value', value: '4' } }],
    }],
    ['lists compare in order', spec({ l: eq([1, 2]) }), finished({ l: [2, 1] }), {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'l', expected: eq([1, 2]), got: { kind: 'value', value: [2, 1] } }],
    }],
    ['objects compare key by key, in any order', spec({ o: eq({ a: 1, b: [true] }) }), finished({ o: { b: [true], a: 1 } }), { status: 'passed', state: 'FINISHED' }],
    ['null is a value', spec({ n: eq(null) }), finished({ n: null }), { status: 'passed', state: 'FINISHED' }],
    ['within a tolerance', spec({ x: near(3.14, 0.01) }), finished({ x: 3.1415 }), { status: 'passed', state: 'FINISHED' }],
    ['at the edge of a tolerance', spec({ x: near(0.3, 0.1) }), finished({ x: 0.4 }), { status: 'passed', state: 'FINISHED' }],
    ['a zero tolerance forgives binary-fraction noise', spec({ x: near(0.3, 0) }), finished({ x: 0.1 + 0.2 }), { status: 'passed', state: 'FINISHED' }],
    ['outside a tolerance', spec({ x: near(3.14, 0.01) }), finished({ x: 3.2 }), {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'x', expected: near(3.14, 0.01), got: { kind: 'value', value: 3.2 } }],
    }],
    ['a tolerance needs a number', spec({ x: near(1, 1) }), finished({ x: '1' }), {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'x', expected: near(1, 1), got: { kind: 'value', value: '1' } }],
    }],
    ['a missing result', spec({ y: eq(4), z: eq(1) }), finished({ y: 4 }), {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'z', expected: eq(1), got: { kind: 'missing' } }],
    }],
    ['results the server did not send', spec({ y: eq(4) }), { ...finished({}), results: UNKNOWN }, {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'y', expected: eq(4), got: { kind: 'unreadable' } }],
    }],
    ['a result whose value cannot be read', spec({ y: eq(4) }), { ...finished({}), results: [{ name: 'y', value: UNKNOWN, labels: {} }] }, {
      status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'y', expected: eq(4), got: { kind: 'unreadable' } }],
    }],
    ['a repeated result name: the first counts', spec({ y: eq(4) }), { ...finished({ y: 4 }), results: [...(finished({ y: 4 }).results as []), ...(finished({ y: 5 }).results as [])] }, {
      status: 'passed', state: 'FINISHED',
    }],
    ['a FAILED run, with its detail', spec(), ended('FAILED', 'division by zero'), { status: 'failed', reason: 'run-ended', state: 'FAILED', detail: 'division by zero' }],
    ['an INTERRUPTED run', spec({ y: eq(1) }), ended('INTERRUPTED'), { status: 'failed', reason: 'run-ended', state: 'INTERRUPTED', detail: null }],
    ['a state p7apps does not know', spec(), { ...ended('FAILED'), state: { kind: 'other', name: 'CRASHED' } }, {
      status: 'failed', reason: 'run-ended', state: 'CRASHED', detail: null,
    }],
  ])('%s', (_name, check, run, outcome) => {
    expect(evaluateRun(check, run)).toEqual(outcome);
  });
});

describe('the words for expected and got', () => {
  it.each<[Expectation, string]>([
    [eq(4), '4'],
    [eq('ok'), '"ok"'],
    [eq([1, 2]), '[1,2]'],
    [near(3.14, 0.01), '3.14 ± 0.01'],
  ])('%j reads %s', (expectation, words) => expect(describeExpectation(expectation)).toBe(words));
  it.each([
    [{ kind: 'missing' } as const, 'no such result'],
    [{ kind: 'unreadable' } as const, 'a value p7apps cannot read'],
    [{ kind: 'value', value: 'x' } as const, '"x"'],
  ])('%j reads %s', (got, words) => expect(describeGot(got)).toBe(words));
});
