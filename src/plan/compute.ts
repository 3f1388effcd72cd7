// The planner: a pure function from (desired, observed) to the fewest
// publishes that make the server equal the config, each with the reasons it is
// needed. No I/O, no clock, no randomness; inputs are sorted and normalised
// first, so the same states in any order give the same plan, and differences
// of form (CRLF, a null description) never make a plan flap.
//
// The semantics are docs/semantics.md (what AppsHub allows, what each
// difference costs); the choices it leaves open are explained where they are
// made.

import equal from 'fast-deep-equal';
import {
  isUnknown,
  known,
  type Maybe,
  type PublishRequest,
  type ThumbnailUpload,
  type Unknown,
  type Workspace,
  type VersionRecord,
  type WorkflowRecord,
} from '../appshub/types.js';
import { versionStateKind } from '../appshub/wire.js';
import type { DesiredApp, DesiredState, DesiredVersion, WorkspaceRef } from '../config/desired.js';
import { editDistance } from '../config/issue-path.js';
import { fingerprintObservedApp } from './fingerprint.js';
import type { ObservedApp, ObservedState } from './observed.js';
import { safetyPolicy } from './safety.js';
import { byNameThenId, compareCodePoints, normaliseDescription, normaliseId, normaliseText } from './order.js';
import {
  PLAN_FORMAT_VERSION,
  type ActionReason,
  type AppPlan,
  type AttributeChange,
  type Conflict,
  type PlanNote,
  type PlannedPublish,
  type Plan,
  type PlanSummary,
  type SettingField,
  type UnmanagedApp,
  type UnverifiableField,
  type VersionSnapshot,
} from './types.js';

export { fingerprintObservedApp } from './fingerprint.js';

/** States in which a version is still being published: nothing can be decided about it yet. */
const IN_PROGRESS_STATES: ReadonlySet<string> = new Set(['QUEUED_TO_INITIALIZE', 'INITIALIZING']);

type WorkflowIndex = Maybe<ReadonlyMap<string, WorkflowRecord>>;

/** A publish being decided: what it is for, before its request is built. */
interface Draft {
  version: number;
  workflow: string;
  creates: 'app' | 'version' | 'revision';
  previousRevision: Maybe<number> | null;
  reasons: ActionReason[];
}

/** What one app's planning collects before it is turned into an AppPlan. */
interface Findings {
  notes: PlanNote[];
  conflicts: Conflict[];
  changes: AttributeChange[];
  drafts: Map<number, Draft>;
  /** Declared versions a conflict already blocks: no publish may be planned for them. */
  blocked: Set<number>;
  /** Declared versions whose workflow the server's (known) workflow list lacks. */
  workflowMissing: Set<number>;
}

export function computePlan(desired: DesiredState, observed: ObservedState): Plan {
  const workflows = indexWorkflows(observed.workflows);
  const observedByName = new Map<string, ObservedApp[]>();
  for (const app of [...observed.apps].sort(byNameThenId)) {
    const same = observedByName.get(app.name);
    if (same) same.push(app);
    else observedByName.set(app.name, [app]);
  }

  // An id the server lists for more than one app: every app-by-id read or publish would be a guess.
  const namesById = new Map<string, string[]>();
  for (const app of [...observed.apps].sort(byNameThenId)) namesById.set(app.id, [...(namesById.get(app.id) ?? []), app.name]);

  const desiredApps = [...desired.apps].sort(byNameThenId);
  const seen = workspacesSeen(observed.apps);
  const apps = desiredApps.map((app): AppPlan => {
    const matches = observedByName.get(app.name) ?? [];
    const [only] = matches;
    if (only === undefined) return planNewApp(app, workflows, seen);
    if (matches.length > 1) {
      return { action: 'conflict', name: app.name, notes: [], conflicts: [{ kind: 'name-ambiguous', appIds: matches.map((m) => m.id) }] };
    }
    const sharing = namesById.get(only.id)!;
    if (sharing.length > 1) {
      return { action: 'conflict', name: app.name, appId: only.id, notes: [], conflicts: [{ kind: 'id-shared', appId: only.id, names: sharing }] };
    }
    return planExistingApp(app, only, workflows);
  });

  const declared = new Set(desiredApps.map((a) => a.name));
  const unmanagedApps: UnmanagedApp[] = [...observed.apps]
    .filter((a) => !declared.has(a.name))
    .sort(byNameThenId)
    .map((a) => ({ appId: a.id, name: a.name, workspace: a.workspace }));

  return {
    formatVersion: PLAN_FORMAT_VERSION,
    serverUrl: observed.serverUrl,
    configPath: desired.configPath,
    safety: safetyPolicy(desired),
    apps,
    unmanagedApps,
    summary: summarisePlan(apps, unmanagedApps.length),
  };
}

