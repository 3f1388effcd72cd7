// What a run learns of how soon its publishes become READY, so that later
// publishes are polled when they are likely to be ready.
//
// Why: the poll schedule (backoff.ts) knows nothing of the server, so it
// lands on READY late by up to a third of the time waited (a 500 ms publish
// is seen READY at about 535 ms or 850 ms). Publishes of one catalog tend to
// take alike, and apply waits for each app's versions one after another, so
// every late detection delays the rest of that app's chain. Once a publish
// of this run has been seen READY, the next ones are polled once at the time
// recent ones were seen READY; the schedule's polls just before that time
// are dropped, so about as many polls are sent as before.
//
// Only publishes answered on their first attempt teach it: after a lost
// answer, the commit time is not known.

import { pollDelay, type PollSchedule } from './backoff.js';

/** How many of the latest READY publishes the learned time is taken from. */
const RECENT = 15;

export class ReadyTiming {
  /** Of the latest publishes seen READY: how long after the answer the poll that saw it was sent. */
  readonly #recent: number[] = [];

  /** A poll sent `sinceAnsweredMs` after its publish was answered found it READY. */
  readyAt(sinceAnsweredMs: number): void {
    if (!Number.isFinite(sinceAnsweredMs) || sinceAnsweredMs < 0) return;
    this.#recent.push(sinceAnsweredMs);
    if (this.#recent.length > RECENT) this.#recent.shift();
  }

  /**
   * When (ms after the answer) to poll a new publish first, if anything has
   * been learned: the median of the recent times, not the shortest, so that
   * one publish answered while the client was busy (its time measured short)
   * does not make every later one be polled too early.
   */
  learnedPollMs(): number | undefined {
    if (this.#recent.length === 0) return undefined;
    const sorted = [...this.#recent].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}

/** After the learned time, a publish not yet READY is polled again after this share of that time, growing as the schedule does. */
const PAST_LEARNED_SHARE = 0.1;

export interface PollTurn {
  /** Polls of this publish so far. */
  polls: number;
  /** Of those, the ones made at or after the learned time. */
  pollsPastLearned: number;
  /** Whether this publish has had its poll at the learned time. */
  learnedPollMade: boolean;
  /** Time since the publish was answered. */
  sinceAnsweredMs: number;
  /** What the run has learned (ReadyTiming.learnedPollMs). */
  learnedMs: number | undefined;
}

/**
 * The wait before a publish's next poll, and whether that poll is the one at
 * the learned time.
 * - Nothing learned: the schedule's gap.
 * - Before the learned time: the schedule's gap, unless that poll would come
 *   after the learned time or within its last `1 / factor`; then the wait
 *   until the learned time. Once per publish: should other publishes move
 *   the learned time later meanwhile, this one is not polled again at each
 *   new value, only on the schedule.
 * - Past it: the publish is slower than the recent ones, but likely not by
 *   much, so it is polled again soon (a tenth of the learned time), the gaps
 *   growing as the schedule's do, up to its cap.
 */
export function nextPollWait(turn: PollTurn, schedule: PollSchedule, random: () => number): { waitMs: number; atLearned: boolean } {
  const { learnedMs, sinceAnsweredMs } = turn;
  const scheduled = () => ({ waitMs: pollDelay(turn.polls, random, schedule), atLearned: false });
  if (learnedMs === undefined) return scheduled();
  if (sinceAnsweredMs < learnedMs) {
    if (turn.learnedPollMade) return scheduled();
    const next = scheduled();
    return sinceAnsweredMs + next.waitMs < learnedMs / schedule.factor ? next : { waitMs: learnedMs - sinceAnsweredMs, atLearned: true };
  }
  const initialMs = Math.max(schedule.initialMs, PAST_LEARNED_SHARE * learnedMs);
  return { waitMs: pollDelay(turn.pollsPastLearned, random, { ...schedule, initialMs }), atLearned: false };
}
