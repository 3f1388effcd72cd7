// Runs in the emulator, for workflows and apps, as the guide describes them:
// deploy (`POST …/runs/`, with `personal` for apps), the states
// QUEUED_TO_INITIALIZE → CONFIGURATION → QUEUED_TO_RUN → RUNNING → FINISHED /
// FAILED / INTERRUPTED, parameters with per-run ids and labels, PATCH of
// `.parameters[].value.data`, the run and interrupt commands, `.results`, and
// DELETE. This module owns a workflow's run behaviour as a seed declares it
// (parameters, results, fixed cases, a run time, a failing mode), the runs
// themselves, and their JSON views. Like publishing states, run states are
// computed from the clock, never from timers: a run deployed at t is
// QUEUED_TO_INITIALIZE until t + deployMs; started at s it is QUEUED_TO_RUN
// until s + queueMs and RUNNING until s + queueMs + its run time. Every
// change is one synchronous call, so two requests never interleave.

import { z } from 'zod';
import { ApiError, NOT_FOUND } from './api-error.js';
import { sha256Hex } from './images.js';
import type { BodyFields, BodyValue } from './publish-input.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const json = z.json() as z.ZodType<Json>;
const labels = z.record(z.string(), json);

/** A workflow's `run:` in a seed: what its runs take and produce. */
export const seedRunSchema = z.strictObject({
  /** The parameters, in the order runs list them: name, default value, labels; `secret` hides the value; `result` echoes it in results. */
  parameters: z
    .array(
      z.strictObject({
        name: nonEmpty,
        default: json.default(null),
        labels: labels.default({}),
        secret: z.boolean().default(false),
        result: z.boolean().default(false),
      }),
    )
    .default([]),
  /** The result ports: name, the value when no case says otherwise, labels. */
  results: z.array(z.strictObject({ name: nonEmpty, default: json.default(null), labels: labels.default({}) })).default([]),
  /** Fixed cases, first match wins: `when` these parameter values, `then` these results (or `fail` with this state detail). */
  cases: z
    .array(
      z
        .strictObject({ when: z.record(z.string(), json).default({}), then: z.record(z.string(), json).optional(), fail: nonEmpty.optional() })
        .refine((c) => c.then === undefined || c.fail === undefined, { message: 'give then or fail, not both', path: ['fail'] }),
    )
    .default([]),
  /** Milliseconds a run is RUNNING; default: the emulator's run time. */
  runTimeMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Every run ends FAILED with this state detail (the failing mode). */
  fail: nonEmpty.optional(),
});

export type SeedRun = z.input<typeof seedRunSchema>;
/** A workflow's run behaviour with every default filled in. */
export type RunSpec = z.output<typeof seedRunSchema>;

/** A workflow without `run:`: no parameters, no results, runs finish. */
export const EMPTY_RUN_SPEC: RunSpec = Object.freeze({ parameters: [], results: [], cases: [] }) as RunSpec;

/** The problems of a parsed run spec that the schema cannot see, each with its path under `run`. */
export function runSpecProblems(spec: RunSpec): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const params = new Set<string>();
  spec.parameters.forEach((p, i) => {
    if (params.has(p.name)) problems.push({ path: ['parameters', i, 'name'], message: `parameter "${p.name}" is already declared` });
    params.add(p.name);
  });
  const results = new Set<string>();
  spec.results.forEach((r, i) => {
    if (results.has(r.name) || spec.parameters.some((p) => p.result && p.name === r.name)) {
      problems.push({ path: ['results', i, 'name'], message: `result "${r.name}" is already declared` });
    }
    results.add(r.name);
  });
  spec.cases.forEach((c, i) => {
    for (const name of Object.keys(c.when)) {
      if (!params.has(name)) problems.push({ path: ['cases', i, 'when', name], message: `no parameter is named "${name}"` });
    }
    for (const name of Object.keys(c.then ?? {})) {
      if (!results.has(name)) problems.push({ path: ['cases', i, 'then', name], message: `no result is named "${name}"` });
    }
  });
  return problems;
}

