// The tool's own view of workflow and app runs (the guide's "Run setup", "Run
// commands", "Run results" and "Deleting runs"): a run's states, its details
// as the server reports them, and the narrow surface the rest of p7apps uses
// to deploy, configure, start, interrupt, read and delete runs. The JSON
// mapping lives in src/appshub/run-wire.ts; the HTTP in src/appshub/client.ts.
// Like the app types, a field the server did not report is UNKNOWN, never a
// default.

import type { Maybe } from '../appshub/types.js';

/** The run states the guide names, in the order a run passes through them. */
export const RUN_STATES = ['QUEUED_TO_INITIALIZE', 'CONFIGURATION', 'QUEUED_TO_RUN', 'RUNNING', 'FINISHED', 'FAILED', 'INTERRUPTED'] as const;
export type KnownRunState = (typeof RUN_STATES)[number];

/**
 * A run's state: one the guide names, or one it does not (kept exactly as
 * the server sent it, never guessed into a known one).
 */
export type RunState = { kind: 'known'; name: KnownRunState } | { kind: 'other'; name: string };

/** A JSON value as the server sent it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A parameter's or result's `value`: `data` is the value itself; the other
 * keys the server sent in `value` (metainformation) are kept in `meta`, so a
 * PATCH sends them back unchanged. A Secret parameter reads as null (unset)
 * or "" (set): the server never shows its value.
 */
export interface RunValue {
  data: JsonValue;
  meta: { [key: string]: JsonValue };
}

/** One entry of a run's `.parameters`. */
export interface RunParameter {
  /** Generated anew in every run: identifies the parameter within this run only. */
  id: string;
  /** The port's name, prefixed with block names where it is not unique (`Block/Port`). */
  name: string;
  value: Maybe<RunValue>;
  labels: Maybe<{ [key: string]: JsonValue }>;
}

/** One entry of a run's `.results` (filled once the run is FINISHED). */
export interface RunResult {
  name: string;
  value: Maybe<RunValue>;
  labels: Maybe<{ [key: string]: JsonValue }>;
}

/** Where a run is addressed: the app (or workflow) it belongs to, its id, and the URL the server gave it. */
export interface RunRef {
  /** The app's id (for a run of a given version, still the app's id). */
  appId: string;
  /** The run's id. */
  id: string;
  /** The run's own URL as the server reported it; used when it is under the app API base (ASSUMPTION A25). */
  url?: Maybe<string>;
}

/** A run as `GET apps/{id}/runs/{run}/` (or the deploy answer, or a list entry) reports it. */
export interface RunDetails extends RunRef {
  url: Maybe<string>;
  name: Maybe<string>;
  state: Maybe<RunState>;
  /** Why the run FAILED, when the server says so (ASSUMPTION A27). */
  stateDetail: Maybe<string | null>;
  /** UNKNOWN in a deploy answer and in list entries, which do not carry them. */
  parameters: Maybe<RunParameter[]>;
  /** Empty until the run is FINISHED. */
  results: Maybe<RunResult[]>;
}

export interface DeployRunOptions {
  /**
   * Run this version instead of the default one: deployed at the version's
   * own URL + `runs/` (ASSUMPTION A26, `apps/{id}@{v}/runs/`). A server that
   * does not support it answers with an AppsHubError whose code is
   * VERSION_RUNS_UNSUPPORTED_CODE.
   */
  version?: number;
  /** The version's URL as a publish answer gave it (ASSUMPTION A22 applies as for polling). */
  versionUrl?: string;
  /** true: run on the user's own resources; false (the default): on the app's workspace. Always sent. */
  personal?: boolean;
  /**
   * The run's name. Give a unique one: after a lost answer the client looks
   * for the run by this name, so it is found (and can be deleted) instead of
   * being left behind.
   */
  name?: string;
}

/** What a DELETE came to: deleted now, or not there (already deleted, e.g. by a first attempt whose answer was lost). */
export type DeleteRunOutcome = 'deleted' | 'already-gone';

/** Whether the server runs a given (non-default) version (ASSUMPTION A26), as a read-only probe tells. */
export type VersionRunsSupport = 'supported' | 'unsupported';

/**
 * The narrow surface p7apps uses to run apps. The real implementation is
 * AppsHubClient (src/appshub/client.ts); tests may substitute their own.
 * Every method names its request in errors, applies the client's deadlines
 * and redaction, and maps the answer through src/appshub/run-wire.ts.
 */
export interface AppRunsApi {
  /**
   * `POST apps/{id}/runs/` (or `apps/{id}@{v}/runs/` with `version`), sent
   * once, multipart/form-data like the guide's example. After a lost answer
   * (ambiguous), a named run is looked for in the app's runs and returned
   * when found; otherwise the AppsHubError (ambiguous) is thrown.
   */
  deployAppRun(appId: string, options?: DeployRunOptions, signal?: AbortSignal): Promise<RunDetails>;
  /** `GET` the run's details (retried like every read). A run that is gone is an AppsHubError with status 404. */
  getRun(run: RunRef, signal?: AbortSignal): Promise<RunDetails>;
  /** `GET apps/{id}/runs/` (or the version's runs): every run of the app, as the list reports them. */
  listRuns(appId: string, options?: { version?: number; versionUrl?: string }, signal?: AbortSignal): Promise<RunDetails[]>;
  /**
   * Sets parameters by name, as the guide does: reads the run's details,
   * changes `.parameters[].value.data` of the named ones, and PATCHes the
   * details back. Refused (P7appsError) before anything is sent when a name
   * is not a parameter of the run. Returns the details the server answered.
   */
  patchRunParameters(run: RunRef, values: ReadonlyArray<{ name: string; data: JsonValue }>, signal?: AbortSignal): Promise<RunDetails>;
  /** `POST {run}/run/` (state must be CONFIGURATION). After a lost answer, the run is read: a state past CONFIGURATION means it started. */
  startRun(run: RunRef, signal?: AbortSignal): Promise<void>;
  /** `POST {run}/interrupt/` (state must be RUNNING). After a lost answer, the run is read: a state past RUNNING means it stopped. */
  interruptRun(run: RunRef, signal?: AbortSignal): Promise<void>;
  /** `DELETE` the run (state CONFIGURATION, FINISHED, FAILED or INTERRUPTED), retried after a lost answer; a 404 means it is gone. */
  deleteRun(run: RunRef, signal?: AbortSignal): Promise<DeleteRunOutcome>;
  /** Read-only: whether `apps/{id}@{v}/runs/` answers (ASSUMPTION A26). */
  probeVersionRuns(appId: string, version: number, signal?: AbortSignal): Promise<VersionRunsSupport>;
}

/**
 * The code of the AppsHubError deployAppRun throws when the server refuses a
 * run of a given version (404 or 405 at `apps/{id}@{v}/runs/` while the app
 * itself is there). Where a server does not support it, apply falls back as
 * docs/runs.md says: the check runs right after the version is made default,
 * and a failing check fails the apply, reporting that the failed version is
 * now the default (the previous one is not republished by itself).
 */
export const VERSION_RUNS_UNSUPPORTED_CODE = 'P7APPS_VERSION_RUNS_UNSUPPORTED';
