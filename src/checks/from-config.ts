// From the checks a config declares (validated by src/config/check-schema.ts)
// to the CheckSpec the planner, apply and `p7apps check` work with: defaults
// filled in, parameters and expectations sorted by name so the same config
// always makes the same plan.

import type { z } from 'zod';
import type { checkSchema, expectationSchema } from '../config/check-schema.js';
import { compareCodePoints } from '../plan/order.js';
import { DEFAULT_CHECK_TIMEOUT_SECONDS, type CheckSpec, type Expectation, type JsonValue } from './spec.js';

type ParsedCheck = z.output<typeof checkSchema>;
type ParsedExpectation = z.output<typeof expectationSchema>;

export function checkSpecs(checks: readonly ParsedCheck[] | undefined): CheckSpec[] {
  return (checks ?? []).map((check) => ({
    name: check.name,
    parameters: Object.entries(check.parameters ?? {})
      .sort(([a], [b]) => compareCodePoints(a, b))
      .map(([name, value]) => ({ name, value: value as JsonValue })),
    expect: Object.entries(check.expect ?? {})
      .sort(([a], [b]) => compareCodePoints(a, b))
      .map(([result, expected]) => ({ result, expectation: expectation(expected) })),
    timeoutMs: (check.timeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS) * 1000,
    personal: check.personal ?? false,
  }));
}

function expectation(expected: ParsedExpectation): Expectation {
  if (expected !== null && typeof expected === 'object') {
    if ('equals' in expected) return { kind: 'equals', value: expected.equals as JsonValue };
    return { kind: 'near', value: expected.number, tolerance: expected.tolerance };
  }
  return { kind: 'equals', value: expected };
}
