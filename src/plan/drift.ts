// The drift report: how the server differs from the config, per app, as a
// read-only view of a plan. Pure: it only re-reads what computePlan found, so
// `plan` and `drift` can never disagree about what differs.
//
// Its JSON form is a public contract, versioned by DRIFT_FORMAT_VERSION.

import type { Maybe } from '../appshub/types.js';
import { describeConflict } from './describe.js';
import { compareCodePoints } from './order.js';
import type { AppPlan, AttributeChange, Plan, PublishingVersion } from './types.js';
import { planVerification, unverifiedText, type Verification } from './verification.js';

export const DRIFT_FORMAT_VERSION = 1 as const;

/**
 * in-sync: the server matches what the config manages. drifted: it differs
 * (apply fixes it, but for workflow edits onWorkflowChange says to report
 * only). missing: the app is not on the server. conflict: it differs in a way
 * only a person can fix. publishing: a version is still being published, so
 * the app cannot be compared yet (time resolves it, not a person). unmanaged:
 * on the server, not in the config.
 */
export type DriftStatus = 'in-sync' | 'drifted' | 'missing' | 'conflict' | 'publishing' | 'unmanaged';

export interface EditedWorkflow {
  version: number;
  workflow: string;
  /** The revision published before the workflow was edited. */
  revision: Maybe<number>;
  /**
   * Added within format 1: 'report' when the config's onWorkflowChange says to
   * report the edit rather than republish it (apply leaves it). Absent: apply republishes it.
   */
  policy?: 'report';
}

/**
 * A field-level difference, with its two sides named: `server` is what the
 * server has (the same value as `before`), `config` what the config declares
 * (as `after`). `server` and `config` were added within format 1.
 */
export type DriftChange = AttributeChange & { server: AttributeChange['before']; config: AttributeChange['after'] };

export interface AppDrift {
  name: string;
  appId: string | null;
  status: DriftStatus;
  /**
   * Whether this app makes the report count as drift: any status but
   * in-sync; with --fail-on-unmanaged also an unmanaged app, and a managed
   * app with versions on the server the config does not declare.
   */
  counts: boolean;
  /** Field-level differences: `before`/`server` is the server's value, `after`/`config` the config's. */
  changes: DriftChange[];
  /** Workflows edited since the version published from them. */
  editedWorkflows: EditedWorkflow[];
  /** Versions on the server the config does not declare. */
  unmanagedVersions: Array<{ version: number; revision: Maybe<number> }>;
  /** What the server did not report, so it could not be compared. */
  unverifiable: Array<{ field: string; version?: number; detail: string; raw?: string }>;
  conflicts: Array<{ kind: string; problem: string; resolution: string }>;
  /** Added within format 1, present for status 'publishing': the versions still being published. */
  publishing?: PublishingVersion[];
}

export interface DriftSummary {
  inSync: number;
  drifted: number;
  missing: number;
  conflict: number;
  unmanaged: number;
  /** Added within format 1, present when some app is still publishing. */
  publishing?: number;
  unverifiable: number;
}

export interface DriftReport {
  formatVersion: typeof DRIFT_FORMAT_VERSION;
  kind: 'p7apps-drift';
  serverUrl: string;
  configPath: string;
  /** Added within format 1: the config's environment the report is for (--env); absent when the config declares none. */
  environment?: string;
  failOnUnmanaged: boolean;
  /** Managed apps and unmanaged ones, sorted by name. */
  apps: AppDrift[];
  summary: DriftSummary;
  /** True when any app counts as drift: exit code 2. */
  drift: boolean;
  /**
   * What was verified and what could not be, by field (added within format 1;
   * readers of older reports find it absent). "in-sync" means in sync as far
   * as this says.
   */
  verification: Verification;
}

const STATUS_OF: Record<AppPlan['action'], DriftStatus> = {
  'no-op': 'in-sync',
  update: 'drifted',
  create: 'missing',
  conflict: 'conflict',
  wait: 'publishing',
};

