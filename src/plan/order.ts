// Ordering and normalisation shared by the planner and the observer, so that
// the same inputs in any order give the same plan byte for byte, and that
// differences of form (line endings, a null meaning "empty") never show up as
// drift.

/** Compares strings by Unicode code point: locale-free and stable across machines. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
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
