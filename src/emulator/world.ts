// The emulator's state and the publish semantics of the guide: users and
// their tokens, workspaces, workflows, apps with their versions and
// revisions. Every change is one synchronous method call, so a request's
// decision and its commit can never interleave with another request's.
// Publishing states are computed from the clock, not from timers: a revision
// published at t is QUEUED_TO_INITIALIZE until t + readyAfter/2,
// INITIALIZING until t + readyAfter, then READY (or FAILED). A revision
// queued behind another (the silent-queue profile) counts from the moment
// that one finishes instead of t.

import type { PublishRequest, VersionState } from '../appshub/types.js';
import { ApiError, EmulatorError, type FieldErrors } from './api-error.js';
import type { PublishFaults } from './faults.js';
import { describeImage } from './images.js';
import { EMPTY_RUN_SPEC, RunBook, type RunSnapshot, type RunSpec, type RunTiming } from './runs.js';
import { derivedId, fingerprintOfContent, type AppSettings, type SeedThumbnail, type WorldSeed } from './seed.js';

export interface User {
  username: string;
  password: string;
  tokens: string[];
}

export interface Workspace {
  id: string;
  name: string;
  publishers: Set<string>;
}

export interface Workflow {
  id: string;
  name: string;
  path: string;
  fingerprint: string;
  edits: number;
  /** What its runs take and produce (./runs.ts). */
  run: RunSpec;
}

export type RevisionOrigin = 'seed' | 'api' | 'studio';

export interface Revision {
  revision: number;
  workflow: { id: string; name: string; path: string };
  /** The workflow's fingerprint when this revision was published (README A6). */
  fingerprint: string;
  /** The workflow's run behaviour when this revision was published: what runs of this version do. */
  run: RunSpec;
  publishedAt: number;
  updated: string;
  readyAfterMs: number;
  /** Never leaves QUEUED_TO_INITIALIZE (an injected or seeded fault). */
  stuck: boolean;
  /** Where the revision ends once it has initialised. */
  outcome: { state: 'READY' } | { state: 'FAILED'; detail: string };
  origin: RevisionOrigin;
  /** Accepted while this revision was still publishing: starts once it has finished (silent-queue). */
  startsAfter?: Revision;
}

export interface VersionEntry {
  version: number;
  current: Revision;
  /** Earlier revisions of this version, replaced and no longer served. */
  replaced: Revision[];
}

export interface App extends AppSettings {
  /** Ascending by version number. */
  versions: VersionEntry[];
}

/**
 * The fields of a publish request as the server received them, after
 * field-level validation: the client's PublishRequest, except that
 * `set_version_as_default` may be omitted and the thumbnail is bytes.
 */
export type PublishInput = Omit<PublishRequest, 'setVersionAsDefault' | 'thumbnail'> & {
  setVersionAsDefault?: boolean;
  thumbnail?: SeedThumbnail;
};

export interface PublishOutcome {
  app: App;
  entry: VersionEntry;
  faults: PublishFaults;
}

/** A change made behind the tool's back, as a person in Studio or AppsHub would. */
export interface AppDrift {
  description?: string | null;
  allowCopy?: boolean;
  /** New thumbnail bytes (must be an image), or null to remove it. */
  thumbnail?: Uint8Array | null;
  defaultVersion?: number;
  /** Publish from Studio: a new version, or a new revision of `version`. */
  publish?: { version?: number; workflowPath?: string; setAsDefault?: boolean };
}

export interface RevisionSnapshot {
  revision: number;
  workflowPath: string;
  fingerprint: string;
  updated: string;
  origin: RevisionOrigin;
}

export interface VersionSnapshot extends RevisionSnapshot {
  version: number;
  state: VersionState;
  stateDetail: string | null;
  /** Every revision this version has had, oldest first; the last is the current one. */
  revisions: RevisionSnapshot[];
}

export interface AppSnapshot {
  id: string;
  name: string;
  workspace: { id: string; name: string };
  description: string | null;
  allowCopy: boolean;
  thumbnail: { sha256: string; mediaType: string; size: number } | null;
  defaultVersion: number;
  versions: VersionSnapshot[];
}

export interface EmulatorSnapshot {
  users: { username: string }[];
  workspaces: { id: string; name: string; publishers: string[] }[];
  workflows: { id: string; name: string; path: string; fingerprint: string; edits: number }[];
  apps: AppSnapshot[];
  /** Every run not deleted, in the order they were deployed. */
  runs: RunSnapshot[];
}

