// What `p7apps apply` does once its arguments are parsed (./apply.ts declares
// them): plan afresh or load a saved plan, confirm, publish, follow progress,
// and check that the server converged.

import path from 'node:path';
import { createInterface } from 'node:readline';
import { formatDuration, parseDuration, systemClock } from '../../apply/clock.js';
import { checksNotPassed } from '../../apply/checks.js';
import { convergence as convergenceOf } from '../../apply/converge.js';
import { fanOut, recordEvents, type ApplyListener } from '../../apply/events.js';
import { applyPlan, type ApplyResult } from '../../apply/execute.js';
import { DEFAULT_LATE_COMMIT_WINDOW_MS } from '../../apply/late-commit.js';
import { acquireApplyLock, type HeldLock } from '../../apply/lock.js';
import { describeError } from '../../apply/http-facts.js';
import { appsToPublish, findChangedApps, planWithout, recheckUploads, type ChangedApp } from '../../apply/saved-plan.js';
import { forgetUnconfirmed, noteUnconfirmed, pendingUnconfirmed } from '../../apply/unconfirmed.js';
import type { AppsHubClient } from '../../appshub/client.js';
import type { DesiredState } from '../../config/desired.js';
import { P7appsError, UsageError } from '../../errors.js';
import { loadDesiredState, narrowsApps, openServer, planWith, type ConfigServer } from '../../operations.js';
import { readObservedState } from '../../observe/read.js';
import { compareWithReviewed, sameServerUrl } from '../../plan/compare-reviewed.js';
import { enforceSafety, safetyPolicy, type GuardOptions } from '../../plan/safety.js';
import { planHasChanges, planHasConflicts, planIsWaiting, type Plan } from '../../plan/types.js';
import { awaitedVersions, planWhenSettled } from '../../settle/plan-when-settled.js';
import { planVerification, strictModeError, verifiedText } from '../../plan/verification.js';
import { escapeUnsafe } from '../../render/escape.js';
import { renderPlanHuman } from '../../render/plan-human.js';
import { progressJsonLines } from '../../render/progress-jsonl.js';
import { progressLines } from '../../render/progress-lines.js';
import { renderApplySummary, type ApplySummary } from '../../render/progress-summary.js';
import { progressTty } from '../../render/progress-tty.js';
import { CLEANUP_AFTER_STOP_MS } from '../signals.js';
import { terminalLine } from '../../render/text.js';
import type { CliContext } from '../context.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { appSelection, durationOrThrow, environmentChoice, parallelismOrThrow, requestTimeoutOrThrow, serverOptions, shellWord, strictMode, useColor } from '../options.js';
import { readSavedPlan } from '../saved-plan-file.js';
import type { ApplyArgs } from './apply.js';

const CONFIRM_PROMPT = "Do you want to apply these changes? Only 'yes' will be accepted: ";

export async function runApply(ctx: CliContext, args: ApplyArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  const timeoutMs = timeoutOrThrow(args.timeout);
  const lateCommitWindowMs = lateCommitWindowOrThrow(args['late-commit-window']);
  const graceMs = graceOrThrow(args.grace);
  // Checked here too (serverOptions reads it when connecting), so that a bad value is refused before anything else.
  requestTimeoutOrThrow(args['request-timeout']);
  const json = args.format === 'json';
  const color = useColor(args, ctx.stdout, ctx.env);
  const autoApprove = args['auto-approve'] === true;
  if (args.plan !== undefined && args['expect-plan'] !== undefined) {
    throw new UsageError('--expect-plan checks a fresh plan against a reviewed one; a saved plan given to apply is applied as it stands', {
      hint: 'Either "p7apps apply PLAN" or "p7apps apply --expect-plan PLAN", not both.',
    });
  }
  if (args.plan === undefined && !autoApprove) {
    if (json) {
      throw new UsageError('--format json needs --auto-approve (or a saved plan): the confirmation prompt cannot share standard output with JSON lines');
    }
    if (ctx.stdin.isTTY !== true) {
      throw new P7appsError('refusing to apply without confirmation: standard input is not a terminal, so nobody can answer "yes"', {
        hint: 'Review the changes with "p7apps plan", then run "p7apps apply --auto-approve", or save them with "p7apps plan --out plan.json" and run "p7apps apply plan.json".',
      });
    }
  }

  // One apply at a time per checkout: the lock is taken as soon as the config is known, before the server is
  // read (so the second of two applies started together plans nothing), and released however the run ends.
  let lock: HeldLock | undefined;
  const takeLock = async (configPath: string) => {
    lock = await acquireApplyLock(path.dirname(configPath), {
      command: `p7apps apply${args.plan === undefined ? '' : ` ${args.plan}`}`,
      notice: (text) => ctx.stderr.write(text),
    });
    // Under the lock, before the server is read: an earlier run's unconfirmed publishes may still commit.
    await waitOutUnconfirmed(ctx, path.dirname(configPath));
  };
  try {
    const prepared =
      args.plan === undefined ? await planAfresh(ctx, args, parallelism, timeoutMs, json, color, takeLock) : await loadSavedPlan(ctx, args, takeLock);
    if ('exit' in prepared) return prepared.exit;
    const { api } = prepared;
    try {
      return await applyPrepared(ctx, args, prepared, {
        parallelism,
        timeoutMs,
        graceMs,
        lateCommitWindowMs,
        json,
        color,
        autoApprove,
        strict: strictMode(args, prepared.desired),
      });
    } catch (err) {
      if (ctx.signal.aborted) {
        ctx.stderr.write('Interrupted before anything was published.\n');
        return EXIT_INTERRUPTED;
      }
      throw err;
    } finally {
      await api.close();
    }
  } finally {
    await lock?.release();
  }
}

