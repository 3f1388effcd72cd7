// The plan: pure data that says, per app, which publishes will make the
// server equal the config, and why. What drives apply (`publishes[].request`
// and `expect`) is kept apart from what explains it to people (`reasons`,
// `changes`), as Terraform keeps `Change` apart from `ActionReason`.
//
// A plan is JSON-serialisable as it stands: `p7apps plan --out` saves it and
// `p7apps apply FILE` executes exactly it. Its wire form is versioned by
// PLAN_FORMAT_VERSION; see src/plan/document.ts for the public document.

import type { Maybe, PublishRequest, Workspace } from '../appshub/types.js';
import type { WorkspaceRef } from '../config/desired.js';

export const PLAN_FORMAT_VERSION = 1 as const;

/** Why a publish is needed. Explains; never drives apply. */
export type ActionReason =
  | { kind: 'app-missing' }
  | { kind: 'version-missing'; version: number }
  | { kind: 'workflow-path-changed'; version: number; before: Maybe<string>; after: string }
  | { kind: 'workflow-content-changed'; version: number; revision: Maybe<number>; workflow: string }
  | { kind: 'version-failed'; version: number; state: string }
  /** `costsRevision`: the publish exists only to move the default, so it costs a new revision of that version. */
  | { kind: 'default-changed'; before: Maybe<number>; after: number; costsRevision?: boolean }
  /**
   * App-wide settings (description, thumbnail, copy permission) that differ and
   * that this publish carries. When it is the publish's only reason, the publish
   * exists only to carry them.
   */
  | { kind: 'settings-changed'; fields: SettingField[] };

export type SettingField = 'description' | 'thumbnail' | 'allowCopy';

export interface ThumbnailRef {
  /** Path as written in the config (desired side) or the server's URL (observed side). */
  source: string;
  sha256: Maybe<string>;
}

export interface VersionSnapshot {
  revision: Maybe<number>;
  workflowPath: Maybe<string>;
  state: Maybe<string>;
}

/**
 * A field-level difference, with explicit before and after. `before: null`
 * means the server has nothing there (for a new app, nothing at all).
 */
export type AttributeChange =
  | { field: 'description'; before: Maybe<string | null>; after: string }
  | { field: 'thumbnail'; before: Maybe<ThumbnailRef | null>; after: ThumbnailRef }
  | { field: 'allowCopy'; before: Maybe<boolean> | null; after: boolean }
  | { field: 'defaultVersion'; before: Maybe<number> | null; after: number }
  | { field: 'version'; version: number; before: VersionSnapshot | null; after: { workflowPath: string } };

/** What the server should hold once a publish has taken effect. */
export interface PublishExpectation {
  version: number;
  /** 'app': the first publish of a new app; 'version': a new version number; 'revision': a new revision of an existing version. */
  creates: 'app' | 'version' | 'revision';
  /** The revision the version had when planned ('revision' only). */
  previousRevision: Maybe<number> | null;
  /** Whether the version is default after this publish. */
  becomesDefault: boolean;
}

export interface PlannedPublish {
  /** 1-based position among the app's publishes; they run in this order. */
  step: number;
  request: PublishRequest;
  expect: PublishExpectation;
  reasons: ActionReason[];
}

/** Something a person must resolve; the plan fails while one is present. */
export type Conflict =
  | { kind: 'workspace-differs'; observed: Workspace; desired: WorkspaceRef }
  | { kind: 'version-not-assignable'; version: number; highest: number }
  | { kind: 'default-not-published'; version: number }
  | { kind: 'version-in-progress'; version: number; state: string }
  /** A workflow a planned publish reads is not in the server's workflow list: the publish would fail (400). */
  | { kind: 'workflow-not-found'; version: number; workflow: string; /** The server's nearest workflow path, when one is close. */ suggestion?: string }
  /** The server lists more than one app under the name (the guide says names are unique). */
  | { kind: 'name-ambiguous'; appIds: string[] }
  /** The server lists this app's id for other apps too: reading or publishing by id could reach any of them. */
  | { kind: 'id-shared'; appId: string; names: string[] }
  /** Settings differ but the config declares no existing version a publish could carry them on. */
  | { kind: 'no-version-to-carry-settings'; fields: SettingField[] }
  /**
   * A new app's workspace, as the config names it ({name, id}), disagrees with
   * a workspace another app on the server shows (same id, other name, or same
   * name, other id): the publish would go to a workspace nobody meant.
   */
  | { kind: 'workspace-mismatch'; desired: WorkspaceRef; seen: Workspace; seenOn: string }
  /**
   * A new version would be numbered by the server, but the server sent a
   * version list p7apps cannot read (`sent`, as sent): the number it would get,
   * or whether it already exists, cannot be checked.
   */
  | { kind: 'versions-unreadable'; version: number; sent: string };

