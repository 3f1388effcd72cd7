// The saved plan: the JSON document `p7apps plan --out FILE` writes,
// `p7apps plan --format json` prints and `p7apps apply FILE` executes. It is a
// public contract with its own versioned types, kept apart from the in-memory
// Plan so that the Plan can evolve while version 1 files stay readable. A file
// is validated completely before anything trusts it; a malformed or foreign
// file is refused with the file and the place in it.
//
// The document holds no credentials: nothing the planner reads carries one.

import { z } from 'zod';
import { UNKNOWN, unreadable } from '../appshub/types.js';
import { ENVIRONMENT_NAME } from '../config/schema.js';
import { P7appsError } from '../errors.js';
import { jsonText } from '../render/escape.js';
import { summarisePlan } from './compute.js';
import { PLAN_FORMAT_VERSION, type Plan } from './types.js';
import { SAFETY_FORMAT_VERSION, safetyCheck, type SafetyVerdict } from './safety.js';
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

/**
 * The zod schema of a version 1 document, built on first use: only reading a
 * saved plan needs it (show, apply FILE), and its few hundred schema objects
 * cost every other command time at start-up.
 */
let planDocumentV1SchemaBuilt: z.ZodType<PlanDocumentV1> | undefined;
function planDocumentV1Schema(): z.ZodType<PlanDocumentV1> {
  return (planDocumentV1SchemaBuilt ??= buildPlanDocumentV1Schema());
}

