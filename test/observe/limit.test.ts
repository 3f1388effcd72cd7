import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/observe/limit.js';

/** A task that records its start and how many run with it, and ends a turn of the event loop later. */
function recorder() {
  const started: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const task = (name: string) => () => {
    started.push(name);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<string>((resolve) =>
      setImmediate(() => {
        inFlight -= 1;
        resolve(name);
      }),
    );
  };
  return { started, task, maxInFlight: () => maxInFlight };
}

describe('createLimiter', () => {
  it.each([1, 2])('keeps order and the bound of %i when a task arrives while a queued one waits for its turn', async (max) => {
    const limit = createLimiter(max);
    const r = recorder();
    const first = Array.from({ length: max }, (_, i) => limit(r.task(`first${i}`)));
    const queued = limit(r.task('queued'));
    // A caller's await chain takes a few microtask turns: by then the first
    // task's slot has gone to the queued one, which starts a turn later.
    await first[0];
    for (let i = 0; i < 3; i++) await Promise.resolve();
    const late = limit(r.task('late'));
    await Promise.all([...first, queued, late]);
    expect(r.started).toEqual([...first.map((_, i) => `first${i}`), 'queued', 'late']);
    expect(r.maxInFlight()).toBe(max);
  });

  it('rejects a queued task with the reason of an abort that came while it waited, and frees its slot', async () => {
    const controller = new AbortController();
    const limit = createLimiter(1, controller.signal);
    const r = recorder();
    const running = limit(r.task('running'));
    const waiting = limit(r.task('waiting'));
    controller.abort(new Error('stopped'));
    await expect(running).resolves.toBe('running');
    await expect(waiting).rejects.toThrow('stopped');
    expect(r.started).toEqual(['running']);
  });
});
