// The executor: sends exactly the publishes a plan lists and waits until each
// is READY. It decides nothing new. Apps run in parallel up to a limit; the
// publishes of one app run in plan order, each waiting for READY before the
// next, because a publish to an app whose version is still initialising is
// refused (A10) and because later steps assume the earlier ones took effect.
//
// The one subtle case is the ambiguous write: a publish whose response was
// lost may or may not have been committed. It is never re-sent blindly; the
// app is watched for a late commit (./late-commit.ts) and the publish is sent
// again only if the app stayed unchanged for the whole window. Before each
// first send, one cheap read checks the app is still as planned
// (./pre-publish.ts), so a second apply running at the same time is noticed.
// A duplicate that still happens (a commit later than the window, or a race
// the check could not see) is reported as one, never as success.

import { setMaxListeners } from 'node:events';
import { known, type AppsHubApi, type Maybe, type PublishResult, type VersionRecord } from '../appshub/types.js';
import { versionStateKind } from '../appshub/wire.js';
import { P7appsError } from '../errors.js';
import { readWorkflows } from '../observe/read.js';
import { normaliseId } from '../plan/order.js';
import type { AppPlan, CreateAppPlan, Plan, PlannedPublish, UpdateAppPlan } from '../plan/types.js';
import { DEFAULT_POLL_SCHEDULE, honourRetryAfter, pollDelay, type PollSchedule } from './backoff.js';
import { nextPollWait, ReadyTiming } from './ready-timing.js';
import { formatDuration, systemClock, type Clock } from './clock.js';
import { stateName, type ApplyEvent, type ApplyHooks, type ApplyTotals, type PublishOutcome, type PublishReport } from './events.js';
import { describeError, httpFacts } from './http-facts.js';
import { DEFAULT_LATE_COMMIT_WINDOW_MS, duplicateAdvice, lateCommitLooks } from './late-commit.js';
import { SharedAppList, changedBeforePublish } from './pre-publish.js';
import { Slots } from './slots.js';
import { enforceSafety } from '../plan/safety.js';
import { DEFAULT_RETRY_WAIT_LIMITS, retryWait, type RetryWaitLimits } from '../appshub/retry-wait.js';
import { DEFAULT_GRACE_MS, publishLifetime, type PublishLifetime } from './wall-time.js';
import { runPublishChecks, withMadeRevision, type PublishChecksOptions } from './checks.js';
import type { AppRunsApi } from '../runs/types.js';

export const DEFAULT_PARALLELISM = 10;
export const DEFAULT_PUBLISH_TIMEOUT_MS = 15 * 60 * 1000;
export const DEFAULT_MAX_RESENDS = 3;
/** Sends of one publish in all (busy and unreachable answers included) before its app fails. */
export const DEFAULT_MAX_PUBLISH_ATTEMPTS = 20;
/** Consecutive failed polls of one version before giving up on it. */
export const DEFAULT_MAX_POLL_ERRORS = 10;
/** How long a publishing state p7apps does not know may stay unchanged before the wait ends (A23). */
export const DEFAULT_UNKNOWN_STATE_LIMIT_MS = 2 * 60 * 1000;
/** Wait after a 409/429 that carried no Retry-After. */
const BUSY_WAIT_WITHOUT_RETRY_AFTER_MS = 2000;
/** Reading an accepted publish back: at once, then twice a moment apart (readBack). */
const LATE_COMMIT_FIRST_LOOK_MS = 1000;
const LATE_COMMIT_SECOND_LOOK_MS = 3000;

export interface ApplyOptions {
  /** Apps applied at once (default 10). */
  parallelism?: number;
  /** Per publish, from its first send to READY (default 15 minutes). */
  timeoutMs?: number;
  /** Aborted: start nothing new, give requests in flight the grace, stop waiting. */
  signal?: AbortSignal;
  /** After the timeout or the signal: how long a publish on the wire may still be answered before it is abandoned (default 5 s). */
  graceMs?: number;
  /** Sends of one publish in all, busy answers included (default 20). */
  maxPublishAttempts?: number;
  /** The floor and cap of waits after a busy answer (default: 1 s, 5 minutes). */
  retryWaitLimits?: RetryWaitLimits;
  hooks: ApplyHooks;
  clock?: Clock;
  /** In [0, 1): jitter for poll gaps. */
  random?: () => number;
  /** Sends again after lost responses that did not take effect (default 3). */
  maxResends?: number;
  maxPollErrors?: number;
  pollSchedule?: PollSchedule;
  /**
   * After a lost publish answer, how long the app must stay unchanged before
   * the publish is sent again (default 120 s, longer than a gateway's timeout).
   */
  lateCommitWindowMs?: number;
  /** Read the app before each publish to see it is still as planned (default true). */
  checkBeforePublish?: boolean;
  /** An unknown publishing state unchanged this long ends the wait as a failure (default 2 minutes). */
  unknownStateLimitMs?: number;
  /** Apply a plan that republishes more existing apps than the plan's safety limits allow (else PlanRefusedError, nothing sent). */
  force?: boolean;
  /** Protected apps (protect: true) the plan may change this time, by name (else PlanRefusedError, nothing sent). */
  allowProtected?: readonly string[];
  /** Runs the checks a plan puts after a publish (canary publishing); without it, such an app fails at its first check. */
  runs?: AppRunsApi;
  /** How check runs are named, polled and cleaned up (tests shorten them). */
  checkOptions?: PublishChecksOptions['runOptions'];
}

export type AppOutcome = 'done' | 'failed' | 'interrupted' | 'not-started';

export interface AppReport {
  app: string;
  /** Known once the app exists (for a new app: from its first publish). */
  appId: string | null;
  action: 'create' | 'update';
  outcome: AppOutcome;
  publishes: PublishReport[];
}

export interface SkippedApp {
  app: string;
  /** 'still-publishing' (added within format 1): a version of the app was still publishing when planned. */
  reason: 'conflict' | 'still-publishing';
  detail: string;
}

