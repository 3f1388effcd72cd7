// What may leave the config worker: plain data. A config computed by code
// can hold things that cannot be copied to another thread (functions,
// symbols, class instances whose methods would be lost, promises nobody
// awaited), or built-ins that would be copied but that no part of a config
// is (a Map, a Date); each is refused with the place in the config where it sits,
// rather than failing with the runtime's "could not be cloned". The value
// is read once, here (getters included), into a copy that keeps shared and
// cyclic references as they are; the walk uses no recursion, so a deeply
// nested value cannot exhaust the stack.

import { isSlotKey, type PathSegment } from './issue-path.js';

export type PlainDataResult = { ok: true; value: unknown } | { ok: false; path: PathSegment[]; message: string };

const PLAIN_DATA = 'the config must be plain data (objects, arrays, strings, numbers, booleans)';

/** A place, as a chain to its parent: paths are built only for the one place reported. */
interface Place {
  parent: Place | undefined;
  key: PathSegment;
}

class NotPlain extends Error {
  constructor(
    readonly place: Place | undefined,
    message: string,
  ) {
    super(message);
  }
}

function pathOf(place: Place | undefined): PathSegment[] {
  const out: PathSegment[] = [];
  for (let at = place; at !== undefined; at = at.parent) out.push(at.key);
  return out.reverse();
}

/**
 * What to write instead of a built-in object the structured clone would
 * copy; none for any other object. Refused here, not left to the schema: a
 * schema reads a Map or a Date as an object with no keys, so a `safety` or
 * `defaults` given as a Map passed as empty and its values were silently lost.
 */
function builtinAdvice(value: object): string | undefined {
  if (value instanceof Map) return 'use a plain object (Object.fromEntries(map))';
  if (value instanceof Set) return 'use an array ([...set])';
  if (value instanceof Date) return 'use its text (date.toISOString())';
  if (value instanceof RegExp) return 'use its text (regexp.source)';
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return 'use an array of numbers, or text';
  if (value instanceof Error) return 'throw it to stop the load, or use its message';
  if (value instanceof Boolean || value instanceof Number || value instanceof String) return 'use the primitive value (value.valueOf())';
  return undefined;
}

function className(value: object): string {
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'a class';
  } catch {
    return 'a class';
  }
}

/** "a Map", "an Error", "a Uint8Array". */
function articled(name: string): string {
  return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
}

function describeText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * A copy of `root` made of plain objects, arrays and primitives, or the
 * first place holding something else, with what to do about it.
 */
export function toPlainData(root: unknown): PlainDataResult {
  const copies = new Map<object, unknown>();
  const pending: { source: object; target: Record<string, unknown> | unknown[]; place: Place | undefined }[] = [];

  const convert = (value: unknown, place: Place | undefined): unknown => {
    if (typeof value === 'function') throw new NotPlain(place, `a function cannot be part of the config: ${PLAIN_DATA}; call it and use what it returns`);
    if (typeof value === 'symbol') throw new NotPlain(place, `a symbol cannot be part of the config: ${PLAIN_DATA}`);
    if (typeof value !== 'object' || value === null) return value;
    const copied = copies.get(value);
    if (copied !== undefined) return copied;
    if (Array.isArray(value)) {
      const copy: unknown[] = [];
      copies.set(value, copy);
      pending.push({ source: value, target: copy, place });
      return copy;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      const copy: Record<string, unknown> = {};
      copies.set(value, copy);
      pending.push({ source: value, target: copy, place });
      return copy;
    }
    if (typeof (value as { then?: unknown }).then === 'function') {
      throw new NotPlain(place, `a promise cannot be part of the config: await it, in an async config function that returns the config`);
    }
    const advice = builtinAdvice(value);
    if (advice !== undefined) throw new NotPlain(place, `${articled(className(value))} cannot be part of the config: ${PLAIN_DATA}; ${advice}`);
    throw new NotPlain(place, `an instance of ${className(value)} cannot be part of the config: ${PLAIN_DATA}; copy the values it holds into a plain object`);
  };

  try {
    const value = convert(root, undefined);
    for (let task = pending.pop(); task !== undefined; task = pending.pop()) {
      const { source, target, place } = task;
      const isArray = Array.isArray(source);
      if (isArray) {
        // A hole (`[app, , ]`) is no key: left to the copy, it would vanish, trailing ones without a trace.
        const slots = Object.keys(source).filter(isSlotKey).length;
        if (slots !== source.length) {
          let hole = 0;
          while (hole in source) hole += 1;
          throw new NotPlain({ parent: place, key: hole }, 'an empty slot (a hole in the array) cannot be part of the config: remove it, or put the value there');
        }
      }
      for (const key of Object.keys(source)) {
        const segment: PathSegment = isArray ? Number(key) : key;
        const at: Place = { parent: place, key: segment };
        let item: unknown;
        try {
          item = (source as Record<string, unknown>)[key];
        } catch (err) {
          throw new NotPlain(at, `reading this value failed: ${describeText(err)}`);
        }
        const copy = convert(item, at);
        // An own "__proto__" key stays a key (assigned, it would set the copy's prototype and vanish): the schema reports it.
        if (key === '__proto__') Object.defineProperty(target, key, { value: copy, enumerable: true, writable: true, configurable: true });
        else (target as Record<string, unknown>)[key] = copy;
      }
    }
    return { ok: true, value };
  } catch (err) {
    if (err instanceof NotPlain) return { ok: false, path: pathOf(err.place), message: err.message };
    // A proxy whose traps throw, for instance.
    return { ok: false, path: [], message: `reading the config's values failed: ${describeText(err)}` };
  }
}
