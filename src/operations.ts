// The high-level operations of p7apps as a typed library: load the desired
// state, read the server and plan, report drift. The CLI commands are thin
// wrappers around these, and teams that script around p7apps call the same
// functions (exported from 'p7apps').

import path from 'node:path';
import { connect } from './appshub/connect.js';
import type { AppsHubClient } from './appshub/client.js';
import type { DesiredState } from './config/desired.js';
import { loadConfig } from './config/load.js';
import { UsageError } from './errors.js';
import type { Redactor } from './redact.js';
import { readObservedState } from './observe/read.js';
import { computePlan } from './plan/compute.js';
import { computeDrift, type DriftReport } from './plan/drift.js';
import type { ObservedState } from './plan/observed.js';
import type { Plan } from './plan/types.js';
import { planVerification, strictModeError } from './plan/verification.js';

/** Where the server is and how to reach it; credentials come from `env` only. */
export interface ServerOptions {
  /** The sign-in URL; overrides P7APPS_URL and the config's server.url. */
  server?: string;
  /** Read for P7APPS_URL, P7APPS_TOKEN (or P7APPS_USERNAME/P7APPS_PASSWORD) and proxy variables. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** PEM file of certificate authorities to trust. */
  caFile?: string;
  /** Skip TLS verification (warns through onWarning). */
  insecure?: boolean;
  onWarning?: (message: string) => void;
  /** Requests (and connections) at once. Default 10. */
  parallelism?: number;
  /** One read, from sending it to the last byte of its answer (default 60 s); a publish's answer gets twice as long. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Learns the secrets the client uses, so that the caller can redact what it writes (see src/redact.ts). */
  redactor?: Redactor;
}

export interface ConfigOptions {
  /** A config file path, or an already loaded desired state. Default: searched from `cwd`. */
  config?: string | DesiredState;
  /** Where relative paths and the config search start. Default: process.cwd(). */
  cwd?: string;
  /** Limit to these apps (names as in the config). */
  apps?: string[];
  /** Stops loading a TypeScript/JavaScript config at once (and, with the server options, every request). */
  signal?: AbortSignal;
  /** Limit to the apps the config puts in these workspaces (by name or id). */
  workspaces?: string[];
  /** Leave these apps out (names as in the config). */
  excludeApps?: string[];
}

/** Which of the config's apps a run is about; every filter given must hold. */
export interface AppSelection {
  apps?: string[];
  workspaces?: string[];
  excludeApps?: string[];
}

/** Whether the selection narrows the config at all (so only the selected apps are read). */
export function narrowsApps(selection: AppSelection): boolean {
  return [selection.apps, selection.workspaces, selection.excludeApps].some((list) => list !== undefined && list.length > 0);
}

export interface StrictOption {
  /**
   * Throw when a managed field cannot be verified because the server does not
   * show it, naming each app and field. Default: the config's `strict`, else false.
   */
  strict?: boolean;
}

export type PlanOptions = ServerOptions & ConfigOptions & StrictOption;

export interface PlanOutcome {
  plan: Plan;
  desired: DesiredState;
  observed: ObservedState;
}

/** Loads and validates the config (a path, or searched from cwd), narrowed to `apps` when given. */
export async function loadDesiredState(options: ConfigOptions = {}): Promise<DesiredState> {
  const cwd = options.cwd ?? process.cwd();
  const desired =
    typeof options.config === 'object' ? options.config : await loadConfig({ configPath: options.config, cwd, ...(options.signal ? { signal: options.signal } : {}) });
  return selectApps(desired, { apps: options.apps, workspaces: options.workspaces, excludeApps: options.excludeApps });
}

/**
 * The config narrowed to the selected apps: named by --app, in a workspace
 * named by --workspace (the workspace the config gives the app, by name or
 * id), and not named by --exclude-app. A name or workspace the config does
 * not have is a usage error (a typo must not quietly select nothing).
 */
