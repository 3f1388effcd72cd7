// An in-memory AppsHub behind the AppsHubApi interface, on virtual time, for
// executor tests. It follows the guide's publish rules (new name -> v1; no
// version -> next number; existing version -> revision + 1) and lets a test
// script faults call by call: lost responses before or after the commit,
// 409/429/503 with Retry-After, versions that fail or never finish.

import type {
  AppRecord,
  AppsHubApi,
  PublishRequest,
  PublishResult,
  ThumbnailFetch,
  VersionRecord,
  WorkflowRecord,
} from '../../src/appshub/types.js';
import { UNKNOWN } from '../../src/appshub/types.js';
import { P7appsError } from '../../src/errors.js';
import type { VirtualClock } from './virtual-clock.js';

export class FakeHttpError extends P7appsError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly ambiguous: boolean,
    readonly retryAfterMs?: number,
    /** The server accepted the write but its answer could not be read (wire.ts A21). */
    readonly committed = false,
  ) {
    super(message);
  }
}

interface FakeVersion {
  version: number;
  revision: number;
  workflowPath: string;
  /** Virtual time at which the current revision finishes initialising. */
  readyAt: number;
  /** Set: the current revision ends FAILED with this detail. */
  failDetail?: string;
  /** Never leaves QUEUED_TO_INITIALIZE. */
  stuck?: boolean;
  /** Reports this (older) revision as READY until readyAt, as a lagging server would. */
  laggingRevision?: number;
  /** Virtual time at which the current revision was committed. */
  committedAt?: number;
}

interface FakeApp {
  id: string;
  name: string;
  workspace: string;
  defaultVersion: number;
  versions: Map<number, FakeVersion>;
}

/** What one publish call does. */
export type PublishFault =
  | 'ok'
  /** Commits, then the response is lost (ambiguous). */
  | 'lose-after-commit'
  /** Lost before the server committed anything (still ambiguous to the client). */
  | 'lose-before-commit'
  /** Commits, answers 2xx, but the answer cannot be read (committed, details unknown). */
  | 'commit-unreadable'
  /** Commits and answers without saying which version it published. */
  | 'commit-without-version'
  | { status: 409 | 429 | 400; retryAfterMs?: number }
  /** Commits, and answers 2xx naming another app or version than it made (a server, or a proxy, that lies). */
  | { answer: { appId?: string; name?: string; version?: number } };

export type ReadFault = { status: number; retryAfterMs?: number; ambiguous?: boolean };

export interface CallRecord {
  at: number;
  call: 'publish' | 'listApps' | 'getApp' | 'getAppVersion';
  app: string;
  version?: number;
  outcome: 'ok' | 'error';
}

export class FakeAppsHub implements AppsHubApi {
  readonly serverUrl = 'https://fake.example';
  readonly apps = new Map<string, FakeApp>();
  readonly calls: CallRecord[] = [];
  /** Consumed one per publish call; 'ok' when empty. */
  publishFaults: PublishFault[] = [];
  /** Called as a publish goes on the wire, before its answer: where a test interrupts "with the POST in flight". */
  onPublishSent?: (request: PublishRequest) => void;
  /** Consumed one per getAppVersion call; none when empty. */
  readFaults: ReadFault[] = [];
  /** Consumed one per listApps call (undefined: that call answers); none when empty. */
  listFaults: (ReadFault | undefined)[] = [];
  /** Time a new revision takes to become READY. */
  readyAfterMs = 1500;
  /** Virtual latency of every call. */
  latencyMs = 20;
  /** Per app name: versions (by number) whose next revision fails / sticks / lags. */
  failNext = new Map<string, { version: number; detail: string }>();
  stickNext = new Set<string>();
  lagNext = new Set<string>();
  /** The `url` a publish answer gives for the version it made; UNKNOWN when not set. */
  answerUrl?: (appId: string, version: number) => string;
  /** The versionUrl of every getAppVersion call, in order. */
  readonly versionUrls: (string | undefined)[] = [];
  /** Overrides a version's served state, given how long ago its revision was committed. */
  stateOverride?: (app: string, version: number, sinceCommitMs: number) => { state: string; detail?: string | null } | undefined;
  private nextId = 1;
  private inFlightApps = new Map<string, number>();
  maxConcurrentApps = 0;