export interface ApplyResult {
  interrupted: boolean;
  apps: AppReport[];
  /** Every planned publish, app by app in plan order. */
  publishes: PublishReport[];
  /** Apps the plan holds but the executor did not touch. */
  skippedApps: SkippedApp[];
  totals: ApplyTotals;
  elapsedMs: number;
}

type ExecutableApp = CreateAppPlan | UpdateAppPlan;

interface Run {
  api: AppsHubApi;
  clock: Clock;
  random: () => number;
  signal: AbortSignal;
  timeoutMs: number;
  graceMs: number;
  maxPublishAttempts: number;
  waitLimits: RetryWaitLimits;
  maxResends: number;
  maxPollErrors: number;
  unknownStateLimitMs: number;
  schedule: PollSchedule;
  readyTiming: ReadyTiming;
  emit(event: DistributiveOmit<ApplyEvent, 'at'>): void;
  counters: { requestsSent: number; resends: number };
  running: Set<string>;
  lateCommitWindowMs: number;
  checkBeforePublish: boolean;
  /** The app list as the run's checks read it: shared among those that ask together, never older than the asking. */
  appList: SharedAppList;
  slots: Slots;
  runs: AppRunsApi | undefined;
  checkOptions: PublishChecksOptions['runOptions'];
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export async function applyPlan(plan: Plan, api: AppsHubApi, options: ApplyOptions): Promise<ApplyResult> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  // Every app's waits listen to it (up to --parallelism, at most 100): no leak, so no process warning.
  setMaxListeners(1000, signal);
  const parallelism = options.parallelism ?? DEFAULT_PARALLELISM;
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new P7appsError(`parallelism must be a whole number of at least 1 (got ${parallelism})`);
  }
  // The same guard as the CLI's, before anything is sent.
  enforceSafety(plan, { force: options.force, allowProtected: options.allowProtected });
  const run: Run = {
    api,
    clock,
    random: options.random ?? Math.random,
    signal,
    timeoutMs: options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    maxPublishAttempts: options.maxPublishAttempts ?? DEFAULT_MAX_PUBLISH_ATTEMPTS,
    waitLimits: options.retryWaitLimits ?? DEFAULT_RETRY_WAIT_LIMITS,
    maxResends: options.maxResends ?? DEFAULT_MAX_RESENDS,
    maxPollErrors: options.maxPollErrors ?? DEFAULT_MAX_POLL_ERRORS,
    unknownStateLimitMs: options.unknownStateLimitMs ?? DEFAULT_UNKNOWN_STATE_LIMIT_MS,
    schedule: options.pollSchedule ?? DEFAULT_POLL_SCHEDULE,
    readyTiming: new ReadyTiming(),
    emit: (event) => options.hooks.emit({ ...event, at: clock.now() } as ApplyEvent),
    counters: { requestsSent: 0, resends: 0 },
    running: new Set(),
    lateCommitWindowMs: options.lateCommitWindowMs ?? DEFAULT_LATE_COMMIT_WINDOW_MS,
    checkBeforePublish: options.checkBeforePublish ?? true,
    appList: new SharedAppList(api, signal),
    slots: new Slots(parallelism),
    runs: options.runs,
    checkOptions: options.checkOptions,
  };
  if (!Number.isFinite(run.lateCommitWindowMs) || run.lateCommitWindowMs < 0) {
    throw new P7appsError(`the late-commit window must be a duration of 0 or more (got ${run.lateCommitWindowMs})`);
  }
  const startedAt = clock.now();
  const executable = plan.apps.filter(isExecutable);
  const skippedApps: SkippedApp[] = plan.apps.flatMap((app): SkippedApp[] => {
    if (app.action === 'conflict') return [{ app: app.name, reason: 'conflict', detail: 'the plan holds a conflict for this app; it is not applied' }];
    if (app.action === 'wait') return [{ app: app.name, reason: 'still-publishing', detail: 'a version of this app was still publishing when planned; plan again' }];
    return [];
  });

  run.emit({
    type: 'apply-start',
    apps: executable.map((app) => ({ app: app.name, publishes: app.publishes.length })),
    publishes: executable.reduce((n, app) => n + app.publishes.length, 0),
    parallelism,
    timeoutMs: run.timeoutMs,
    ...environmentOf(plan),
  });
  for (const skipped of skippedApps) run.emit({ type: 'app-skipped', ...skipped });

  let interruptedAnnounced = false;
  const announceInterrupt = () => {
    if (interruptedAnnounced) return;
    interruptedAnnounced = true;
    run.emit({ type: 'interrupted', inFlight: [...run.running].sort() });
  };
  if (signal.aborted) announceInterrupt();
  else signal.addEventListener('abort', announceInterrupt, { once: true });

  const reports: AppReport[] = new Array(executable.length);
  // Slots are taken in plan order; an app waiting out a late-commit window gives its slot back meanwhile.
  const startApp = async (app: ExecutableApp, index: number) => {
    await run.slots.acquire();
    try {
      if (signal.aborted) {
        reports[index] = notStartedApp(app);
        run.emit({ type: 'app-skipped', app: app.name, reason: 'interrupted', detail: 'interrupted before this app was started' });
        return;
      }
      run.running.add(app.name);
      try {
        reports[index] = await applyApp(app, run);
      } finally {
        run.running.delete(app.name);
      }
    } finally {
      run.slots.release();
    }
  };
  await Promise.all(executable.map(startApp));
  signal.removeEventListener('abort', announceInterrupt);

  const publishes = reports.flatMap((report) => report.publishes);
  const totals = totalsOf(publishes, run.counters);
  const elapsedMs = clock.now() - startedAt;
  const interrupted = signal.aborted;
  run.emit({ type: 'apply-done', interrupted, totals, elapsedMs, publishes, ...environmentOf(plan) });
  return { interrupted, apps: reports, publishes, skippedApps, totals, elapsedMs };
}