export function summarisePlan(apps: readonly AppPlan[], unmanaged: number): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, conflict: 0, unchanged: 0, unmanaged, publishes: 0, republishes: 0 };
  for (const app of apps) {
    if (app.action === 'create') summary.create += 1;
    else if (app.action === 'update') summary.update += 1;
    else if (app.action === 'conflict') summary.conflict += 1;
    else summary.unchanged += 1;
    if (app.action === 'create' || app.action === 'update') {
      summary.publishes += app.publishes.length;
      summary.republishes += app.publishes.filter((p) => p.expect.creates === 'revision').length;
    }
  }
  return summary;
}

/**
 * The server's workflow path nearest to a mistyped one, for a did-you-mean:
 * within an edit distance of a fifth of its length (at least 2), ties broken
 * by code point order so the plan is the same every time.
 */
export function closestWorkflowPath(path: string, paths: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(path.length / 5));
  let best: { path: string; distance: number } | undefined;
  for (const candidate of [...paths].sort(compareCodePoints)) {
    const distance = editDistance(path, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { path: candidate, distance };
  }
  return best?.path;
}

function indexWorkflows(workflows: ObservedState['workflows']): WorkflowIndex {
  if (isUnknown(workflows)) return workflows;
  // Sorted by id, first one kept (as the observer does), so that a server
  // repeating a path resolves the same way every time.
  const index = new Map<string, WorkflowRecord>();
  for (const w of Object.values(workflows).sort((a, b) => compareCodePoints(a.id, b.id))) if (!index.has(w.path)) index.set(w.path, w);
  return index;
}

/** A workspace some app on the server reports, with the first app (by name) that shows it. */
interface SeenWorkspace {
  workspace: Workspace;
  app: string;
}

/**
 * Every workspace the server's apps show, one entry per {id, name} pair. The
 * guide has no workspace list, so this is all p7apps can know about
 * workspaces that hold no managed app.
 */
function workspacesSeen(apps: readonly ObservedApp[]): SeenWorkspace[] {
  const byPair = new Map<string, SeenWorkspace>();
  for (const app of [...apps].sort(byNameThenId)) {
    if (isUnknown(app.workspace)) continue;
    const workspace = { id: normaliseId(app.workspace.id), name: app.workspace.name };
    const key = JSON.stringify([workspace.id, workspace.name]);
    if (!byPair.has(key)) byPair.set(key, { workspace, app: app.name });
  }
  return [...byPair.values()].sort((a, b) => compareCodePoints(a.workspace.id, b.workspace.id) || compareCodePoints(a.workspace.name, b.workspace.name));
}

/**
 * A new app's workspace, checked against the workspaces other apps show: the
 * {name, id} pair the config gives must be one the server shows together. A
 * partial match (same id, other name; same name, other id) is a conflict; no
 * match at all cannot be checked before the publish that creates the app.
 */