  constructor(private readonly clock: VirtualClock) {}

  /** Adds an app that already exists, every version READY. */
  seed(name: string, versions: { version: number; revision?: number; workflowPath: string }[], defaultVersion = 1): string {
    const id = `app${this.nextId++}`;
    const map = new Map<number, FakeVersion>();
    for (const v of versions) map.set(v.version, { version: v.version, revision: v.revision ?? 0, workflowPath: v.workflowPath, readyAt: 0 });
    this.apps.set(id, { id, name, workspace: 'Toy apps', defaultVersion, versions: map });
    return id;
  }

  byName(name: string): FakeApp | undefined {
    return [...this.apps.values()].find((a) => a.name === name);
  }

  posts(): CallRecord[] {
    return this.calls.filter((c) => c.call === 'publish');
  }

  private async latency(app: string): Promise<void> {
    const n = (this.inFlightApps.get(app) ?? 0) + 1;
    this.inFlightApps.set(app, n);
    this.maxConcurrentApps = Math.max(this.maxConcurrentApps, this.inFlightApps.size);
    await this.clock.sleep(this.latencyMs);
    if (n === 1) this.inFlightApps.delete(app);
    else this.inFlightApps.set(app, n - 1);
  }

  private record(call: CallRecord['call'], app: string, outcome: CallRecord['outcome'], version?: number): void {
    this.calls.push({ at: this.clock.now(), call, app, outcome, ...(version !== undefined ? { version } : {}) });
  }

  async publish(request: PublishRequest): Promise<PublishResult> {
    this.onPublishSent?.(request);
    await this.latency(request.name);
    const fault = this.publishFaults.shift() ?? 'ok';
    if (fault === 'lose-before-commit') {
      this.record('publish', request.name, 'error', request.version);
      throw new FakeHttpError('POST apps/: connection reset', undefined, true);
    }
    if (typeof fault === 'object' && 'status' in fault) {
      this.record('publish', request.name, 'error', request.version);
      throw new FakeHttpError(`POST apps/: ${fault.status} busy`, fault.status, false, fault.retryAfterMs);
    }
    const result = this.commit(request);
    this.record('publish', request.name, fault === 'ok' || fault === 'commit-without-version' ? 'ok' : 'error', request.version);
    if (fault === 'lose-after-commit') throw new FakeHttpError('POST apps/: 504 Gateway Timeout', 504, true);
    if (fault === 'commit-unreadable') {
      throw new FakeHttpError('Malformed response to POST apps/: it is not JSON but an HTML page; the server accepted it, so it took effect', undefined, true, undefined, true);
    }
    if (fault === 'commit-without-version') return { ...result, version: UNKNOWN };
    if (typeof fault === 'object') return { ...result, ...fault.answer };
    return result;
  }

  private commit(request: PublishRequest): PublishResult {
    let app = this.byName(request.name);
    const readyAt = this.clock.now() + this.readyAfterMs;
    let version: FakeVersion;
    if (!app) {
      const id = `app${this.nextId++}`;
      app = { id, name: request.name, workspace: request.workspaceName ?? 'Toy apps', defaultVersion: 1, versions: new Map() };
      this.apps.set(id, app);
      version = { version: 1, revision: 0, workflowPath: request.workflowPath, readyAt };
      app.versions.set(1, version);
    } else if (request.version === undefined || !app.versions.has(request.version)) {
      if (request.version !== undefined) throw new FakeHttpError(`no version ${request.version}`, 400, false);
      const n = Math.max(...app.versions.keys()) + 1;
      version = { version: n, revision: 0, workflowPath: request.workflowPath, readyAt };
      app.versions.set(n, version);
      if (request.setVersionAsDefault) app.defaultVersion = n;
    } else {
      const old = app.versions.get(request.version)!;
      version = { version: old.version, revision: old.revision + 1, workflowPath: request.workflowPath, readyAt };
      if (this.lagNext.delete(request.name)) version.laggingRevision = old.revision;
      app.versions.set(old.version, version);
      if (request.setVersionAsDefault) app.defaultVersion = old.version;
    }
    const failure = this.failNext.get(request.name);
    if (failure && failure.version === version.version) {
      version.failDetail = failure.detail;
      this.failNext.delete(request.name);
    }
    if (this.stickNext.delete(request.name)) version.stuck = true;
    version.committedAt = this.clock.now();
    return {
      appId: app.id,
      name: app.name,
      version: version.version,
      revision: version.revision,
      state: 'QUEUED_TO_INITIALIZE',
      url: this.answerUrl ? this.answerUrl(app.id, version.version) : UNKNOWN,
      workspace: { id: '7', name: app.workspace },
    };
  }

