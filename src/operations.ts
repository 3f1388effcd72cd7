// The high-level operations of p7apps as a typed library: load the desired
// state, read the server and plan, report drift, run the config's checks
// against what the server publishes now. The CLI commands are thin
// wrappers around these, and teams that script around p7apps call the same
// functions (exported from 'p7apps').

import path from 'node:path';
import { connect, resolveCredentials } from './appshub/connect.js';
import { warningsTo, type AppsHubClient } from './appshub/client.js';
import type { DesiredState } from './config/desired.js';
import { loadConfig } from './config/load.js';
import { normaliseServerUrl } from './appshub/server-url.js';
import { P7appsError, UsageError } from './errors.js';
import { shownUrl, type Redactor } from './redact.js';
import { readObservedState, requestCatalogLists, type CatalogLists } from './observe/read.js';
import { computePlan } from './plan/compute.js';
import { probeVersionRunsFor } from './checks/probe.js';
import { checkTargets, runCatalogChecks, type CheckCatalogReport } from './checks/catalog.js';
import { DEFAULT_CLEANUP_TIMEOUT_MS } from './checks/run.js';
import type { ApplyHooks } from './apply/events.js';
import { computeDrift, type DriftReport } from './plan/drift.js';
import type { ObservedState } from './plan/observed.js';
import type { Plan } from './plan/types.js';
import { planVerification, strictModeError } from './plan/verification.js';
import { systemClock, type Clock } from './apply/clock.js';
import { planWhenSettled, type SettleSchedule } from './settle/plan-when-settled.js';

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
  /** The config's environment whose overrides to merge in; required when the config declares environments. */
  environment?: string;
  /** Where `environment` came from, for messages (default "--env"; the CLI passes "P7APPS_ENV" when it came from there). */
  environmentSource?: string;
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

export interface WaitOption {
  /**
   * Wait for versions still publishing (apps the plan would mark 'wait') to
   * settle, reading the server again after growing pauses, up to `timeoutMs`;
   * then plan. Without it, such apps come back as 'wait'.
   */
  waitForPublishing?: { timeoutMs: number; onWaiting?: (versions: string[]) => void; schedule?: SettleSchedule; clock?: Clock };
}

export type PlanOptions = ServerOptions & ConfigOptions & StrictOption & WaitOption;

export interface PlanOutcome {
  plan: Plan;
  desired: DesiredState;
  observed: ObservedState;
}