function checkNewAppWorkspace(app: DesiredApp, seen: readonly SeenWorkspace[], f: Findings): void {
  const want = { name: app.workspace.name, id: app.workspace.id === undefined ? undefined : normaliseId(app.workspace.id) };
  const sameId = (s: SeenWorkspace) => want.id !== undefined && s.workspace.id === want.id;
  const sameName = (s: SeenWorkspace) => want.name !== undefined && s.workspace.name === want.name;
  const exact = seen.some((s) => (want.id === undefined || sameId(s)) && (want.name === undefined || sameName(s)));
  if (exact) return;
  const partial = seen.find(sameId) ?? seen.find(sameName);
  if (partial) {
    f.conflicts.push({ kind: 'workspace-mismatch', desired: { ...app.workspace, ...(want.id === undefined ? {} : { id: want.id }) }, seen: partial.workspace, seenOn: partial.app });
    return;
  }
  f.notes.push({
    kind: 'unverifiable',
    field: 'newAppWorkspace',
    detail: 'the server has no list of workspaces and no app on it shows this one, so the workspace cannot be checked before the publish that creates the app',
  });
}

/** "the server did not report X", or, when it sent something unreadable, says so (the note shows what). */
function notReported(value: Unknown, what: string): string {
  return value.raw === undefined ? `the server did not report ${what}` : `the server reported ${what} in a form p7apps cannot read`;
}

/** What the server sent where it could not be read, for a note; nothing for a field it did not send. */
function rawOf(value: unknown): { raw?: string } {
  return isUnknown(value) && (value as Unknown).raw !== undefined ? { raw: (value as Unknown).raw } : {};
}

function newFindings(): Findings {
  return { notes: [], conflicts: [], changes: [], drafts: new Map(), blocked: new Set(), workflowMissing: new Set() };
}

/** Declared versions ascending, one per number (the config loader rejects repeats; this keeps the planner total). */
function declaredVersions(app: DesiredApp): DesiredVersion[] {
  const byNumber = new Map<number, DesiredVersion>();
  for (const v of app.versions) if (!byNumber.has(v.version)) byNumber.set(v.version, v);
  return [...byNumber.values()].sort((a, b) => a.version - b.version);
}

function planNewApp(app: DesiredApp, workflows: WorkflowIndex, seen: readonly SeenWorkspace[]): AppPlan {
  const f = newFindings();
  checkNewAppWorkspace(app, seen, f);
  const versions = declaredVersions(app);
  checkWorkflowsListed(versions, workflows, f);
  // A new app is an existing app with no versions: only 1, 2, ... can be assigned.
  planMissingVersions(versions, new Map(), 0, true, f);

  const want = app.defaultVersion;
  if (want !== undefined) {
    f.changes.push({ field: 'defaultVersion', before: null, after: want });
    if (!versions.some((v) => v.version === want)) f.conflicts.push({ kind: 'default-not-published', version: want });
  }
  for (const field of managedSettings(app)) f.changes.push(settingChange(app, field, null));

  finishWorkflowChecks(f, workflows);
  if (f.conflicts.length > 0) return { action: 'conflict', name: app.name, notes: f.notes, conflicts: f.conflicts };
  return {
    action: 'create',
    name: app.name,
    workspace: { ...app.workspace },
    notes: f.notes,
    changes: sortChanges(f.changes),
    // Everything the config manages is new to the server: the first publish carries it all.
    publishes: buildPublishes(app, f.drafts, { appIsNew: true, observedDefault: null, thumbnailDiffers: true }),
  };
}