/** The plan's environment as the start and end events carry it: only when the plan is for one. */
function environmentOf(plan: Plan): { environment?: string } {
  return plan.environment === undefined ? {} : { environment: plan.environment };
}

function isExecutable(app: AppPlan): app is ExecutableApp {
  return (app.action === 'create' || app.action === 'update') && app.publishes.length > 0;
}

function blankReport(app: ExecutableApp, publish: PlannedPublish, outcome: PublishOutcome): PublishReport {
  return {
    app: app.name,
    step: publish.step,
    version: publish.expect.version,
    appId: app.action === 'update' ? app.appId : null,
    creates: publish.expect.creates,
    revision: null,
    outcome,
    timeToReadyMs: null,
    polls: 0,
    resends: 0,
    error: null,
  };
}

function notStartedApp(app: ExecutableApp): AppReport {
  return {
    app: app.name,
    appId: app.action === 'update' ? app.appId : null,
    action: app.action,
    outcome: 'not-started',
    publishes: orderedPublishes(app).map((p) => blankReport(app, p, 'not-started')),
  };
}

function orderedPublishes(app: ExecutableApp): PlannedPublish[] {
  return [...app.publishes].sort((a, b) => a.step - b.step);
}

async function applyApp(app: ExecutableApp, run: Run): Promise<AppReport> {
  let appId: string | null = app.action === 'update' ? app.appId : null;
  const publishes = orderedPublishes(app);
  run.emit({ type: 'app-start', app: app.name, appId, publishes: publishes.length });
  const reports: PublishReport[] = [];
  const madeRevisions = new Map<number, number>();
  // The workflow fingerprint each version's READY revision was published from, where the server reports it:
  // a promotion must make default the content its canary's checks ran on.
  const fingerprints = new Map<number, string>();
  let outcome: AppOutcome = 'done';
  for (const publish of publishes) {
    if (outcome === 'failed') {
      reports.push(blankReport(app, publish, 'skipped'));
      continue;
    }
    if (outcome === 'interrupted' || run.signal.aborted) {
      outcome = 'interrupted';
      reports.push(blankReport(app, publish, 'not-started'));
      continue;
    }
    // A promotion republishes the version the canary made: the revision it replaces is the one made here.
    const report = await applyPublish(app, withMadeRevision(publish, madeRevisions), publishes.length, appId, madeRevisions, run, fingerprints);
    appId = report.appId ?? appId;
    if (report.outcome === 'ready' && report.revision !== null) madeRevisions.set(publish.expect.version, report.revision);
    reports.push(report);
    if (report.outcome === 'ready' && publish.checks && appId !== null) {
      const verdict = await runPublishChecks(app, publish, appId, report, {
        runs: run.runs,
        clock: run.clock,
        signal: run.signal,
        emit: run.emit,
        runOptions: run.checkOptions,
      });
      if (verdict === 'interrupted') outcome = 'interrupted';
      else if (verdict === 'failed') outcome = 'failed';
      continue;
    }
    // A publish left unconfirmed by its timeout (not by an interruption) fails its app: its later steps are not sent.
    if (report.outcome === 'not-started' || (report.outcome === 'unconfirmed' && run.signal.aborted)) outcome = 'interrupted';
    else if (report.outcome !== 'ready') outcome = 'failed';
  }
  run.emit({
    type: 'app-done',
    app: app.name,
    appId,
    outcome,
    ready: reports.filter((r) => r.outcome === 'ready').length,
    skipped: reports.filter((r) => r.outcome === 'skipped' || r.outcome === 'not-started').map((r) => r.step),
  });
  return { app: app.name, appId, action: app.action, outcome, publishes: reports };
}

/** Ends a publish early; `outcome` says how. */
class PublishStop extends Error {
  constructor(
    readonly outcome: 'failed' | 'timed-out' | 'unconfirmed' | 'not-started',
    message: string,
    /** No answer says whether it was committed, and the server may still commit it (PublishReport.mayCommitLate). */
    readonly mayCommitLate = false,
  ) {
    super(message);
  }
}

interface Sent {
  appId: string;
  revision: number | null;
  /** Answered on the wire, not found committed by a recheck after a lost answer (whose commit time is unknown). */
  answered: boolean;
  /** The version's URL as the publish answer gave it, polled when it is on the server (A22). */
  url?: string;
}

async function applyPublish(
  app: ExecutableApp,
  publish: PlannedPublish,
  of: number,
  appId: string | null,
  madeRevisions: ReadonlyMap<number, number>,
  run: Run,
  fingerprints: Map<number, string>,
): Promise<PublishReport> {
  const report = blankReport(app, publish, 'failed');
  report.appId = appId;
  const ref = { app: app.name, step: publish.step, version: publish.expect.version };
  const startedAt = run.clock.now();
  const deadline = startedAt + run.timeoutMs;
  const lifetime = publishLifetime(run.signal, deadline, run.graceMs, run.clock);
  const elapsed = () => run.clock.now() - startedAt;
  run.emit({
    type: 'publish-start',
    ...ref,
    of,
    creates: publish.expect.creates,
    setAsDefault: publish.request.setVersionAsDefault,
    workflowPath: publish.request.workflowPath,
    reasons: publish.reasons,
  });
  try {
    if (run.checkBeforePublish) await checkBeforeSending(publish, appId, madeRevisions, run, lifetime);
    const checked = isPromotion(publish) ? fingerprints.get(publish.expect.version) : undefined;
    if (checked !== undefined) await refuseChangedWorkflow(publish, checked, run, lifetime);
    const sent = await send(app, publish, appId, deadline, report, run, lifetime, madeRevisions);
    report.appId = sent.appId;
    report.revision = sent.revision;
    // The late-commit window counts against the timeout too: --timeout bounds the wall time of a publish.
    const ready = await waitForReady(publish, sent, deadline, report, run, startedAt, lifetime.readSignal);
    const made = reportedFingerprint(ready.workflowFingerprint);
    if (checked !== undefined && made !== undefined && made !== checked) throw promotedUnchecked(publish, report.revision, made, checked);
    if (made !== undefined) fingerprints.set(publish.expect.version, made);
    report.outcome = 'ready';
    report.timeToReadyMs = elapsed();
    run.emit({ type: 'publish-ready', ...ref, appId: sent.appId, revision: report.revision, elapsedMs: report.timeToReadyMs, polls: report.polls });
  } catch (err) {
    const stop = err instanceof PublishStop ? err : new PublishStop('failed', describeError(err));
    report.outcome = stop.outcome;
    report.error = stop.message;
    if (stop.mayCommitLate) report.mayCommitLate = true;
    if (stop.outcome === 'unconfirmed') {
      run.emit({ type: 'publish-unconfirmed', ...ref, appId: report.appId, detail: stop.message, elapsedMs: elapsed() });
    } else if (stop.outcome === 'failed' || stop.outcome === 'timed-out') {
      run.emit({ type: 'publish-failed', ...ref, outcome: stop.outcome, error: stop.message, elapsedMs: elapsed() });
    }
  } finally {
    lifetime.dispose();
  }
  return report;
}

