// Names places inside a config the way a person finds them: apps by their
// name (`apps["Toy app"].versions[1].workflow`) when the name identifies the
// app, by position (`apps[2]`) otherwise.

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Keys are echoed in messages; a long one is cut, in case it is something pasted by mistake. */
const MAX_KEY_SHOWN = 64;

function showKey(key: string): string {
  return key.length > MAX_KEY_SHOWN ? `${key.slice(0, MAX_KEY_SHOWN)}…` : key;
}

/**
 * Index -> name for the apps whose name is a non-empty string that no other
 * app shares; the others are addressed by index.
 */
/** Whether an own key of an array names one of its slots ("0", "12"; not "length" or "01"). */
export function isSlotKey(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

export function appLabels(raw: unknown): Map<number, string> {
  const labels = new Map<number, string>();
  const apps = isRecord(raw) ? raw.apps : undefined;
  if (!Array.isArray(apps)) return labels;
  // Only the slots the array has: a config's sparse array may claim a length of billions.
  const named: [number, string][] = [];
  for (const key of Object.keys(apps)) {
    if (!isSlotKey(key)) continue;
    const app: unknown = apps[Number(key)];
    const name = isRecord(app) ? app.name : undefined;
    if (typeof name === 'string' && name !== '') named.push([Number(key), name]);
  }
  const counts = new Map<string, number>();
  for (const [, name] of named) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [index, name] of named) if (counts.get(name) === 1) labels.set(index, name);
  return labels;
}

export function formatPath(path: readonly PathSegment[], labels: Map<number, string>): string {
  let out = '';
  path.forEach((segment, i) => {
    if (typeof segment === 'number') {
      const name = i === 1 && path[0] === 'apps' ? labels.get(segment) : undefined;
      out += name === undefined ? `[${segment}]` : `[${JSON.stringify(showKey(name))}]`;
    } else if (IDENTIFIER.test(segment)) {
      out += i === 0 ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(showKey(segment))}]`;
    }
  });
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Damerau-free Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[t.length]!;
}

/** The closest allowed key within distance 2, if any. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** What a value is, in words, for "expected ..., got ..." messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isFinite(value) ? `the number ${value}` : `${value}`;
    case 'boolean':
      return String(value);
    case 'function':
      return 'a function';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}