function planExistingApp(app: DesiredApp, observed: ObservedApp, workflows: WorkflowIndex): AppPlan {
  const f = newFindings();
  checkWorkspace(app, observed, f);

  const versions = declaredVersions(app);
  const existing = new Map(observed.versions.map((v) => [v.version, v]));
  let highest = Math.max(0, ...existing.keys());
  if (observed.versionsListed === false) {
    if (known(observed.defaultVersion)) highest = Math.max(highest, observed.defaultVersion);
    f.notes.push({
      kind: 'unverifiable',
      field: 'versions',
      detail:
        `${observed.versionsUnreadable === undefined ? "the server did not list the app's versions" : "the server listed the app's versions in a form p7apps cannot read"}; ` +
        'p7apps looked up the declared ones, and numbers it expects the server to assign assume no others exist',
      // What it sent is shown by the note, quoted; never inside the sentence.
      ...(observed.versionsUnreadable === undefined ? {} : { raw: observed.versionsUnreadable }),
    });
  }

  checkWorkflowsListed(versions, workflows, f);
  for (const declared of versions) {
    const record = existing.get(declared.version);
    if (record) checkExistingVersion(declared, record, workflows, f);
  }
  planMissingVersions(versions, existing, highest, false, f);
  if (observed.versionsUnreadable !== undefined) refuseNumberedByServer(observed.versionsUnreadable, f);
  planDefault(app, observed, existing, f);
  const thumbnailDiffers = planSettings(app, observed, versions, existing, f);

  for (const record of [...existing.values()].sort((a, b) => a.version - b.version)) {
    if (!versions.some((v) => v.version === record.version)) {
      f.notes.push({ kind: 'unmanaged-version', version: record.version, revision: record.revision });
      // A version still publishing blocks every publish to its app (README A10), declared or not:
      // say so now rather than let apply sit on 409s until its timeout.
      if (f.drafts.size > 0 && known(record.state) && IN_PROGRESS_STATES.has(record.state)) {
        f.conflicts.push({ kind: 'version-in-progress', version: record.version, state: record.state });
      }
    }
  }

  finishWorkflowChecks(f, workflows);
  if (f.conflicts.length > 0) return { action: 'conflict', name: app.name, appId: observed.id, notes: f.notes, conflicts: f.conflicts };
  markSentWithPublish(app, f);
  const observedFingerprint = fingerprintObservedApp(observed);
  if (f.drafts.size === 0) {
    return { action: 'no-op', name: app.name, appId: observed.id, workspace: observed.workspace, observedFingerprint, notes: f.notes };
  }
  return {
    action: 'update',
    name: app.name,
    appId: observed.id,
    workspace: observed.workspace,
    observedFingerprint,
    notes: f.notes,
    changes: sortChanges(f.changes),
    publishes: buildPublishes(app, f.drafts, { appIsNew: false, observedDefault: observed.defaultVersion, thumbnailDiffers }),
  };
}

/** Compares only what the config gives: a name, an id, or both. There is no endpoint to move an app. */
function checkWorkspace(app: DesiredApp, observed: ObservedApp, f: Findings): void {
  if (isUnknown(observed.workspace)) {
    f.notes.push({ kind: 'unverifiable', field: 'workspace', detail: notReported(observed.workspace, 'the app\'s workspace'), ...rawOf(observed.workspace) });
    return;
  }
  const have = { id: normaliseId(observed.workspace.id), name: observed.workspace.name };
  const want: WorkspaceRef = {};
  const sameFieldsOfHave: WorkspaceRef = {};
  if (app.workspace.name !== undefined) {
    want.name = app.workspace.name;
    sameFieldsOfHave.name = have.name;
  }
  if (app.workspace.id !== undefined) {
    want.id = normaliseId(app.workspace.id);
    sameFieldsOfHave.id = have.id;
  }
  if (!equal(want, sameFieldsOfHave)) f.conflicts.push({ kind: 'workspace-differs', observed: have, desired: want });
}

/** Fields a publish sets that the notes say cannot be verified: which of them a planned publish sends anyway. */
const SENT_BY_PUBLISH: ReadonlySet<UnverifiableField> = new Set(['description', 'thumbnail', 'allowCopy', 'defaultVersion']);

function markSentWithPublish(app: DesiredApp, f: Findings): void {
  f.notes = f.notes.map((note) => {
    if (note.kind !== 'unverifiable' || !SENT_BY_PUBLISH.has(note.field)) return note;
    // The default moves only with a publish of that very version; the settings ride on any.
    const sent = note.field === 'defaultVersion' ? app.defaultVersion !== undefined && f.drafts.has(app.defaultVersion) : f.drafts.size > 0;
    return { ...note, sentWithPublish: sent };
  });
}

function checkWorkflowsListed(versions: DesiredVersion[], workflows: WorkflowIndex, f: Findings): void {
  if (isUnknown(workflows)) return;
  for (const v of versions) if (!workflows.has(v.workflow)) f.workflowMissing.add(v.version);
}

