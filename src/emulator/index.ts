// The AppsHub emulator: a local pSeven Enterprise server speaking the
// workflow and app APIs of the vendor's guide plus the README's wire
// assumptions (A1-A10), for demos and end-to-end tests. This module starts
// one on a real socket and hands back the in-process accessors tests use.

import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { EmulatorError } from './api-error.js';
import { checkedDelay, EmulatorCore, faultSpecFrom, type RequestLogEntry } from './core.js';
import { validateFaultSpec, type FaultCounts, type FaultSpec } from './faults.js';
import { GUIDE_SEED } from './guide-world.js';
import { ActiveProfiles } from './profiles.js';
import { loadSeedFile, resolveSeed, TOKEN_PATTERN, type SeedDocument, type WorldSeed } from './seed.js';
import { EmulatorServer } from './server.js';
import { APP_API_PATH, WORKFLOW_API_PATH } from './views.js';
import type { AppDrift, AppSnapshot, EmulatorSnapshot } from './world.js';
import type { RunTiming, SeedRun } from './runs.js';

export { EmulatorError } from './api-error.js';
export type { RequestLogEntry } from './core.js';
export { CONTROL_ENDPOINTS } from './control.js';
export { DEFAULT_FAIL_DETAIL, FAULT_KINDS, FaultSpecError, formatFaultSpec, parseFaultSpec } from './faults.js';
export type { FaultCounts, FaultKind, FaultSpec } from './faults.js';
export { GUIDE_PASSWORD, GUIDE_SEED, GUIDE_USERNAME } from './guide-world.js';
export { PROFILE_NAMES, SERVER_PROFILES } from './profiles.js';
export type { ProfileName, ServerProfile } from './profiles.js';
export { sniffImageType, thumbnailEtag } from './images.js';
export { loadSeedFile, resolveSeed, SeedError, seedDocumentSchema } from './seed.js';
export type { SeedDocument, WorldSeed } from './seed.js';
export type { AppDrift, AppSnapshot, EmulatorSnapshot, RevisionSnapshot, VersionSnapshot } from './world.js';

export { DEFAULT_READY_AFTER_MS, DEFAULT_RUN_TIMING } from './defaults.js';
import { DEFAULT_READY_AFTER_MS, DEFAULT_RUN_TIMING } from './defaults.js';
export type { RunOwner, RunSnapshot, RunSpec, RunStateName, RunTiming, SeedRun } from './runs.js';

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A seed file path (JSON or YAML) or a seed document; default: the guide's example world. */
  seed?: string | SeedDocument;
  /** Where a relative seed file path and an inline seed's thumbnail paths are resolved; default: the current directory. */
  seedBaseDir?: string;
  /** The token the default (first) user signs in with; default: the seed's first token for that user, else random. */
  token?: string;
  /** The admin token of the control API; default: random, and never equal to a user token. */
  controlToken?: string;
  /** Milliseconds from a publish to READY (half of it QUEUED_TO_INITIALIZE, half INITIALIZING); default 1000. */
  readyAfterMs?: number;
  /**
   * How long runs stay QUEUED_TO_INITIALIZE (deployMs), QUEUED_TO_RUN
   * (queueMs) and RUNNING where the workflow's seed gives no runTimeMs
   * (runMs); default DEFAULT_RUN_TIMING.
   */
  runTiming?: Partial<RunTiming>;
  /** Milliseconds added to every API request (not the control API); default 0. */
  latencyMs?: number;
  /** Faults to inject: a `--faults` string or an object. */
  faults?: string | FaultSpec;
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: { cert: string | Uint8Array; key: string | Uint8Array };
  /**
   * Server profiles to serve (docs/emulator-profiles.md): names, or one
   * comma-separated string, e.g. `['guide', 'numeric-ids']`; default `full`.
   */
  profiles?: readonly string[] | string;
  /** Serve `apps/` and `workflows/` as DRF pages of this size instead of arrays (README A9). */
  pageSize?: number;
  /** The clock (epoch ms) publishing states are computed from; default Date.now. */
  now?: () => number;
  /** Called once per API request when it finishes. */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface RunningEmulator {
  /** The sign-in URL, e.g. http://127.0.0.1:8787 (no trailing slash). */
  readonly url: string;
  /** The workflow API base, `{url}/pseven/.rest/v2/`. */
  readonly workflowApiUrl: string;
  /** The app API base, `{url}/appshub/.rest/v2/`. */
  readonly appApiUrl: string;
  /** The control API base, `{url}/_emulator/`. */
  readonly controlUrl: string;
  readonly port: number;
  /** The default user's token. */
  readonly token: string;
  readonly username: string;
  /** The control API's admin token. */
  readonly controlToken: string;
  /** The server profiles served, in the table's order (`['full']` by default). */
  readonly profiles: readonly string[];
  /** Stop: refuse new connections, drop open ones, end pending delays. */
  close(): Promise<void>;
  /** Requests received and not yet answered, e.g. waiting out injected latency. */
  activeRequests(): number;
  /** API requests in the order they finished (the control API is not logged). */
  requestLog(): RequestLogEntry[];
  /** API requests per endpoint key, e.g. `{"GET apps/{id}@{v}/": 3}`. */
  counts(): Record<string, number>;
  /** Faults injected so far, per kind. */
  faultCounts(): FaultCounts;
  clearLog(): void;
  snapshot(): EmulatorSnapshot;
  /** Replace the fault spec (null: no faults). */
  setFaults(spec: string | FaultSpec | null): void;
  setReadyAfterMs(ms: number): void;
  /** Change the run timing for runs deployed or started from now on; returns the timing in force. */
  setRunTiming(timing: Partial<RunTiming>): RunTiming;
  /** Change what a workflow's runs do (a seed's `run:`), as a fix or a break in Studio would; returns its new fingerprint. */
  setWorkflowRun(path: string, run: SeedRun): string;
  /** Edit a workflow as in Studio; returns its new fingerprint. */
  editWorkflow(path: string, content?: string): string;
  addWorkflow(spec: { path: string; name?: string; id?: string; content?: string }): { id: string; name: string; path: string; fingerprint: string };
  /** Change an app behind the tool's back; returns the app afterwards. */
  driftApp(name: string, changes: AppDrift): AppSnapshot;
  /** Back to the seeded world, starting faults and delay; the log is cleared. */
  reset(): void;
}

