// A concurrency limiter: at most `max` tasks run at once, the rest wait in
// arrival order. Small enough not to warrant a dependency.

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