/** Whether a published version still matches its declaration: state, workflow path, workflow content. */
function checkExistingVersion(declared: DesiredVersion, record: VersionRecord, workflows: WorkflowIndex, f: Findings): void {
  const n = declared.version;
  const reasons: ActionReason[] = [];
  if (isUnknown(record.state)) {
    f.notes.push({ kind: 'unverifiable', field: 'state', version: n, detail: notReported(record.state, `the state of version ${n}`), ...rawOf(record.state) });
  } else if (IN_PROGRESS_STATES.has(record.state)) {
    f.conflicts.push({ kind: 'version-in-progress', version: n, state: record.state });
    f.blocked.add(n);
    return;
  } else if (versionStateKind(record.state) === 'failed') {
    // FAILED, or another name for a failure (ERROR, CANCELLED...: A23): publish it again, as apply would have to.
    reasons.push({ kind: 'version-failed', version: n, state: record.state });
  } else if (record.state !== 'READY') {
    f.notes.push({ kind: 'unverifiable', field: 'state', version: n, detail: `version ${n} is in state ${record.state}, which p7apps does not know; it is treated as published` });
  }

  if (isUnknown(record.workflowPath)) {
    f.notes.push({ kind: 'unverifiable', field: 'workflow', version: n, detail: notReported(record.workflowPath, `which workflow version ${n} was published from`), ...rawOf(record.workflowPath) });
  } else if (record.workflowPath !== declared.workflow) {
    reasons.push({ kind: 'workflow-path-changed', version: n, before: record.workflowPath, after: declared.workflow });
  } else if (!f.workflowMissing.has(n)) {
    // (A workflow the list lacks gets its own note or conflict in finishWorkflowChecks.)
    const content = compareWorkflowContent(declared, record, workflows);
    if (content === 'changed') {
      reasons.push({ kind: 'workflow-content-changed', version: n, revision: record.revision, workflow: declared.workflow });
    } else if (content !== 'same') {
      f.notes.push({ kind: 'unverifiable', field: 'workflow', version: n, detail: content.unverifiable, ...rawOf(record.workflowFingerprint) });
    }
  }

  if (reasons.length > 0) {
    f.drafts.set(n, { version: n, workflow: declared.workflow, creates: 'revision', previousRevision: record.revision, reasons });
    f.changes.push({ field: 'version', version: n, before: snapshot(record), after: { workflowPath: declared.workflow } });
  }
}

/** Compares the fingerprint a version was published with to its workflow's current one (ASSUMPTION A7). */
function compareWorkflowContent(declared: DesiredVersion, record: VersionRecord, workflows: WorkflowIndex): 'same' | 'changed' | { unverifiable: string } {
  const path = declared.workflow;
  if (isUnknown(record.workflowFingerprint) || record.workflowFingerprint === null) {
    return { unverifiable: `the server did not report the fingerprint that version ${declared.version} was published with, so a change to ${path} cannot be seen` };
  }
  if (isUnknown(workflows)) return { unverifiable: `the server's workflow list could not be read, so a change to ${path} cannot be seen` };
  const current = workflows.get(path)?.fingerprint;
  if (current === undefined || current === null || isUnknown(current)) {
    return { unverifiable: `the server did not report the current fingerprint of ${path}, so a change to it cannot be seen` };
  }
  return current === record.workflowFingerprint ? 'same' : 'changed';
}

/**
 * Missing declared versions: only the next number can be assigned (the
 * server numbers new versions itself), so each missing version must be the
 * next after the highest existing one and the ones this plan adds before it.
 */
function planMissingVersions(versions: DesiredVersion[], existing: ReadonlyMap<number, VersionRecord>, highest: number, appIsNew: boolean, f: Findings): void {
  let next = highest + 1;
  for (const declared of versions) {
    if (existing.has(declared.version)) continue;
    const n = declared.version;
    if (n !== next) {
      f.conflicts.push({ kind: 'version-not-assignable', version: n, highest: next - 1 });
      f.blocked.add(n);
      continue;
    }
    const creates = appIsNew && n === 1 ? 'app' : 'version';
    f.drafts.set(n, {
      version: n,
      workflow: declared.workflow,
      creates,
      previousRevision: null,
      reasons: [creates === 'app' ? { kind: 'app-missing' } : { kind: 'version-missing', version: n }],
    });
    f.changes.push({ field: 'version', version: n, before: null, after: { workflowPath: declared.workflow } });
    next += 1;
  }
}