/** Loads and validates the config (a path, or searched from cwd), narrowed to `apps` when given. */
export async function loadDesiredState(options: ConfigOptions = {}): Promise<DesiredState> {
  const cwd = options.cwd ?? process.cwd();
  const desired =
    typeof options.config === 'object'
      ? options.config
      : await loadConfig({
          configPath: options.config,
          cwd,
          ...(options.signal ? { signal: options.signal } : {}),
          environment: options.environment,
          environmentSource: options.environmentSource,
        });
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

/** What the config says about its server: its `server.url`, and the environment chosen with the URL it sets itself. */
export type ConfigServer = Pick<DesiredState, 'serverUrl' | 'environment' | 'environmentServerUrl'>;

/**
 * An environment that names its own server is not quietly pointed elsewhere
 * by P7APPS_URL (set for the whole job, it would send one environment's
 * config to another's server): that is an error. --server, given for this
 * run, overrides it with a warning.
 */
export function checkEnvironmentServer(options: Pick<ServerOptions, 'server' | 'env' | 'onWarning'>, config: ConfigServer | undefined): void {
  const declared = config?.environmentServerUrl;
  if (config?.environment === undefined || declared === undefined) return;
  const same = (other: string, source: string) => normaliseServerUrl(other, source) === normaliseServerUrl(declared, `environments.${config.environment}.server.url`);
  const flag = options.server;
  if (flag !== undefined && flag.trim() !== '') {
    if (!same(flag, '--server')) options.onWarning?.(`--server ${shownUrl(flag.trim())} overrides ${declared}, the server of environment ${config.environment}`);
    return;
  }
  const fromEnv = (options.env ?? process.env).P7APPS_URL;
  if (fromEnv !== undefined && fromEnv.trim() !== '' && !same(fromEnv, 'P7APPS_URL')) {
    throw new P7appsError(`P7APPS_URL points to ${shownUrl(fromEnv.trim())}, but environment ${config.environment} declares its server ${declared}`, {
      hint: 'Unset P7APPS_URL for this environment (its server comes from the config), or pass --server to override it for one run.',
    });
  }
}

/** A signed-in client for the server the options (or the config) name. Close it when done. */
export async function openServer(options: ServerOptions & { cwd?: string; configServerUrl?: string; config?: ConfigServer }): Promise<AppsHubClient> {
  const cwd = options.cwd ?? process.cwd();
  checkEnvironmentServer(options, options.config);
  return connect({
    server: options.server,
    configServerUrl: options.configServerUrl ?? options.config?.serverUrl,
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

/**
 * Loads the config, opens its server (the environment's, or the options'),
 * and runs `work` with both, closing the client however it ends. With
 * `early`, the client was opened (and perhaps the lists requested) while
 * the config loaded: it is used once the config allows it, and closed
 * unused when the config fails to load or points elsewhere.
 */
async function withConfigAndServer<T>(
  options: ServerOptions & ConfigOptions,
  work: (api: AppsHubClient, desired: DesiredState, early?: CatalogLists) => Promise<T>,
  early?: typeof readEarly,
): Promise<T> {
  const loading = loadDesiredState(options);
  const opened = early?.(options, loading);
  let desired: DesiredState;
  let api: AppsHubClient;
  try {
    desired = await loading;
    const { config: _config, ...server } = options;
    const ready = await opened;
    if (ready) {
      checkEnvironmentServer(server, desired);
      // The client's own warnings (--insecure, plain http), held while the config loaded: said now, where openServer would have.
      ready.sayWarnings();
    }
    api = ready?.api ?? (await openServer({ ...server, config: desired }));
  } catch (err) {
    await discardEarly(opened);
    throw err;
  }
  const lists = (await opened)?.lists;
  try {
    return await work(api, desired, lists);
  } finally {
    lists?.abort();
    await api.close();
  }
}

/** A client opened before the config finished loading, and the lists it requested then. */
interface EarlyRead {
  api: AppsHubClient;
  lists: CatalogLists;
  /** Says the client's warnings, held until now, and from now on as they come. */
  sayWarnings(): void;
}

/**
 * Whether the server can be read before the config is known, so that the
 * lists arrive while it loads (the config is what takes longest to start).
 * Only when nothing the config says could change where the requests go or
 * whether they are sent:
 * - the config is to be loaded (not given already loaded);
 * - the server is --server, or P7APPS_URL with no environment chosen (an
 *   environment may declare its own server, and then P7APPS_URL pointing
 *   elsewhere is an error, before any request);
 * - the credentials are a token: a sign-in with a password is a request
 *   that creates a session, and waits for the config.
 * The lists are the reads every plan starts with; nothing else is sent
 * before the config has loaded and been checked.
 */
export function readsBeforeConfig(options: Pick<ServerOptions, 'server' | 'env'> & Pick<ConfigOptions, 'config' | 'environment'>): boolean {
  if (typeof options.config === 'object') return false;
  const env = options.env ?? process.env;
  const set = (value: string | undefined) => value !== undefined && value.trim() !== '';
  const server = set(options.server) || (set(env.P7APPS_URL) && options.environment === undefined);
  if (!server) return false;
  try {
    return resolveCredentials(env).kind === 'token';
  } catch {
    return false;
  }
}

/**
 * Opens the client and requests the lists while `loading` runs, when
 * readsBeforeConfig allows. Anything that goes wrong here (a bad URL, an
 * unreadable CA file) is left for the normal path to report after the
 * config: a broken config is reported first, as without the early read.
 */
async function readEarly(options: ServerOptions & ConfigOptions, loading: Promise<DesiredState>): Promise<EarlyRead | undefined> {
  if (!readsBeforeConfig(options)) return undefined;
  let failed = false;
  loading.catch(() => (failed = true));
  let api: AppsHubClient;
  // The client's warnings are held until the config has loaded and been checked: a config that fails is reported as without the early read.
  const held: string[] = [];
  let say: ((message: string) => void) | undefined;
  try {
    api = await openServer({ ...options, config: undefined, onWarning: (message) => (say ? say(message) : held.push(message)) });
  } catch {
    return undefined;
  }
  // The config may have failed while the client opened: then nothing is sent.
  if (failed || options.signal?.aborted) {
    await api.close();
    return undefined;
  }
  const sayWarnings = () => {
    say = warningsTo(options.onWarning);
    for (const message of held.splice(0)) say(message);
  };
  // At most `parallelism` at once, as the read after the config would (openServer has refused one the limiter could not take).
  return { api, lists: requestCatalogLists(api, { parallelism: options.parallelism ?? 10, signal: options.signal }), sayWarnings };
}

async function discardEarly(opened: Promise<EarlyRead | undefined> | undefined): Promise<void> {
  const early = await opened?.catch(() => undefined);
  if (!early) return;
  early.lists.abort();
  await early.api.close();
}

/** Reads the server for `desired` and plans. Pure planning after one read. */
export async function planWith(
  api: AppsHubClient,
  desired: DesiredState,
  options: { parallelism?: number; signal?: AbortSignal; apps?: string[]; lists?: CatalogLists } = {},
): Promise<PlanOutcome> {
  const observed = await readObservedState(api, desired, {
    parallelism: options.parallelism ?? 10,
    signal: options.signal,
    onlyApps: options.apps !== undefined && options.apps.length > 0 ? options.apps : undefined,
    ...(options.lists ? { lists: options.lists } : {}),
  });
  const versionRuns = await probeVersionRunsFor(api, desired, observed, options.signal);
  if (versionRuns !== undefined) observed.versionRuns = versionRuns;
  return { plan: computePlan(desired, observed), desired, observed };
}

/**
 * Loads the config, reads the server and computes the plan. `whileOpen` runs
 * after planning with the client still signed in (the HTML report fetches
 * thumbnails with it).
 */
export async function plan(options: PlanOptions = {}, whileOpen?: (api: AppsHubClient, outcome: PlanOutcome) => Promise<void>): Promise<PlanOutcome> {
  const outcome = await withConfigAndServer(
    options,
    async (api, desired, early) => {
      // Narrowed: read only the selected apps (the rest of the catalog is out of scope, not unmanaged).
      const apps = narrowsApps(options) ? desired.apps.map((app) => app.name) : undefined;
      // The lists requested while the config loaded serve the first read only: a plan after waiting reads them again.
      let lists = early;
      const once = () => {
        const given = lists;
        lists = undefined;
        return planWith(api, desired, { ...options, apps, ...(given ? { lists: given } : {}) });
      };
      const wait = options.waitForPublishing;
      let planned: PlanOutcome;
      if (wait === undefined) planned = await once();
      else {
        let last: PlanOutcome | undefined;
        await planWhenSettled(async () => (last = await once()).plan, { ...wait, clock: wait.clock ?? systemClock, signal: options.signal });
        planned = last as PlanOutcome;
      }
      await whileOpen?.(api, planned);
      return planned;
    },
    readEarly,
  );
  if (options.strict ?? outcome.desired.strict ?? false) {
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

export interface CheckOptions extends ServerOptions, ConfigOptions {
  /** Check this version of each app instead of its default version (`--version`). */
  version?: number;
  /** How many apps are checked at once (`--parallel`), 1 to 100; one app's checks run one after another. Default 4. */
  parallel?: number;
  /** Receives each check's events as it goes (check-start, check-run-state, check-done, check-cleanup). Default: none. */
  hooks?: ApplyHooks;
  /** How long deleting a check's run may take (default 60 s). */
  cleanupTimeoutMs?: number;
  /** How long deleting it may take once `signal` has aborted (default: cleanupTimeoutMs). */
  interruptedCleanupMs?: number;
  /** Time for the checks' timeouts and polling (tests pass a virtual one). Default: the system clock. */
  clock?: Clock;
}

/**
 * Runs the config's checks against what the server publishes now, each app's
 * default version (or `version`), and deletes every run it made. Apps without
 * checks are left out. An aborted `signal` stops starting checks; the report
 * then says `interrupted`, and the runs already made are still deleted.
 */
export async function check(options: CheckOptions = {}): Promise<CheckCatalogReport> {
  const parallel = options.parallel ?? 4;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 100) throw new UsageError(`--parallel must be a whole number from 1 to 100 (got ${String(parallel)})`);
  if (options.version !== undefined && (!Number.isInteger(options.version) || options.version < 1)) {
    throw new UsageError(`--version must be a version number, 1 or more (got ${String(options.version)})`);
  }
  return withConfigAndServer(options, async (api, desired) => {
    const targets = checkTargets(desired, await api.listApps(options.signal), options.version);
    return runCatalogChecks(api, targets, {
      parallelism: parallel,
      signal: options.signal ?? new AbortController().signal,
      hooks: options.hooks ?? { emit: () => {} },
      ...(options.clock ? { clock: options.clock } : {}),
      serverUrl: api.serverUrl,
      configPath: desired.configPath,
      ...(desired.environment === undefined ? {} : { environment: desired.environment }),
      ...(options.version !== undefined ? { version: options.version } : {}),
      runOptions: {
        cleanupTimeoutMs: options.cleanupTimeoutMs ?? DEFAULT_CLEANUP_TIMEOUT_MS,
        ...(options.interruptedCleanupMs !== undefined ? { interruptedCleanupMs: options.interruptedCleanupMs } : {}),
      },
    });
  });
}