function label(publish: PlannedPublish): string {
  return `${publish.request.name} v${publish.expect.version}`;
}

/** Sends the publish until it is known to have been committed once. */
async function send(
  app: ExecutableApp,
  publish: PlannedPublish,
  appId: string | null,
  deadline: number,
  report: PublishReport,
  run: Run,
  lifetime: PublishLifetime,
  madeRevisions: ReadonlyMap<number, number>,
): Promise<Sent> {
  const ref = { app: app.name, step: publish.step, version: publish.expect.version };
  let lostResponses = 0;
  let unreachable = 0;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1 && run.signal.aborted) {
      throw new PublishStop('not-started', `publishing ${label(publish)} was not committed, and the run was interrupted before sending it again`);
    }
    if (attempt > 1 && run.clock.now() >= deadline) {
      throw new PublishStop('timed-out', `publishing ${label(publish)} was not committed, and its ${formatDuration(run.timeoutMs)} timeout passed before sending it again`);
    }
    let result: PublishResult;
    run.counters.requestsSent += 1;
    if (attempt > 1) {
      report.resends += 1;
      run.counters.resends += 1;
    }
    try {
      // Aborted only after the grace that follows the timeout or an interruption (wall-time.ts).
      result = await run.api.publish(publish.request, lifetime.sendSignal);
    } catch (err) {
      const facts = httpFacts(err);
      if (facts.committed) {
        run.emit({ type: 'publish-ambiguous', ...ref, attempt, error: describeError(err), committed: true });
        return await readBack(publish, appId, 'its answer could not be read', run, lifetime);
      }
      if (facts.ambiguous) {
        // Abandoned by p7apps itself (wall-time.ts): nothing was lost that a check could find now.
        if (lifetime.abandoned()) throw mayHaveCommitted(publish, lifetime, run);
        run.emit({ type: 'publish-ambiguous', ...ref, attempt, error: describeError(err) });
        if (run.signal.aborted) throw mayHaveCommitted(publish, lifetime, run);
        lostResponses += 1;
        // A gateway may answer 504 while the server is still committing, and go on committing long after:
        // nothing is sent again until the app has stayed unchanged for the whole late-commit window.
        const committed = await watchForLateCommit(publish, appId, facts.retryAfterMs, deadline, ref, run, lifetime);
        if (committed.tookEffect) return { appId: committed.appId!, revision: committed.revision, answered: false };
        appId = committed.appId ?? appId;
        // Interrupted, or out of time, before the window ended: a late commit may still come, so this is not "not sent".
        if (run.signal.aborted || run.clock.now() >= deadline) {
          throw mayHaveCommitted(publish, lifetime, run, true, !run.signal.aborted);
        }
        if (lostResponses > run.maxResends) {
          throw new PublishStop(
            'failed',
            `publishing ${label(publish)} failed: the response was lost ${lostResponses} times and the server shows it was not committed (last error: ${describeError(err)})`,
          );
        }
        await resendAfter(0, 'response-lost', attempt + 1, ref, run);
        continue;
      }
      if (facts.status === 409 || facts.status === 429) {
        const next = retryWait(facts.retryAfterMs, BUSY_WAIT_WITHOUT_RETRY_AFTER_MS, deadline - run.clock.now(), run.waitLimits);
        if (!next.wait) {
          throw new PublishStop(
            next.limit === 'cap' ? 'failed' : 'timed-out',
            next.limit === 'cap'
              ? `publishing ${label(publish)} was refused as busy (${facts.status}) and not sent again: ${next.why} (${describeError(err)})`
              : `publishing ${label(publish)} was refused as busy (${facts.status}) until the ${formatDuration(run.timeoutMs)} timeout: ${describeError(err)}`,
          );
        }
        throwPastAttempts(publish, attempt, err, run);
        const waitMs = next.ms;
        if (lostResponses > 0) {
          // "Still publishing" after one of our responses was lost is most likely our own publish,
          // committed late: look again before sending anything (README A10).
          await run.clock.sleep(waitMs, run.signal);
          const check = await recheck(publish, appId, run, lifetime);
          run.emit({ type: 'publish-recheck', ...ref, tookEffect: check.tookEffect, appId: check.appId, detail: check.detail });
          if (check.tookEffect) return { appId: check.appId!, revision: check.revision, answered: false };
          appId = check.appId ?? appId;
          await resendAfter(0, 'server-busy', attempt + 1, ref, run);
          continue;
        }
        await resendAfter(waitMs, 'server-busy', attempt + 1, ref, run);
        // "Still publishing" may be another apply's publish to this app: read it again before sending.
        if (facts.status === 409 && run.checkBeforePublish) await checkBeforeSending(publish, appId, madeRevisions, run, lifetime);
        continue;
      }
      if (facts.notSent) {
        // The server is down or restarting: nothing reached it, so sending again is safe, until the timeout.
        unreachable += 1;
        const waitMs = pollDelay(unreachable, run.random, run.schedule);
        if (run.clock.now() + waitMs > deadline) {
          throw new PublishStop('timed-out', `publishing ${label(publish)} failed: the server could not be reached until the ${formatDuration(run.timeoutMs)} timeout (${describeError(err)})`);
        }
        throwPastAttempts(publish, attempt, err, run);
        await resendAfter(waitMs, 'server-unreachable', attempt + 1, ref, run);
        continue;
      }
      throw new PublishStop('failed', `publishing ${label(publish)} failed: ${describeError(err)}`);
    }
    const revision = known(result.revision) ? result.revision : null;
    if (!known(result.version)) {
      const why = 'its answer does not say which version it published';
      run.emit({ type: 'publish-ambiguous', ...ref, attempt, error: `the server accepted publishing ${label(publish)} but ${why}`, committed: true });
      return await readBack(publish, result.appId, why, run, lifetime);
    }
    // An answer is believed only where it can be: one naming another app than the one published to, or a
    // version of the app that reading it back does not show, is not what this publish made (A22).
    const disbelieved =
      otherAppIn(result, appId, publish) ??
      (result.version !== publish.expect.version && !(await versionShown(publish, appId, result.version, run, lifetime))
        ? `its answer names v${result.version}, which reading the app back does not show`
        : undefined);
    if (disbelieved !== undefined) {
      run.emit({ type: 'publish-ambiguous', ...ref, attempt, error: `the server accepted publishing ${label(publish)} but ${disbelieved}`, committed: true });
      return await readBack(publish, appId, disbelieved, run, lifetime);
    }
    run.emit({
      type: 'publish-sent',
      ...ref,
      appId: result.appId,
      attempt,
      response: { version: result.version, revision, state: known(result.state) ? result.state : null },
    });
    report.appId = result.appId;
    const duplicate = duplicateIn(publish, result.version, revision, madeRevisions);
    if (duplicate !== null) {
      const why =
        lostResponses > 0
          ? `probably the earlier send, whose answer was lost, was committed after the ${formatDuration(run.lateCommitWindowMs)} late-commit window, so this one came on top of it`
          : 'probably another apply (or a person) is publishing to this app at the same time';
      throw new PublishStop(
        'failed',
        `duplicate publish on ${JSON.stringify(publish.request.name)}: ${duplicate}; ${why}. Its later steps are skipped. ${duplicateAdvice(publish.request.name)}`,
      );
    }
    return { appId: result.appId, revision, answered: true, ...(known(result.url) ? { url: result.url } : {}) };
  }
}

