// `p7apps check` without the CLI: which checks to run against what the
// server publishes now (pure: checkTargets), running them in parallel up to a
// limit (runCatalogChecks), and the report every format renders, a public
// JSON contract versioned by CHECK_REPORT_FORMAT_VERSION.

import { known, type AppRecord } from '../appshub/types.js';
import { systemClock, type Clock } from '../apply/clock.js';
import type { ApplyHooks } from '../apply/events.js';
import { Slots } from '../apply/slots.js';
import type { DesiredApp, DesiredState } from '../config/desired.js';
import type { AppRunsApi } from '../runs/types.js';
import { runCheck, type CheckReport, type RunCheckOptions } from './run.js';
import type { CheckSpec } from './spec.js';

export const CHECK_REPORT_FORMAT_VERSION = 1 as const;

/** One app's checks to run, or why they cannot be. */
export type CheckTargetPlan =
  | { app: string; appId: string; version: number | null; runVersion: number | null; checks: CheckSpec[] }
  | { app: string; appId: string | null; version: number | null; cannotRun: string };

export type AppCheckStatus = 'passed' | 'failed' | 'could-not-run';

export interface AppCheckResult {
  app: string;
  appId: string | null;
  /** The version checked; null when it is not known (the server did not report the default). */
  version: number | null;
  status: AppCheckStatus;
  /** Why the app's checks could not run at all (status 'could-not-run' with no checks). */
  detail: string | null;
  checks: CheckReport[];
}

export interface CheckCatalogReport {
  formatVersion: typeof CHECK_REPORT_FORMAT_VERSION;
  serverUrl: string;
  configPath: string;
  /** Added within format 1: the config's environment checked (--env); absent when the config declares none. */
  environment?: string;
  /** The version asked for with --version; null: each app's default version. */
  version: number | null;
  /** The run was interrupted: apps not reached say so. */
  interrupted: boolean;
  /** Sorted by app name. */
  apps: AppCheckResult[];
  summary: { apps: number; passed: number; failed: number; couldNotRun: number; checks: number; runsLeft: number };
}

/**
 * The checks each app of the config must pass, against its default version
 * on the server (or `version`). Apps without checks are left out; an app the
 * server does not have, or lists twice, cannot be checked.
 */
export function checkTargets(desired: DesiredState, apps: readonly AppRecord[], version?: number): CheckTargetPlan[] {
  const targets: CheckTargetPlan[] = [];
  for (const app of desired.apps) {
    if (!hasChecks(app)) continue;
    const matches = apps.filter((a) => a.name === app.name);
    const wanted = version ?? null;
    if (matches.length === 0) {
      targets.push({ app: app.name, appId: null, version: wanted, cannotRun: 'the app is not on the server' });
      continue;
    }
    if (matches.length > 1) {
      targets.push({ app: app.name, appId: null, version: wanted, cannotRun: `the server lists ${matches.length} apps under this name` });
      continue;
    }
    const found = matches[0]!;
    const defaultVersion = known(found.defaultVersion) ? found.defaultVersion : null;
    const checked = wanted ?? defaultVersion;
    const checks = checksFor(app, checked);
    if (checks.length === 0) continue;
    // The default version is run as the guide shows (apps/{id}/runs/); only --version asks for a given one.
    const runVersion = wanted !== null && wanted !== defaultVersion ? wanted : null;
    targets.push({ app: app.name, appId: found.id, version: checked, runVersion, checks });
  }
  return targets.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
}

function hasChecks(app: DesiredApp): boolean {
  return (app.checks?.length ?? 0) > 0 || app.versions.some((v) => (v.checks?.length ?? 0) > 0);
}

/** A declared version's checks; for a version the config does not declare (or an unknown default), the app's own. */
export function checksFor(app: DesiredApp, version: number | null): CheckSpec[] {
  const declared = version === null ? undefined : app.versions.find((v) => v.version === version);
  return declared ? (declared.checks ?? []) : (app.checks ?? []);
}

export interface CatalogCheckOptions {
  parallelism: number;
  signal: AbortSignal;
  hooks: ApplyHooks;
  clock?: Clock;
  serverUrl: string;
  configPath: string;
  environment?: string;
  version?: number;
  runOptions?: Pick<RunCheckOptions, 'runName' | 'cleanupTimeoutMs' | 'interruptedCleanupMs' | 'pollMs'>;
}

/** Runs every target's checks, apps in parallel up to the limit and one app's checks one after another. */
export async function runCatalogChecks(api: AppRunsApi, targets: readonly CheckTargetPlan[], options: CatalogCheckOptions): Promise<CheckCatalogReport> {
  const clock = options.clock ?? systemClock;
  const slots = new Slots(options.parallelism);
  const emit: RunCheckOptions['emit'] = (event) => options.hooks.emit({ ...event, at: clock.now() } as never);
  const results = await Promise.all(
    targets.map(async (target): Promise<AppCheckResult> => {
      if ('cannotRun' in target) return { app: target.app, appId: target.appId, version: target.version, status: 'could-not-run', detail: target.cannotRun, checks: [] };
      await slots.acquire();
      try {
        const checks: CheckReport[] = [];
        for (const spec of target.checks) {
          if (options.signal.aborted) break;
          checks.push(
            await runCheck({ app: target.app, appId: target.appId, ...(target.runVersion !== null ? { version: target.runVersion } : {}) }, spec, {
              api,
              clock,
              signal: options.signal,
              emit,
              ...options.runOptions,
            }),
          );
        }
        const notReached = target.checks.length - checks.length;
        return {
          app: target.app,
          appId: target.appId,
          version: target.version,
          status: appStatus(checks, notReached),
          detail: notReached > 0 ? `interrupted before ${notReached === 1 ? '1 check' : `${notReached} checks`} ran` : null,
          checks,
        };
      } finally {
        slots.release();
      }
    }),
  );
  return {
    formatVersion: CHECK_REPORT_FORMAT_VERSION,
    serverUrl: options.serverUrl,
    configPath: options.configPath,
    ...(options.environment === undefined ? {} : { environment: options.environment }),
    version: options.version ?? null,
    interrupted: options.signal.aborted,
    apps: results,
    summary: summarise(results),
  };
}

function appStatus(checks: readonly CheckReport[], notReached: number): AppCheckStatus {
  if (checks.some((c) => c.outcome.status === 'failed')) return 'failed';
  if (notReached > 0 || checks.some((c) => c.outcome.status === 'could-not-run')) return 'could-not-run';
  return 'passed';
}

function summarise(apps: readonly AppCheckResult[]): CheckCatalogReport['summary'] {
  return {
    apps: apps.length,
    passed: apps.filter((a) => a.status === 'passed').length,
    failed: apps.filter((a) => a.status === 'failed').length,
    couldNotRun: apps.filter((a) => a.status === 'could-not-run').length,
    checks: apps.reduce((n, a) => n + a.checks.length, 0),
    runsLeft: apps.reduce((n, a) => n + a.checks.filter((c) => c.cleanup === 'left').length, 0),
  };
}

/** Every check passed (and every app could be checked). */
export function catalogPassed(report: CheckCatalogReport): boolean {
  return report.summary.failed === 0 && report.summary.couldNotRun === 0;
}