function buildPlanDocumentV1Schema(): z.ZodType<PlanDocumentV1> {
  const unknownSchema = z.strictObject({ unknown: z.literal(true), raw: z.string().max(4096).optional() });
  const maybe = <T extends z.ZodType>(inner: T) => z.union([unknownSchema, inner]);
  const count = z.number().int().nonnegative();
  const versionNumber = z.number().int().positive();
  const workspaceSchema = z.strictObject({ id: z.string(), name: z.string() });
  const workspaceRefSchema = z.strictObject({ name: z.string().optional(), id: z.string().optional() });
  const settingFieldSchema = z.enum(['description', 'thumbnail', 'allowCopy']);
  const thumbnailRefSchema = z.strictObject({ source: z.string(), sha256: maybe(z.string()) });
  const unverifiableFieldSchema = z.enum(['description', 'thumbnail', 'allowCopy', 'defaultVersion', 'workspace', 'newAppWorkspace', 'workflow', 'state', 'versions']);
  const notesSchema = z.array(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('unmanaged-version'), version: versionNumber, revision: maybe(count) }),
      z.strictObject({
        kind: z.literal('workflow-changed'),
        version: versionNumber,
        workflow: z.string(),
        revision: maybe(count),
        policy: z.enum(['report', 'ignore']),
      }),
      z.strictObject({
        kind: z.literal('unverifiable'),
        field: unverifiableFieldSchema,
        version: versionNumber.optional(),
        detail: z.string(),
        raw: z.string().max(4096).optional(),
        sentWithPublish: z.boolean().optional(),
      }),
    ]),
  );
  const verificationSchema = z.strictObject({
    formatVersion: z.literal(1),
    apps: count,
    verifiedApps: count,
    unverified: z.array(
      z.strictObject({
        field: unverifiableFieldSchema,
        apps: count,
        versions: count,
        items: z.array(
          z.strictObject({
            app: z.string(),
            version: versionNumber.optional(),
            raw: z.string().max(4096).optional(),
            sentWithPublish: z.boolean().optional(),
          }),
        ),
      }),
    ),
  });
  const safetySchema = z.strictObject({
    formatVersion: z.literal(SAFETY_FORMAT_VERSION),
    needsForce: z.boolean(),
    republishedApps: z.array(z.string()),
    existingApps: count,
    limits: z.strictObject({ maxRepublishPercent: z.number().min(0).max(100), maxRepublishApps: count }),
    protectedApps: z.array(z.string().min(1)),
    protectedSteps: z.array(
      z.strictObject({ app: z.string().min(1), step: versionNumber, version: versionNumber, change: z.enum(['revision', 'default', 'settings']) }),
    ),
  });
  const changesSchema = z.array(
    z.discriminatedUnion('field', [
      z.strictObject({ field: z.literal('description'), before: maybe(z.string().nullable()), after: z.string() }),
      z.strictObject({ field: z.literal('thumbnail'), before: maybe(thumbnailRefSchema.nullable()), after: thumbnailRefSchema }),
      z.strictObject({ field: z.literal('allowCopy'), before: maybe(z.boolean()).nullable(), after: z.boolean() }),
      z.strictObject({ field: z.literal('defaultVersion'), before: maybe(versionNumber).nullable(), after: versionNumber }),
      z.strictObject({
        field: z.literal('version'),
        version: versionNumber,
        before: z.strictObject({ revision: maybe(count), workflowPath: maybe(z.string()), state: maybe(z.string()) }).nullable(),
        after: z.strictObject({ workflowPath: z.string() }),
      }),
    ]),
  );
  const publishSchema = z.strictObject({
    step: versionNumber,
    request: z.strictObject({
      name: z.string().min(1),
      workspaceName: z.string().optional(),
      workspaceId: z.string().optional(),
      workflowPath: z.string().min(1),
      description: z.string().optional(),
      version: versionNumber.optional(),
      setVersionAsDefault: z.boolean(),
      allowGetAsWorkflow: z.boolean().optional(),
      thumbnail: z
        .strictObject({ path: z.string().min(1), filename: z.string().min(1), mediaType: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
        .optional(),
    }),
    expect: z.strictObject({
      version: versionNumber,
      creates: z.enum(['app', 'version', 'revision']),
      previousRevision: maybe(count).nullable(),
      becomesDefault: z.boolean(),
    }),
    reasons: z.array(
      z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('app-missing') }),
        z.strictObject({ kind: z.literal('version-missing'), version: versionNumber }),
        z.strictObject({ kind: z.literal('workflow-path-changed'), version: versionNumber, before: maybe(z.string()), after: z.string() }),
        z.strictObject({ kind: z.literal('workflow-content-changed'), version: versionNumber, revision: maybe(count), workflow: z.string() }),
        z.strictObject({ kind: z.literal('version-failed'), version: versionNumber, state: z.string() }),
        z.strictObject({ kind: z.literal('default-changed'), before: maybe(versionNumber), after: versionNumber, costsRevision: z.boolean().optional() }),
        z.strictObject({ kind: z.literal('settings-changed'), fields: z.array(settingFieldSchema) }),
        z.strictObject({ kind: z.literal('promote-after-checks'), version: versionNumber }),
      ]),
    ),
    checks: z
      .strictObject({
        mode: z.enum(['canary', 'after']),
        checks: z.array(
          z.strictObject({
            name: z.string().min(1),
            parameters: z.array(z.strictObject({ name: z.string().min(1), value: z.json() })),
            expect: z.array(
              z.strictObject({
                result: z.string().min(1),
                expectation: z.discriminatedUnion('kind', [
                  z.strictObject({ kind: z.literal('equals'), value: z.json() }),
                  z.strictObject({ kind: z.literal('near'), value: z.number(), tolerance: z.number().min(0) }),
                ]),
              }),
            ),
            timeoutMs: z.number().int().min(1),
            personal: z.boolean(),
          }),
        ),
      })
      .optional(),
  });
  const conflictSchema = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('workspace-differs'), observed: workspaceSchema, desired: workspaceRefSchema }),
    z.strictObject({ kind: z.literal('version-not-assignable'), version: versionNumber, highest: count }),
    z.strictObject({ kind: z.literal('default-not-published'), version: versionNumber }),
    z.strictObject({ kind: z.literal('version-in-progress'), version: versionNumber, state: z.string() }),
    z.strictObject({ kind: z.literal('workflow-not-found'), version: versionNumber, workflow: z.string(), suggestion: z.string().optional() }),
    z.strictObject({ kind: z.literal('name-ambiguous'), appIds: z.array(z.string()) }),
    z.strictObject({ kind: z.literal('id-shared'), appId: z.string(), names: z.array(z.string()) }),
    z.strictObject({ kind: z.literal('no-version-to-carry-settings'), fields: z.array(settingFieldSchema) }),
    z.strictObject({ kind: z.literal('workspace-mismatch'), desired: workspaceRefSchema, seen: workspaceSchema, seenOn: z.string() }),
    z.strictObject({ kind: z.literal('versions-unreadable'), version: versionNumber, sent: z.string().max(4096) }),
  ]);
  const fingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/);

  return z.strictObject({
    kind: z.literal(PLAN_DOCUMENT_KIND),
    formatVersion: z.literal(1),
    serverUrl: z.string().min(1),
    configPath: z.string(),
    environment: z.string().regex(ENVIRONMENT_NAME).optional(),
    summary: z.strictObject({
      create: count,
      update: count,
      conflict: count,
      unchanged: count,
      unmanaged: count,
      waiting: count.optional(),
      publishes: count,
      republishes: count,
    }),
    apps: z.array(
      z.discriminatedUnion('action', [
        z.strictObject({
          action: z.literal('create'),
          name: z.string().min(1),
          notes: notesSchema,
          workspace: workspaceRefSchema,
          changes: changesSchema,
          publishes: z.array(publishSchema).min(1),
        }),
        z.strictObject({
          action: z.literal('update'),
          name: z.string().min(1),
          notes: notesSchema,
          appId: z.string().min(1),
          workspace: maybe(workspaceSchema),
          observedFingerprint: fingerprintSchema,
          changes: changesSchema,
          publishes: z.array(publishSchema).min(1),
        }),
        z.strictObject({
          action: z.literal('no-op'),
          name: z.string().min(1),
          notes: notesSchema,
          appId: z.string().min(1),
          workspace: maybe(workspaceSchema),
          observedFingerprint: fingerprintSchema,
        }),
        z.strictObject({
          action: z.literal('conflict'),
          name: z.string().min(1),
          notes: notesSchema,
          appId: z.string().min(1).optional(),
          conflicts: z.array(conflictSchema).min(1),
        }),
        z.strictObject({
          action: z.literal('wait'),
          name: z.string().min(1),
          notes: notesSchema,
          appId: z.string().min(1),
          workspace: maybe(workspaceSchema),
          publishing: z.array(z.strictObject({ version: versionNumber, state: z.string(), declared: z.boolean() })).min(1),
        }),
      ]),
    ),
    unmanagedApps: z.array(z.strictObject({ appId: z.string(), name: z.string(), workspace: maybe(workspaceSchema) })),
    verification: verificationSchema.optional(),
    safety: safetySchema.optional(),
  });
}