interface Prepared {
  plan: Plan;
  desired: DesiredState;
  api: AppsHubClient;
  /** A saved plan: applied without asking, after the stale-plan guard. */
  saved: boolean;
}

interface RunSettings {
  parallelism: number;
  timeoutMs: number;
  graceMs: number | undefined;
  lateCommitWindowMs: number;
  json: boolean;
  color: boolean;
  autoApprove: boolean;
  /** Unverifiable managed fields are an error, before publishing and after. */
  strict: boolean;
}

/** Nothing to publish: the command ends with this exit code. */
interface Done {
  exit: number;
}

/**
 * Plans, and while apps wait for versions still publishing (say, a run
 * interrupted by Ctrl-C a moment ago) and nothing else is in the way, waits
 * for them and plans again, up to the per-publish timeout: time alone
 * resolves those, and the new plan then finishes the job instead of refusing.
 */
async function planSettled(ctx: CliContext, api: AppsHubClient, desired: DesiredState, args: ApplyArgs, parallelism: number, timeoutMs: number): Promise<Plan> {
  const apps = narrowsApps(appSelection(args)) ? desired.apps.map((app) => app.name) : undefined;
  const settled = await planWhenSettled(async () => (await planWith(api, desired, { parallelism, signal: ctx.signal, apps })).plan, {
    timeoutMs,
    clock: systemClock,
    signal: ctx.signal,
    // A conflict refuses the plan anyway: no point waiting for the rest.
    giveUpWhen: planHasConflicts,
    onWaiting: (versions) => ctx.stderr.write(`${terminalLine(`Waiting for ${versions.join(', ')} to finish publishing before planning (up to ${args.timeout}).`)}\n`),
  });
  return settled.plan;
}

async function planAfresh(
  ctx: CliContext,
  args: ApplyArgs,
  parallelism: number,
  timeoutMs: number,
  json: boolean,
  color: boolean,
  takeLock: (configPath: string) => Promise<void>,
): Promise<Prepared | Done> {
  // Read first: a reviewed plan that cannot be read stops the run before the config or the server is.
  const reviewed = args['expect-plan'] === undefined ? undefined : await readSavedPlan(ctx.cwd, args['expect-plan']);
  const desired = await loadDesiredState({ config: args.config, cwd: ctx.cwd, ...environmentChoice(args, ctx.env), ...appSelection(args), signal: ctx.signal });
  guardOptions(args, desired); // a mistyped --allow-protected stops the run before the server is read
  await takeLock(desired.configPath);
  const api = await connectFor(ctx, args, desired, parallelism);
  try {
    const plan = await planSettled(ctx, api, desired, args, parallelism, timeoutMs);
    if (!json) renderPlanHuman(plan, ctx.stdout, { color, verbose: false });
    if (planHasConflicts(plan)) {
      throw new P7appsError('the plan has conflicts, so nothing was applied', { hint: 'Resolve the conflicts shown above, then run "p7apps apply" again.' });
    }
    if (planIsWaiting(plan)) {
      throw new P7appsError(`versions were still publishing after --timeout ${args.timeout}, so nothing was applied: ${awaitedVersions(plan).join(', ')}`, {
        hint: 'This is not a conflict: run "p7apps apply" again once they are READY, or give a longer --timeout.',
      });
    }
    refuseIfStrict(plan, strictMode(args, desired));
    if (reviewed) refuseIfNotReviewed(reviewed, plan, ctx.secrets);
    // JSON consumers always get the same stream (apply-start ... converge-done), even for an empty plan.
    if (!planHasChanges(plan) && !json) {
      ctx.stdout.write(`\nNothing to apply: ${verifiedText(planVerification(plan))}.\n`);
      await api.close();
      return { exit: EXIT_OK };
    }
    return { plan, desired, api, saved: false };
  } catch (err) {
    await api.close();
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted before anything was published.\n');
      return { exit: EXIT_INTERRUPTED };
    }
    throw err;
  }
}