/** The durations of the run states the emulator does not take from a workflow. */
export interface RunTiming {
  /** QUEUED_TO_INITIALIZE after a deploy. */
  deployMs: number;
  /** QUEUED_TO_RUN after the run command. */
  queueMs: number;
  /** RUNNING, for a workflow whose seed gives no runTimeMs. */
  runMs: number;
}

export type RunStateName = 'QUEUED_TO_INITIALIZE' | 'CONFIGURATION' | 'QUEUED_TO_RUN' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'INTERRUPTED';

/** Whom a run belongs to: a workflow, or a version of an app (`given`: deployed at that version's runs/). */
export type RunOwner =
  | { kind: 'workflow'; id: string; name: string; path: string }
  | { kind: 'app'; id: string; name: string; version: number; given: boolean };

interface RunParameterState {
  id: string;
  name: string;
  data: Json;
  labels: { [key: string]: Json };
  secret: boolean;
  result: boolean;
}

type Outcome = { state: 'FINISHED'; results: { name: string; data: Json; labels: { [key: string]: Json } }[] } | { state: 'FAILED'; detail: string };

export interface EmulatedRun {
  id: string;
  name: string;
  path: string;
  owner: RunOwner;
  personal: boolean;
  spec: RunSpec;
  parameters: RunParameterState[];
  deployedAt: number;
  deployMs: number;
  start?: { at: number; queueMs: number; runMs: number; outcome: Outcome };
  interruptedAt?: number;
}

/** A run as the emulator's state snapshot shows it (never on the wire). */
export interface RunSnapshot {
  id: string;
  name: string;
  owner: RunOwner;
  personal: boolean;
  state: RunStateName;
  parameters: Record<string, Json>;
}

/** JSON with object keys sorted, so `when` values compare by content. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a run started with these parameter values produces. */
function outcomeOf(spec: RunSpec, values: ReadonlyMap<string, Json>, parameters: RunParameterState[]): Outcome {
  if (spec.fail !== undefined) return { state: 'FAILED', detail: spec.fail };
  const matched = spec.cases.find((c) => Object.entries(c.when).every(([name, want]) => values.has(name) && canonical(values.get(name)!) === canonical(want)));
  if (matched?.fail !== undefined) return { state: 'FAILED', detail: matched.fail };
  const results = spec.results.map((r) => ({ name: r.name, data: (matched?.then && Object.hasOwn(matched.then, r.name) ? matched.then[r.name] : r.default) as Json, labels: r.labels }));
  // A port that is both parameter and result: its value is logged in results too (the guide's note).
  for (const p of parameters) if (p.result && !p.secret) results.push({ name: p.name, data: p.data, labels: p.labels });
  return { state: 'FINISHED', results };
}

/** A boolean form field as DRF's BooleanField reads it. */
function booleanField(value: BodyValue | undefined, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.kind === 'json' ? value.value : value.kind === 'text' ? value.value : undefined;
  if (v === true || v === false) return v;
  if (typeof v === 'string' && /^(true|1|yes|on)$/i.test(v.trim())) return true;
  if (typeof v === 'string' && /^(false|0|no|off)$/i.test(v.trim())) return false;
  if (v === 1 || v === 0) return v === 1;
  throw ApiError.fields({ [field]: ['Must be a valid boolean.'] });
}

function textField(value: BodyValue | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const v = value.kind === 'json' ? value.value : value.kind === 'text' ? value.value : undefined;
  if (v === null) return undefined;
  if (typeof v !== 'string') throw ApiError.fields({ [field]: ['Not a valid string.'] });
  return v;
}

/** The deploy request's fields as the server reads them. */
export function deployInputFrom(fields: BodyFields, owner: 'workflow' | 'app'): { name?: string; path?: string; personal: boolean } {
  const name = textField(fields.get('name'), 'name');
  const path = textField(fields.get('path'), 'path');
  if (name !== undefined && (name.trim() === '' || /[/\\\u0000-\u001f]/.test(name))) {
    throw ApiError.fields({ name: ['A run name must not be empty or hold slashes or control characters.'] });
  }
  if (owner === 'app') {
    if (path !== undefined) throw ApiError.fields({ path: ['The run path parameter is not supported in AppsHub.'] });
    const personal = booleanField(fields.get('personal'), 'personal') ?? false;
    return { ...(name !== undefined ? { name } : {}), personal };
  }
  if (path !== undefined) {
    if (!/^\/\S/.test(path)) throw ApiError.fields({ path: ['Must be an absolute path in the pSeven storage.'] });
    if (name === undefined) throw ApiError.fields({ name: ['This field is required when path is given.'] });
  }
  return { ...(name !== undefined ? { name } : {}), ...(path !== undefined ? { path } : {}), personal: false };
}

