// Ordering and normalisation shared by the planner and the observer, so that
// the same inputs in any order give the same plan byte for byte, and that
// differences of form (line endings, a null meaning "empty") never show up as
// drift.

/** Compares strings by Unicode code point: locale-free and stable across machines. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 units order as code points do where neither differing unit is a
  // surrogate (the units before them are equal, so a pair cannot have started
  // on one side only): the common case, compared unit by unit without an
  // iterator per character.
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (isSurrogate(x) || isSurrogate(y)) return compareByIteration(a, b);
    return x < y ? -1 : 1;
  }
  // One is a prefix of the other in units; a lone high surrogate at its end is below any pair it might begin.
  return a.length < b.length ? -1 : 1;
}

function isSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdfff;
}

function compareByIteration(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return l.done && r.done ? 0 : l.done ? -1 : 1;
    const lc = l.value.codePointAt(0) as number;
    const rc = r.value.codePointAt(0) as number;
    if (lc !== rc) return lc < rc ? -1 : 1;
  }
}

/** Sorts by name, then by id when names tie (ids break ties on servers that repeat a name). */
export function byNameThenId(a: { name: string; id?: string }, b: { name: string; id?: string }): number {
  return compareCodePoints(a.name, b.name) || compareCodePoints(a.id ?? '', b.id ?? '');
}

/** Line endings as the config loader writes them: \r\n and lone \r become \n; nothing else changes. */
export function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** A server's null description and an empty one mean the same thing. */
export function normaliseDescription(value: string | null): string {
  return value === null ? '' : normaliseText(value);
}

/** Workspace ids are strings on the wire; a server that sends 7 means "7". */
export function normaliseId(value: string | number): string {
  return String(value).trim();
}