async function loadSavedPlan(ctx: CliContext, args: ApplyArgs, takeLock: (configPath: string) => Promise<void>): Promise<Prepared | Done> {
  const { file, plan } = await readSavedPlan(ctx.cwd, args.plan!);
  if (narrowsApps(appSelection(args))) {
    throw new UsageError('--app, --workspace and --exclude-app cannot narrow a saved plan: it is applied as it stands', {
      hint: 'Plan with them, save that plan, and apply it.',
    });
  }
  if (planHasConflicts(plan)) {
    throw new P7appsError(`the plan ${file} has conflicts, so nothing was applied`, { hint: 'Resolve them, then plan and apply again.' });
  }
  if (!planHasChanges(plan) && args.format !== 'json') {
    ctx.stdout.write(`${terminalLine(`The plan ${file} has no changes; nothing to apply.`)}\n`);
    return { exit: EXIT_OK };
  }
  const environment = savedPlanEnvironment(plan, file, environmentChoice(args, ctx.env));
  const desired = await loadDesiredState({ config: args.config ?? plan.configPath, cwd: ctx.cwd, signal: ctx.signal, ...environment });
  guardOptions(args, desired);
  refuseIfUndeclared(plan, file, desired, args.config !== undefined);
  refuseIfStrict(plan, strictMode(args, desired));
  // Refused before anything is read or sent: a hand-edited plan must not upload what the config could not.
  const uploads = await recheckUploads(plan, desired.configPath, ctx.cwd);
  if (uploads.length > 0) {
    throw new P7appsError(`the plan ${file} would upload files the config may not, so nothing was applied: ${uploads.join('; ')}`, {
      hint: 'Plan again with "p7apps plan --out FILE": a saved plan may upload only images inside the config\'s folder, unchanged since it was planned.',
    });
  }
  await takeLock(desired.configPath);
  const api = await connectFor(ctx, args, { serverUrl: plan.serverUrl }, parallelismOrThrow(args.parallelism));
  if (!sameServerUrl(api.serverUrl, plan.serverUrl)) {
    await api.close();
    throw new P7appsError(`the plan was made for ${plan.serverUrl}, but this run would apply it to ${api.serverUrl}`, {
      hint: 'Apply it against the server it was planned for (check --server and P7APPS_URL), or plan again against this one.',
    });
  }
  return { plan, desired, api, saved: true };
}

