// Runs one check: deploys a run of the app (its default version, or a given
// one), waits for CONFIGURATION, sets the check's parameters, starts it,
// waits for it to end within the check's timeout (interrupting it when the
// timeout passes), and judges it (./evaluate.ts). Whatever happens, the run
// it made is deleted afterwards: after a failure, a timeout, or an
// interruption (Ctrl-C), under its own short deadline that the interruption
// does not cut. A run whose deploy answer was lost is found by its unique
// name and deleted too.

import { LONGEST_TIMER_MS } from '../appshub/http.js';
import { known } from '../appshub/types.js';
import { formatDuration, type Clock } from '../apply/clock.js';
import { describeError, httpFacts } from '../apply/http-facts.js';
import { P7appsError } from '../errors.js';
import { isRunDeletable, isRunEnded, runPhase } from '../runs/states.js';
import { VERSION_RUNS_UNSUPPORTED_CODE, type AppRunsApi, type RunDetails, type RunRef, type RunState } from '../runs/types.js';
import type { CheckEvent, CheckRef, RunCleanup } from './events.js';
import { evaluateRun, type CheckOutcome } from './evaluate.js';
import type { CheckSpec } from './spec.js';

/** How long deleting a run (interrupting it first if need be) may take after the check, interruption or not. */
export const DEFAULT_CLEANUP_TIMEOUT_MS = 60_000;
/** Gaps between reads of a run's state: quick at first, then every few seconds. */
export const DEFAULT_RUN_POLL_MS: readonly number[] = [250, 500, 1000, 2000, 3000, 5000];

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export interface CheckTarget {
  app: string;
  appId: string;
  /** The version to run; absent: the app's default version (the plain `apps/{id}/runs/`). */
  version?: number;
  /** The version's URL as a publish answer gave it. */
  versionUrl?: string;
}

export interface RunCheckOptions {
  api: AppRunsApi;
  clock: Clock;
  /** Interrupts the check; the run it made is still deleted. */
  signal: AbortSignal;
  emit(event: DistributiveOmit<CheckEvent, 'at'>): void;
  /** Names the run uniquely (so a lost deploy answer can be resolved); default: a random suffix. */
  runName?: (check: string) => string;
  cleanupTimeoutMs?: number;
  /** The cleanup's time limit when the check was interrupted (the process may have little time left); default: cleanupTimeoutMs. */
  interruptedCleanupMs?: number;
  pollMs?: readonly number[];
}

export interface CheckReport extends CheckRef {
  outcome: CheckOutcome;
  runId: string | null;
  cleanup: RunCleanup;
  /** Why a run was left behind (cleanup 'left'). */
  cleanupDetail: string | null;
  elapsedMs: number;
  /** True when the check was cut short by an interruption: its outcome says so. */
  interrupted: boolean;
}

/** Ends the check early with an outcome. */
class CheckStop extends Error {
  constructor(readonly outcome: CheckOutcome) {
    super('check stopped');
  }
}

export function defaultRunName(check: string): string {
  const suffix = Math.random().toString(36).slice(2, 10);
  return `p7apps check ${check.slice(0, 100)} ${suffix}`;
}

