// The saved plan: the JSON document `p7apps plan --out FILE` writes,
// `p7apps plan --format json` prints and `p7apps apply FILE` executes. It is a
// public contract with its own versioned types, kept apart from the in-memory
// Plan so that the Plan can evolve while version 1 files stay readable. A file
// is validated completely before anything trusts it; a malformed or foreign
// file is refused with the file and the place in it.
//
// The document holds no credentials: nothing the planner reads carries one.

import { jsonText } from '../render/escape.js';
import type { Plan } from './types.js';
import { safetyCheck, type SafetyVerdict } from './safety.js';
import { planVerification, type Verification } from './verification.js';

export const PLAN_DOCUMENT_KIND = 'p7apps-plan' as const;

/** A value the server did not report. */
export interface UnknownV1 {
  unknown: true;
  /** What the server reported where p7apps could not read it (optional). */
  raw?: string;
}
export type MaybeV1<T> = T | UnknownV1;

export interface WorkspaceV1 {
  id: string;
  name: string;
}
export interface WorkspaceRefV1 {
  name?: string;
  id?: string;
}

export interface ThumbnailUploadV1 {
  /** Absolute path of the image file on the machine that planned; apply re-reads it and checks sha256. */
  path: string;
  filename: string;
  mediaType: string;
  sha256: string;
}

/** One `POST apps/` request, field for field (wire names: name, workspace.name, workspace.id, workflow_path, description, version, set_version_as_default, allow_get_as_workflow, thumbnail). */
export interface PublishRequestV1 {
  name: string;
  workspaceName?: string;
  workspaceId?: string;
  workflowPath: string;
  description?: string;
  /** Absent: the server assigns the next version number. */
  version?: number;
  setVersionAsDefault: boolean;
  allowGetAsWorkflow?: boolean;
  thumbnail?: ThumbnailUploadV1;
}

export type SettingFieldV1 = 'description' | 'thumbnail' | 'allowCopy';

export type ActionReasonV1 =
  | { kind: 'app-missing' }
  | { kind: 'version-missing'; version: number }
  | { kind: 'workflow-path-changed'; version: number; before: MaybeV1<string>; after: string }
  | { kind: 'workflow-content-changed'; version: number; revision: MaybeV1<number>; workflow: string }
  | { kind: 'version-failed'; version: number; state: string }
  | { kind: 'default-changed'; before: MaybeV1<number>; after: number; costsRevision?: boolean }
  | { kind: 'settings-changed'; fields: SettingFieldV1[] }
  /** Added within format 1 (checks): the promotion of a version that passed its checks. */
  | { kind: 'promote-after-checks'; version: number };

export interface ThumbnailRefV1 {
  source: string;
  sha256: MaybeV1<string>;
}

export type AttributeChangeV1 =
  | { field: 'description'; before: MaybeV1<string | null>; after: string }
  | { field: 'thumbnail'; before: MaybeV1<ThumbnailRefV1 | null>; after: ThumbnailRefV1 }
  | { field: 'allowCopy'; before: MaybeV1<boolean> | null; after: boolean }
  | { field: 'defaultVersion'; before: MaybeV1<number> | null; after: number }
  | {
      field: 'version';
      version: number;
      before: { revision: MaybeV1<number>; workflowPath: MaybeV1<string>; state: MaybeV1<string> } | null;
      after: { workflowPath: string };
    };

export interface PlannedPublishV1 {
  step: number;
  request: PublishRequestV1;
  expect: {
    version: number;
    creates: 'app' | 'version' | 'revision';
    previousRevision: MaybeV1<number> | null;
    becomesDefault: boolean;
  };
  reasons: ActionReasonV1[];
  /** Added within format 1 (checks): the checks apply runs once this publish is READY. */
  checks?: { mode: 'canary' | 'after'; checks: CheckSpecV1[] };
}

/** A check as the plan carries it (src/checks/spec.ts). */
export interface CheckSpecV1 {
  name: string;
  parameters: { name: string; value: unknown }[];
  expect: { result: string; expectation: { kind: 'equals'; value: unknown } | { kind: 'near'; value: number; tolerance: number } }[];
  timeoutMs: number;
  personal: boolean;
}

export type ConflictV1 =
  | { kind: 'workspace-differs'; observed: WorkspaceV1; desired: WorkspaceRefV1 }
  | { kind: 'version-not-assignable'; version: number; highest: number }
  | { kind: 'default-not-published'; version: number }
  | { kind: 'version-in-progress'; version: number; state: string }
  | { kind: 'workflow-not-found'; version: number; workflow: string; suggestion?: string }
  | { kind: 'name-ambiguous'; appIds: string[] }
  | { kind: 'id-shared'; appId: string; names: string[] }
  | { kind: 'no-version-to-carry-settings'; fields: SettingFieldV1[] }
  /** Added within format 1: a new app's workspace {name, id} disagrees with one another app shows. */
  | { kind: 'workspace-mismatch'; desired: WorkspaceRefV1; seen: WorkspaceV1; seenOn: string }
  /** Since p7apps 0.1 (read-profiles): a new version cannot be planned because the server's version list is unreadable. */
  | { kind: 'versions-unreadable'; version: number; sent: string };