/**
 * A publish the server accepted (2xx) without saying what it made (A21):
 * committed, so it is never sent again; the app is read back, at once and
 * then twice more a moment apart, to learn which revision to wait for.
 */
async function readBack(publish: PlannedPublish, appId: string | null, why: string, run: Run, lifetime: PublishLifetime): Promise<Sent> {
  const ref = { app: publish.request.name, step: publish.step, version: publish.expect.version };
  let detail = '';
  for (const settleMs of [0, LATE_COMMIT_FIRST_LOOK_MS, LATE_COMMIT_SECOND_LOOK_MS]) {
    await run.clock.sleep(settleMs, run.signal);
    if (run.signal.aborted) break;
    const check = await recheck(publish, appId, run, lifetime);
    run.emit({ type: 'publish-recheck', ...ref, tookEffect: check.tookEffect, appId: check.appId, detail: check.detail });
    if (check.tookEffect) return { appId: check.appId!, revision: check.revision, answered: true };
    appId = check.appId ?? appId;
    detail = check.detail;
  }
  const accepted = `the server accepted publishing ${label(publish)} but ${why}`;
  if (run.signal.aborted) throw new PublishStop('unconfirmed', `${accepted}, and the run was interrupted before the app was read back`);
  throw new PublishStop(
    'failed',
    `${accepted}, and reading the app back does not show it (${detail}); not sending it again. Run "p7apps plan" to see the server's state.`,
  );
}

/**
 * How a publish answer names another app than the one published to, if it
 * does: by its id where the app has one, else (a new app's first publish)
 * by its name, where the answer gives one.
 */
function otherAppIn(result: PublishResult, appId: string | null, publish: PlannedPublish): string | undefined {
  if (appId !== null) {
    if (normaliseId(result.appId) === normaliseId(appId)) return undefined;
    return `its answer names another app (id ${JSON.stringify(result.appId)}; ${JSON.stringify(publish.request.name)} is ${JSON.stringify(appId)})`;
  }
  if (!known(result.name) || result.name === publish.request.name) return undefined;
  return `its answer names another app (${JSON.stringify(result.name)}, id ${JSON.stringify(result.appId)})`;
}

/**
 * Whether reading the app back (by its id, or by name while it has none yet)
 * shows `version`: what an answer naming another version than the plan's
 * must pass before p7apps says an extra version exists. A read that fails
 * shows nothing.
 */
async function versionShown(publish: PlannedPublish, appId: string | null, version: number, run: Run, lifetime: PublishLifetime): Promise<boolean> {
  try {
    const id = appId ?? (await run.appList.read(lifetime.readSignal)).find((a) => a.name === publish.request.name)?.id;
    if (id === undefined) return false;
    await run.api.getAppVersion(id, version, lifetime.readSignal);
    return true;
  } catch {
    return false;
  }
}

/** The ceiling on sends of one publish: the app fails, naming the attempts and the last answer. */
function throwPastAttempts(publish: PlannedPublish, attempt: number, err: unknown, run: Run): void {
  if (attempt < run.maxPublishAttempts) return;
  throw new PublishStop('failed', `publishing ${label(publish)} failed after ${attempt} attempts; the last answer: ${describeError(err)}`);
}

/**
 * A publish whose outcome is unknown when its timeout or the run's
 * interruption came: still on the wire, or its answer lost and the check
 * (`checking`) not done.
 */
