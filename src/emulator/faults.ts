// Fault injection for the emulator: the spec grammar, its validation, and
// the decisions made per request. Every random decision comes from a PRNG
// seeded by (spec seed, what is decided, which occurrence), so a run that
// sends the same requests to the same URLs meets the same faults, even when
// requests to different URLs interleave differently.

import { UsageError } from '../errors.js';

/** A fault spec as an object; every field is optional and off when absent. */
export interface FaultSpec {
  /** Added to every API request, in milliseconds. */
  latencyMs?: number;
  /** Up to this many more milliseconds, drawn per request. */
  jitterMs?: number;
  /** Probability that an API request is answered 503 (nothing done). */
  rate503?: number;
  /** Probability that an API request is answered 429 (nothing done). */
  rate429?: number;
  /** Seconds sent in Retry-After with injected 503s and 429s (default 1). */
  retryAfterS?: number;
  /** Probability that the connection is destroyed before the request is handled. */
  resetRate?: number;
  /** Probability that a publish is committed and then its connection destroyed. */
  dropPublishResponseRate?: number;
  /**
   * Probability that a publish is answered 504 at once, as a gateway that gave
   * up would, while the server commits it `lateCommitMs` later (the late commit).
   */
  lateCommitRate?: number;
  /** The next N publishes (any app) are late commits. */
  lateCommitNext?: number;
  /** How long after its 504 a late commit is committed, in milliseconds (default 6000). */
  lateCommitMs?: number;
  /** Probability that an API request's answer is sent one byte every trickleEveryMs (status and headers at once). */
  trickleRate?: number;
  /** Probability that a publish is committed and then its answer trickled. */
  tricklePublishRate?: number;
  /** Milliseconds between two bytes of a trickled answer (default 1000). */
  trickleEveryMs?: number;
  /** Stop injecting each probabilistic fault after this many times. */
  max503?: number;
  max429?: number;
  maxReset?: number;
  maxDropPublishResponse?: number;
  maxLateCommit?: number;
  maxTrickle?: number;
  maxTricklePublish?: number;
  /** Every publish of these apps stays QUEUED_TO_INITIALIZE for ever. */
  stuckQueuedApps?: string[];
  /** The next N publishes (any app) stay QUEUED_TO_INITIALIZE for ever. */
  stuckQueuedNext?: number;
  /** Every publish of these apps ends FAILED. */
  failPublishApps?: string[];
  /** The next N publishes (any app) end FAILED. */
  failPublishNext?: number;
  /** The next N run deploys (any workflow or app) are committed, then their connection destroyed. */
  dropRunDeployNext?: number;
  /** The next N run commands (`…/run/`) are carried out, then their connection destroyed. */
  dropRunStartNext?: number;
  /** The next N run deletes are carried out, then their connection destroyed. */
  dropRunDeleteNext?: number;
  /** The state_detail of an injected failure. */
  failDetail?: string;
  /** PRNG seed (a whole number); 0 when absent. */
  seed?: number;
}

export type FaultKind =
  | 'reset'
  | '503'
  | '429'
  | 'dropPublishResponse'
  | 'stuckQueued'
  | 'failPublish'
  | 'trickle'
  | 'tricklePublish'
  | 'lateCommit'
  | 'dropRunDeploy'
  | 'dropRunStart'
  | 'dropRunDelete';
export const FAULT_KINDS: readonly FaultKind[] = [
  'reset',
  '503',
  '429',
  'dropPublishResponse',
  'stuckQueued',
  'failPublish',
  'trickle',
  'tricklePublish',
  'lateCommit',
  'dropRunDeploy',
  'dropRunStart',
  'dropRunDelete',
];

/** The run requests whose answer a fault can lose after they are carried out. */
export type RunDropKind = 'dropRunDeploy' | 'dropRunStart' | 'dropRunDelete';
const RUN_DROP_FIELDS = { dropRunDeploy: 'dropRunDeployNext', dropRunStart: 'dropRunStartNext', dropRunDelete: 'dropRunDeleteNext' } as const;

/** Milliseconds between two bytes of a trickled answer when the spec names none. */
export const DEFAULT_TRICKLE_EVERY_MS = 1000;
/** How long after its 504 a late commit lands when the spec does not say. */
export const DEFAULT_LATE_COMMIT_MS = 6000;
export type FaultCounts = Record<FaultKind, number>;

export const DEFAULT_FAIL_DETAIL = 'Publishing failed: the workflow could not be initialized (fault injected by the emulator).';

export class FaultSpecError extends UsageError {}

