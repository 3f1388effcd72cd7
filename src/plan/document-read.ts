// Reading a saved plan: the file `p7apps plan --out FILE` wrote, checked
// completely against the version 1 schema before anything trusts it (see
// ./document.ts for the document itself). Apart from ./document.ts so that
// the commands that only write plans never load zod or build this schema.

import { z } from 'zod';
import { UNKNOWN, unreadable } from '../appshub/types.js';
import { ENVIRONMENT_NAME } from '../config/environment-name.js';
import { formatPath } from '../config/issue-path.js';
import { P7appsError } from '../errors.js';
import { summarisePlan } from './compute.js';
import { PLAN_DOCUMENT_KIND, type PlanDocumentV1 } from './document.js';
import { SAFETY_FORMAT_VERSION } from './safety.js';
import { PLAN_FORMAT_VERSION, type Plan } from './types.js';

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
    throw new P7appsError(`${file} is not a valid p7apps plan: at ${documentPath(issue.path)}: ${issue.message}`, {
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

/**
 * Checks what the schema cannot: that the summary and the step numbers agree
 * with the apps, that no app appears twice (its publishes would be sent
 * twice), and that every publish goes to the app it is listed under, as the
 * version it is listed as: what `show` presents is the app and its expected
 * versions, and what apply sends is the request.
 */
function checkConsistency(plan: Plan, file: string): void {
  const invalid = (at: string, what: string) =>
    new P7appsError(`${file} is not a valid p7apps plan: at ${at}: ${what}`, { hint: 'Saved plans must not be edited; plan again to get a fresh one.' });
  const seenNames = new Map<string, number>();
  const seenIds = new Map<string, number>();
  plan.apps.forEach((app, i) => {
    const sameName = seenNames.get(app.name);
    if (sameName !== undefined) throw invalid(`apps[${i}].name`, `app ${JSON.stringify(app.name)} is listed twice (also at apps[${sameName}])`);
    seenNames.set(app.name, i);
    const appId = 'appId' in app ? app.appId : undefined;
    if (appId !== undefined) {
      const sameId = seenIds.get(appId);
      if (sameId !== undefined) throw invalid(`apps[${i}].appId`, `app id ${JSON.stringify(appId)} is listed twice (also at apps[${sameId}])`);
      seenIds.set(appId, i);
    }
    if (app.action !== 'create' && app.action !== 'update') return;
    app.publishes.forEach((publish, j) => {
      const at = `apps[${i}].publishes[${j}]`;
      if (publish.request.name !== app.name) throw invalid(`${at}.request.name`, `${JSON.stringify(publish.request.name)} is not the app it is listed under (${JSON.stringify(app.name)})`);
      if (publish.request.version !== undefined && publish.request.version !== publish.expect.version) {
        throw invalid(`${at}.request.version`, `${publish.request.version} is not the version it is expected to publish (${publish.expect.version})`);
      }
    });
  });
  const recomputed = summarisePlan(plan.apps, plan.unmanagedApps.length);
  const fields = [...new Set([...Object.keys(recomputed), ...Object.keys(plan.summary)])] as (keyof typeof recomputed)[];
  // A count a file from before it existed lacks is zero.
  const wrong = fields.find((k) => (recomputed[k] ?? 0) !== (plan.summary[k] ?? 0));
  if (wrong !== undefined) throw invalid(`summary.${wrong}`, `${plan.summary[wrong] ?? 0} does not match the apps (${recomputed[wrong] ?? 0})`);
  plan.apps.forEach((app, i) => {
    if (app.action !== 'create' && app.action !== 'update') return;
    app.publishes.forEach((publish, j) => {
      if (publish.step !== j + 1) throw invalid(`apps[${i}].publishes[${j}].step`, `expected ${j + 1}, found ${publish.step}`);
    });
  });
}

/** `apps[2].publishes[0].request.version`, as config errors write paths (odd keys quoted and escaped). */
function documentPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the document itself)';
  return formatPath(
    path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
    new Map(),
  );
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
