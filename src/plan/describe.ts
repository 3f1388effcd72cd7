// Words for the plan: every renderer (human, Markdown, and the applier's
// messages) says the same thing the same way, so the texts live here, next to
// the data they describe, rather than in each renderer.

import { isUnknown, type Maybe, type Workspace } from '../appshub/types.js';
import { escapeUnsafe } from '../render/escape.js';
import type { WorkspaceRef } from '../config/desired.js';
import type { ActionReason, AppPlan, Conflict, Plan, PlanNote, PlanSummary, PublishingVersion, SettingField } from './types.js';
import { planVerification, unverifiedText } from './verification.js';

const SETTING_NAMES: Record<SettingField, string> = {
  description: 'description',
  thumbnail: 'thumbnail',
  allowCopy: 'copy permission',
};

/** "a", "a and b", "a, b and c". */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function maybeText<T>(value: Maybe<T>, text: (v: T) => string = String): string {
  return isUnknown(value) ? 'unknown' : text(value);
}

/** One line saying why a publish is needed. */
export function describeReason(reason: ActionReason): string {
  switch (reason.kind) {
    case 'app-missing':
      return 'the app is not on the server yet';
    case 'version-missing':
      return `version ${reason.version} is new`;
    case 'workflow-path-changed':
      return `version ${reason.version} is published from ${maybeText(reason.before)}; the config says ${reason.after}`;
    case 'workflow-content-changed':
      return workflowChangedText(reason);
    case 'version-failed':
      return `version ${reason.version} failed to publish (state ${reason.state})`;
    case 'default-changed':
      return `default version ${maybeText(reason.before)} -> ${reason.after}${reason.costsRevision ? ` (costs a new revision of version ${reason.after})` : ''}`;
    case 'settings-changed':
      return `${joinWords(reason.fields.map((f) => SETTING_NAMES[f]))} changed`;
    case 'promote-after-checks':
      return `version ${reason.version} becomes default only after its checks pass, and only a publish moves the default (costs a new revision of version ${reason.version})`;
  }
}

/** "workflow W changed since revision R of version N was published". */
function workflowChangedText(change: { workflow: string; version: number; revision: Maybe<number> }): string {
  return isUnknown(change.revision)
    ? `workflow ${change.workflow} changed since version ${change.version} was published`
    : `workflow ${change.workflow} changed since revision ${change.revision} of version ${change.version} was published`;
}

/**
 * An edit onWorkflowChange keeps from being republished, and why:
 * "workflow W changed in Studio since ...; not republished (onWorkflowChange: report)".
 */
export function heldWorkflowText(note: Extract<PlanNote, { kind: 'workflow-changed' }>): string {
  const what = workflowChangedText(note).replace(/^workflow (.*?) changed/, 'workflow $1 changed in Studio');
  return `${what}; ${note.policy === 'report' ? 'not republished' : 'ignored'} (onWorkflowChange: ${note.policy})`;
}

/** The reported (not ignored) held workflow changes of an app. */
export function reportedWorkflowChanges(app: AppPlan): Extract<PlanNote, { kind: 'workflow-changed' }>[] {
  return app.notes.filter((n): n is Extract<PlanNote, { kind: 'workflow-changed' }> => n.kind === 'workflow-changed' && n.policy === 'report');
}

/** "version 2 is still publishing (state INITIALIZING)"; an undeclared one says it blocks the app. */
export function publishingText(version: PublishingVersion): string {
  const blocks = version.declared ? '' : '; the config does not declare it, but it holds back every publish to the app';
  return `version ${version.version} is still publishing (state ${version.state})${blocks}`;
}

/** What to do about an app that waits: nothing but time. */
export const STILL_PUBLISHING_ADVICE = 'still publishing, plan again once it is READY (plan --wait waits for it)';

function workspaceText(workspace: Workspace | WorkspaceRef): string {
  if (workspace.name !== undefined && workspace.id !== undefined) return `"${workspace.name}" (id ${workspace.id})`;
  if (workspace.name !== undefined) return `"${workspace.name}"`;
  return `id ${workspace.id ?? '?'}`;
}

export interface ConflictText {
  /** What is wrong, one sentence. */
  problem: string;
  /** What a person must do about it. */
  resolution: string;
}