const GRAMMAR_HINT =
  'Write comma-separated key=value items, e.g. "latency=20,jitter=5,rate503=0.05,retryAfter=1,seed=42". Keys: ' +
  'latency, jitter, trickleEvery, lateCommitMs (ms); rate503, rate429, reset, dropPublishResponse, trickle, tricklePublish, lateCommit (probability 0..1); ' +
  'max503, max429, maxReset, maxDropPublishResponse, maxTrickle, maxTricklePublish, maxLateCommit, stuckQueuedNext, failPublishNext, lateCommitNext, ' +
  'dropRunDeployNext, dropRunStartNext, dropRunDeleteNext (counts); ' +
  'retryAfter (seconds); stuckQueued, failPublish ' +
  '(app name, repeatable); failDetail (text); seed (whole number). Percent-encode "," or "=" inside a value.';

type Kind = 'ms' | 'probability' | 'count' | 'seconds' | 'app' | 'text' | 'seed';

const KEYS: Record<string, { field: keyof FaultSpec; kind: Kind }> = {
  latency: { field: 'latencyMs', kind: 'ms' },
  jitter: { field: 'jitterMs', kind: 'ms' },
  rate503: { field: 'rate503', kind: 'probability' },
  rate429: { field: 'rate429', kind: 'probability' },
  retryAfter: { field: 'retryAfterS', kind: 'seconds' },
  reset: { field: 'resetRate', kind: 'probability' },
  dropPublishResponse: { field: 'dropPublishResponseRate', kind: 'probability' },
  max503: { field: 'max503', kind: 'count' },
  max429: { field: 'max429', kind: 'count' },
  maxReset: { field: 'maxReset', kind: 'count' },
  maxDropPublishResponse: { field: 'maxDropPublishResponse', kind: 'count' },
  lateCommit: { field: 'lateCommitRate', kind: 'probability' },
  lateCommitNext: { field: 'lateCommitNext', kind: 'count' },
  lateCommitMs: { field: 'lateCommitMs', kind: 'ms' },
  maxLateCommit: { field: 'maxLateCommit', kind: 'count' },
  trickle: { field: 'trickleRate', kind: 'probability' },
  tricklePublish: { field: 'tricklePublishRate', kind: 'probability' },
  trickleEvery: { field: 'trickleEveryMs', kind: 'ms' },
  maxTrickle: { field: 'maxTrickle', kind: 'count' },
  maxTricklePublish: { field: 'maxTricklePublish', kind: 'count' },
  stuckQueued: { field: 'stuckQueuedApps', kind: 'app' },
  stuckQueuedNext: { field: 'stuckQueuedNext', kind: 'count' },
  failPublish: { field: 'failPublishApps', kind: 'app' },
  failPublishNext: { field: 'failPublishNext', kind: 'count' },
  dropRunDeployNext: { field: 'dropRunDeployNext', kind: 'count' },
  dropRunStartNext: { field: 'dropRunStartNext', kind: 'count' },
  dropRunDeleteNext: { field: 'dropRunDeleteNext', kind: 'count' },
  failDetail: { field: 'failDetail', kind: 'text' },
  seed: { field: 'seed', kind: 'seed' },
};

const KIND_RULES: Record<Exclude<Kind, 'app' | 'text'>, { test: (n: number) => boolean; says: string }> = {
  ms: { test: (n) => Number.isInteger(n) && n >= 0 && n <= 600_000, says: 'a whole number of milliseconds from 0 to 600000' },
  probability: { test: (n) => n >= 0 && n <= 1, says: 'a probability from 0 to 1' },
  count: { test: (n) => Number.isInteger(n) && n >= 0, says: 'a whole number, 0 or more' },
  seconds: { test: (n) => Number.isInteger(n) && n >= 0 && n <= 3600, says: 'a whole number of seconds from 0 to 3600' },
  seed: { test: (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, says: 'a whole number from 0 to 4294967295' },
};

function numberValue(text: string): number {
  return /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** Parse the `--faults` grammar into a FaultSpec; throws FaultSpecError naming the bad item. */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = {};
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 1 && items[0] === '') return spec;
  for (const item of items) {
    const fail = (why: string) => new FaultSpecError(`fault spec item "${item}": ${why}`, { hint: GRAMMAR_HINT });
    if (item === '') throw fail('empty item (two commas in a row, or a trailing comma)');
    const eq = item.indexOf('=');
    if (eq < 0) throw fail('expected key=value');
    const key = item.slice(0, eq).trim();
    let value: string;
    try {
      value = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      throw fail('the value has a broken percent-encoding');
    }
    const known = KEYS[key];
    if (!known) throw fail(`unknown key "${key}"`);
    if (known.kind === 'app') {
      if (value === '') throw fail(`${key} needs an app name`);
      const list = (spec[known.field] as string[] | undefined) ?? [];
      (spec as Record<string, unknown>)[known.field] = [...list, value];
      continue;
    }
    if (spec[known.field] !== undefined) throw fail(`"${key}" is given twice`);
    if (known.kind === 'text') {
      (spec as Record<string, unknown>)[known.field] = value;
      continue;
    }
    const n = numberValue(value);
    const rule = KIND_RULES[known.kind];
    if (!rule.test(n)) throw fail(`${key} must be ${rule.says} (got "${value}")`);
    (spec as Record<string, unknown>)[known.field] = n;
  }
  return spec;
}