export type PlanNoteV1 =
  | { kind: 'unmanaged-version'; version: number; revision: MaybeV1<number> }
  /**
   * Added within format 1: a declared workflow edited in Studio that the plan
   * does not republish, because onWorkflowChange is 'report' or 'ignore'.
   */
  | { kind: 'workflow-changed'; version: number; workflow: string; revision: MaybeV1<number>; policy: 'report' | 'ignore' }
  | {
      kind: 'unverifiable';
      /** `newAppWorkspace` added within format 1. */
      field: 'description' | 'thumbnail' | 'allowCopy' | 'defaultVersion' | 'workspace' | 'newAppWorkspace' | 'workflow' | 'state' | 'versions';
      version?: number;
      detail: string;
      /** Added within format 1: what the server sent where p7apps could not read it (server text). */
      raw?: string;
      /** Added within format 1: whether a planned publish sends the value anyway. */
      sentWithPublish?: boolean;
    };

/**
 * Added within format 1 (absent from older files, ignored when read back: it
 * is recomputed from the notes): what the plan verified and what it could not.
 */
export type VerificationV1 = Verification;

/**
 * Added within format 1 (absent from older files): the large-change guard's
 * verdict and the settings it was reached with (the config's `safety` limits
 * and protected apps). Read back, the limits and protected apps are kept and
 * the rest is recomputed from the apps.
 */
export type SafetyV1 = SafetyVerdict;

export type AppPlanV1 =
  | { action: 'create'; name: string; notes: PlanNoteV1[]; workspace: WorkspaceRefV1; changes: AttributeChangeV1[]; publishes: PlannedPublishV1[] }
  | {
      action: 'update';
      name: string;
      notes: PlanNoteV1[];
      appId: string;
      workspace: MaybeV1<WorkspaceV1>;
      /** sha256 of what the plan depends on in the observed app; apply refuses the app if it moved. */
      observedFingerprint: string;
      changes: AttributeChangeV1[];
      publishes: PlannedPublishV1[];
    }
  | { action: 'no-op'; name: string; notes: PlanNoteV1[]; appId: string; workspace: MaybeV1<WorkspaceV1>; observedFingerprint: string }
  | { action: 'conflict'; name: string; notes: PlanNoteV1[]; appId?: string; conflicts: ConflictV1[] }
  /** Added within format 1: a version is still publishing; plan again once it settles. */
  | {
      action: 'wait';
      name: string;
      notes: PlanNoteV1[];
      appId: string;
      workspace: MaybeV1<WorkspaceV1>;
      publishing: { version: number; state: string; declared: boolean }[];
    };

export interface PlanDocumentV1 {
  kind: typeof PLAN_DOCUMENT_KIND;
  formatVersion: 1;
  /** The sign-in URL the plan was computed against; apply refuses another server. */
  serverUrl: string;
  configPath: string;
  /** Added within format 1: the config's environment the plan is for; apply refuses it for another --env. Absent when the config declares none. */
  environment?: string;
  /** `waiting` added within format 1: present when some app waits for a version still publishing. */
  summary: { create: number; update: number; conflict: number; unchanged: number; unmanaged: number; waiting?: number; publishes: number; republishes: number };
  /** Managed apps, sorted by name. */
  apps: AppPlanV1[];
  /** Apps on the server the config does not declare, sorted by name. */
  unmanagedApps: { appId: string; name: string; workspace: MaybeV1<WorkspaceV1> }[];
  verification?: VerificationV1;
  safety?: SafetyV1;
}

/** The saved form of a plan; a deep copy, so later changes to either do not leak into the other. */
export function planToDocument(plan: Plan): PlanDocumentV1 {
  return documentOf(structuredClone(plan));
}

/**
 * The document as the text `--out` writes and `--format json` prints. It is
 * serialised at once, so it reads the plan in place: copying a 1,000-app
 * plan first cost more than writing it.
 */
export function planDocumentText(plan: Plan): string {
  return `${jsonText(documentOf(plan), 2)}\n`;
}

/** The document over `plan`'s own objects (verification and safety are computed afresh). */
function documentOf(plan: Plan): PlanDocumentV1 {
  return {
    kind: PLAN_DOCUMENT_KIND,
    formatVersion: 1,
    serverUrl: plan.serverUrl,
    configPath: plan.configPath,
    ...(plan.environment === undefined ? {} : { environment: plan.environment }),
    summary: plan.summary,
    apps: plan.apps,
    unmanagedApps: plan.unmanagedApps,
    verification: planVerification(plan),
    safety: safetyCheck(plan),
  };
}
