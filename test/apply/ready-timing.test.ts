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
  const turn = (polls: number, sinceAnsweredMs: number, learnedMs: number | undefined, more: { pollsPastLearned?: number; learnedPollMade?: boolean } = {}) => ({
    polls,
    sinceAnsweredMs,
    learnedMs,
    pollsPastLearned: more.pollsPastLearned ?? 0,
    learnedPollMade: more.learnedPollMade ?? false,
  });
  it.each([
    ['nothing learned: the schedule', turn(2, 270, undefined), { waitMs: pollDelay(2, half, schedule), atLearned: false }],
    ['well before the learned time: the schedule', turn(0, 0, 530), { waitMs: 100, atLearned: false }],
    ['a scheduled poll just before the learned time gives way to it', turn(2, 270, 530), { waitMs: 260, atLearned: true }],
    ['a scheduled poll after the learned time gives way to it', turn(3, 480, 530), { waitMs: 50, atLearned: true }],
    ['once made, a learned time that moved later is not chased: the schedule', turn(4, 550, 560, { learnedPollMade: true }), { waitMs: pollDelay(4, half, schedule), atLearned: false }],
    ['just past it: the schedule\'s first gap when a tenth is less', turn(3, 531, 530), { waitMs: 100, atLearned: false }],
    ['past a long learned time: a tenth of it', turn(9, 30_000, 30_000), { waitMs: 3000, atLearned: false }],
    ['then growing as the schedule does', turn(10, 33_000, 30_000, { pollsPastLearned: 1 }), { waitMs: 4500, atLearned: false }],
    ['up to its cap', turn(11, 37_500, 30_000, { pollsPastLearned: 2 }), { waitMs: 5000, atLearned: false }],
    ['short learned times poll no faster than the schedule starts', turn(4, 300, 200), { waitMs: 100, atLearned: false }],
  ])('%s', (_name, t, expected) => {
    expect(nextPollWait(t, schedule, half)).toEqual(expected);
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