function randomToken(): string {
  return randomBytes(20).toString('hex');
}

function checkedToken(name: string, token: string): string {
  if (!TOKEN_PATTERN.test(token)) throw new EmulatorError(`${name} must be 1 to 200 printable ASCII characters without spaces`);
  return token;
}

async function worldSeed(options: EmulatorOptions): Promise<WorldSeed> {
  const baseDir = options.seedBaseDir ?? process.cwd();
  if (typeof options.seed === 'string') return loadSeedFile(options.seed, baseDir);
  if (options.seed) return resolveSeed(options.seed, { source: 'the seed given to startEmulator', baseDir });
  return resolveSeed(GUIDE_SEED, { source: 'the built-in guide world', baseDir });
}

/** Give every user a token: the default user the one asked for, others their seeded one or a random one. */
function withTokens(seed: WorldSeed, token: string | undefined): WorldSeed {
  const users = seed.users.map((u, i) => {
    if (i === 0 && token !== undefined) return { ...u, tokens: [token, ...u.tokens.filter((t) => t !== token)] };
    return u.tokens.length > 0 ? u : { ...u, tokens: [randomToken()] };
  });
  if (token !== undefined) {
    const owner = users.slice(1).find((u) => u.tokens.includes(token));
    if (owner) throw new EmulatorError(`the token asked for the default user is already the token of user "${owner.username}" in the seed`);
  }
  return { ...seed, users };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(new EmulatorError(`port ${port} on ${host} is already in use`, { hint: 'Pick another --port, or --port 0 for a free one.' }));
      } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EACCES') {
        reject(new EmulatorError(`cannot listen on ${host}:${port} (${err.code})`, { hint: 'Check --host and --port.' }));
      } else {
        reject(err);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Start an emulator on a real socket. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EmulatorError(`port must be a whole number from 0 to 65535 (got ${port})`);
  const host = options.host ?? '127.0.0.1';
  const latencyMs = checkedDelay('latencyMs', options.latencyMs ?? 0);
  const readyAfterMs = checkedDelay('readyAfterMs', options.readyAfterMs ?? DEFAULT_READY_AFTER_MS);
  if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1)) {
    throw new EmulatorError(`pageSize must be a whole number, 1 or more (got ${options.pageSize})`);
  }
  const faults = validateFaultSpec(faultSpecFrom(options.faults));
  const profiles = new ActiveProfiles(options.profiles);
  const token = options.token === undefined ? undefined : checkedToken('the token', options.token);
  const seed = withTokens(await worldSeed(options), token);
  const userTokens = new Set(seed.users.flatMap((u) => u.tokens));
  const controlToken = options.controlToken === undefined ? randomToken() : checkedToken('the control token', options.controlToken);
  if (userTokens.has(controlToken)) throw new EmulatorError('the control token must differ from every user token');

  let server: Server;
  let emulatorServer: EmulatorServer | undefined;
  const handler: Parameters<typeof createHttpServer>[1] = (req, res) => emulatorServer!.handle(req, res);
  if (options.tls) {
    try {
      server = createHttpsServer({ cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key) }, handler) as unknown as Server;
    } catch (err) {
      throw new EmulatorError(`the TLS certificate or key cannot be used: ${(err as Error).message}`, {
        hint: 'Give a PEM certificate (--tls-cert) and its matching PEM private key (--tls-key).',
      });
    }
  } else {
    server = createHttpServer(handler);
  }
  const address = await listen(server, port, host);
  const url = `${options.tls ? 'https' : 'http'}://${urlHost(host)}:${address.port}`;

  const core = new EmulatorCore({
    seed,
    signInUrl: url,
    readyAfterMs,
    runTiming: { ...DEFAULT_RUN_TIMING, ...options.runTiming },
    faults,
    now: options.now ?? Date.now,
    profiles,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  emulatorServer = new EmulatorServer(core, { controlToken, latencyMs, pageSize: options.pageSize });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      emulatorServer!.shutdown();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url,
    workflowApiUrl: `${url}${WORKFLOW_API_PATH}`,
    appApiUrl: `${url}${APP_API_PATH}`,
    controlUrl: `${url}/_emulator/`,
    port: address.port,
    token: seed.users[0]!.tokens[0]!,
    username: seed.users[0]!.username,
    controlToken,
    profiles: profiles.names,
    close,
    activeRequests: () => emulatorServer!.activeRequests(),
    requestLog: () => core.requestLog(),
    counts: () => core.counts(),
    faultCounts: () => core.faultCounts(),
    clearLog: () => core.clearLog(),
    snapshot: () => core.snapshot(),
    setFaults: (spec) => core.setFaults(spec),
    setReadyAfterMs: (ms) => core.setReadyAfterMs(ms),
    setRunTiming: (timing) => core.setRunTiming(timing),
    setWorkflowRun: (path, run) => core.setWorkflowRun(path, run),
    editWorkflow: (path, content) => core.editWorkflow(path, content),
    addWorkflow: (spec) => core.addWorkflow(spec),
    driftApp: (name, changes) => core.driftApp(name, changes),
    reset: () => core.reset(),
  };
}