export function selectApps(desired: DesiredState, selection: string[] | AppSelection | undefined): DesiredState {
  const { apps, workspaces, excludeApps } = Array.isArray(selection) ? { apps: selection } : (selection ?? {});
  if (!narrowsApps({ apps, workspaces, excludeApps })) return desired;
  const declared = desired.apps.map((app) => JSON.stringify(app.name)).join(', ') || 'no apps';
  for (const [flag, names] of [['--app', apps], ['--exclude-app', excludeApps]] as const) {
    const missing = (names ?? []).filter((name) => !desired.apps.some((app) => app.name === name));
    if (missing.length > 0) {
      throw new UsageError(`${flag} ${missing.map((m) => JSON.stringify(m)).join(', ')}: no such app in ${desired.configPath}`, {
        hint: `The config declares: ${declared}.`,
      });
    }
  }
  const inWorkspace = (app: DesiredState['apps'][number], name: string) => app.workspace.name === name || app.workspace.id === name;
  const unknownWorkspaces = (workspaces ?? []).filter((name) => !desired.apps.some((app) => inWorkspace(app, name)));
  if (unknownWorkspaces.length > 0) {
    const known = [...new Set(desired.apps.flatMap((app) => [app.workspace.name, app.workspace.id].filter((w): w is string => w !== undefined)))];
    throw new UsageError(`--workspace ${unknownWorkspaces.map((m) => JSON.stringify(m)).join(', ')}: no app in ${desired.configPath} is in that workspace`, {
      hint: `The config's workspaces: ${known.map((w) => JSON.stringify(w)).join(', ') || 'none'}.`,
    });
  }
  const selected = desired.apps.filter(
    (app) =>
      (apps === undefined || apps.length === 0 || apps.includes(app.name)) &&
      (workspaces === undefined || workspaces.length === 0 || workspaces.some((name) => inWorkspace(app, name))) &&
      !(excludeApps ?? []).includes(app.name),
  );
  if (selected.length === 0) {
    throw new UsageError('--app, --workspace and --exclude-app together select no app of the config', { hint: `The config declares: ${declared}.` });
  }
  return { ...desired, apps: selected };
}

/** A signed-in client for the server the options (or the config) name. Close it when done. */
export async function openServer(options: ServerOptions & { cwd?: string; configServerUrl?: string }): Promise<AppsHubClient> {
  const cwd = options.cwd ?? process.cwd();
  return connect({
    server: options.server,
    configServerUrl: options.configServerUrl,
    env: options.env ?? process.env,
    caFile: options.caFile === undefined ? undefined : path.resolve(cwd, options.caFile),
    insecure: options.insecure === true,
    onWarning: options.onWarning,
    connections: options.parallelism ?? 10,
    requestTimeoutMs: options.requestTimeoutMs,
    signal: options.signal,
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
}

/** Reads the server for `desired` and plans. Pure planning after one read. */
export async function planWith(api: AppsHubClient, desired: DesiredState, options: { parallelism?: number; signal?: AbortSignal; apps?: string[] } = {}): Promise<PlanOutcome> {
  const observed = await readObservedState(api, desired, {
    parallelism: options.parallelism ?? 10,
    signal: options.signal,
    onlyApps: options.apps !== undefined && options.apps.length > 0 ? options.apps : undefined,
  });
  return { plan: computePlan(desired, observed), desired, observed };
}

/**
 * Loads the config, reads the server and computes the plan. `whileOpen` runs
 * after planning with the client still signed in (the HTML report fetches
 * thumbnails with it).
 */
export async function plan(options: PlanOptions = {}, whileOpen?: (api: AppsHubClient, outcome: PlanOutcome) => Promise<void>): Promise<PlanOutcome> {
  const desired = await loadDesiredState(options);
  const api = await openServer({ ...options, configServerUrl: desired.serverUrl });
  let outcome: PlanOutcome;
  try {
    // Narrowed: read only the selected apps (the rest of the catalog is out of scope, not unmanaged).
    outcome = await planWith(api, desired, { ...options, apps: narrowsApps(options) ? desired.apps.map((app) => app.name) : undefined });
    await whileOpen?.(api, outcome);
  } finally {
    await api.close();
  }
  if (options.strict ?? desired.strict ?? false) {
    const refusal = strictModeError(planVerification(outcome.plan));
    if (refusal) throw refusal;
  }
  return outcome;
}

/** How the server differs from the config: read-only, a view of the plan. */
export async function drift(options: PlanOptions & { failOnUnmanaged?: boolean } = {}): Promise<DriftReport> {
  const { plan: computed } = await plan(options);
  return computeDrift(computed, { failOnUnmanaged: options.failOnUnmanaged });
}