function mayHaveCommitted(publish: PlannedPublish, lifetime: PublishLifetime, run: Run, checking = false, timedOut = false): PublishStop {
  // The late-commit watch stops at the deadline itself, before the lifetime's grace has run out.
  const abandoned = lifetime.abandoned() ?? (timedOut ? 'timeout' : undefined);
  const grace = formatDuration(run.graceMs);
  const why =
    checking && abandoned === 'timeout'
      ? `its answer was lost and its ${formatDuration(run.timeoutMs)} timeout passed before p7apps could check whether it was committed`
      : abandoned === 'timeout'
        ? `no answer came within its ${formatDuration(run.timeoutMs)} timeout and the ${grace} grace`
        : abandoned === 'interrupt' && !checking
          ? `the run was interrupted and no answer came within the ${grace} grace`
          : 'its answer was lost and the run was interrupted before p7apps could check whether it was committed';
  return new PublishStop('unconfirmed', `${label(publish)} may have committed: run apply again (${why})`, true);
}

/** The pre-publish check: a publish whose app moved since the plan is not sent (nor are the app's later steps). */
async function checkBeforeSending(
  publish: PlannedPublish,
  appId: string | null,
  madeRevisions: ReadonlyMap<number, number>,
  run: Run,
  lifetime: PublishLifetime,
): Promise<void> {
  let changed: string | null;
  try {
    changed = await changedBeforePublish(run.api, run.appList, publish, { appId, madeRevisions }, lifetime.readSignal);
  } catch (err) {
    if (run.signal.aborted) throw new PublishStop('not-started', `the run was interrupted before ${label(publish)} was sent`);
    throw new PublishStop('failed', `could not check ${JSON.stringify(publish.request.name)} before publishing ${label(publish)}, so it was not sent: ${describeError(err)}`);
  }
  if (changed !== null) {
    throw new PublishStop(
      'failed',
      `not publishing ${label(publish)}: the app changed after the plan was made (${changed}); another apply or a person may be publishing to it. ` +
        'Nothing was sent for it; run "p7apps plan" to see the state, and let one apply run at a time.',
    );
  }
}

function isPromotion(publish: PlannedPublish): boolean {
  return publish.reasons.some((reason) => reason.kind === 'promote-after-checks');
}

/** A fingerprint the server reported, or undefined where it reported none (left out, or null). */
function reportedFingerprint(fingerprint: Maybe<string | null>): string | undefined {
  return known(fingerprint) && fingerprint !== null ? fingerprint : undefined;
}

/** A fingerprint as a message shows it: servers may send long ones, and a few characters tell them apart. */
function shortFingerprint(fingerprint: string): string {
  return fingerprint.length <= 16 ? fingerprint : `${fingerprint.slice(0, 12)}...`;
}

/**
 * Before a promotion is sent: the server publishes the workflow as it is
 * now, so the workflow must still be what the canary's checks ran on (its
 * fingerprint then, from the canary's READY revision). An edit saved while
 * the checks ran would otherwise become default unchecked. Where the server
 * does not report the workflow's fingerprint, nothing can be compared, and
 * the promotion is sent (the check after it may still catch a difference).
 */
async function refuseChangedWorkflow(publish: PlannedPublish, checked: string, run: Run, lifetime: PublishLifetime): Promise<void> {
  let now: string | undefined;
  try {
    // As the planner reads it: a server that will not show its workflows (403/404) leaves nothing to compare.
    const workflows = await readWorkflows(run.api, lifetime.readSignal);
    const path = publish.request.workflowPath;
    const workflow = known(workflows) && Object.hasOwn(workflows, path) ? workflows[path] : undefined;
    now = workflow === undefined ? undefined : reportedFingerprint(workflow.fingerprint);
  } catch (err) {
    if (run.signal.aborted) throw new PublishStop('not-started', `the run was interrupted before ${label(publish)} was made default`);
    throw new PublishStop(
      'failed',
      `could not read the workflow ${publish.request.workflowPath} to check that it is still what ${label(publish)}'s checks ran on, so the version was not made default: ${describeError(err)}`,
    );
  }
  if (now === undefined || now === checked) return;
  throw new PublishStop(
    'failed',
    `not making ${label(publish)} default: its workflow ${publish.request.workflowPath} changed after its checks passed (fingerprint ${shortFingerprint(checked)} when checked, ${shortFingerprint(now)} now), ` +
      'so what would become default is not what was checked. Nothing was sent for it; run "p7apps apply" again to check the workflow as it is now.',
  );
}

/** A promotion that became default from other content than its checks ran on: the workflow changed while it was sent. */
function promotedUnchecked(publish: PlannedPublish, revision: number | null, made: string, checked: string): PublishStop {
  const at = revision === null ? '' : ` at revision ${revision}`;
  return new PublishStop(
    'failed',
    `${label(publish)} became default${at}, but from other content than its checks passed on (workflow fingerprint ${shortFingerprint(made)}, checked ${shortFingerprint(checked)}): ` +
      `the workflow changed while it was promoted, and no check has run on what is now default. Run "p7apps check" on ${JSON.stringify(publish.request.name)}, ` +
      'then fix the workflow, or make a version you trust default.',
  );
}

/**
 * After a lost answer: watch the app until the late-commit window has passed,
 * without holding a parallelism slot. Returns as soon as the publish shows as
 * committed; otherwise the last look, at the window's end.
 */
async function watchForLateCommit(
  publish: PlannedPublish,
  appId: string | null,
  retryAfterMs: number | undefined,
  deadline: number,
  ref: { app: string; step: number; version: number },
  run: Run,
  lifetime: PublishLifetime,
): Promise<Recheck> {
  const lostAt = run.clock.now();
  return run.slots.without(async () => {
    let check: Recheck = { tookEffect: false, appId, revision: null, detail: 'not looked at' };
    for (const lookAt of lateCommitLooks(run.lateCommitWindowMs, retryAfterMs ?? 0)) {
      // Never past the publish's timeout: the last look then comes at it.
      await run.clock.sleep(Math.min(lostAt + lookAt, deadline) - run.clock.now(), run.signal);
      if (run.signal.aborted) break;
      check = await recheck(publish, check.appId ?? appId, run, lifetime);
      run.emit({ type: 'publish-recheck', ...ref, tookEffect: check.tookEffect, appId: check.appId, detail: check.detail });
      if (check.tookEffect || run.clock.now() >= deadline) break;
    }
    return check;
  });
}

