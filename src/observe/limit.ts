// A concurrency limiter: at most `max` tasks run at once, the rest wait in
// arrival order. Small enough not to warrant a dependency.

import { setMaxListeners } from 'node:events';
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Returns a function that runs tasks with at most `max` in flight. A task
 * still waiting when `signal` aborts is never started; it rejects with the
 * signal's reason.
 */
export function createLimiter(max: number, signal?: AbortSignal): Limiter {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`a limiter needs a whole number of slots from 1 (got ${max})`);
  let running = 0;
  const waiting: Array<() => void> = [];

  // A finished task hands its slot straight to the next waiting one, which
  // starts on a later turn of the event loop, so that a failure has
  // travelled up its await chain (and aborted `signal`) before anything else
  // is sent. The slot stays taken meanwhile: a task arriving in that gap
  // queues behind the waiting ones instead of starting at once and pushing
  // the count past `max`.
  const release = () => {
    const next = waiting.shift();
    if (next) setImmediate(next);
    else running -= 1;
  };

  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      // Called holding a slot.
      const start = () => {
        if (signal?.aborted) {
          reject(signal.reason);
          release();
          return;
        }
        let pending: Promise<T>;
        try {
          pending = task();
        } catch (err) {
          pending = Promise.reject(err);
        }
        pending.then(resolve, reject).finally(release);
      };
      if (running < max) {
        running += 1;
        start();
      } else {
        waiting.push(start);
      }
    });
}

/**
 * A group of reads that stops at its first failure (no point reading on for a
 * result that cannot be made) and reports that failure, not the cancellations
 * it caused in the reads still under way ("Cancelled GET apps/" would hide
 * the "connection refused" that started it).
 */
export function failFastGroup(outer?: AbortSignal) {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  // Each request in flight listens to it (up to the parallelism, at most 100): no leak, so no warning.
  setMaxListeners(1000, signal);
  let first: { err: unknown } | undefined;
  return {
    signal,
    failFast<T>(promise: Promise<T>): Promise<T> {
      return promise.catch((err: unknown) => {
        if (first === undefined && !stop.signal.aborted) first = { err };
        stop.abort(err);
        throw err;
      });
    },
    /** The error to report for a failed group: the first failure, unless the caller itself aborted. */
    cause(err: unknown): unknown {
      return first !== undefined && outer?.aborted !== true ? first.err : err;
    },
    /** Stops what is still queued; settles nothing already settled. */
    close(): void {
      stop.abort();
    },
  };
}
