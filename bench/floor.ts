// What the benchmark compares p7apps with, as pure functions: the minimal
// set of requests a plan needs (so any request beyond it shows up as extra),
// the latency floor of that set at a given parallelism, the floor of an
// apply, and the polling rate a poll schedule implies.
//
// The floors count only waiting for the server: L per request round, and
// for a publish the time to READY. Starting the process, reading the config
// and moving bytes are not in them, so a ratio to the floor is honest: 1.0
// would be a client that costs nothing.

/** One declared app as the minimal read sees it. */
export interface ReadTarget {
  /** Declared version numbers. */
  declaredVersions: number[];
  /** The server's versions of the app; empty when the server lacks the app. */
  serverVersions: number[];
  /** The server's default version (its details come with the app list); null when the server lacks the app. */
  serverDefaultVersion: number | null;
  /** The config declares a thumbnail and the server has one: one conditional request compares them. */
  thumbnailCompared: boolean;
}

export const LIST_APPS = 'GET apps/';
export const LIST_WORKFLOWS = 'GET workflows/';
export const VERSION_DETAIL = 'GET apps/{id}@{v}/';
export const THUMBNAIL = 'GET apps/{id}/thumbnail/';
export const PUBLISH = 'POST apps/';

/**
 * The fewest requests that give a plan everything it compares: both lists
 * (the app list carries each app's default version in full), the details of
 * every other declared version the server has, and one conditional request
 * per thumbnail to compare. Apps the config leaves out are only listed.
 */
export function minimalPlanRequests(targets: readonly ReadTarget[]): Record<string, number> {
  let details = 0;
  let thumbnails = 0;
  for (const t of targets) {
    const present = new Set(t.serverVersions);
    for (const v of new Set(t.declaredVersions)) if (present.has(v) && v !== t.serverDefaultVersion) details += 1;
    if (t.thumbnailCompared) thumbnails += 1;
  }
  return { [LIST_APPS]: 1, [LIST_WORKFLOWS]: 1, [VERSION_DETAIL]: details, [THUMBNAIL]: thumbnails };
}

/** Requests that depend on the app list: they can only start once it has arrived. */
export function dependentRequests(requests: Record<string, number>): number {
  return Object.entries(requests)
    .filter(([endpoint]) => endpoint !== LIST_APPS && endpoint !== LIST_WORKFLOWS)
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * Request rounds of a read at `parallelism` requests in flight: the app list
 * in round 1 (with the workflow list beside it when there is a second slot),
 * then the requests that need the app list, `parallelism` per round.
 */
export function readRounds(dependent: number, parallelism: number): number {
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a whole number from 1 (got ${parallelism})`);
  const later = dependent + (parallelism >= 2 ? 0 : 1);
  return 1 + Math.ceil(later / parallelism);
}

/** The latency floor of a read: L per round. */
export function readFloorMs(requests: Record<string, number>, parallelism: number, latencyMs: number): number {
  return readRounds(dependentRequests(requests), parallelism) * latencyMs;
}

/** The floor of the same read made one request at a time. */
export function sequentialFloorMs(requests: Record<string, number>, latencyMs: number): number {
  return Object.values(requests).reduce((sum, n) => sum + n, 0) * latencyMs;
}

/**
 * The shortest time one publish can take, from sending it to knowing it is
 * READY: the server commits it L after it is sent and it is READY R later;
 * the poll that sees READY is answered L after it is sent and cannot be sent
 * before the publish's answer is back (L after sending it).
 */
export function publishFloorMs(readyAfterMs: number, latencyMs: number): number {
  return Math.max(readyAfterMs, latencyMs) + latencyMs;
}

/**
 * Publishes in a row at `parallelism` apps at once: at least the longest
 * chain (one app's publishes wait for each other), and at least the total
 * spread over the slots.
 */
export function publishRounds(chains: readonly number[], parallelism: number): number {
  if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a whole number from 1 (got ${parallelism})`);
  const total = chains.reduce((sum, n) => sum + n, 0);
  return Math.max(0, ...chains, Math.ceil(total / parallelism));
}

export interface ApplyFloorInput {
  /** Publishes per app, each chain one after another. */
  chains: readonly number[];
  parallelism: number;
  latencyMs: number;
  readyAfterMs: number;
  /** The read that plans (before) and the read that confirms convergence (after). */
  planRequests: Record<string, number>;
  convergeRequests: Record<string, number>;
}

/** Plan read, then the publishes, then the convergence read: each waits for the one before. */
export function applyFloorMs(input: ApplyFloorInput): number {
  return (
    readFloorMs(input.planRequests, input.parallelism, input.latencyMs) +
    publishRounds(input.chains, input.parallelism) * publishFloorMs(input.readyAfterMs, input.latencyMs) +
    readFloorMs(input.convergeRequests, input.parallelism, input.latencyMs)
  );
}

/**
 * Polls per second of one version that stays unready for `untilMs`, counted
 * from `fromMs`: the times of the polls follow `gap(n)` (the wait before
 * poll n, from 0).
 */
export function pollRate(gap: (n: number) => number, fromMs: number, untilMs: number): number {
  if (!(untilMs > fromMs)) throw new RangeError('untilMs must be after fromMs');
  let t = 0;
  let polls = 0;
  for (let n = 0; n < 100_000; n++) {
    const step = gap(n);
    if (!(step > 0)) throw new RangeError(`poll gap ${n} is not positive (${step})`);
    t += step;
    if (t > untilMs) break;
    if (t > fromMs) polls += 1;
  }
  return polls / ((untilMs - fromMs) / 1000);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Requests per endpoint beyond the expected ones (negative: fewer), only where they differ. */
export function requestDifference(actual: Record<string, number>, expected: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const endpoint of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    const diff = (actual[endpoint] ?? 0) - (expected[endpoint] ?? 0);
    if (diff !== 0) out[endpoint] = diff;
  }
  return out;
}