/**
 * What in a publish's answer shows it committed on top of another publish:
 * a version other than the planned one, or (ASSUMPTION: a publish adds one to
 * a version's revision) a revision beyond the one this publish should make.
 */
function duplicateIn(publish: PlannedPublish, version: number, revision: number | null, madeRevisions: ReadonlyMap<number, number>): string | null {
  const { expect } = publish;
  if (version !== expect.version) return `the server answered with v${version} where the plan expected v${expect.version}, so an extra version now exists`;
  if (expect.creates !== 'revision' || revision === null) return null;
  const base = madeRevisions.get(expect.version) ?? (known(expect.previousRevision) ? expect.previousRevision : null);
  if (base === null || revision <= base + 1) return null;
  return `v${expect.version} is now at revision ${revision} where this publish should have made revision ${base + 1}, so an extra revision was published`;
}

async function resendAfter(
  waitMs: number,
  reason: 'response-lost' | 'server-busy' | 'server-unreachable',
  attempt: number,
  ref: { app: string; step: number; version: number },
  run: Run,
): Promise<void> {
  run.emit({ type: 'publish-resend', ...ref, attempt, reason, waitMs });
  await run.clock.sleep(waitMs, run.signal);
}

interface Recheck {
  tookEffect: boolean;
  appId: string | null;
  revision: number | null;
  detail: string;
}

/**
 * After a lost response: did the publish take effect? Reads the app again
 * (GETs are retried by the client). Anything that is neither "committed as
 * planned" nor "clearly not committed" stops the publish: sending again could
 * create a version the plan never asked for.
 */
async function recheck(publish: PlannedPublish, appId: string | null, run: Run, lifetime: PublishLifetime): Promise<Recheck> {
  const signal = lifetime.readSignal;
  const { expect, request } = publish;
  const what = label(publish);
  const cannotTell = (why: string) =>
    new PublishStop('failed', `the response to publishing ${what} was lost and ${why}; not sending it again. Run "p7apps plan" to see the server's state.`);
  let id = appId;
  try {
    if (id === null) {
      const apps = await run.appList.read(signal);
      const found = apps.find((a) => a.name === request.name);
      if (!found) return { tookEffect: false, appId: null, revision: null, detail: `no app named "${request.name}" exists: not committed` };
      id = found.id;
    }
    let record: VersionRecord | null;
    try {
      record = await run.api.getAppVersion(id, expect.version, signal);
    } catch (err) {
      if (httpFacts(err).status !== 404) throw err;
      record = null;
    }
    const revision = record && known(record.revision) ? record.revision : null;
    // Whatever now holds the version must come from our workflow, or it is someone else's publish.
    const mustBeOurs = (committed: Recheck): Recheck => {
      const path = record && known(record.workflowPath) ? record.workflowPath : null;
      if (path !== null && path !== request.workflowPath) {
        throw cannotTell(`v${expect.version} now holds a publish of ${path}, not ${request.workflowPath}`);
      }
      return committed;
    };
    if (expect.creates === 'revision') {
      if (!record) throw cannotTell(`v${expect.version} no longer exists`);
      const previous = expect.previousRevision;
      if (previous === null || !known(previous)) throw cannotTell('the plan did not record the revision it replaces');
      if (revision === null) throw cannotTell(`the server does not report v${expect.version}'s revision`);
      return revision > previous
        ? mustBeOurs({ tookEffect: true, appId: id, revision, detail: `v${expect.version} is at revision ${revision} (was ${previous}): committed` })
        : { tookEffect: false, appId: id, revision, detail: `v${expect.version} is still at revision ${revision}: not committed` };
    }
    if (record) return mustBeOurs({ tookEffect: true, appId: id, revision, detail: `v${expect.version} exists: committed` });
    if (expect.creates === 'app') throw cannotTell(`an app named "${request.name}" exists without v1`);
    const app = await run.api.getApp(id, signal);
    const highest = known(app.versions) ? Math.max(0, ...app.versions.map((v) => v.version)) : null;
    if (highest === null) throw cannotTell('the server does not list the app\'s versions');
    if (highest >= expect.version) throw cannotTell(`the app now has v${highest} but no v${expect.version}`);
    return { tookEffect: false, appId: id, revision: null, detail: `v${expect.version} does not exist: not committed` };
  } catch (err) {
    if (err instanceof PublishStop) throw err;
    if (signal.aborted) throw mayHaveCommitted(publish, lifetime, run, true);
    throw cannotTell(`reading the app again failed (${describeError(err)})`);
  }
}

/** The lowest revision that counts as this publish's, or null when any will do. */
function expectedRevision(publish: PlannedPublish, sent: Sent): number | null {
  const previous = publish.expect.previousRevision;
  const afterPrevious = publish.expect.creates === 'revision' && previous !== null && known(previous) ? previous + 1 : null;
  const candidates = [afterPrevious, sent.revision].filter((r): r is number => r !== null);
  return candidates.length === 0 ? null : Math.max(...candidates);
}