const busy = (what: string, state: RunStateName, allowed: string) => ApiError.detail(400, `Cannot ${what} a run in state ${state}; it must be ${allowed}.`);

/** Every run of one emulated server, in the order they were deployed. */
export class RunBook {
  private readonly runs = new Map<string, EmulatedRun>();
  /** Runs deployed so far, per owner (for default names), and in all (for ids). */
  private readonly counters = new Map<string, number>();
  private deployed = 0;

  constructor(
    private readonly now: () => number,
    private readonly timing: () => RunTiming,
  ) {}

  get(id: string): EmulatedRun | undefined {
    return this.runs.get(id);
  }

  /** A run of this owner (an app's runs: of any of its versions), or 404. */
  find(id: string, owner: { kind: 'workflow' | 'app'; id: string; version?: number }): EmulatedRun {
    const run = this.runs.get(id);
    const matches =
      run !== undefined &&
      run.owner.kind === owner.kind &&
      run.owner.id === owner.id &&
      (owner.version === undefined || (run.owner.kind === 'app' && run.owner.version === owner.version));
    if (!matches) throw ApiError.detail(404, NOT_FOUND);
    return run;
  }

  list(filter: { kind: 'workflow' | 'app'; id: string; version?: number }): EmulatedRun[] {
    return [...this.runs.values()].filter(
      (r) => r.owner.kind === filter.kind && r.owner.id === filter.id && (filter.version === undefined || (r.owner.kind === 'app' && r.owner.version === filter.version)),
    );
  }

  all(): EmulatedRun[] {
    return [...this.runs.values()];
  }

  state(run: EmulatedRun): RunStateName {
    const now = this.now();
    if (run.interruptedAt !== undefined) return 'INTERRUPTED';
    if (run.start === undefined) return now - run.deployedAt < run.deployMs ? 'QUEUED_TO_INITIALIZE' : 'CONFIGURATION';
    const elapsed = now - run.start.at;
    if (elapsed < run.start.queueMs) return 'QUEUED_TO_RUN';
    if (elapsed < run.start.queueMs + run.start.runMs) return 'RUNNING';
    return run.start.outcome.state;
  }

  /** Deploys a run of `spec` (the workflow's, or the app version's as published). */
  deploy(owner: RunOwner, spec: RunSpec, input: { name?: string; path?: string; personal: boolean }, home: string): EmulatedRun {
    if (input.name !== undefined && this.list({ kind: owner.kind, id: owner.id }).some((r) => r.name === input.name)) {
      throw ApiError.fields({ name: [`A run named "${input.name}" already exists.`] });
    }
    const key = `${owner.kind}:${owner.id}`;
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    this.deployed += 1;
    const id = sha256Hex(`p7apps-emulator:run:${this.deployed}`).slice(0, 32);
    const name = input.name ?? `#${n} (${owner.name})`;
    const file = input.name ?? `#${String(n).padStart(8, '0')}`;
    const path = input.path !== undefined ? `${input.path.replace(/\/+$/, '')}/${file}.p7run` : `${home}/@Runs/${file}.p7run`;
    const run: EmulatedRun = {
      id,
      name,
      path,
      owner,
      personal: input.personal,
      spec,
      // New parameter ids in every run, as the guide says.
      parameters: spec.parameters.map((p, i) => ({
        id: sha256Hex(`p7apps-emulator:run:${id}:parameter:${i}`).slice(0, 32),
        name: p.name,
        data: p.default as Json,
        labels: p.labels as { [key: string]: Json },
        secret: p.secret,
        result: p.result,
      })),
      deployedAt: this.now(),
      deployMs: this.timing().deployMs,
    };
    this.runs.set(id, run);
    return run;
  }