const IN_PROGRESS: ReadonlySet<VersionState> = new Set(['QUEUED_TO_INITIALIZE', 'INITIALIZING']);

/** When a revision starts initialising: when it was published, or when the revision it is queued behind finishes. */
function startOf(rev: Revision): number {
  const before = rev.startsAfter;
  if (!before) return rev.publishedAt;
  return before.stuck ? Number.POSITIVE_INFINITY : Math.max(rev.publishedAt, startOf(before) + before.readyAfterMs);
}

export function revisionState(rev: Revision, now: number): { state: VersionState; detail: string | null } {
  const elapsed = now - startOf(rev);
  if (rev.stuck || elapsed < rev.readyAfterMs / 2) return { state: 'QUEUED_TO_INITIALIZE', detail: null };
  if (elapsed < rev.readyAfterMs) return { state: 'INITIALIZING', detail: null };
  return rev.outcome.state === 'FAILED' ? { state: 'FAILED', detail: rev.outcome.detail } : { state: 'READY', detail: null };
}

/** `2024-02-02T10:23:19.995000Z`, the guide's timestamp form. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class World {
  readonly users: User[];
  readonly workspaces: Workspace[];
  readonly workflows: Workflow[];
  readonly apps: App[] = [];
  private readonly userByToken = new Map<string, User>();
  // Lookups by key, kept beside the lists (first one wins, as a search of the
  // list would): every API request looks an app up, and a catalog of
  // thousands made a linear search a measurable part of each answer.
  private readonly appIndex = { byId: new Map<string, App>(), byName: new Map<string, App>() };
  private readonly workflowIndex = { byId: new Map<string, Workflow>(), byPath: new Map<string, Workflow>() };
  private readonly workspaceIndex = new Map<string, Workspace>();
  readonly runs: RunBook;

  constructor(
    seed: WorldSeed,
    private readonly now: () => number,
    private readonly readyAfterMs: () => number,
    runTiming: () => RunTiming = () => ({ deployMs: 0, queueMs: 0, runMs: 0 }),
  ) {
    this.runs = new RunBook(now, runTiming);
    this.users = seed.users.map((u) => ({ ...u, tokens: [...u.tokens] }));
    for (const user of this.users) for (const t of user.tokens) this.userByToken.set(t, user);
    this.workspaces = seed.workspaces.map((w) => ({ id: w.id, name: w.name, publishers: new Set(w.publishers) }));
    for (const w of this.workspaces) if (!this.workspaceIndex.has(w.id)) this.workspaceIndex.set(w.id, w);
    this.workflows = [];
    for (const w of seed.workflows) this.addToWorkflows({ ...w, run: w.run ?? EMPTY_RUN_SPEC, edits: 0 });
    const start = now();
    const startIso = isoTimestamp(start);
    for (const a of seed.apps) {
      this.addToApps({
        id: a.id,
        name: a.name,
        workspaceId: a.workspaceId,
        description: a.description,
        allowCopy: a.allowCopy,
        thumbnail: a.thumbnail,
        defaultVersion: a.defaultVersion,
        versions: a.versions.map((v) => {
          const ready = readyAfterMs();
          const workflow = this.workflowByPath(v.workflowPath)!;
          // A seeded in-progress version is as far along as its state says, and carries on from there.
          const publishedAt = v.state === 'INITIALIZING' ? start - ready / 2 : start;
          return {
            version: v.version,
            replaced: [],
            current: {
              revision: v.revision,
              workflow: { id: workflow.id, name: workflow.name, path: workflow.path },
              fingerprint: v.fingerprint,
              run: workflow.run,
              publishedAt,
              updated: v.updated ?? startIso,
              readyAfterMs: v.state === 'READY' || v.state === 'FAILED' ? 0 : ready,
              stuck: v.stuck,
              outcome: v.state === 'FAILED' ? { state: 'FAILED', detail: v.stateDetail ?? 'Publishing failed.' } : { state: 'READY' },
              origin: 'seed',
            },
          };
        }),
      });
    }
  }

  private addToApps(app: App): void {
    this.apps.push(app);
    if (!this.appIndex.byId.has(app.id)) this.appIndex.byId.set(app.id, app);
    if (!this.appIndex.byName.has(app.name)) this.appIndex.byName.set(app.name, app);
  }

  private addToWorkflows(workflow: Workflow): void {
    this.workflows.push(workflow);
    if (!this.workflowIndex.byId.has(workflow.id)) this.workflowIndex.byId.set(workflow.id, workflow);
    if (!this.workflowIndex.byPath.has(workflow.path)) this.workflowIndex.byPath.set(workflow.path, workflow);
  }

  userForToken(token: string): User | undefined {
    return this.userByToken.get(token);
  }

  login(username: string, password: string): string | undefined {
    const user = this.users.find((u) => u.username === username && u.password === password);
    return user?.tokens[0];
  }

  workspaceById(id: string): Workspace | undefined {
    return this.workspaceIndex.get(id);
  }

  workflowByPath(path: string): Workflow | undefined {
    return this.workflowIndex.byPath.get(path);
  }

  workflowById(id: string): Workflow | undefined {
    return this.workflowIndex.byId.get(id);
  }

  appById(id: string): App | undefined {
    return this.appIndex.byId.get(id);
  }

  appByName(name: string): App | undefined {
    return this.appIndex.byName.get(name);
  }

  state(rev: Revision): { state: VersionState; detail: string | null } {
    return revisionState(rev, this.now());
  }

  /** The version of the app whose publishing has not finished, if any. */
  private inProgress(app: App): { entry: VersionEntry; state: VersionState } | undefined {
    for (const entry of app.versions) {
      const { state } = this.state(entry.current);
      if (IN_PROGRESS.has(state)) return { entry, state };
    }
    return undefined;
  }

  /** The in-progress revision of the app that finishes last: a silently queued publish starts after it. */
  private queueTail(app: App): Revision | undefined {
    let tail: { rev: Revision; end: number } | undefined;
    for (const entry of app.versions) {
      if (!IN_PROGRESS.has(this.state(entry.current).state)) continue;
      const rev = entry.current;
      const end = rev.stuck ? Number.POSITIVE_INFINITY : startOf(rev) + rev.readyAfterMs;
      if (!tail || end >= tail.end) tail = { rev, end };
    }
    return tail?.rev;
  }

  /**
   * `POST apps/` after its fields are valid: checks, in order, workspace and
   * workflow (400), permission (403), the app's workspace and version (400)
   * and publishing in progress (409), then commits. `decideFaults` is called
   * only once the publish is certain to be committed. With `queueWhileBusy`
   * (the silent-queue profile) a publish while a version is in progress is
   * not refused: it is committed at once, visible as QUEUED_TO_INITIALIZE,
   * and starts initialising when the last one in progress has finished.
   */
  publish(
    user: User,
    input: PublishInput,
    decideFaults: (appName: string) => PublishFaults,
    how: { queueWhileBusy?: boolean } = {},
  ): PublishOutcome {
    const errors: FieldErrors = {};
    const byName = input.workspaceName === undefined ? undefined : this.workspaces.find((w) => w.name === input.workspaceName);
    const byId = input.workspaceId === undefined ? undefined : this.workspaceById(input.workspaceId);
    if (input.workspaceName !== undefined && !byName) errors['workspace.name'] = [`Workspace "${input.workspaceName}" does not exist.`];
    if (input.workspaceId !== undefined && !byId) errors['workspace.id'] = [`Workspace with id "${input.workspaceId}" does not exist.`];
    if (byName && byId && byName !== byId) {
      errors['workspace.id'] = [`Workspace "${byId.id}" is "${byId.name}", which does not match workspace.name "${byName.name}".`];
    }
    const workflow = this.workflowByPath(input.workflowPath);
    if (!workflow) errors.workflow_path = [`Workflow "${input.workflowPath}" does not exist.`];
    const workspace = byName ?? byId;
    if (Object.keys(errors).length > 0 || !workspace || !workflow) throw ApiError.fields(errors);

    if (!workspace.publishers.has(user.username)) {
      throw ApiError.detail(403, `You do not have permission to publish apps in workspace "${workspace.name}".`);
    }

    const app = this.appByName(input.name);
    if (app) {
      if (app.workspaceId !== workspace.id) {
        const home = this.workspaceById(app.workspaceId)!;
        const field = input.workspaceName !== undefined ? 'workspace.name' : 'workspace.id';
        throw ApiError.fields({
          [field]: [
            `App "${app.name}" is published in workspace "${home.name}" (id "${home.id}"); an app cannot be moved to another workspace.`,
          ],
        });
      }
      if (input.version !== undefined && !app.versions.some((v) => v.version === input.version)) {
        const numbers = app.versions.map((v) => v.version);
        throw ApiError.fields({
          version: [
            `App "${app.name}" has no version ${input.version} (its versions are ${numbers.join(', ')}). ` +
              `Omit version to add version ${Math.max(...numbers) + 1}.`,
          ],
        });
      }
      const busy = this.inProgress(app);
      if (busy && !how.queueWhileBusy) {
        throw ApiError.detail(
          409,
          `App "${app.name}" is still publishing version ${busy.entry.version} (state ${busy.state}); ` +
            'nothing was changed, try again when it is READY or FAILED.',
          { 'Retry-After': '1' },
        );
      }
    } else if (input.version !== undefined) {
      throw ApiError.fields({
        version: [`App "${input.name}" does not exist yet, so it has no version ${input.version}. Omit version to publish version 1.`],
      });
    }

    const faults = decideFaults(input.name);
    const startsAfter = app && how.queueWhileBusy ? this.queueTail(app) : undefined;
    const target = app ?? this.createApp(input.name, workspace.id);
    if (input.description !== undefined) target.description = input.description;
    if (input.allowGetAsWorkflow !== undefined) target.allowCopy = input.allowGetAsWorkflow;
    if (input.thumbnail !== undefined) target.thumbnail = input.thumbnail;
    const entry = this.commitRevision(target, {
      workflow,
      version: input.version,
      // A new app's first version is always default, whatever was sent.
      makeDefault: !app || input.setVersionAsDefault !== false,
      stuck: faults.stuck,
      failDetail: faults.fail,
      origin: 'api',
      startsAfter,
    });
    return { app: target, entry, faults };
  }

  private createApp(name: string, workspaceId: string): App {
    let id = derivedId('app', name);
    for (let n = 1; this.appById(id); n++) id = derivedId('app', `${name}#${n}`);
    const app: App = { id, name, workspaceId, description: null, allowCopy: true, thumbnail: null, defaultVersion: 1, versions: [] };
    this.addToApps(app);
    return app;
  }

  private commitRevision(
    app: App,
    how: {
      workflow: Workflow;
      version: number | undefined;
      makeDefault: boolean;
      stuck: boolean;
      failDetail: string | undefined;
      origin: RevisionOrigin;
      startsAfter?: Revision;
    },
  ): VersionEntry {
    const now = this.now();
    const existing = how.version === undefined ? undefined : app.versions.find((v) => v.version === how.version);
    const revision: Revision = {
      revision: existing ? existing.current.revision + 1 : 0,
      workflow: { id: how.workflow.id, name: how.workflow.name, path: how.workflow.path },
      fingerprint: how.workflow.fingerprint,
      run: how.workflow.run,
      publishedAt: now,
      updated: isoTimestamp(now),
      readyAfterMs: this.readyAfterMs(),
      stuck: how.stuck,
      outcome: how.failDetail === undefined ? { state: 'READY' } : { state: 'FAILED', detail: how.failDetail },
      origin: how.origin,
      ...(how.startsAfter ? { startsAfter: how.startsAfter } : {}),
    };
    let entry: VersionEntry;
    if (existing) {
      existing.replaced.push(existing.current);
      existing.current = revision;
      entry = existing;
    } else {
      const next = app.versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      entry = { version: next, current: revision, replaced: [] };
      app.versions.push(entry);
    }
    if (how.makeDefault || app.versions.length === 1) app.defaultVersion = entry.version;
    return entry;
  }

  /** Edit a workflow as a person in Studio would: its fingerprint changes. Returns the new fingerprint. */
  editWorkflow(path: string, content?: string): string {
    const workflow = this.workflowByPath(path);
    if (!workflow) throw new EmulatorError(`no workflow has the path "${path}"`);
    workflow.edits += 1;
    workflow.fingerprint =
      content === undefined ? fingerprintOfContent(`${workflow.fingerprint}\nedit ${workflow.edits}`) : fingerprintOfContent(content);
    return workflow.fingerprint;
  }

  /**
   * Change what a workflow's runs do, as a person fixing (or breaking) it in
   * Studio would: its fingerprint changes as with any edit. Versions already
   * published keep the behaviour they were published with.
   */
  setWorkflowRun(path: string, run: RunSpec): string {
    const workflow = this.workflowByPath(path);
    if (!workflow) throw new EmulatorError(`no workflow has the path "${path}"`);
    workflow.run = run;
    return this.editWorkflow(path, `${workflow.fingerprint}\nrun ${JSON.stringify(run)}`);
  }

  /** Add a workflow, as if a person saved a new one in Studio. */
  addWorkflow(spec: { path: string; name?: string; id?: string; content?: string; run?: RunSpec }): Workflow {
    if (!/^\/\S/.test(spec.path)) throw new EmulatorError(`workflow path "${spec.path}" is not an absolute storage path`);
    if (this.workflowByPath(spec.path)) throw new EmulatorError(`a workflow with the path "${spec.path}" already exists`);
    const id = spec.id ?? derivedId('workflow', spec.path);
    if (!/^[0-9a-f]{32}$/.test(id)) throw new EmulatorError(`workflow id "${id}" is not 32 lowercase hex digits`);
    if (this.workflowById(id)) throw new EmulatorError(`a workflow with the id "${id}" already exists`);
    const name = spec.name ?? spec.path.replace(/^.*\//, '').replace(/\.p7wf$/, '');
    const workflow: Workflow = { id, name, path: spec.path, fingerprint: fingerprintOfContent(spec.content ?? spec.path), edits: 0, run: spec.run ?? EMPTY_RUN_SPEC };
    this.addToWorkflows(workflow);
    return workflow;
  }

  /**
   * Change an app behind the tool's back. Everything is checked before
   * anything changes. A Studio publish skips the permission and
   * publishing-in-progress checks the API applies.
   */
  driftApp(name: string, changes: AppDrift): AppSnapshot {
    const app = this.appByName(name);
    if (!app) throw new EmulatorError(`no app is named "${name}"`);
    const has = (v: number) => app.versions.some((e) => e.version === v);
    let thumbnail: SeedThumbnail | null | undefined;
    if (changes.thumbnail !== undefined && changes.thumbnail !== null) {
      const image = describeImage(changes.thumbnail);
      if (!image) throw new EmulatorError('the drift thumbnail is not a PNG, JPEG, GIF, WebP or SVG image');
      thumbnail = { bytes: changes.thumbnail, mediaType: image.mediaType, sha256: image.sha256 };
    } else {
      thumbnail = changes.thumbnail;
    }
    const publish = changes.publish;
    let workflow: Workflow | undefined;
    if (publish) {
      if (publish.version !== undefined && !has(publish.version)) throw new EmulatorError(`app "${name}" has no version ${publish.version}`);
      const basis = app.versions.find((v) => v.version === (publish.version ?? app.defaultVersion))!;
      const path = publish.workflowPath ?? basis.current.workflow.path;
      workflow = this.workflowByPath(path);
      if (!workflow) throw new EmulatorError(`no workflow has the path "${path}"`);
    }
    if (changes.defaultVersion !== undefined && !has(changes.defaultVersion)) {
      throw new EmulatorError(`app "${name}" has no version ${changes.defaultVersion}`);
    }

    if (changes.description !== undefined) app.description = changes.description;
    if (changes.allowCopy !== undefined) app.allowCopy = changes.allowCopy;
    if (thumbnail !== undefined) app.thumbnail = thumbnail;
    if (publish && workflow) {
      this.commitRevision(app, {
        workflow,
        version: publish.version,
        makeDefault: publish.setAsDefault !== false,
        stuck: false,
        failDetail: undefined,
        origin: 'studio',
      });
    }
    if (changes.defaultVersion !== undefined) app.defaultVersion = changes.defaultVersion;
    return this.appSnapshot(app);
  }

  appSnapshot(app: App): AppSnapshot {
    const ws = this.workspaceById(app.workspaceId)!;
    const revisionSnapshot = (r: Revision): RevisionSnapshot => ({
      revision: r.revision,
      workflowPath: r.workflow.path,
      fingerprint: r.fingerprint,
      updated: r.updated,
      origin: r.origin,
    });
    return {
      id: app.id,
      name: app.name,
      workspace: { id: ws.id, name: ws.name },
      description: app.description,
      allowCopy: app.allowCopy,
      thumbnail: app.thumbnail ? { sha256: app.thumbnail.sha256, mediaType: app.thumbnail.mediaType, size: app.thumbnail.bytes.length } : null,
      defaultVersion: app.defaultVersion,
      versions: app.versions.map((v) => {
        const { state, detail } = this.state(v.current);
        return {
          version: v.version,
          ...revisionSnapshot(v.current),
          state,
          stateDetail: detail,
          revisions: [...v.replaced, v.current].map(revisionSnapshot),
        };
      }),
    };
  }

  snapshot(): EmulatorSnapshot {
    return {
      users: this.users.map((u) => ({ username: u.username })),
      workspaces: this.workspaces.map((w) => ({ id: w.id, name: w.name, publishers: [...w.publishers] })),
      workflows: this.workflows.map((w) => ({ id: w.id, name: w.name, path: w.path, fingerprint: w.fingerprint, edits: w.edits })),
      apps: this.apps.map((a) => this.appSnapshot(a)),
      runs: this.runs.all().map((r) => this.runs.snapshot(r)),
    };
  }
}