function managedDrift(app: AppPlan, failOnUnmanaged: boolean): AppDrift {
  let status = STATUS_OF[app.action];
  const publishes = app.action === 'create' || app.action === 'update' ? app.publishes : [];
  const editedWorkflows: EditedWorkflow[] = [];
  for (const publish of publishes) {
    for (const reason of publish.reasons) {
      if (reason.kind === 'workflow-content-changed') {
        editedWorkflows.push({ version: reason.version, workflow: reason.workflow, revision: reason.revision });
      }
    }
  }
  const unmanagedVersions: AppDrift['unmanagedVersions'] = [];
  const unverifiable: AppDrift['unverifiable'] = [];
  for (const note of app.notes) {
    if (note.kind === 'unmanaged-version') unmanagedVersions.push({ version: note.version, revision: note.revision });
    else if (note.kind === 'workflow-changed') {
      // 'ignore': not drift, not listed. 'report': drift that apply leaves alone.
      if (note.policy === 'report') editedWorkflows.push({ version: note.version, workflow: note.workflow, revision: note.revision, policy: 'report' });
    } else {
      unverifiable.push({
        field: note.field,
        ...(note.version === undefined ? {} : { version: note.version }),
        detail: note.detail,
        ...(note.raw === undefined ? {} : { raw: note.raw }),
      });
    }
  }
  if (status === 'in-sync' && editedWorkflows.length > 0) status = 'drifted';
  return {
    name: app.name,
    appId: app.action === 'create' ? null : (app.appId ?? null),
    status,
    counts: status !== 'in-sync' || (failOnUnmanaged && unmanagedVersions.length > 0),
    // A missing app's "changes" are everything it declares: the status says it all.
    changes: app.action === 'update' ? app.changes.map(withSides) : [],
    editedWorkflows: editedWorkflows.sort((a, b) => a.version - b.version),
    unmanagedVersions,
    unverifiable,
    conflicts: app.action === 'conflict' ? app.conflicts.map((c) => ({ kind: c.kind, ...describeConflict(c) })) : [],
    ...(app.action === 'wait' ? { publishing: app.publishing } : {}),
  };
}

function withSides(change: AttributeChange): DriftChange {
  return { ...change, server: change.before, config: change.after } as DriftChange;
}

export function computeDrift(plan: Plan, options: { failOnUnmanaged?: boolean } = {}): DriftReport {
  const failOnUnmanaged = options.failOnUnmanaged === true;
  const apps: AppDrift[] = plan.apps.map((app) => managedDrift(app, failOnUnmanaged));
  for (const app of plan.unmanagedApps) {
    apps.push({
      name: app.name,
      appId: app.appId,
      status: 'unmanaged',
      counts: failOnUnmanaged,
      changes: [],
      editedWorkflows: [],
      unmanagedVersions: [],
      unverifiable: [],
      conflicts: [],
    });
  }
  apps.sort((a, b) => compareCodePoints(a.name, b.name) || compareCodePoints(a.appId ?? '', b.appId ?? ''));

  const summary: DriftSummary = { inSync: 0, drifted: 0, missing: 0, conflict: 0, unmanaged: 0, unverifiable: 0 };
  for (const app of apps) {
    if (app.status === 'in-sync') summary.inSync += 1;
    else if (app.status === 'drifted') summary.drifted += 1;
    else if (app.status === 'missing') summary.missing += 1;
    else if (app.status === 'conflict') summary.conflict += 1;
    else if (app.status === 'publishing') summary.publishing = (summary.publishing ?? 0) + 1;
    else summary.unmanaged += 1;
    summary.unverifiable += app.unverifiable.length;
  }
  return {
    formatVersion: DRIFT_FORMAT_VERSION,
    kind: 'p7apps-drift',
    serverUrl: plan.serverUrl,
    configPath: plan.configPath,
    ...(plan.environment === undefined ? {} : { environment: plan.environment }),
    failOnUnmanaged,
    apps,
    summary,
    drift: apps.some((app) => app.counts),
    verification: planVerification(plan),
  };
}

/**
 * How a report names an app's status when it is in sync only as far as the
 * server shows (it has fields that could not be verified); null otherwise, so
 * each format keeps its own word for every other status.
 */
export function partlyVerifiedStatus(app: AppDrift): string | null {
  return app.status === 'in-sync' && app.unverifiable.length > 0 ? 'in sync as far as the server shows' : null;
}

/**
 * "No drift: 3 in sync, 1 drifted, 1 missing, 0 in conflict, 2 unmanaged;
 * description of 3 apps cannot be verified on this server."
 */
export function driftSummaryLine(report: DriftReport): string {
  const s = report.summary;
  const head = report.drift ? 'Drift detected' : 'No drift';
  const parts = [`${s.inSync} in sync`, `${s.drifted} drifted`, `${s.missing} missing`, `${s.conflict} in conflict`];
  if ((s.publishing ?? 0) > 0) parts.push(`${s.publishing} still publishing (run drift again later)`);
  parts.push(`${s.unmanaged} unmanaged`);
  // A report read back from an older file may lack `verification`: fall back to the count.
  const unverified = report.verification ? unverifiedText(report.verification) : s.unverifiable > 0 ? `${s.unverifiable} cannot be verified` : null;
  return `${head}: ${parts.join(', ')}${unverified === null ? '' : `; ${unverified}`}.`;
}
