// The `checks` a config may declare on an app or on one version: runs p7apps
// makes of a published version to see it really works (src/checks/). Kept
// apart from ./schema.ts so the shape of a check, its limits and the words
// for a wrong expectation live together.

import { z } from 'zod';
import { isRecord } from './issue-path.js';

export const MAX_CHECKS_PER_LIST = 20;
export const MAX_CHECK_PARAMETERS = 500;
export const MAX_CHECK_NAME_LENGTH = 200;
export const MAX_CHECK_TIMEOUT_SECONDS = 24 * 60 * 60;

const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

const jsonValue = z.json().describe('Any JSON value: text, a number, true/false, null, a list or an object.');

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const nearSchema = z
  .strictObject({
    number: z.number().describe('The expected number.'),
    tolerance: z.number().min(0, 'a tolerance must be 0 or more').describe('How far the result may be from it, either way (absolute).'),
  })
  .describe('A number within a tolerance: { number: 3.14, tolerance: 0.01 }.');

const equalsSchema = z
  .strictObject({ equals: jsonValue })
  .describe('Exactly this JSON value (needed for lists and objects): { equals: [1, 2] }.');

export const expectationSchema = z
  .union([scalar, equalsSchema, nearSchema])
  .describe('What the result must be: a text, number, true/false or null (exactly), { equals: value }, or { number, tolerance }.');

export const checkSchema = z
  .strictObject({
    name: z
      .string()
      .min(1, 'a check name must not be empty')
      .max(MAX_CHECK_NAME_LENGTH, `a check name is too long (at most ${MAX_CHECK_NAME_LENGTH} characters)`)
      .regex(NO_CONTROL_CHARACTERS, 'a check name must not contain control characters')
      .describe('A name for the check, unique among the checks of the app (or version), shown in reports.'),
    parameters: z
      .record(z.string().min(1, 'a parameter name must not be empty'), jsonValue)
      .refine((value) => Object.keys(value).length <= MAX_CHECK_PARAMETERS, `too many parameters (at most ${MAX_CHECK_PARAMETERS})`)
      .describe('Parameter values to set before the run starts, by parameter name as the server names it ("Block/Port" when needed). Others keep their defaults.')
      .optional(),
    expect: z
      .record(z.string().min(1, 'a result name must not be empty'), expectationSchema)
      .describe('Expected results, by result name. Left out or empty: the check passes when the run finishes.')
      .optional(),
    timeoutSeconds: z
      .number()
      .int('the timeout must be a whole number of seconds')
      .min(1, 'the timeout must be at least 1 second')
      .max(MAX_CHECK_TIMEOUT_SECONDS, `the timeout must be at most ${MAX_CHECK_TIMEOUT_SECONDS} seconds (a day)`)
      .describe('How long the run may take, from deploying it to its end (default 600).')
      .optional(),
    personal: z.boolean().describe("Run on the user's own resources instead of the app's workspace (the run's `personal` setting; default false).").optional(),
  })
  .describe('A run p7apps makes of the published version to see it works.');

export const checksSchema = z
  .array(checkSchema)
  .max(MAX_CHECKS_PER_LIST, `too many checks (at most ${MAX_CHECKS_PER_LIST})`)
  .describe('Checks run against the published version by `p7apps check`, and by apply before it makes a version default.');

export const CHECK_KEYS = Object.keys(checkSchema.shape);
export const NEAR_KEYS = Object.keys(nearSchema.shape);

/** Is this path inside a `checks` list? Its unions are the expectations and JSON values below. */
export function isCheckPath(path: readonly (string | number)[]): boolean {
  return path.includes('checks');
}

/** One message for a value inside a check that no form of it accepts. */
export function checkValueMessage(path: readonly (string | number)[], value: unknown, describe: (value: unknown) => string): string {
  const inExpect = path.length >= 2 && path[path.length - 2] === 'expect';
  if (!inExpect) return `expected a JSON value (text, a number, true/false, null, a list or an object), got ${describe(value)}`;
  if (Array.isArray(value)) return 'a list is compared with { equals: [...] }';
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.includes('tolerance') && !keys.includes('number')) return 'a tolerance needs the number it applies to: { number: 3.14, tolerance: 0.01 }';
    if (keys.includes('number') && !keys.includes('tolerance')) return 'a number alone is written as the number itself (exact), or with a tolerance: { number: 3.14, tolerance: 0.01 }';
    if (keys.includes('number') && keys.includes('tolerance')) {
      if (typeof value.number !== 'number' || !Number.isFinite(value.number)) return `{ number, tolerance }: the number must be a number, got ${describe(value.number)}`;
      if (typeof value.tolerance !== 'number' || !Number.isFinite(value.tolerance)) return `{ number, tolerance }: the tolerance must be a number, got ${describe(value.tolerance)}`;
      if (value.tolerance < 0) return '{ number, tolerance }: the tolerance must be 0 or more';
      return `{ number, tolerance } takes only those two keys; found ${keys.filter((k) => !NEAR_KEYS.includes(k)).map((k) => JSON.stringify(k)).join(', ')}`;
    }
    if (keys.includes('equals')) return `{ equals: value } takes only the equals key and a JSON value`;
    return 'an object is compared with { equals: {...} }; a number within a tolerance is { number, tolerance }';
  }
  return `expected a result value (text, a number, true/false or null), { equals: value } or { number, tolerance }, got ${describe(value)}`;
}