/**
 * A version list the server sent but p7apps cannot read may hide versions:
 * a new version, numbered by the server, could land under another number or
 * duplicate one already there. Revisions of listed-by-lookup versions name
 * their number and stay planned.
 */
function refuseNumberedByServer(sent: string, f: Findings): void {
  for (const [n, draft] of [...f.drafts]) {
    if (draft.creates !== 'version') continue;
    f.drafts.delete(n);
    f.changes = f.changes.filter((c) => !(c.field === 'version' && c.version === n && c.before === null));
    f.conflicts.push({ kind: 'versions-unreadable', version: n, sent });
    f.blocked.add(n);
  }
}

/** The only way to move the default is to publish the new default version with set_version_as_default=True. */
function planDefault(app: DesiredApp, observed: ObservedApp, existing: ReadonlyMap<number, VersionRecord>, f: Findings): void {
  const want = app.defaultVersion;
  if (want === undefined) return;
  if (isUnknown(observed.defaultVersion)) {
    f.notes.push({
      kind: 'unverifiable',
      field: 'defaultVersion',
      detail: `the server did not report the default version; version ${want} is made default only by a publish planned for it anyway`,
      ...rawOf(observed.defaultVersion),
    });
    return;
  }
  if (observed.defaultVersion === want) return;
  f.changes.push({ field: 'defaultVersion', before: observed.defaultVersion, after: want });
  if (!app.versions.some((v) => v.version === want)) {
    f.conflicts.push({ kind: 'default-not-published', version: want });
    return;
  }
  const planned = f.drafts.get(want);
  const reason: ActionReason = { kind: 'default-changed', before: observed.defaultVersion, after: want };
  if (planned) {
    planned.reasons.push(reason);
  } else if (existing.has(want) && !f.blocked.has(want)) {
    const record = existing.get(want) as VersionRecord;
    f.drafts.set(want, {
      version: want,
      workflow: declaredWorkflow(app, want),
      creates: 'revision',
      previousRevision: record.revision,
      reasons: [{ ...reason, costsRevision: true }],
    });
  }
  // Otherwise a conflict on that version is already reported.
}

/**
 * App-wide settings that differ ride on the app's first planned publish; with
 * none planned, the current default version is republished if the config
 * declares it, else the highest declared existing version. A version the
 * config does not declare is never republished: its workflow is not ours to name.
 * Returns whether the thumbnail is to be uploaded by the first publish: when it
 * differs, or when the server's cannot be compared (any publish then sets it).
 */
function planSettings(
  app: DesiredApp,
  observed: ObservedApp,
  versions: DesiredVersion[],
  existing: ReadonlyMap<number, VersionRecord>,
  f: Findings,
): boolean {
  const differing: SettingField[] = [];
  let thumbnailToSend = false;
  for (const field of managedSettings(app)) {
    const before = observedSetting(observed, field);
    const verdict = compareSetting(app, field, before);
    if (verdict === 'same') continue;
    if (verdict !== 'differs') {
      const shown = field === 'thumbnail' && before !== null && !isUnknown(before) ? (before as { sha256: Maybe<string> }).sha256 : before;
      f.notes.push({ kind: 'unverifiable', field, detail: verdict.unverifiable, ...rawOf(shown) });
      // Sent with whatever publish happens, so touching the app sets it right; it never causes one.
      if (field === 'thumbnail') thumbnailToSend = true;
      continue;
    }
    differing.push(field);
    f.changes.push(settingChange(app, field, before));
  }
  const thumbnailDiffers = thumbnailToSend || differing.includes('thumbnail');
  if (differing.length === 0) return thumbnailDiffers;

  const reason: ActionReason = { kind: 'settings-changed', fields: differing };
  const first = [...f.drafts.values()].sort((a, b) => a.version - b.version)[0];
  if (first) {
    first.reasons.push(reason);
    return thumbnailDiffers;
  }
  const candidates = versions.filter((v) => existing.has(v.version) && !f.blocked.has(v.version));
  const currentDefault = known(observed.defaultVersion) ? candidates.find((v) => v.version === observed.defaultVersion) : undefined;
  const carrier = currentDefault ?? candidates[candidates.length - 1];
  if (!carrier) {
    if (f.conflicts.length === 0) f.conflicts.push({ kind: 'no-version-to-carry-settings', fields: differing });
    return thumbnailDiffers;
  }
  f.drafts.set(carrier.version, {
    version: carrier.version,
    workflow: carrier.workflow,
    creates: 'revision',
    previousRevision: (existing.get(carrier.version) as VersionRecord).revision,
    reasons: [reason],
  });
  return thumbnailDiffers;
}

