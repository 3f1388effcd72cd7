// How long one publish's requests may live. When its --timeout passes or the
// run is interrupted (the first Ctrl-C), nothing new is started for it; a
// publish already on the wire gets a short grace to be answered, then it is
// abandoned (aborted), and so is any read still in flight for it. Nothing a
// server does, not even trickling an answer a byte at a time, keeps a
// publish alive past its deadline plus the grace.

import { LONGEST_TIMER_MS } from '../appshub/http.js';
import type { Clock } from './clock.js';

/** How long requests in flight may still finish after --timeout or Ctrl-C. */
export const DEFAULT_GRACE_MS = 5000;

export type AbandonReason = 'timeout' | 'interrupt';

export interface PublishLifetime {
  /** For the publish (POST): aborts `graceMs` after the deadline or after the run's interruption, whichever comes first. */
  readonly sendSignal: AbortSignal;
  /** For reads about the publish (polls, rechecks): aborts as soon as the run is interrupted, or `graceMs` after the deadline. */
  readonly readSignal: AbortSignal;
  /** Why the publish's requests were abandoned; undefined while they are not. */
  abandoned(): AbandonReason | undefined;
  /** Stops the timers; call when the publish is over. */
  dispose(): void;
}

export function publishLifetime(runSignal: AbortSignal, deadline: number, graceMs: number, clock: Clock): PublishLifetime {
  const send = new AbortController();
  const read = new AbortController();
  const over = new AbortController();
  let reason: AbandonReason | undefined;
  const abandon = (why: AbandonReason) => {
    if (over.signal.aborted || send.signal.aborted) return;
    reason = why;
    send.abort(new Error(`abandoned: ${why}`));
    read.abort(new Error(`abandoned: ${why}`));
  };
  const abandonAfter = async (ms: number, why: AbandonReason) => {
    await clock.sleep(ms, over.signal);
    abandon(why);
  };
  const onInterrupt = () => {
    read.abort(new Error('interrupted'));
    void abandonAfter(graceMs, 'interrupt');
  };
  // A publish that outlives the longest timer (24 days) is abandoned then.
  void abandonAfter(Math.min(LONGEST_TIMER_MS, Math.max(0, deadline - clock.now()) + graceMs), 'timeout');
  if (runSignal.aborted) onInterrupt();
  else runSignal.addEventListener('abort', onInterrupt, { once: true });
  return {
    sendSignal: send.signal,
    readSignal: read.signal,
    abandoned: () => reason,
    dispose: () => {
      runSignal.removeEventListener('abort', onInterrupt);
      over.abort();
    },
  };
}