/** Check a FaultSpec given as an object (in-process callers) with the same rules as the grammar. */
export function validateFaultSpec(spec: FaultSpec): FaultSpec {
  for (const [key, rule] of Object.entries(KEYS)) {
    const value = spec[rule.field];
    if (value === undefined) continue;
    const fail = (why: string) => new FaultSpecError(`fault spec field ${rule.field}: ${why}`, { hint: GRAMMAR_HINT });
    if (rule.kind === 'app') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw fail('must be a list of app names');
    } else if (rule.kind === 'text') {
      if (typeof value !== 'string') throw fail('must be text');
    } else {
      const r = KIND_RULES[rule.kind];
      if (typeof value !== 'number' || !r.test(value)) throw fail(`must be ${r.says} (the "${key}" key)`);
    }
  }
  const unknownField = Object.keys(spec).find((f) => !Object.values(KEYS).some((k) => k.field === f));
  if (unknownField) throw new FaultSpecError(`fault spec field ${unknownField} is not a fault`, { hint: GRAMMAR_HINT });
  return spec;
}

/** The spec written back in the grammar (values percent-encoded where needed). */
export function formatFaultSpec(spec: FaultSpec): string {
  const parts: string[] = [];
  for (const [key, rule] of Object.entries(KEYS)) {
    const value = spec[rule.field];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${key}=${encodeURIComponent(String(v)).replace(/%20/g, ' ')}`);
  }
  return parts.join(',');
}

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, and the same on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What happens to one API request before it is handled. */
export interface RequestFaults {
  delayMs: number;
  reset: boolean;
  status?: 503 | 429;
  retryAfterS: number;
  /** Set: the answer is sent one byte every this many milliseconds. */
  trickleEveryMs?: number;
}

/** What happens to one committed publish. */
export interface PublishFaults {
  stuck: boolean;
  fail: string | undefined;
  dropResponse: boolean;
  /** Set: the committed publish's answer is sent one byte every this many milliseconds. */
  trickleEveryMs?: number;
}

/** The live fault state of one emulator: the spec, its budgets and its counts. */
export class FaultInjector {
  private spec: FaultSpec = {};
  private occurrences = new Map<string, number>();
  private injected = new Map<FaultKind, number>();
  private counts: FaultCounts = emptyCounts();
  private stuckNext = 0;
  private failNext = 0;
  private lateNext = 0;
  private runDropsNext: Record<RunDropKind, number> = { dropRunDeploy: 0, dropRunStart: 0, dropRunDelete: 0 };

  constructor(spec: FaultSpec = {}) {
    this.set(spec);
  }

  /** Replace the spec; budgets and occurrence counters start again, counts are kept. */
  set(spec: FaultSpec): void {
    this.spec = validateFaultSpec({ ...spec });
    this.occurrences.clear();
    this.injected.clear();
    this.stuckNext = spec.stuckQueuedNext ?? 0;
    this.failNext = spec.failPublishNext ?? 0;
    this.lateNext = spec.lateCommitNext ?? 0;
    for (const kind of Object.keys(RUN_DROP_FIELDS) as RunDropKind[]) this.runDropsNext[kind] = spec[RUN_DROP_FIELDS[kind]] ?? 0;
  }

  /** Whether this run request, carried out, loses its answer; counts it when it does. */
  dropsRunAnswer(kind: RunDropKind): boolean {
    if (this.runDropsNext[kind] <= 0) return false;
    this.runDropsNext[kind] -= 1;
    this.counts[kind] += 1;
    return true;
  }

  current(): FaultSpec {
    return {
      ...this.spec,
      ...(this.spec.stuckQueuedNext !== undefined ? { stuckQueuedNext: this.stuckNext } : {}),
      ...(this.spec.failPublishNext !== undefined ? { failPublishNext: this.failNext } : {}),
      ...(this.spec.lateCommitNext !== undefined ? { lateCommitNext: this.lateNext } : {}),
      ...Object.fromEntries(
        (Object.keys(RUN_DROP_FIELDS) as RunDropKind[]).filter((k) => this.spec[RUN_DROP_FIELDS[k]] !== undefined).map((k) => [RUN_DROP_FIELDS[k], this.runDropsNext[k]]),
      ),
    };
  }

  faultCounts(): FaultCounts {
    return { ...this.counts };
  }

  clearCounts(): void {
    this.counts = emptyCounts();
  }

  private draw(what: string): () => number {
    const n = this.occurrences.get(what) ?? 0;
    this.occurrences.set(what, n + 1);
    return prng(hash32(`${this.spec.seed ?? 0}|${what}|${n}`));
  }

  /** Fire a probabilistic fault if the draw says so and its budget allows. */
  private fires(kind: FaultKind, rate: number | undefined, max: number | undefined, u: number): boolean {
    if (!rate || u >= rate) return false;
    const used = this.injected.get(kind) ?? 0;
    if (max !== undefined && used >= max) return false;
    this.injected.set(kind, used + 1);
    this.counts[kind] += 1;
    return true;
  }

  /** Decide the faults of one API request, keyed by its method and path. */
  forRequest(method: string, path: string): RequestFaults {
    const s = this.spec;
    const next = this.draw(`request ${method} ${path}`);
    // Always draw the same number of values, so one fault's settings do not shift another's draws.
    // Drawn last, so that specs without it meet the same faults as before it existed.
    const [uJitter, uReset, u503, u429, uTrickle] = [next(), next(), next(), next(), next()];
    const delayMs = (s.latencyMs ?? 0) + (s.jitterMs ? Math.floor(uJitter * (s.jitterMs + 1)) : 0);
    const retryAfterS = s.retryAfterS ?? 1;
    if (this.fires('reset', s.resetRate, s.maxReset, uReset)) return { delayMs, reset: true, retryAfterS };
    const trickle = this.fires('trickle', s.trickleRate, s.maxTrickle, uTrickle) ? { trickleEveryMs: this.trickleEveryMs() } : {};
    if (this.fires('503', s.rate503, s.max503, u503)) return { delayMs, reset: false, status: 503, retryAfterS, ...trickle };
    if (this.fires('429', s.rate429, s.max429, u429)) return { delayMs, reset: false, status: 429, retryAfterS, ...trickle };
    return { delayMs, reset: false, retryAfterS, ...trickle };
  }

  private trickleEveryMs(): number {
    return this.spec.trickleEveryMs ?? DEFAULT_TRICKLE_EVERY_MS;
  }

  /**
   * Decide whether a publish request is a late commit: answered 504 at once and
   * committed after the returned number of milliseconds; undefined when not.
   * Its own draws, so turning it on shifts no other fault's decisions.
   */
  lateCommitFor(appName: string): number | undefined {
    const s = this.spec;
    const u = this.draw(`late commit ${appName}`)();
    let late = false;
    if (this.lateNext > 0) {
      this.lateNext -= 1;
      this.counts.lateCommit += 1;
      late = true;
    } else {
      late = this.fires('lateCommit', s.lateCommitRate, s.maxLateCommit, u);
    }
    return late ? (s.lateCommitMs ?? DEFAULT_LATE_COMMIT_MS) : undefined;
  }

  /** Decide the faults of a publish that is about to be committed, keyed by the app's name. Call only when it will be. */
  forPublish(appName: string): PublishFaults {
    const s = this.spec;
    const next = this.draw(`publish ${appName}`);
    const [uDrop, uTrickle] = [next(), next()];
    let stuck = s.stuckQueuedApps?.includes(appName) ?? false;
    if (!stuck && this.stuckNext > 0) {
      this.stuckNext -= 1;
      stuck = true;
    }
    let failing = !stuck && (s.failPublishApps?.includes(appName) ?? false);
    if (!stuck && !failing && this.failNext > 0) {
      this.failNext -= 1;
      failing = true;
    }
    if (stuck) this.counts.stuckQueued += 1;
    if (failing) this.counts.failPublish += 1;
    const dropResponse = this.fires('dropPublishResponse', s.dropPublishResponseRate, s.maxDropPublishResponse, uDrop);
    const trickle = !dropResponse && this.fires('tricklePublish', s.tricklePublishRate, s.maxTricklePublish, uTrickle);
    return {
      stuck,
      fail: failing ? (s.failDetail ?? DEFAULT_FAIL_DETAIL) : undefined,
      dropResponse,
      ...(trickle ? { trickleEveryMs: this.trickleEveryMs() } : {}),
    };
  }
}

function emptyCounts(): FaultCounts {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;
}
