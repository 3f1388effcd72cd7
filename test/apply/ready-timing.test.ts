// Learning how soon publishes become READY: which time is learned, when the
// next poll comes before and after it, and, through the executor on virtual
// time, that the versions of an app after the first are polled when the
// first was seen READY, and that a slower one is polled again soon.

import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_SCHEDULE, pollDelay } from '../../src/apply/backoff.js';
import type { ApplyEvent } from '../../src/apply/events.js';
import { applyPlan } from '../../src/apply/execute.js';
import { nextPollWait, ReadyTiming } from '../../src/apply/ready-timing.js';
import { FakeAppsHub } from './fake-api.js';
import { createApp, planOf } from './plans.js';
import { VirtualClock } from './virtual-clock.js';

const half = () => 0.5;

describe('ReadyTiming', () => {
  it.each([
    ['nothing seen', [], undefined],
    ['one publish', [530], 530],
    ['the median, not the shortest: one time measured short does not pull every poll early', [530, 540, 120], 530],
    ['an even count takes the upper middle', [500, 600], 600],
    ['nonsense times are ignored', [530, -1, Number.NaN, Number.POSITIVE_INFINITY], 530],
  ])('%s', (_name, times, learned) => {
    const timing = new ReadyTiming();
    for (const t of times) timing.readyAt(t);
    expect(timing.learnedPollMs()).toBe(learned);
  });

  it('forgets all but the latest 15, so a server that slows down is followed', () => {
    const timing = new ReadyTiming();
    for (let i = 0; i < 15; i++) timing.readyAt(500);
    for (let i = 0; i < 8; i++) timing.readyAt(2000);
    expect(timing.learnedPollMs()).toBe(2000);
  });
});

describe('nextPollWait', () => {
  const schedule = DEFAULT_POLL_SCHEDULE;
  it.each([
    ['nothing learned: the schedule', { polls: 2, pollsPastLearned: 0, sinceAnsweredMs: 270, learnedMs: undefined }, pollDelay(2, half, schedule)],
    ['well before the learned time: the schedule', { polls: 0, pollsPastLearned: 0, sinceAnsweredMs: 0, learnedMs: 530 }, 100],
    ['a scheduled poll just before the learned time gives way to it', { polls: 2, pollsPastLearned: 0, sinceAnsweredMs: 270, learnedMs: 530 }, 260],
    ['a scheduled poll after the learned time gives way to it', { polls: 3, pollsPastLearned: 0, sinceAnsweredMs: 480, learnedMs: 530 }, 50],
    ['just past it: a tenth of it', { polls: 3, pollsPastLearned: 0, sinceAnsweredMs: 531, learnedMs: 530 }, 100],
    ['past a long learned time: a tenth of it', { polls: 9, pollsPastLearned: 0, sinceAnsweredMs: 30_000, learnedMs: 30_000 }, 3000],
    ['then growing as the schedule does', { polls: 10, pollsPastLearned: 1, sinceAnsweredMs: 33_000, learnedMs: 30_000 }, 4500],
    ['up to its cap', { polls: 11, pollsPastLearned: 2, sinceAnsweredMs: 37_500, learnedMs: 30_000 }, 5000],
    ['short learned times poll no faster than the schedule starts', { polls: 4, pollsPastLearned: 0, sinceAnsweredMs: 300, learnedMs: 200 }, 100],
  ])('%s', (_name, turn, wait) => {
    expect(nextPollWait(turn, schedule, half)).toBe(wait);
  });
});

describe('applyPlan learns the time to READY', () => {
  /**
   * One app of four versions on virtual time; `onReady(step)` runs when a
   * publish is seen READY (to change the server or the jitter for the next).
   */
  function setup(onReady: (step: number, api: FakeAppsHub, jitter: { random: number }) => void = () => {}) {
    const clock = new VirtualClock();
    const api = new FakeAppsHub(clock);
    // Times in the expectations are then the schedule's own.
    api.latencyMs = 0;
    const jitter = { random: 0.5 };
    const hooks = {
      emit(event: ApplyEvent) {
        if (event.type === 'publish-ready') onReady(event.step, api, jitter);
      },
    };
    const run = () => applyPlan(planOf(createApp('Toy app', 4)), api, { parallelism: 10, timeoutMs: 600_000, hooks, clock, random: () => jitter.random });
    return { api, jitter, run };
  }

  /** Per publish, when each poll came, counted from its POST. */
  function pollsByPublish(api: FakeAppsHub): number[][] {
    const out: number[][] = [];
    for (const call of api.calls) {
      if (call.call === 'publish') out.push([call.at]);
      else if (call.call === 'getAppVersion') out.at(-1)!.push(call.at);
    }
    return out.map(([post, ...polls]) => polls.map((t) => t - post!));
  }

  it('polls the next versions when earlier ones were seen READY, not where their own jitter falls', async () => {
    const { api, jitter, run } = setup((step, _api, j) => {
      if (step === 1) j.random = 0;
    });
    api.readyAfterMs = 500;
    jitter.random = 0.999;
    const result = await run();
    expect(result.publishes.map((p) => p.outcome)).toEqual(['ready', 'ready', 'ready', 'ready']);
    const [first, ...rest] = pollsByPublish(api);
    // Jitter +20%: 120, 300, 570 -> READY. Learned: 570.
    expect(first).toEqual([120, 300, 570]);
    // Jitter -20% alone would poll at 80, 200, 380, 650: the 380 falls in the learned poll's shadow (after 570 / 1.5).
    for (const polls of rest) expect(polls).toEqual([80, 200, 570]);
  });

  it('keeps the early polls, so a publish faster than the learned time is still seen READY early', async () => {
    const { api, run } = setup((step, fake) => {
      if (step === 1) fake.readyAfterMs = 200;
    });
    api.readyAfterMs = 800;
    await run();
    const [first, second, third] = pollsByPublish(api);
    expect(first).toEqual([100, 250, 475, 813]);
    expect(second).toEqual([100, 250]);
    expect(third).toEqual([100, 250]);
  });

  it('polls a publish slower than the learned time again soon after it, not a schedule step later', async () => {
    const { api, run } = setup((step, fake) => {
      if (step === 1) fake.readyAfterMs = 900;
    });
    api.readyAfterMs = 500;
    await run();
    const [first, second] = pollsByPublish(api);
    expect(first).toEqual([100, 250, 475, 813]);
    // Learned 813: polled there, then the schedule's first gap (a tenth of 813 is less), not its fifth (506 ms).
    expect(second).toEqual([100, 250, 475, 813, 913]);
  });

  it('does not learn from a publish whose answer was lost: its commit time is unknown', async () => {
    const { api, run } = setup();
    api.readyAfterMs = 500;
    api.publishFaults = ['lose-after-commit'];
    await run();
    const [first, second] = pollsByPublish(api);
    // The first publish was found committed by a recheck; its READY time teaches nothing, so the second runs on the schedule alone.
    expect(first!.length).toBeGreaterThan(0);
    expect(second).toEqual([100, 250, 475, 813]);
  });
});