/** Facts worth showing that are neither actions nor conflicts. */
/**
 * `newAppWorkspace`: the workspace of an app the plan creates, which no app on
 * the server shows; the publish that creates the app is the first check, and
 * the read after it the second.
 */
export type UnverifiableField =
  | 'description'
  | 'thumbnail'
  | 'allowCopy'
  | 'defaultVersion'
  | 'workspace'
  | 'newAppWorkspace'
  | 'workflow'
  | 'state'
  | 'versions';

export type PlanNote =
  | { kind: 'unmanaged-version'; version: number; revision: Maybe<number> }
  | {
      kind: 'unverifiable';
      field: UnverifiableField;
      version?: number;
      detail: string;
      /** What the server sent where p7apps could not read it (server text: show it quoted, never raw). */
      raw?: string;
      /**
       * For a value a publish sets (settings, the default): true when a publish
       * planned for this app sends it anyway, false when none is planned (so
       * nothing sets it this time). Explains only; the request drives apply.
       */
      sentWithPublish?: boolean;
    };

interface AppPlanBase {
  name: string;
  notes: PlanNote[];
}

export interface CreateAppPlan extends AppPlanBase {
  action: 'create';
  workspace: WorkspaceRef;
  changes: AttributeChange[];
  publishes: PlannedPublish[];
}

export interface UpdateAppPlan extends AppPlanBase {
  action: 'update';
  appId: string;
  workspace: Maybe<Workspace>;
  /** Fingerprint of the observed app the plan was computed from (stale-plan guard). */
  observedFingerprint: string;
  changes: AttributeChange[];
  publishes: PlannedPublish[];
}

export interface NoopAppPlan extends AppPlanBase {
  action: 'no-op';
  appId: string;
  workspace: Maybe<Workspace>;
  observedFingerprint: string;
}

export interface ConflictAppPlan extends AppPlanBase {
  action: 'conflict';
  appId?: string;
  conflicts: Conflict[];
}

export type AppPlan = CreateAppPlan | UpdateAppPlan | NoopAppPlan | ConflictAppPlan;

export interface UnmanagedApp {
  appId: string;
  name: string;
  workspace: Maybe<Workspace>;
}

export interface PlanSummary {
  create: number;
  update: number;
  conflict: number;
  unchanged: number;
  unmanaged: number;
  /** Publish requests the plan will send. */
  publishes: number;
  /** Of those, new revisions of versions that exist (the churn the safety guard counts). */
  republishes: number;
}

/**
 * What the config says about the large-change guard and protected apps
 * (src/plan/safety.ts decides with it). Absent: the built-in limits and no
 * protected app.
 */
export interface SafetyPolicy {
  /** Republishing more than this share of the existing apps a plan covers (and more than maxRepublishApps of them) needs --force. */
  maxRepublishPercent: number;
  /** Republishing at most this many existing apps never needs --force. */
  maxRepublishApps: number;
  /** Apps the config marks `protect: true`, sorted. */
  protectedApps: string[];
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  serverUrl: string;
  configPath: string;
  /** The guard's settings from the config this plan was made from. */
  safety?: SafetyPolicy;
  /** Managed apps, sorted by name. */
  apps: AppPlan[];
  /** Apps on the server the config does not declare, sorted by name. */
  unmanagedApps: UnmanagedApp[];
  summary: PlanSummary;
}

export function planHasChanges(plan: Plan): boolean {
  return plan.summary.publishes > 0;
}

export function planHasConflicts(plan: Plan): boolean {
  return plan.summary.conflict > 0;
}