async function applyPrepared(ctx: CliContext, args: ApplyArgs, prepared: Prepared, settings: RunSettings): Promise<number> {
  const { api, desired } = prepared;
  let plan = prepared.plan;
  // A saved plan is held to the config's guard as it is now, not to what the file says; an app the plan
  // recorded as protected stays protected (the review said it would need --allow-protected).
  if (prepared.saved) plan = { ...plan, safety: heldSafety(plan, desired) };
  const guard = guardOptions(args, desired);
  enforceSafety(plan, guard);
  if (!prepared.saved && !settings.autoApprove) {
    ctx.stdout.write(`\n${CONFIRM_PROMPT}`);
    const answer = await readLine(ctx.stdin, ctx.signal);
    if (answer === null && ctx.signal.aborted) {
      ctx.stdout.write('\n');
      return EXIT_INTERRUPTED;
    }
    if (answer?.trim() !== 'yes') {
      ctx.stderr.write('Apply cancelled: nothing was published.\n');
      return EXIT_ERROR;
    }
  }

  if (!settings.json) ctx.stdout.write('\n');
  const listener = progressListener(ctx, settings);
  const recorder = recordEvents();
  const hooks = fanOut(listener, recorder);
  let changed: ChangedApp[] = [];
  let result: ApplyResult;
  try {
    if (prepared.saved) {
      const observed = await readObservedState(api, desired, { parallelism: settings.parallelism, signal: ctx.signal, onlyApps: appsToPublish(plan) });
      changed = findChangedApps(plan, observed);
      for (const app of changed) hooks.emit({ type: 'app-skipped', at: Date.now(), app: app.app, reason: 'changed-since-plan', detail: app.detail });
      plan = planWithout(plan, new Set(changed.map((c) => c.app)));
    }
    result = await applyPlan(plan, api, {
      parallelism: settings.parallelism,
      timeoutMs: settings.timeoutMs,
      graceMs: settings.graceMs,
      lateCommitWindowMs: settings.lateCommitWindowMs,
      signal: ctx.signal,
      hooks,
      force: guard.force,
      allowProtected: guard.allowProtected,
      runs: api,
      checkOptions: { interruptedCleanupMs: CLEANUP_AFTER_STOP_MS },
    });
    await noteLeftUnconfirmed(ctx, desired, plan, result, settings.lateCommitWindowMs);
    // A publish abandoned at its timeout means the server did not answer in time: reading it all again
    // would start new requests past the timeout, and "run apply again" is the verdict anyway.
    const stopped = result.interrupted || result.totals.unconfirmed > 0;
    const convergence = stopped ? null : await checkConvergence(ctx, api, desired, prepared.plan, settings.parallelism, hooks);
    // Ctrl-C during the read back leaves every publish READY but nothing verified: the run was interrupted.
    const summary: ApplySummary = { result: ctx.signal.aborted && !result.interrupted ? { ...result, interrupted: true } : result, refused: changed, convergence };
    if (!settings.json) renderApplySummary(summary, ctx.stdout, { color: settings.color });
    if (result.interrupted || ctx.signal.aborted) return EXIT_INTERRUPTED;
    const failed = result.totals.planned - result.totals.ready > 0 || changed.length > 0 || checksNotPassed(result) > 0;
    const converged = convergence !== null && !('error' in convergence) && convergence.remaining.length === 0;
    if (failed || !converged) return EXIT_ERROR;
    // What the publishes set may not be readable back (a new app's description, say): strict mode says so.
    const verification = convergence !== null && 'verification' in convergence ? convergence.verification : undefined;
    const refusal = settings.strict && verification ? strictModeError(verification) : null;
    if (refusal) {
      ctx.stderr.write(`Error: the apply finished, but ${refusal.message}\n`);
      return EXIT_ERROR;
    }
    return EXIT_OK;
  } finally {
    hooks.close();
  }
}

/** The config's safety policy, with the apps the saved plan recorded as protected added to its own. */
function heldSafety(plan: Plan, desired: DesiredState): NonNullable<Plan['safety']> {
  const current = safetyPolicy(desired);
  const protectedApps = [...new Set([...current.protectedApps, ...(plan.safety?.protectedApps ?? [])])].sort();
  return { ...current, protectedApps };
}

/**
 * A saved plan applied with a config that does not declare an app it publishes (`--config` names another
 * config than the one it was planned from, or the app was taken out of the config since): the config's
 * guard, checks and convergence would not be that app's, so nothing is applied.
 */
function refuseIfUndeclared(plan: Plan, file: string, desired: DesiredState, configGiven: boolean): void {
  const declared = new Set(desired.apps.map((app) => app.name));
  const undeclared = appsToPublish(plan).filter((name) => !declared.has(name));
  if (undeclared.length === 0) return;
  throw new P7appsError(
    `the plan ${file} publishes ${undeclared.map((name) => JSON.stringify(name)).join(', ')}, which ${desired.configPath} does not declare, so nothing was applied`,
    {
      hint: configGiven
        ? `Apply it with the config it was planned from (${plan.configPath}: leave out --config), or plan again with this one.`
        : 'The config changed since the plan was made: plan again, have that plan reviewed, and apply it.',
    },
  );
}