function managedSettings(app: DesiredApp): SettingField[] {
  const fields: SettingField[] = [];
  if (app.description !== undefined) fields.push('description');
  if (app.thumbnail !== undefined) fields.push('thumbnail');
  if (app.allowCopy !== undefined) fields.push('allowCopy');
  return fields;
}

type ObservedSetting = Maybe<string | null> | Maybe<boolean> | Maybe<{ url: string; sha256: Maybe<string> } | null>;

function observedSetting(observed: ObservedApp, field: SettingField): ObservedSetting {
  if (field === 'description') return observed.description;
  if (field === 'allowCopy') return observed.allowCopy;
  return observed.thumbnail;
}

function compareSetting(app: DesiredApp, field: SettingField, before: ObservedSetting): 'same' | 'differs' | { unverifiable: string } {
  if (isUnknown(before)) {
    const what = field === 'description' ? 'description' : field === 'thumbnail' ? 'thumbnail' : 'copy permission (allow_get_as_workflow)';
    return { unverifiable: notReported(before, `the app's ${what}`) };
  }
  if (field === 'description') {
    return normaliseDescription(before as string | null) === normaliseText(app.description as string) ? 'same' : 'differs';
  }
  if (field === 'allowCopy') return before === app.allowCopy ? 'same' : 'differs';
  const thumbnail = before as { url: string; sha256: Maybe<string> } | null;
  if (thumbnail === null) return 'differs';
  if (isUnknown(thumbnail.sha256)) {
    // What the server sent instead, if anything, is shown by the note, quoted; never inside the sentence.
    const why = thumbnail.sha256.raw === undefined ? 'was not read' : 'could not be read';
    return { unverifiable: `the server's thumbnail ${why}, so its content cannot be compared` };
  }
  return thumbnail.sha256.toLowerCase() === (app.thumbnail as ThumbnailUpload).sha256.toLowerCase() ? 'same' : 'differs';
}

function settingChange(app: DesiredApp, field: SettingField, before: ObservedSetting | null): AttributeChange {
  if (field === 'description') {
    // Line endings as compared, so that a diff shows only what really differs.
    const observed = before as Maybe<string | null>;
    return { field, before: typeof observed === 'string' ? normaliseText(observed) : observed, after: normaliseText(app.description as string) };
  }
  if (field === 'allowCopy') return { field, before: before as Maybe<boolean> | null, after: app.allowCopy as boolean };
  const thumbnail = app.thumbnail as NonNullable<DesiredApp['thumbnail']>;
  const observed = before as Maybe<{ url: string; sha256: Maybe<string> } | null> | null;
  return {
    field,
    before: observed === null || isUnknown(observed) ? observed : { source: observed.url, sha256: observed.sha256 },
    after: { source: thumbnail.declaredAs, sha256: thumbnail.sha256.toLowerCase() },
  };
}

/**
 * A workflow the server's list lacks: a conflict when a publish would read it
 * (the server would answer 400), otherwise a note that its content cannot be
 * checked.
 */