async function waitForReady(
  publish: PlannedPublish,
  sent: Sent,
  deadline: number,
  report: PublishReport,
  run: Run,
  startedAt: number,
  readSignal: AbortSignal,
): Promise<VersionRecord> {
  const ref = { app: publish.request.name, step: publish.step, version: publish.expect.version };
  const minRevision = expectedRevision(publish, sent);
  const interruptedWhileWaiting = () =>
    new PublishStop('unconfirmed', `${label(publish)} was published but the run was interrupted before it was confirmed READY`);
  let lastState: string | null = null;
  let retryAfterMs: number | undefined;
  let errorsInARow = 0;
  const answeredAt = run.clock.now();
  let pollsPastLearned = 0;
  let learnedPollMade = false;
  const unknownState = unknownStateWatch(publish, sent.appId, report, run, startedAt);
  let pollUrl = sent.url;
  for (let polls = 0; ; polls++) {
    const remaining = deadline - run.clock.now();
    if (remaining <= 0) {
      throw new PublishStop(
        'timed-out',
        `${label(publish)} did not become READY within ${formatDuration(run.timeoutMs)} (last state ${lastState ?? 'unknown'})`,
      );
    }
    // Asked at every turn: what the run learns from other publishes meanwhile counts for this one too.
    const learnedMs = run.readyTiming.learnedPollMs();
    const sinceAnsweredMs = run.clock.now() - answeredAt;
    const { waitMs, atLearned } = nextPollWait({ polls, pollsPastLearned, learnedPollMade, sinceAnsweredMs, learnedMs }, run.schedule, run.random);
    if (atLearned) learnedPollMade = true;
    if (learnedMs !== undefined && sinceAnsweredMs >= learnedMs) pollsPastLearned += 1;
    await run.clock.sleep(Math.min(remaining, honourRetryAfter(waitMs, retryAfterMs)), run.signal);
    retryAfterMs = undefined;
    if (run.signal.aborted) throw interruptedWhileWaiting();
    let record: VersionRecord;
    report.polls += 1;
    const polledAfterMs = run.clock.now() - answeredAt;
    try {
      // Cut at once by an interruption, and after the grace by the timeout (wall-time.ts).
      record = await run.api.getAppVersion(sent.appId, publish.expect.version, readSignal, pollUrl);
    } catch (err) {
      if (run.signal.aborted) throw interruptedWhileWaiting();
      const facts = httpFacts(err);
      // The answer's URL failed (A22): from now on the version's usual URL is asked.
      pollUrl = undefined;
      errorsInARow += 1;
      retryAfterMs = facts.retryAfterMs;
      run.emit({ type: 'poll', ...ref, appId: sent.appId, state: lastState, revision: report.revision, polls: report.polls, elapsedMs: run.clock.now() - startedAt, error: describeError(err) });
      if (facts.status === 401 || facts.status === 403 || errorsInARow >= run.maxPollErrors) {
        throw new PublishStop('failed', `could not read the state of ${label(publish)}: ${describeError(err)}`);
      }
      continue;
    }
    errorsInARow = 0;
    const revision = known(record.revision) ? record.revision : null;
    const state = known(record.state) ? record.state : null;
    const current = minRevision === null || revision === null || revision >= minRevision;
    run.emit({ type: 'poll', ...ref, appId: sent.appId, state, revision, polls: report.polls, elapsedMs: run.clock.now() - startedAt });
    if (!current) {
      lastState = `${state ?? 'unknown'} at revision ${revision}, older than the expected ${minRevision}`;
      continue;
    }
    if (sent.answered && sent.revision !== null && revision !== null && revision > sent.revision) {
      throw new PublishStop(
        'failed',
        `duplicate publish on ${JSON.stringify(publish.request.name)}: v${publish.expect.version} moved to revision ${revision} while p7apps waited for revision ${sent.revision}, ` +
          `so it was published again by something else; probably ${report.resends > 0 ? `an earlier send whose answer was lost, committed after the ${formatDuration(run.lateCommitWindowMs)} late-commit window` : 'another apply running at the same time'}. ` +
          duplicateAdvice(publish.request.name),
      );
    }
    lastState = state;
    report.revision = revision ?? report.revision;
    const kind = state === null ? 'in-progress' : versionStateKind(state);
    if (kind === 'ready') {
      if (sent.answered) run.readyTiming.readyAt(polledAfterMs);
      return record;
    }
    if (kind === 'failed') {
      const detail = known(record.stateDetail) && record.stateDetail ? record.stateDetail : 'no detail given';
      const which = state === 'FAILED' ? '' : ` (state ${stateName(state!)})`;
      throw new PublishStop('failed', `${label(publish)} failed to publish${which}: ${detail}`);
    }
    if (kind === 'unknown') unknownState.seen(state!);
    else unknownState.clear();
  }
}

/**
 * A23: a publishing state p7apps does not know is announced the first time
 * it is seen and waited on, but only while it keeps changing: the same
 * unknown state for `limitMs` ends the wait, so that no unknown state can
 * silently cost the whole publish timeout.
 */
function unknownStateWatch(publish: PlannedPublish, appId: string, report: PublishReport, run: Run, startedAt: number) {
  const ref = { app: publish.request.name, step: publish.step, version: publish.expect.version };
  let current: { state: string; since: number } | null = null;
  return {
    seen(state: string): void {
      const now = run.clock.now();
      if (current?.state !== state) {
        current = { state, since: now };
        const seen = report.unknownStates ?? [];
        if (!seen.includes(state)) report.unknownStates = [...seen, state];
        run.emit({ type: 'publish-state-unknown', ...ref, appId, state, elapsedMs: now - startedAt, limitMs: run.unknownStateLimitMs });
        return;
      }
      if (now - current.since >= run.unknownStateLimitMs) {
        throw new PublishStop(
          'failed',
          `${label(publish)} stopped waiting: state ${stateName(state)} is not one p7apps knows, and it did not change for ${formatDuration(now - current.since)}`,
        );
      }
    },
    clear(): void {
      current = null;
    },
  };
}

function totalsOf(publishes: PublishReport[], counters: { requestsSent: number; resends: number }): ApplyTotals {
  const count = (outcome: PublishOutcome) => publishes.filter((p) => p.outcome === outcome).length;
  return {
    planned: publishes.length,
    ready: count('ready'),
    failed: count('failed'),
    timedOut: count('timed-out'),
    skipped: count('skipped'),
    notStarted: count('not-started'),
    unconfirmed: count('unconfirmed'),
    requestsSent: counters.requestsSent,
    resends: counters.resends,
  };
}