export async function runCheck(target: CheckTarget, spec: CheckSpec, options: RunCheckOptions): Promise<CheckReport> {
  const { api, clock, signal } = options;
  const ref: CheckRef = { app: target.app, check: spec.name, version: target.version ?? null };
  const startedAt = clock.now();
  const deadline = startedAt + spec.timeoutMs;
  const elapsed = () => clock.now() - startedAt;
  const pollMs = options.pollMs ?? DEFAULT_RUN_POLL_MS;
  const runName = (options.runName ?? defaultRunName)(spec.name);
  options.emit({ type: 'check-start', ...ref, personal: spec.personal, timeoutMs: spec.timeoutMs });

  let run: RunRef | null = null;
  /** The deploy may have made a run p7apps does not know the id of. */
  let deployUncertain = false;
  let lastState: RunState | null = null;
  const interrupted = () => new CheckStop({ status: 'could-not-run', detail: 'the check was interrupted before its run ended' });
  const timedOut = (): CheckOutcome => ({ status: 'failed', reason: 'timed-out', state: lastState?.name ?? null, timeoutMs: spec.timeoutMs });

  // The check's time limit bounds its requests too, from the deploy to the run's end: a server that answers
  // slowly (or not at all) cannot hold the check past it. Cleaning up afterwards has a deadline of its own.
  // A timer per request (not a sleep on the clock, which a test's clock may jump to at once).
  let requestTimer: AbortSignal | undefined;
  const requestSignal = (): AbortSignal => {
    requestTimer = AbortSignal.timeout(Math.min(LONGEST_TIMER_MS, Math.max(0, deadline - clock.now())));
    return AbortSignal.any([signal, requestTimer]);
  };
  /** What a request that failed means when the check was interrupted or its time ran out; undefined otherwise. */
  const cutShort = (): CheckStop | undefined =>
    signal.aborted ? interrupted() : requestTimer?.aborted === true || clock.now() >= deadline ? new CheckStop(timedOut()) : undefined;

  const read = async (): Promise<RunDetails> => {
    const details = await api.getRun(run!, requestSignal());
    if (known(details.state) && details.state.name !== lastState?.name) {
      lastState = details.state;
      options.emit({ type: 'check-run-state', ...ref, runId: run!.id, state: details.state.name, elapsedMs: elapsed() });
    }
    return details;
  };

  /** Reads the run until `done` says so, the deadline passes, or the check is interrupted. */
  const waitFor = async (done: (state: RunState) => boolean, what: string): Promise<RunDetails | 'timed-out'> => {
    for (let poll = 0; ; poll++) {
      if (signal.aborted) throw interrupted();
      let details: RunDetails;
      try {
        details = await read();
      } catch (err) {
        const stop = cutShort();
        if (stop !== undefined) throw stop;
        throw new CheckStop({ status: 'could-not-run', detail: `could not read the run's state while waiting for ${what}: ${describeError(err)}` });
      }
      if (known(details.state) && isRunEnded(details.state)) return details;
      // Past the time limit, a run just ready for what comes next is not taken further: the check has timed out.
      const remaining = deadline - clock.now();
      if (remaining <= 0) return 'timed-out';
      if (known(details.state) && done(details.state)) return details;
      await clock.sleep(Math.min(remaining, pollMs[Math.min(poll, pollMs.length - 1)]!), signal);
    }
  };

  let outcome: CheckOutcome;
  try {
    try {
      const deployed = await api.deployAppRun(
        target.appId,
        { ...(target.version !== undefined ? { version: target.version } : {}), ...(target.versionUrl ? { versionUrl: target.versionUrl } : {}), personal: spec.personal, name: runName },
        requestSignal(),
      );
      run = { appId: deployed.appId, id: deployed.id, ...(known(deployed.url) ? { url: deployed.url } : {}) };
      options.emit({ type: 'check-run-deployed', ...ref, runId: run.id });
    } catch (err) {
      const facts = httpFacts(err);
      deployUncertain = facts.ambiguous || facts.committed || signal.aborted || requestTimer?.aborted === true;
      const stop = cutShort();
      if (stop !== undefined) throw stop;
      const unsupported = (err as { code?: unknown }).code === VERSION_RUNS_UNSUPPORTED_CODE;
      throw new CheckStop({
        status: 'could-not-run',
        detail: unsupported
          ? `the server does not run a given version (v${target.version}): ${describeError(err)}`
          : `deploying a run failed: ${describeError(err)}`,
      });
    }

    const configurable = await waitFor((state) => runPhase(state) === 'configurable', 'it to be ready for configuration');
    if (configurable === 'timed-out') throw new CheckStop(timedOut());
    if (isRunEnded(configurable.state as RunState)) {
      // Ended before p7apps set its parameters and started it: a failure is the version's (it does not even
      // load), but results of a run p7apps never started are not this check's, whatever they say.
      const before = ended(configurable);
      if (before.state.name !== 'FINISHED') throw new CheckStop(evaluateRun(spec, before));
      throw new CheckStop({ status: 'could-not-run', detail: 'the server reported the run FINISHED before p7apps could set its parameters and start it, so its results are not this check\'s' });
    }

    if (spec.parameters.length > 0) {
      try {
        await api.patchRunParameters(run, spec.parameters.map((p) => ({ name: p.name, data: p.value })), requestSignal());
      } catch (err) {
        const stop = cutShort();
        if (stop !== undefined) throw stop;
        throw new CheckStop({ status: 'could-not-run', detail: `setting the parameters failed: ${describeError(err)}` });
      }
    }
    try {
      await api.startRun(run, requestSignal());
    } catch (err) {
      const stop = cutShort();
      if (stop !== undefined) throw stop;
      throw new CheckStop({ status: 'could-not-run', detail: `starting the run failed: ${describeError(err)}` });
    }

    const end = await waitFor(isRunEnded, 'it to end');
    if (end === 'timed-out') throw new CheckStop(timedOut());
    outcome = evaluateRun(spec, ended(end));
  } catch (err) {
    if (!(err instanceof CheckStop)) throw err;
    outcome = err.outcome;
  }
  const elapsedMs = elapsed();
  options.emit({ type: 'check-done', ...ref, outcome, runId: run?.id ?? null, elapsedMs });

  const cleanup = await cleanUp(api, target, run, deployUncertain, runName, lastState, options);
  options.emit({ type: 'check-cleanup', ...ref, runId: cleanup.runId, cleanup: cleanup.cleanup, detail: cleanup.detail });
  return { ...ref, outcome, runId: cleanup.runId, cleanup: cleanup.cleanup, cleanupDetail: cleanup.detail, elapsedMs, interrupted: signal.aborted };
}