function finishWorkflowChecks(f: Findings, workflows: WorkflowIndex): void {
  for (const n of [...f.workflowMissing].sort((a, b) => a - b)) {
    const draft = f.drafts.get(n);
    if (draft) {
      const suggestion = isUnknown(workflows) ? undefined : closestWorkflowPath(draft.workflow, [...workflows.keys()]);
      f.conflicts.push({ kind: 'workflow-not-found', version: n, workflow: draft.workflow, ...(suggestion ? { suggestion } : {}) });
    } else if (!f.blocked.has(n)) {
      f.notes.push({
        kind: 'unverifiable',
        field: 'workflow',
        version: n,
        detail: `the workflow of version ${n} is not in the server's workflow list, so a change to it cannot be seen (and publishing it would fail)`,
      });
    }
  }
}

function declaredWorkflow(app: DesiredApp, version: number): string {
  return (app.versions.find((v) => v.version === version) as DesiredVersion).workflow;
}

const CHANGE_ORDER: Record<AttributeChange['field'], number> = { description: 0, thumbnail: 1, allowCopy: 2, defaultVersion: 3, version: 4 };

/** Settings first, then the default, then versions ascending: one order for every renderer. */
function sortChanges(changes: AttributeChange[]): AttributeChange[] {
  const rank = (c: AttributeChange) => CHANGE_ORDER[c.field] * 1e9 + (c.field === 'version' ? c.version : 0);
  return [...changes].sort((a, b) => rank(a) - rank(b));
}

function snapshot(record: VersionRecord): VersionSnapshot {
  return { revision: record.revision, workflowPath: record.workflowPath, state: record.state };
}

/**
 * Turns drafts into requests, in ascending version order (new versions must be
 * assigned in order; revisions of existing versions all come before them).
 *
 * `set_version_as_default` is always explicit, true only for the version the
 * config wants as default (and for a new app's first publish, which the server
 * makes default anyway). Description and copy permission, when managed, are
 * sent on every publish: each request is then complete on its own, a partly
 * applied plan still leaves them right, and a value the server did not report
 * is set by whatever publish happens. The thumbnail is uploaded once, by the
 * first publish, and only when its content differs or cannot be compared.
 */
function buildPublishes(
  app: DesiredApp,
  drafts: ReadonlyMap<number, Draft>,
  context: { appIsNew: boolean; observedDefault: Maybe<number> | null; thumbnailDiffers: boolean },
): PlannedPublish[] {
  let currentDefault = context.observedDefault !== null && known(context.observedDefault) ? context.observedDefault : undefined;
  const ordered = [...drafts.values()].sort((a, b) => a.version - b.version);
  return ordered.map((draft, index): PlannedPublish => {
    const first = index === 0;
    const setVersionAsDefault = (context.appIsNew && first) || draft.version === app.defaultVersion;
    if (setVersionAsDefault) currentDefault = draft.version;
    const sendThumbnail = first && app.thumbnail !== undefined && context.thumbnailDiffers;
    // Built in one literal so that the key order, and so the saved plan's bytes, never vary.
    const request: PublishRequest = {
      name: app.name,
      ...(app.workspace.name !== undefined ? { workspaceName: app.workspace.name } : {}),
      ...(app.workspace.id !== undefined ? { workspaceId: normaliseId(app.workspace.id) } : {}),
      workflowPath: draft.workflow,
      ...(app.description !== undefined ? { description: normaliseText(app.description) } : {}),
      ...(draft.creates === 'revision' ? { version: draft.version } : {}),
      setVersionAsDefault,
      ...(app.allowCopy !== undefined ? { allowGetAsWorkflow: app.allowCopy } : {}),
      ...(sendThumbnail && app.thumbnail ? { thumbnail: thumbnailUpload(app.thumbnail) } : {}),
    };
    return {
      step: index + 1,
      request,
      expect: {
        version: draft.version,
        creates: draft.creates,
        previousRevision: draft.previousRevision,
        becomesDefault: currentDefault === draft.version,
      },
      reasons: draft.reasons,
    };
  });
}

function thumbnailUpload(thumbnail: ThumbnailUpload): ThumbnailUpload {
  return { path: thumbnail.path, filename: thumbnail.filename, mediaType: thumbnail.mediaType, sha256: thumbnail.sha256.toLowerCase() };
}
