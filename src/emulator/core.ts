// The emulator's live state behind both of its doors: the world (apps,
// workflows, users), the fault injector and the request log. The HTTP
// control API and the in-process accessors of RunningEmulator both call the
// methods here, so a test and a demo script change the world the same way.

import { EmulatorError } from './api-error.js';
import { FaultInjector, parseFaultSpec, type FaultCounts, type FaultKind, type FaultSpec } from './faults.js';
import type { WorldSeed } from './seed.js';
import { ActiveProfiles } from './profiles.js';
import { seedRunSchema, runSpecProblems, type RunTiming, type SeedRun } from './runs.js';
import { formatSeedPath } from './seed.js';
import { WireViews } from './views.js';
import { World, type AppDrift, type AppSnapshot, type EmulatorSnapshot } from './world.js';

export interface RequestLogEntry {
  /** 1, 2, 3... in the order requests finished. */
  seq: number;
  /** Emulator clock (ms) when the request finished. */
  at: number;
  method: string;
  /** Path and query as requested. */
  path: string;
  /** The endpoint, as `GET apps/{id}@{v}/`; `GET (unknown)` when no endpoint matched. */
  endpoint: string;
  /** The status sent; null when the connection was destroyed instead. */
  status: number | null;
  /** Milliseconds the request was held before being handled (latency and jitter). */
  delayMs: number;
  /** The fault injected into this request, if any. */
  fault?: FaultKind;
}

export interface EmulatorCoreOptions {
  seed: WorldSeed;
  signInUrl: string;
  readyAfterMs: number;
  /** How long runs stay in the states a workflow does not decide (./runs.ts). */
  runTiming: RunTiming;
  faults: FaultSpec;
  now: () => number;
  /** The server profiles to serve (./profiles.ts); default `full`. */
  profiles?: ActiveProfiles;
  onRequest?: (entry: RequestLogEntry) => void;
}

export function faultSpecFrom(spec: string | FaultSpec | null | undefined): FaultSpec {
  if (spec === null || spec === undefined) return {};
  return typeof spec === 'string' ? parseFaultSpec(spec) : spec;
}

export function checkedDelay(name: string, ms: number): number {
  if (!Number.isInteger(ms) || ms < 0 || ms > 3_600_000) {
    throw new EmulatorError(`${name} must be a whole number of milliseconds from 0 to 3600000 (got ${String(ms)})`);
  }
  return ms;
}

function checkedRunTiming(timing: RunTiming): RunTiming {
  return {
    deployMs: checkedDelay('runTiming.deployMs', timing.deployMs),
    queueMs: checkedDelay('runTiming.queueMs', timing.queueMs),
    runMs: checkedDelay('runTiming.runMs', timing.runMs),
  };
}

export class EmulatorCore {
  world: World;
  readonly views: WireViews;
  readonly faults: FaultInjector;
  private readyAfter: number;
  private runTiming: RunTiming;
  private log: RequestLogEntry[] = [];
  private perEndpoint = new Map<string, number>();
  private seq = 0;

  constructor(private readonly options: EmulatorCoreOptions) {
    this.readyAfter = checkedDelay('readyAfterMs', options.readyAfterMs);
    this.runTiming = checkedRunTiming(options.runTiming);
    this.faults = new FaultInjector(options.faults);
    this.world = this.freshWorld();
    this.views = new WireViews(() => this.world, options.signInUrl, options.profiles);
  }

  private freshWorld(): World {
    return new World(this.options.seed, this.options.now, () => this.readyAfter, () => this.runTiming);
  }

  now(): number {
    return this.options.now();
  }

  record(entry: Omit<RequestLogEntry, 'seq' | 'at'>): void {
    const full: RequestLogEntry = { seq: ++this.seq, at: this.now(), ...entry };
    this.log.push(full);
    this.perEndpoint.set(entry.endpoint, (this.perEndpoint.get(entry.endpoint) ?? 0) + 1);
    this.options.onRequest?.(full);
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  /** Requests per endpoint key, faulted ones included. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.perEndpoint].sort(([a], [b]) => a.localeCompare(b)));
  }

  faultCounts(): FaultCounts {
    return this.faults.faultCounts();
  }

  clearLog(): void {
    this.log = [];
    this.perEndpoint.clear();
    this.seq = 0;
    this.faults.clearCounts();
  }

  snapshot(): EmulatorSnapshot {
    return this.world.snapshot();
  }

  faultSpec(): FaultSpec {
    return this.faults.current();
  }

  /** Replace the fault spec (a `--faults` string, an object, or null for none). */
  setFaults(spec: string | FaultSpec | null): void {
    this.faults.set(faultSpecFrom(spec));
  }

  setReadyAfterMs(ms: number): void {
    this.readyAfter = checkedDelay('readyAfterMs', ms);
  }

  readyAfterMs(): number {
    return this.readyAfter;
  }

  /** Change the durations of run states not taken from a workflow; applies to runs deployed or started from now on. */
  setRunTiming(timing: Partial<RunTiming>): RunTiming {
    this.runTiming = checkedRunTiming({ ...this.runTiming, ...timing });
    return this.currentRunTiming();
  }

  currentRunTiming(): RunTiming {
    return { ...this.runTiming };
  }

  /** What a workflow's runs do from now on (a seed's `run:`); returns its new fingerprint. */
  setWorkflowRun(path: string, run: SeedRun): string {
    const parsed = seedRunSchema.safeParse(run);
    const problems = parsed.success
      ? runSpecProblems(parsed.data)
      : parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message }));
    if (!parsed.success || problems.length > 0) {
      throw new EmulatorError(`the run behaviour is not valid: ${problems.map((p) => `run.${formatSeedPath(p.path)}: ${p.message}`).join('; ')}`);
    }
    return this.world.setWorkflowRun(path, parsed.data);
  }

  editWorkflow(path: string, content?: string): string {
    return this.world.editWorkflow(path, content);
  }

  addWorkflow(spec: { path: string; name?: string; id?: string; content?: string }): { id: string; name: string; path: string; fingerprint: string } {
    const { id, name, path, fingerprint } = this.world.addWorkflow(spec);
    return { id, name, path, fingerprint };
  }

  driftApp(name: string, changes: AppDrift): AppSnapshot {
    return this.world.driftApp(name, changes);
  }

  /** Back to the seeded world and the starting faults and delay; the log and all counts are cleared. */
  reset(): void {
    this.readyAfter = this.options.readyAfterMs;
    this.runTiming = checkedRunTiming(this.options.runTiming);
    this.faults.set(this.options.faults);
    this.world = this.freshWorld();
    this.clearLog();
  }
}
