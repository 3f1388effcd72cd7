// What a check is once the config is loaded: the run it makes (parameters by
// name, where it runs, how long it may take) and what its results must be.
// Plain JSON data, so a saved plan carries it as it stands and apply runs
// exactly the checks that were planned.

import type { JsonValue } from '../runs/types.js';

export type { JsonValue };

/** What one result must be. */
export type Expectation =
  /** The same JSON value (numbers compared exactly, objects key by key, lists in order). */
  | { kind: 'equals'; value: JsonValue }
  /** A number within `tolerance` of `value`, both ends included. */
  | { kind: 'near'; value: number; tolerance: number };

export interface CheckParameter {
  /** The parameter's name as the server names it (`Block/Port` when the port name alone is not unique). */
  name: string;
  value: JsonValue;
}

export interface ExpectedResult {
  /** The result's name as the server names it. */
  result: string;
  expectation: Expectation;
}

export interface CheckSpec {
  /** Unique among the checks of one version. */
  name: string;
  /** Sorted by name. */
  parameters: CheckParameter[];
  /** Sorted by result name; empty: the check passes when the run finishes. */
  expect: ExpectedResult[];
  /** From deploying the run to its end. */
  timeoutMs: number;
  /** Run on the user's own resources rather than the app's workspace. */
  personal: boolean;
}

/** A check's run gets this long unless the config says otherwise. */
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 600;
