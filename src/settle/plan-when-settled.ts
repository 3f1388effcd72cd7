// Waiting out versions that are still publishing before a plan is final.
// A version neither READY nor failed decides nothing yet (its app's plan is
// 'wait'), and only time resolves it: this re-plans after growing pauses
// until no app waits, or the deadline comes, or the run is stopped. Used by
// `plan --wait` and by `apply` (which plans afresh). The clock is injected,
// so tests run it on virtual time.

import type { Clock } from '../apply/clock.js';
import { publishingText } from '../plan/describe.js';
import type { Plan } from '../plan/types.js';

/** Pauses between reads: the first, how each grows, the longest. */
export interface SettleSchedule {
  firstMs: number;
  factor: number;
  maxMs: number;
}

export const DEFAULT_SETTLE_SCHEDULE: SettleSchedule = Object.freeze({ firstMs: 1000, factor: 1.5, maxMs: 5000 });

export interface SettleOptions {
  /** How long to wait in all, from the first plan. */
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
  schedule?: SettleSchedule;
  /** Stop waiting when this holds for a plan (apply: a conflict refuses the plan anyway). */
  giveUpWhen?: (plan: Plan) => boolean;
  /** Told which versions are awaited, each time that list changes ("\"Beam\" v2 (INITIALIZING)"). */
  onWaiting?: (versions: string[]) => void;
}

export interface Settled {
  plan: Plan;
  /** Whether some app still waits (the deadline came or the run was stopped first). */
  stillWaiting: boolean;
  /** Plans computed, the first included. */
  reads: number;
}

/** The versions the plan waits for, as "\"App\" v2 (INITIALIZING)", in plan order. */
export function awaitedVersions(plan: Plan): string[] {
  return plan.apps.flatMap((app) => (app.action === 'wait' ? app.publishing.map((v) => `${JSON.stringify(app.name)} v${v.version} (${v.state})`) : []));
}

/** Plans, and while some app waits for a version still publishing, pauses and plans again, up to the deadline. */
export async function planWhenSettled(planOnce: () => Promise<Plan>, options: SettleOptions): Promise<Settled> {
  const schedule = options.schedule ?? DEFAULT_SETTLE_SCHEDULE;
  const deadline = options.clock.now() + options.timeoutMs;
  let delayMs = schedule.firstMs;
  let shown = '';
  let reads = 0;
  for (;;) {
    const plan = await planOnce();
    reads += 1;
    const waiting = awaitedVersions(plan);
    if (waiting.length === 0) return { plan, stillWaiting: false, reads };
    if (options.giveUpWhen?.(plan)) return { plan, stillWaiting: true, reads };
    const remaining = deadline - options.clock.now();
    if (remaining <= 0 || options.signal?.aborted) return { plan, stillWaiting: true, reads };
    const text = waiting.join(', ');
    if (text !== shown) options.onWaiting?.(waiting);
    shown = text;
    // The last pause ends at the deadline, so one more read sees the state then.
    await options.clock.sleep(Math.min(delayMs, remaining), options.signal);
    if (options.signal?.aborted) return { plan, stillWaiting: true, reads };
    delayMs = Math.min(delayMs * schedule.factor, schedule.maxMs);
  }
}

/** "Beam" v2 is still publishing...: for messages about a plan that still waits. */
export function stillPublishingLines(plan: Plan): string[] {
  return plan.apps.flatMap((app) => (app.action === 'wait' ? app.publishing.map((v) => `${JSON.stringify(app.name)}: ${publishingText(v)}`) : []));
}
