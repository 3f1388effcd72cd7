// The checks a plan puts after a publish, run by the executor once that
// publish is READY (src/plan/canary.ts plans them): each check's run against
// the version just published (src/checks/run.ts, which deletes every run it
// makes), then one verdict for the app. A canary that does not pass stops its
// app before the promotion; the previous default stays.

import type { PublishReport } from './events.js';
import type { ApplyResult } from './execute.js';
import { known } from '../appshub/types.js';
import type { Clock } from './clock.js';
import { runCheck, type CheckReport, type RunCheckOptions } from '../checks/run.js';
import type { AppRunsApi } from '../runs/types.js';
import type { CreateAppPlan, PlannedPublish, UpdateAppPlan } from '../plan/types.js';

export interface PublishChecksOptions {
  runs: AppRunsApi | undefined;
  clock: Clock;
  signal: AbortSignal;
  emit: RunCheckOptions['emit'];
  runOptions: Pick<RunCheckOptions, 'runName' | 'cleanupTimeoutMs' | 'interruptedCleanupMs' | 'pollMs'> | undefined;
}

export type ChecksVerdict = 'passed' | 'failed' | 'interrupted';

/** A promotion's plan does not know the revision it replaces (the canary makes it): the one this run made. */
export function withMadeRevision(publish: PlannedPublish, madeRevisions: ReadonlyMap<number, number>): PlannedPublish {
  const made = madeRevisions.get(publish.expect.version);
  if (publish.expect.creates !== 'revision' || publish.expect.previousRevision !== null || made === undefined) return publish;
  return { ...publish, expect: { ...publish.expect, previousRevision: made } };
}

export async function runPublishChecks(
  app: CreateAppPlan | UpdateAppPlan,
  publish: PlannedPublish,
  appId: string,
  report: PublishReport,
  options: PublishChecksOptions,
): Promise<ChecksVerdict> {
  const planned = publish.checks!;
  const version = publish.expect.version;
  const reports: CheckReport[] = [];
  for (const spec of planned.checks) {
    if (options.signal.aborted) break;
    if (options.runs === undefined) {
      const outcome = { status: 'could-not-run' as const, detail: 'this apply cannot run checks (no run client)' };
      options.emit({ type: 'check-done', app: app.name, check: spec.name, version, outcome, runId: null, elapsedMs: 0 });
      reports.push({ app: app.name, check: spec.name, version, outcome, runId: null, cleanup: 'none', cleanupDetail: null, elapsedMs: 0, interrupted: false });
      continue;
    }
    // A canary runs the version it published (not default yet); 'after' runs the app's default, which it now is.
    const target = { app: app.name, appId, ...(planned.mode === 'canary' ? { version } : {}) };
    const checked = await runCheck(target, spec, { api: options.runs, clock: options.clock, signal: options.signal, emit: options.emit, ...options.runOptions });
    reports.push({ ...checked, version });
  }
  report.checks = reports;
  const interrupted = options.signal.aborted && reports.every((r) => r.outcome.status !== 'failed');
  if (interrupted) return 'interrupted';
  const failed = reports.filter((r) => r.outcome.status !== 'passed').map((r) => r.check);
  options.emit({ type: 'check-gate', app: app.name, version, mode: planned.mode, passed: failed.length === 0, keptDefault: keptDefault(app), failed });
  return failed.length === 0 ? 'passed' : 'failed';
}

/** How many checks of an apply did not pass (failed, or could not run): any fails the apply, and its last line says so. */
export function checksNotPassed(result: Pick<ApplyResult, 'publishes'>): number {
  return result.publishes.flatMap((p) => p.checks ?? []).filter((c) => c.outcome.status !== 'passed').length;
}

/** The default the app had when planned: what a failed canary leaves in place. */
function keptDefault(app: CreateAppPlan | UpdateAppPlan): number | null {
  const change = app.changes.find((c) => c.field === 'defaultVersion');
  if (change && change.field === 'defaultVersion' && change.before !== null && known(change.before)) return change.before;
  return null;
}