  /**
   * `PATCH`: `.parameters[]` entries name a parameter by `id` and carry its
   * new `value.data`; every other field of the body is read-only and ignored.
   * A Secret parameter sent back as "" (how the server shows a set secret)
   * keeps its value. Checked whole before anything changes.
   */
  patch(run: EmulatedRun, fields: BodyFields): void {
    const state = this.state(run);
    if (state !== 'CONFIGURATION') throw busy('change the parameters of', state, 'CONFIGURATION');
    const given = fields.get('parameters');
    if (given === undefined) return;
    const list = given.kind === 'json' ? given.value : undefined;
    if (!Array.isArray(list)) throw ApiError.fields({ parameters: ['Expected a list of parameters.'] });
    const changes: { param: RunParameterState; data: Json }[] = [];
    list.forEach((entry: unknown, i) => {
      const obj = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
      const param = typeof obj?.id === 'string' ? run.parameters.find((p) => p.id === obj.id) : undefined;
      if (!param) throw ApiError.fields({ parameters: [`Entry ${i}: "id" is not the id of a parameter of this run.`] });
      const value = obj!.value;
      if (value === undefined) return;
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !('data' in value)) {
        throw ApiError.fields({ parameters: [`Entry ${i}: "value" must be an object with "data".`] });
      }
      const data = (value as { data: Json }).data;
      if (param.secret && data === '' && param.data !== null) return;
      changes.push({ param, data });
    });
    for (const { param, data } of changes) param.data = data;
  }

  /** The run command: from CONFIGURATION to QUEUED_TO_RUN at once; the outcome is fixed by the values now. */
  start(run: EmulatedRun): void {
    const state = this.state(run);
    if (state !== 'CONFIGURATION') throw busy('start', state, 'CONFIGURATION');
    const values = new Map(run.parameters.map((p) => [p.name, p.data] as const));
    const timing = this.timing();
    run.start = { at: this.now(), queueMs: timing.queueMs, runMs: run.spec.runTimeMs ?? timing.runMs, outcome: outcomeOf(run.spec, values, run.parameters) };
  }

  /** The break command: a RUNNING run stops, INTERRUPTED. */
  interrupt(run: EmulatedRun): void {
    const state = this.state(run);
    if (state !== 'RUNNING') throw busy('interrupt', state, 'RUNNING');
    run.interruptedAt = this.now();
  }

  delete(run: EmulatedRun): void {
    const state = this.state(run);
    if (!['CONFIGURATION', 'FINISHED', 'FAILED', 'INTERRUPTED'].includes(state)) {
      throw busy('delete', state, 'CONFIGURATION, FINISHED, FAILED or INTERRUPTED (interrupt a RUNNING run first)');
    }
    this.runs.delete(run.id);
  }

  snapshot(run: EmulatedRun): RunSnapshot {
    return {
      id: run.id,
      name: run.name,
      owner: { ...run.owner },
      personal: run.personal,
      state: this.state(run),
      parameters: Object.fromEntries(run.parameters.map((p) => [p.name, p.data])),
    };
  }

  /**
   * A run's JSON. `short`: as run lists and the deploy answer show it (the
   * guide's fields); otherwise the details with parameters and results.
   */
  view(run: EmulatedRun, urls: { run: string; owner: string; ownerPath: string }, short: boolean): Record<string, unknown> {
    const state = this.state(run);
    const head = { name: run.name, path: run.path, id: run.id, url: urls.run, state, workflow: urls.ownerPath, workflow_url: urls.owner };
    if (short) return head;
    const outcome = state === 'FINISHED' || state === 'FAILED' ? run.start!.outcome : undefined;
    return {
      ...head,
      state_detail: outcome?.state === 'FAILED' ? outcome.detail : null,
      parameters: run.parameters.map((p) => ({
        id: p.id,
        name: p.name,
        // A Secret's value is never shown: null when unset, "" when set.
        value: { data: p.secret ? (p.data === null ? null : '') : p.data },
        labels: p.labels,
      })),
      results: outcome?.state === 'FINISHED' ? outcome.results.map((r) => ({ name: r.name, value: { data: r.data }, labels: r.labels })) : [],
    };
  }
}