/** --expect-plan: the fresh plan must publish exactly what the reviewed one does, in the same order, on the same server. */
function refuseIfNotReviewed(reviewed: { file: string; plan: Plan }, plan: Plan, secrets: CliContext['secrets']): void {
  // The reviewed plan was saved redacted (plan --out): what the fresh plan sends is compared as saving would have it.
  const differences = compareWithReviewed(reviewed.plan, plan, (text) => secrets.redact(text));
  if (differences.length === 0) return;
  throw new P7appsError(
    // One line per difference, each escaped on its own: a name in one may hold a line break.
    escapeUnsafe(`this plan differs from the reviewed plan ${reviewed.file}, so nothing was applied:`) + differences.map((d) => `\n  - ${escapeUnsafe(d)}`).join(''),
    { hint: 'The server or the config changed since the review. Plan again, have that plan reviewed, and apply it.', multiline: true },
  );
}

/**
 * Waits until the late-commit windows of publishes an earlier apply from this
 * checkout left unconfirmed have passed (src/apply/unconfirmed.ts): planning
 * before then could publish one of them a second time, under its late commit.
 */
async function waitOutUnconfirmed(ctx: CliContext, configDir: string): Promise<void> {
  const pending = await pendingUnconfirmed(configDir, Date.now());
  if (pending.length === 0) {
    await forgetUnconfirmed(configDir);
    return;
  }
  const until = Math.max(...pending.map((p) => Date.parse(p.until)));
  const names = pending.map((p) => `${JSON.stringify(p.app)} v${p.version} on ${p.server}`).join(', ');
  ctx.stderr.write(
    `${terminalLine(
      `Waiting ${formatDuration(until - Date.now())} before reading the server: an earlier apply could not confirm ${names} (the answer was lost), ` +
        `and the server may still commit ${pending.length === 1 ? 'it' : 'them'} until ${new Date(until).toISOString()}; planning sooner could publish ${pending.length === 1 ? 'it' : 'them'} twice.`,
    )}\n`,
  );
  await systemClock.sleep(until - Date.now(), ctx.signal);
  if (ctx.signal.aborted) throw new P7appsError('interrupted while waiting for an earlier apply\'s unconfirmed publishes; nothing was published');
  await forgetUnconfirmed(configDir);
}

/** Notes the publishes this run could not confirm, for the next apply from this checkout to wait for. */
async function noteLeftUnconfirmed(ctx: CliContext, desired: DesiredState, plan: Plan, result: ApplyResult, windowMs: number): Promise<void> {
  // Only those with no answer: a publish the server answered (interrupted while waiting for READY) will not come again.
  const unconfirmed = result.publishes.filter((p) => p.outcome === 'unconfirmed' && p.mayCommitLate === true);
  if (unconfirmed.length === 0) return;
  const until = new Date(Date.now() + windowMs).toISOString();
  try {
    await noteUnconfirmed(
      path.dirname(desired.configPath),
      unconfirmed.map((p) => ({ server: plan.serverUrl, app: p.app, version: p.version, until })),
      Date.now(),
    );
  } catch (err) {
    // The run's own report still says "run apply again"; only the wait of the next run is lost.
    ctx.stderr.write(`${terminalLine(`Warning: could not note the unconfirmed publishes for the next apply to wait for (${describeError(err)}); wait ${formatDuration(windowMs)} before applying again.`)}\n`);
  }
}

/** --force and --allow-protected, checked against the apps of this run. */
function guardOptions(args: ApplyArgs, desired: DesiredState): GuardOptions {
  const given = args['allow-protected'];
  const allowProtected = given === undefined ? [] : Array.isArray(given) ? given : [given];
  const names = new Set(desired.apps.map((app) => app.name));
  const unknown = allowProtected.find((name) => !names.has(name));
  if (unknown !== undefined) {
    const protectedApps = safetyPolicy(desired).protectedApps;
    throw new UsageError(`--allow-protected ${shellWord(unknown)}: the config declares no app of that name${narrowsApps(appSelection(args)) ? ' among the apps selected' : ''}`, {
      hint:
        protectedApps.length === 0
          ? 'No app of this run is protected (protect: true), so no --allow-protected is needed.'
          : `Name a protected app exactly as the config does: ${protectedApps.map((name) => JSON.stringify(name)).join(', ')}.`,
    });
  }
  return { force: args.force === true, allowProtected, quote: shellWord };
}