function ended(details: RunDetails) {
  return { state: details.state as RunState, stateDetail: details.stateDetail, results: details.results };
}

/**
 * Deletes the run, under its own deadline (an interruption does not cut it):
 * a run still going is interrupted first, and deleted once it has stopped.
 * A deploy whose answer was lost is resolved by the run's unique name.
 */
async function cleanUp(
  api: AppRunsApi,
  target: CheckTarget,
  known_: RunRef | null,
  deployUncertain: boolean,
  runName: string,
  lastState: RunState | null,
  options: RunCheckOptions,
): Promise<{ runId: string | null; cleanup: RunCleanup; detail: string | null }> {
  const { clock } = options;
  const fullMs = options.cleanupTimeoutMs ?? DEFAULT_CLEANUP_TIMEOUT_MS;
  const limitMs = options.signal.aborted ? Math.min(fullMs, options.interruptedCleanupMs ?? fullMs) : fullMs;
  const deadline = clock.now() + limitMs;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limitMs);
  timer.unref?.();
  const signal = controller.signal;
  let run = known_;
  try {
    if (run === null) {
      if (!deployUncertain) return { runId: null, cleanup: 'none', detail: null };
      const runs = await api.listRuns(target.appId, target.version !== undefined ? { version: target.version, ...(target.versionUrl ? { versionUrl: target.versionUrl } : {}) } : {}, signal);
      const found = runs.find((r) => known(r.name) && r.name === runName);
      if (found === undefined) return { runId: null, cleanup: 'none', detail: null };
      run = { appId: found.appId, id: found.id, ...(known(found.url) ? { url: found.url } : {}) };
    }
    // Only an end is final: any other state seen last may have moved on (a started run leaves CONFIGURATION).
    let state = lastState !== null && isRunEnded(lastState) ? lastState : null;
    let interruptSent = false;
    for (let poll = 0; ; poll++) {
      if (state !== null && isRunDeletable(state)) break;
      if (state !== null && runPhase(state) === 'running' && !interruptSent) {
        interruptSent = true;
        try {
          await api.interruptRun(run, signal);
        } catch {
          // It may have ended meanwhile (the server then refuses the interrupt): the next read tells.
        }
      }
      if (poll > 0) await clock.sleep(Math.min(1000, Math.max(0, deadline - clock.now())), signal);
      if (clock.now() >= deadline || signal.aborted) throw new P7appsError(`run ${run.id} did not stop within ${formatDuration(limitMs)} (state ${state?.name ?? 'unknown'})`);
      try {
        const details = await api.getRun(run, signal);
        state = known(details.state) ? details.state : null;
      } catch (err) {
        if (httpFacts(err).status === 404) return { runId: run.id, cleanup: 'deleted', detail: null };
        throw err;
      }
    }
    await api.deleteRun(run, signal);
    return { runId: run.id, cleanup: 'deleted', detail: null };
  } catch (err) {
    const which = run === null ? `a run named ${JSON.stringify(runName)} may exist` : `run ${run.id} was left on the server`;
    return { runId: run?.id ?? null, cleanup: 'left', detail: `${which}: ${describeError(err)}; delete it in pSeven Enterprise` };
  } finally {
    clearTimeout(timer);
  }
}
