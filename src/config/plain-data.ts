// What may leave the config worker: plain data. A config computed by code
// can hold things that cannot be copied to another thread (functions,
// symbols, class instances whose methods would be lost, promises nobody
// awaited); each is refused with the place in the config where it sits,
// rather than failing with the runtime's "could not be cloned". The value
// is read once, here (getters included), into a copy that keeps shared and
// cyclic references as they are; the walk uses no recursion, so a deeply
// nested value cannot exhaust the stack.

import type { PathSegment } from './issue-path.js';

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

/** Built-in objects the structured clone copies as they are; the schema then says what it expected instead. */
function isCloneableBuiltin(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    value instanceof Error ||
    value instanceof Boolean ||
    value instanceof Number ||
    value instanceof String
  );
}

function className(value: object): string {
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'a class';
  } catch {
    return 'a class';
  }
}

function describeText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * A copy of `root` made of plain objects, arrays and primitives (and the
 * built-ins the structured clone copies), or the first place holding
 * something else, with what to do about it.
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
    if (isCloneableBuiltin(value)) {
      copies.set(value, value);
      return value;
    }
    throw new NotPlain(place, `an instance of ${className(value)} cannot be part of the config: ${PLAIN_DATA}; copy the values it holds into a plain object`);
  };

  try {
    const value = convert(root, undefined);
    for (let task = pending.pop(); task !== undefined; task = pending.pop()) {
      const { source, target, place } = task;
      const isArray = Array.isArray(source);
      for (const key of Object.keys(source)) {
        const segment: PathSegment = isArray ? Number(key) : key;
        const at: Place = { parent: place, key: segment };
        let item: unknown;
        try {
          item = (source as Record<string, unknown>)[key];
        } catch (err) {
          throw new NotPlain(at, `reading this value failed: ${describeText(err)}`);
        }
        (target as Record<string, unknown>)[key] = convert(item, at);
      }
    }
    return { ok: true, value };
  } catch (err) {
    if (err instanceof NotPlain) return { ok: false, path: pathOf(err.place), message: err.message };
    // A proxy whose traps throw, for instance.
    return { ok: false, path: [], message: `reading the config's values failed: ${describeText(err)}` };
  }
}