/** A check after a publish that did not pass fails the apply, even when every publish is READY. */
/** Strict mode, before anything is published: the plan must have verified every managed field. */
function refuseIfStrict(plan: Plan, strict: boolean): void {
  const refusal = strict ? strictModeError(planVerification(plan)) : null;
  if (refusal) throw new P7appsError(`${refusal.message}; nothing was applied`, { hint: refusal.hint });
}

async function checkConvergence(
  ctx: CliContext,
  api: AppsHubClient,
  desired: DesiredState,
  plan: Plan,
  parallelism: number,
  hooks: ApplyListener,
): Promise<ApplySummary['convergence']> {
  const names = new Set(plan.apps.map((app) => app.name));
  const scope: DesiredState = { ...desired, apps: desired.apps.filter((app) => names.has(app.name)) };
  hooks.emit({ type: 'converge-start', at: Date.now(), apps: scope.apps.length });
  try {
    const { plan: after } = await planWith(api, scope, { parallelism, signal: ctx.signal, apps: scope.apps.map((app) => app.name) });
    const { remaining, verification } = convergenceOf(after, plan);
    hooks.emit({ type: 'converge-done', at: Date.now(), converged: remaining.length === 0, remaining, verification });
    return { remaining, verification };
  } catch (err) {
    if (ctx.signal.aborted) return null;
    return { error: describeError(err) };
  }
}

function progressListener(ctx: CliContext, settings: RunSettings): ApplyListener {
  if (settings.json) return progressJsonLines(ctx.stdout);
  if (ctx.stdout.isTTY === true) {
    const view = progressTty(ctx.stdout, { color: settings.color });
    // The view redraws the terminal in place: the signal's message goes into it, or the next redraw would overwrite it.
    ctx.announceSignals?.((text) => view.note(text));
    return view;
  }
  return progressLines(ctx.stdout);
}

function connectFor(ctx: CliContext, args: ApplyArgs, config: ConfigServer, parallelism: number) {
  return openServer({ ...serverOptions(ctx, args, parallelism), config });
}

/**
 * The environment a saved plan is applied in: its own. An environment chosen
 * for this run (--env or P7APPS_ENV) must be the plan's, so that a plan
 * reviewed for staging is never applied as production's.
 */
function savedPlanEnvironment(plan: Plan, file: string, chosen: { environment?: string; environmentSource?: string }): { environment?: string } {
  const { environment, environmentSource } = chosen;
  if (environment !== undefined && environment !== plan.environment) {
    const planned = plan.environment === undefined ? 'for a config without environments' : `for environment ${plan.environment}`;
    throw new P7appsError(`the plan ${file} was made ${planned}, but ${environmentSource} chooses ${JSON.stringify(environment)}; nothing was applied`, {
      hint: `Apply it in its own environment, or plan again with --env ${JSON.stringify(environment)}.`,
    });
  }
  return plan.environment === undefined ? {} : { environment: plan.environment };
}

function timeoutOrThrow(text: string): number {
  return durationOrThrow('--timeout', text, '90s, 15m or 1h, or milliseconds');
}

/** The grace stays well inside the time a process is given to end after its first signal. */
const MAX_GRACE_MS = 8000;

function graceOrThrow(text: string | undefined): number | undefined {
  return text === undefined ? undefined : durationOrThrow('--grace', text, '2s or 500ms, at most 8s', MAX_GRACE_MS);
}

function lateCommitWindowOrThrow(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LATE_COMMIT_WINDOW_MS;
  const ms = String(text).trim() === '0' ? 0 : parseDuration(String(text));
  if (ms === undefined) {
    throw new UsageError(`--late-commit-window must be a duration such as 120s, 5m or 0 (got ${JSON.stringify(text)})`, {
      hint: 'Make it longer than the timeout of any gateway or proxy between p7apps and the server.',
    });
  }
  return ms;
}

/** One line from `input`; null when it ends or `signal` aborts first. */
function readLine(input: NodeJS.ReadableStream, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let settled = false;
    const finish = (value: string | null) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      rl.close();
      resolve(value);
    };
    const onAbort = () => finish(null);
    signal.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => finish(line));
    rl.once('close', () => finish(null));
  });
}