/** The saved form of a plan; a deep copy, so later changes to either do not leak into the other. */
export function planToDocument(plan: Plan): PlanDocumentV1 {
  const copy = structuredClone(plan);
  return {
    kind: PLAN_DOCUMENT_KIND,
    formatVersion: 1,
    serverUrl: copy.serverUrl,
    configPath: copy.configPath,
    ...(copy.environment === undefined ? {} : { environment: copy.environment }),
    summary: copy.summary,
    apps: copy.apps,
    unmanagedApps: copy.unmanagedApps,
    verification: planVerification(copy),
    safety: safetyCheck(copy),
  };
}

/** The document as the text `--out` writes and `--format json` prints. */
export function planDocumentText(plan: Plan): string {
  return `${jsonText(planToDocument(plan), 2)}\n`;
}

/**
 * Reads a saved plan, refusing anything that is not exactly a version 1 plan
 * document. `file` names the source in messages.
 */
export function planFromDocument(json: unknown, file: string): Plan {
  const header = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (header?.kind !== PLAN_DOCUMENT_KIND) {
    throw new P7appsError(`${file} is not a p7apps plan (it lacks "kind": "${PLAN_DOCUMENT_KIND}")`, {
      hint: 'Pass a file written by "p7apps plan --out FILE".',
    });
  }
  if (header.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new P7appsError(`${file} is a plan in format ${JSON.stringify(header.formatVersion)}; this p7apps reads format ${PLAN_FORMAT_VERSION}`, {
      hint: 'Plan again with this version of p7apps, then apply the new plan.',
    });
  }
  const parsed = planDocumentV1Schema().safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    throw new P7appsError(`${file} is not a valid p7apps plan: at ${formatPath(issue.path)}: ${issue.message}`, {
      hint: 'Saved plans must not be edited; plan again to get a fresh one.',
    });
  }
  const document = parsed.data;
  const plan: Plan = restoreUnknown({
    formatVersion: PLAN_FORMAT_VERSION,
    serverUrl: document.serverUrl,
    configPath: document.configPath,
    ...(document.environment === undefined ? {} : { environment: document.environment }),
    apps: document.apps,
    unmanagedApps: document.unmanagedApps,
    summary: document.summary,
  }) as Plan;
  if (document.safety) {
    const { maxRepublishPercent, maxRepublishApps } = document.safety.limits;
    plan.safety = { maxRepublishPercent, maxRepublishApps, protectedApps: [...document.safety.protectedApps] };
  }
  checkConsistency(plan, file);
  return plan;
}

/** Checks what the schema cannot: that the summary and the step numbers agree with the apps. */
function checkConsistency(plan: Plan, file: string): void {
  const recomputed = summarisePlan(plan.apps, plan.unmanagedApps.length);
  const fields = [...new Set([...Object.keys(recomputed), ...Object.keys(plan.summary)])] as (keyof typeof recomputed)[];
  // A count a file from before it existed lacks is zero.
  const wrong = fields.find((k) => (recomputed[k] ?? 0) !== (plan.summary[k] ?? 0));
  if (wrong !== undefined) {
    throw new P7appsError(`${file} is not a valid p7apps plan: at summary.${wrong}: ${plan.summary[wrong] ?? 0} does not match the apps (${recomputed[wrong] ?? 0})`, {
      hint: 'Saved plans must not be edited; plan again to get a fresh one.',
    });
  }
  plan.apps.forEach((app, i) => {
    if (app.action !== 'create' && app.action !== 'update') return;
    app.publishes.forEach((publish, j) => {
      if (publish.step !== j + 1) {
        throw new P7appsError(`${file} is not a valid p7apps plan: at apps[${i}].publishes[${j}].step: expected ${j + 1}, found ${publish.step}`, {
          hint: 'Saved plans must not be edited; plan again to get a fresh one.',
        });
      }
    });
  });
}

/** `apps[2].publishes[0].request.version`: the path as a person would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(the document itself)' : text;
}

/** Puts back the shared UNKNOWN marker where the document says {"unknown": true}. */
function restoreUnknown(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restoreUnknown);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]?.[0] === 'unknown' && entries[0][1] === true) return UNKNOWN;
  const raw = (value as { unknown?: unknown; raw?: unknown }).raw;
  if (entries.length === 2 && (value as { unknown?: unknown }).unknown === true && typeof raw === 'string') return unreadable(raw);
  return Object.fromEntries(entries.map(([k, v]) => [k, restoreUnknown(v)]));
}