  private versionRecord(app: FakeApp, v: FakeVersion): VersionRecord {
    const done = !v.stuck && this.clock.now() >= v.readyAt;
    const lagging = !done && v.laggingRevision !== undefined;
    const override = v.committedAt === undefined ? undefined : this.stateOverride?.(app.name, v.version, this.clock.now() - v.committedAt);
    if (override) {
      return { ...this.versionRecord(app, { ...v, committedAt: undefined }), state: override.state, stateDetail: override.detail === undefined ? UNKNOWN : override.detail };
    }
    return {
      appId: app.id,
      version: v.version,
      revision: lagging ? v.laggingRevision! : v.revision,
      state: lagging ? 'READY' : done ? (v.failDetail ? 'FAILED' : 'READY') : 'QUEUED_TO_INITIALIZE',
      stateDetail: done && v.failDetail ? v.failDetail : null,
      workflowPath: v.workflowPath,
      workflowFingerprint: null,
      url: UNKNOWN,
      updated: UNKNOWN,
    };
  }

  private appRecord(app: FakeApp): AppRecord {
    return {
      id: app.id,
      name: app.name,
      url: UNKNOWN,
      workspace: { id: '7', name: app.workspace },
      description: null,
      allowCopy: true,
      thumbnailUrl: null,
      defaultVersion: app.defaultVersion,
      current: this.versionRecord(app, app.versions.get(app.defaultVersion)!),
      versions: [...app.versions.values()].map((v) => ({ version: v.version, revision: v.revision, state: UNKNOWN })),
    };
  }

  async listApps(): Promise<AppRecord[]> {
    await this.latency('*list*');
    const fault = this.listFaults.shift();
    if (fault) {
      this.record('listApps', '*', 'error');
      throw new FakeHttpError(`GET apps/: ${fault.status}`, fault.status, fault.ambiguous ?? false, fault.retryAfterMs);
    }
    this.record('listApps', '*', 'ok');
    return [...this.apps.values()].map((a) => this.appRecord(a));
  }

  async getApp(appId: string): Promise<AppRecord> {
    const app = this.apps.get(appId);
    await this.latency(app?.name ?? appId);
    this.record('getApp', app?.name ?? appId, app ? 'ok' : 'error');
    if (!app) throw new FakeHttpError(`GET apps/${appId}/: 404 Not found.`, 404, false);
    return this.appRecord(app);
  }

  async getAppVersion(appId: string, version: number, signal?: AbortSignal, versionUrl?: string): Promise<VersionRecord> {
    this.versionUrls.push(versionUrl);
    const app = this.apps.get(appId);
    if (versionUrl?.includes('/missing/')) {
      await this.latency(app?.name ?? appId);
      this.record('getAppVersion', app?.name ?? appId, 'error', version);
      throw new FakeHttpError(`GET ${versionUrl}: 404 Not found.`, 404, false);
    }
    await this.latency(app?.name ?? appId);
    if (signal?.aborted) throw new FakeHttpError('aborted', undefined, false);
    const fault = this.readFaults.shift();
    if (fault) {
      this.record('getAppVersion', app?.name ?? appId, 'error', version);
      throw new FakeHttpError(`GET apps/${appId}@${version}/: ${fault.status}`, fault.status, fault.ambiguous ?? false, fault.retryAfterMs);
    }
    const v = app?.versions.get(version);
    this.record('getAppVersion', app?.name ?? appId, v ? 'ok' : 'error', version);
    if (!app || !v) throw new FakeHttpError(`GET apps/${appId}@${version}/: 404 Not found.`, 404, false);
    return this.versionRecord(app, v);
  }

  async listWorkflows(): Promise<WorkflowRecord[]> {
    return [];
  }

  async fetchThumbnail(): Promise<ThumbnailFetch> {
    throw new Error('the executor never fetches thumbnails');
  }
}
