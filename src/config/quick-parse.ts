// A quicker road through a zod schema for a value it accepts. zod's own parse
// of a catalog of a thousand apps takes some 60-100 ms in a fresh process
// (every node allocates payloads and issue lists, and little of it is warm);
// `p7apps validate` and `plan` pay that before their first request. The
// checker here is built from the schema's own definition (the same types,
// checks, patterns and bounds, read from zod's `_zod.def`), so it cannot
// drift from ./schema.ts, and it only ever answers "accepted, with this
// output" or "not sure":
// - it accepts a value only where zod would, and builds the output zod would
//   (keys in the schema's order, a present `undefined` kept, fresh objects);
// - a node of a kind it does not know (a URL, JSON values, records,
//   refinements, ...) is handed to zod's own parse of that node;
// - on any doubt (a failed check, a string length zod measures in code
//   points, an unknown key) the caller parses the whole value with zod, so
//   every message about a bad config is zod's, exactly as before.
// `_zod.def` is zod's internal shape, so package.json takes zod 4.6's patch
// releases only (~4.6): a newer minor is taken on purpose, after the
// differential test (test/config/quick-parse.test.ts) has run against it.

import type { z } from 'zod';

/** The parts of zod's internal definitions read here (zod 4's `_zod`). */
interface ZodNode {
  _zod: {
    def: {
      type: string;
      coerce?: boolean;
      format?: string;
      checks?: ZodCheck[];
      innerType?: ZodNode;
      element?: ZodNode;
      shape?: Record<string, ZodNode>;
      catchall?: ZodNode;
      options?: ZodNode[];
      inclusive?: boolean;
    };
    optin?: string;
    optout?: string;
    values?: Set<unknown>;
  };
  safeParse(value: unknown): { success: true; data: unknown } | { success: false };
}

interface ZodCheck {
  _zod: { def: { check: string; minimum?: number; maximum?: number; value?: unknown; inclusive?: boolean; format?: string; pattern?: RegExp } };
}

/** "Not sure": the caller asks zod. */
const UNSURE: unique symbol = Symbol('unsure');
type Checker = (value: unknown) => unknown;

const checkers = new WeakMap<object, Checker>();

/**
 * `schema.safeParse(value)`, the same answer, sooner when the value is
 * accepted: the quick checker's output when it is sure, zod's parse otherwise.
 */
export function safeParseQuickly<T extends z.ZodType>(schema: T, value: unknown): z.ZodSafeParseResult<z.output<T>> {
  const output = quickParse(schema, value);
  return output === UNSURE ? schema.safeParse(value) : { success: true, data: output as z.output<T> };
}

/** The output zod would give for a value it accepts, or UNSURE. Exported for tests. */
export function quickParse(schema: z.ZodType, value: unknown): unknown {
  return checkerOf(schema as unknown as ZodNode)(value);
}

export { UNSURE };

function checkerOf(node: ZodNode): Checker {
  let checker = checkers.get(node);
  if (checker === undefined) {
    // A schema that holds itself (zod allows cycles) reaches this node again while it is built: it then calls the finished checker.
    checkers.set(node, (value) => checkers.get(node)!(value));
    checker = build(node) ?? delegateTo(node);
    checkers.set(node, checker);
  }
  return checker;
}

/** zod's own parse of this one node: exact, for the kinds not built below. */
function delegateTo(node: ZodNode): Checker {
  return (value) => {
    const result = node.safeParse(value);
    return result.success ? result.data : UNSURE;
  };
}

/** A checker for the kinds it knows, or undefined to hand the node to zod. */
function build(node: ZodNode): Checker | undefined {
  const def = node._zod.def;
  const checks = def.checks ?? [];
  switch (def.type) {
    case 'string': {
      if (def.coerce || def.format !== undefined) return undefined;
      const tests = stringTests(checks);
      if (tests === undefined) return undefined;
      return (value) => (typeof value === 'string' && tests.every((test) => test(value)) ? value : UNSURE);
    }
    case 'number': {
      if (def.coerce) return undefined;
      const tests = numberTests(checks);
      if (tests === undefined) return undefined;
      return (value) => (typeof value === 'number' && Number.isFinite(value) && tests.every((test) => test(value)) ? value : UNSURE);
    }
    case 'boolean':
      if (def.coerce || checks.length > 0) return undefined;
      return (value) => (typeof value === 'boolean' ? value : UNSURE);
    case 'enum': {
      const values = node._zod.values;
      if (values === undefined || checks.length > 0) return undefined;
      return (value) => (values.has(value) ? value : UNSURE);
    }
    case 'optional': {
      const inner = def.innerType;
      // A defaulted or optional inner schema substitutes for undefined: zod's business.
      if (inner === undefined || inner._zod.optin !== undefined || checks.length > 0) return undefined;
      const check = checkerOf(inner);
      return (value) => (value === undefined ? undefined : check(value));
    }
    case 'array':
      return def.element === undefined ? undefined : arrayChecker(checkerOf(def.element), checks);
    case 'object':
      return objectChecker(node);
    case 'union':
      return unionChecker(node);
    default:
      return undefined;
  }
}