/** A conflict as a problem and what a person must do; the plan cannot proceed for the app until then. */
export function describeConflict(conflict: Conflict): ConflictText {
  switch (conflict.kind) {
    case 'workspace-differs':
      return {
        problem: `the app is in workspace ${workspaceText(conflict.observed)} on the server, but the config says ${workspaceText(conflict.desired)}`,
        resolution: `AppsHub cannot move an app between workspaces: set the app's workspace in the config to ${workspaceText(conflict.observed)}, or move the app in AppsHub by hand, then plan again`,
      };
    case 'version-not-assignable': {
      const n = conflict.version;
      const next = conflict.highest + 1;
      if (conflict.highest === 0) {
        return {
          problem: `version ${n} cannot be published: the app is new, and the server numbers a new app's versions 1, 2, 3... in order`,
          resolution: `declare the app's versions from 1 without gaps (version ${n} would get number ${next})`,
        };
      }
      const problem = `version ${n} is not on the server and cannot be published: the server assigns only the next number, ${next}`;
      if (n < next) {
        return { problem, resolution: `a skipped version number can never be filled: remove version ${n} from the config, or renumber it as ${next}` };
      }
      const missing = n - 1 === next ? `version ${next}` : `versions ${next} to ${n - 1}`;
      return { problem, resolution: `declare ${missing} in the config too, or renumber version ${n} as ${next}` };
    }
    case 'default-not-published':
      return {
        problem: `the default version ${conflict.version} is not declared in the config, so p7apps cannot publish it`,
        resolution: `declare version ${conflict.version} with its workflow, or make a declared version the default`,
      };
    case 'version-in-progress':
      return {
        problem: `version ${conflict.version} is still being published on the server (state ${conflict.state})`,
        resolution: 'wait until it is READY, then plan again',
      };
    case 'workflow-not-found':
      return {
        problem: `the workflow ${conflict.workflow} of version ${conflict.version} is not on the server, so publishing it would fail`,
        resolution: conflict.suggestion
          ? `did you mean ${conflict.suggestion}? Correct the workflow path in the config, or save the workflow at that path in pSeven Enterprise, then plan again`
          : 'correct the workflow path in the config, or save the workflow at that path in pSeven Enterprise, then plan again',
      };
    case 'name-ambiguous':
      return {
        problem: `the server lists ${conflict.appIds.length} apps with this name (ids ${conflict.appIds.join(', ')})`,
        resolution: 'keep one app of that name in AppsHub (rename the others by hand), then plan again',
      };
    case 'id-shared':
      return {
        problem: `the server lists the id ${serverText(conflict.appId)} for ${conflict.names.length} apps (${conflict.names.map((n) => serverText(n)).join(', ')}), so p7apps cannot tell which one it would read or publish to`,
        resolution: 'have the AppsHub administrator check the app list (ids must be unique), then plan again',
      };
    case 'workspace-mismatch':
      return {
        problem:
          `the config puts the app in workspace ${workspaceText(conflict.desired)}, but on the server ` +
          `workspace ${workspaceText(conflict.seen)} holds app ${serverText(conflict.seenOn)}, so the name and the id name different workspaces`,
        resolution: `correct the workspace's name or id in the config so that both name the same workspace (the server shows ${workspaceText(conflict.seen)}), then plan again`,
      };
    case 'no-version-to-carry-settings':
      return {
        problem: `the ${joinWords(conflict.fields.map((f) => SETTING_NAMES[f]))} differ, but settings can change only by publishing a version, and the config declares no version that exists on the server`,
        resolution: 'declare an existing version of the app (with the workflow it is published from), then plan again',
      };
    case 'versions-unreadable':
      return {
        problem: `version ${conflict.version} would be a new version numbered by the server, but the server lists the app's versions as ${visible(conflict.sent, 80)}, which p7apps cannot read, so it cannot check which number the server would give or that the version is not already there`,
        resolution: `check the app's versions in AppsHub; publish version ${conflict.version} by hand, or wait for a server whose version list p7apps can read`,
      };
  }
}

/** A note: a fact worth showing that is neither an action nor a conflict. */
export function describeNote(note: PlanNote): string {
  if (note.kind === 'unmanaged-version') {
    const revision = isUnknown(note.revision) ? '' : ` (revision ${note.revision})`;
    return `version ${note.version}${revision} is on the server but not in the config; left alone`;
  }
  if (note.kind === 'workflow-changed') return heldWorkflowText(note);
  const sent = note.sentWithPublish === undefined ? '' : note.sentWithPublish ? '; sent with this publish' : '; no publish planned';
  return `${unverifiableText(note)}${sent}`;
}

/** "cannot verify: <why> (the server sent "<what, made safe>")": shared by the plan's notes and the drift report. */
export function unverifiableText(item: { detail: string; raw?: string }): string {
  // `raw` already describes what was sent (a JSON value as text, "HTTP 403"): shown as it is, made visible.
  const raw = item.raw === undefined ? '' : ` (the server sent ${visible(item.raw, 80)})`;
  return `cannot verify: ${item.detail}${raw}`;
}

/**
 * Text the server sent, made safe to show anywhere: quoted, cut to about 60
 * characters, every control or invisible character escaped (the shared rule
 * of src/render/escape.ts).
 */
export function serverText(text: string, max = 60): string {
  return `"${visible(text.replace(/[\\"]/g, (ch) => `\\${ch}`), max)}"`;
}

/** Cut to about `max` characters, every control or invisible character escaped. */
function visible(text: string, max: number): string {
  const chars = [...text];
  return escapeUnsafe(chars.length > max ? `${chars.slice(0, max).join('')}...` : text);
}

/**
 * The line that ends every rendering, like Terraform's "Plan: 1 to add, ...",
 * saying what could not be verified: "the server matches the config" only
 * when every managed field was read back.
 */
export function summaryLine(plan: Plan): string {
  const s: PlanSummary = plan.summary;
  const waiting = s.waiting ?? 0;
  const managed = s.create + s.update + s.conflict + s.unchanged + waiting;
  const unverified = unverifiedText(planVerification(plan));
  const reported = plan.apps.reduce((n, app) => n + reportedWorkflowChanges(app).length, 0);
  // Said only when there is one, so plans without them read as before.
  const reportedText = reported === 0 ? '' : `; ${plural(reported, 'workflow change')} reported, not republished (onWorkflowChange: report)`;
  if (s.publishes === 0 && s.conflict === 0 && waiting === 0) {
    const apps = plural(managed, 'app');
    if (reported > 0) return `No publishes for ${apps}${reportedText}${unverified === null ? '' : `; ${unverified}`}.`;
    return unverified === null ? `No changes for ${apps}; all verified: the server matches the config.` : `No changes for ${apps}; ${unverified}.`;
  }
  const waitingText = waiting === 0 ? '' : `, ${waiting} still publishing (plan again)`;
  return (
    `Plan: ${plural(s.create, 'app')} to create, ${s.update} to update (${plural(s.publishes, 'publish', 'publishes')}), ` +
    `${plural(s.conflict, 'conflict')}${waitingText}, ${s.unchanged} unchanged, ${s.unmanaged} unmanaged${reportedText}${unverified === null ? '' : `; ${unverified}`}`
  );
}