function stringTests(checks: ZodCheck[]): ((text: string) => boolean)[] | undefined {
  const tests: ((text: string) => boolean)[] = [];
  for (const check of checks) {
    const { check: kind, minimum, maximum, format, pattern } = check._zod.def;
    // zod measures a length near a bound in code points, which may be fewer
    // than UTF-16 units: sure only when units alone settle it either way.
    if (kind === 'max_length' && typeof maximum === 'number') tests.push((text) => text.length <= maximum);
    else if (kind === 'min_length' && typeof minimum === 'number') tests.push((text) => text.length >= minimum && (text.length >= 2 * minimum || !HIGH_SURROGATE.test(text)));
    else if (kind === 'string_format' && format === 'regex' && pattern instanceof RegExp) {
      tests.push((text) => {
        pattern.lastIndex = 0;
        return pattern.test(text);
      });
    } else return undefined;
  }
  return tests;
}

const HIGH_SURROGATE = /[\ud800-\udbff]/;

function numberTests(checks: ZodCheck[]): ((n: number) => boolean)[] | undefined {
  const tests: ((n: number) => boolean)[] = [];
  for (const check of checks) {
    const { check: kind, value, inclusive, format } = check._zod.def;
    if (kind === 'number_format' && format === 'safeint') tests.push((n) => Number.isSafeInteger(n));
    else if (kind === 'greater_than' && typeof value === 'number') tests.push(inclusive ? (n) => n >= value : (n) => n > value);
    else if (kind === 'less_than' && typeof value === 'number') tests.push(inclusive ? (n) => n <= value : (n) => n < value);
    else return undefined;
  }
  return tests;
}

function arrayChecker(element: Checker, checks: ZodCheck[]): Checker | undefined {
  let min = 0;
  let max = Infinity;
  for (const check of checks) {
    const { check: kind, minimum, maximum } = check._zod.def;
    if (kind === 'min_length' && typeof minimum === 'number') min = Math.max(min, minimum);
    else if (kind === 'max_length' && typeof maximum === 'number') max = Math.min(max, maximum);
    else return undefined;
  }
  return (value) => {
    if (!Array.isArray(value) || value.length < min || value.length > max) return UNSURE;
    const output = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = element(value[i]);
      if (item === UNSURE) return UNSURE;
      output[i] = item;
    }
    return output;
  };
}

/** A strict object (unknown keys refused), every key required or `.optional()`. */
function objectChecker(node: ZodNode): Checker | undefined {
  const { shape, catchall, checks = [] } = node._zod.def;
  if (shape === undefined || catchall?._zod.def.type !== 'never' || checks.length > 0 || Object.getOwnPropertySymbols(shape).length > 0) return undefined;
  const keys = Object.keys(shape);
  if (keys.includes('__proto__')) return undefined;
  const known = new Set(keys);
  const fields: { key: string; optional: boolean; check: Checker }[] = [];
  for (const key of keys) {
    const field = shape[key]!;
    const optional = field._zod.def.type === 'optional';
    // Other ways of being optional (defaults, unions with an optional member) are zod's business.
    if (!optional && field._zod.optin !== undefined) return undefined;
    fields.push({ key, optional, check: checkerOf(field) });
  }
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return UNSURE;
    const input = value as Record<string, unknown>;
    // zod reads keys with `for...in` and `in`, inherited ones included: so does this.
    for (const key in input) if (!known.has(key)) return UNSURE;
    const output: Record<string, unknown> = {};
    for (const { key, optional, check } of fields) {
      if (!(key in input)) {
        if (optional) continue;
        return UNSURE;
      }
      const field = check(input[key]);
      if (field === UNSURE) return UNSURE;
      output[key] = field;
    }
    return output;
  };
}

/**
 * zod takes the first option that accepts. An option is skipped here only
 * when its kind cannot accept the value (a string option and an object);
 * the first one that might decides, so a doubt is never passed over.
 */
function unionChecker(node: ZodNode): Checker | undefined {
  const { options, inclusive, checks = [] } = node._zod.def;
  if (options === undefined || inclusive === false || checks.length > 0) return undefined;
  const choices = options.map((option) => ({ cannotAccept: refusedByKind(option), check: checkerOf(option) }));
  return (value) => {
    for (const { cannotAccept, check } of choices) {
      if (cannotAccept(value)) continue;
      return check(value);
    }
    return UNSURE;
  };
}

/** Values a node refuses whatever its checks, by its kind alone; nothing for kinds not listed. */
function refusedByKind(node: ZodNode): (value: unknown) => boolean {
  const def = node._zod.def;
  if (def.coerce) return () => false;
  switch (def.type) {
    case 'string':
      return (value) => typeof value !== 'string';
    case 'number':
      return (value) => typeof value !== 'number';
    case 'boolean':
      return (value) => typeof value !== 'boolean';
    case 'array':
      return (value) => !Array.isArray(value);
    case 'object':
      return (value) => typeof value !== 'object' || value === null || Array.isArray(value);
    default:
      return () => false;
  }
}
