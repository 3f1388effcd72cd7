// Apply's wall time on virtual time: --timeout and an interruption stop
// everything new, give a publish on the wire the grace, then abandon it and
// report it as maybe committed; no hung publish, hung poll or busy server
// keeps a publish past its deadline plus the grace. And the waits after busy
// answers: a floor whatever Retry-After says, a cap, and a ceiling on sends.

import { describe, expect, it } from 'vitest';
import { applyPlan, type ApplyOptions } from '../../src/apply/execute.js';
import { recordEvents, type ApplyEvent } from '../../src/apply/events.js';
import { parseRetryAfter } from '../../src/appshub/http.js';
import type { PublishRequest, PublishResult, VersionRecord } from '../../src/appshub/types.js';
import type { Plan } from '../../src/plan/types.js';
import { FakeAppsHub, FakeHttpError } from './fake-api.js';
import { createApp, newVersion, planOf, updateApp } from './plans.js';
import { VirtualClock } from './virtual-clock.js';

const MINUTE = 60_000;

function setup() {
  const clock = new VirtualClock();
  const api = new FakeAppsHub(clock);
  const recorder = recordEvents();
  const run = (plan: Plan, options: Partial<ApplyOptions> = {}) =>
    applyPlan(plan, api, { parallelism: 10, timeoutMs: MINUTE, graceMs: 5000, hooks: recorder, clock, random: () => 0.5, ...options });
  const events = <T extends ApplyEvent['type']>(type: T) =>
    recorder.events.filter((e): e is Extract<ApplyEvent, { type: T }> => e.type === type);
  return { clock, api, recorder, run, events };
}

/** A request that is never answered: it ends only when its signal aborts, as the real transport does. */
function neverAnswered<T>(what: string, signal: AbortSignal | undefined, onSent: () => void = () => {}): Promise<T> {
  onSent();
  return new Promise<T>((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(new FakeHttpError(`Cancelled ${what}`, undefined, what.startsWith('POST'))), { once: true });
  });
}

function hangPublishes(api: FakeAppsHub, onSent?: () => void): { posts: number } {
  const seen = { posts: 0 };
  api.publish = (_request: PublishRequest, signal?: AbortSignal) =>
    neverAnswered<PublishResult>('POST apps/', signal, () => {
      seen.posts += 1;
      onSent?.();
    });
  return seen;
}

describe('a publish on the wire when its timeout passes', () => {
  it('is abandoned after the grace and reported as maybe committed, not as done or not sent', async () => {
    const { api, run, clock, events } = setup();
    const seen = hangPublishes(api);
    const started = clock.now();
    const result = await run(planOf(createApp('Toy app', 2)));

    expect(clock.now() - started).toBeLessThanOrEqual(MINUTE + 5000);
    expect(seen.posts).toBe(1);
    expect(result.publishes.map((p) => [p.version, p.outcome])).toEqual([
      [1, 'unconfirmed'],
      [2, 'skipped'],
    ]);
    expect(result.publishes[0]!.error).toBe('Toy app v1 may have committed: run apply again (no answer came within its 1m timeout and the 5s grace)');
    expect(events('publish-unconfirmed')).toHaveLength(1);
    // Abandoned by p7apps, not lost: no "checking whether it was committed".
    expect(events('publish-ambiguous')).toEqual([]);
    expect(result.apps[0]!.outcome).toBe('failed');
    expect(result.interrupted).toBe(false);
    expect(result.totals).toMatchObject({ ready: 0, unconfirmed: 1 });
  });

  it('cuts a poll that hangs past the timeout after the grace', async () => {
    const { api, run, clock } = setup();
    api.getAppVersion = (_id: string, _v: number, signal?: AbortSignal) => neverAnswered<VersionRecord>('GET apps/x@1/', signal);
    const started = clock.now();
    const result = await run(planOf(createApp('Toy app')));
    expect(clock.now() - started).toBeLessThanOrEqual(MINUTE + 5000);
    expect(result.publishes[0]).toMatchObject({ outcome: 'timed-out' });
    expect(result.publishes[0]!.error).toMatch(/did not become READY within 1m/);
  });
});

describe('a lost answer still being checked when the timeout passes', () => {
  it('is reported as maybe committed once the check is cut after the grace', async () => {
    const { api, run, clock } = setup();
    api.publishFaults = ['lose-before-commit'];
    const listApps = api.listApps.bind(api);
    // Reads before the publish answer; the check after the lost answer never is.
    api.listApps = (signal?: AbortSignal) => (api.posts().length > 0 ? neverAnswered('GET apps/', signal) : listApps());
    const started = clock.now();
    // The read before the publish (which would hang on the same list) is not what this test is about.
    const result = await run(planOf(createApp('Toy app')), { checkBeforePublish: false });
    expect(clock.now() - started).toBeLessThanOrEqual(MINUTE + 5000);
    expect(result.publishes[0]).toMatchObject({
      outcome: 'unconfirmed',
      error: 'Toy app v1 may have committed: run apply again (its answer was lost and its 1m timeout passed before p7apps could check whether it was committed)',
    });
    expect(api.posts()).toHaveLength(1);
  });
});

describe('a publish on the wire when the run is interrupted', () => {
  it('gets the grace, then is abandoned and reported as maybe committed', async () => {
    const { api, run, clock } = setup();
    const controller = new AbortController();
    let abortedAt = 0;
    hangPublishes(api, () => {
      abortedAt = clock.now();
      controller.abort();
    });
    const result = await run(planOf(createApp('A'), createApp('B')), { parallelism: 1, signal: controller.signal, timeoutMs: 15 * MINUTE });

    expect(clock.now() - abortedAt).toBeLessThanOrEqual(5000);
    expect(result.interrupted).toBe(true);
    expect(result.publishes.map((p) => [p.app, p.outcome])).toEqual([
      ['A', 'unconfirmed'],
      ['B', 'not-started'],
    ]);
    expect(result.publishes[0]!.error).toBe('A v1 may have committed: run apply again (the run was interrupted and no answer came within the 5s grace)');
  });
});

describe('waits after a busy answer', () => {
  // The header as the server sends it, read as the client reads it (parseRetryAfter).
  it.each([
    [409, '0', 1000],
    [429, '0', 1000],
    [409, '-1', 2000],
    [429, '-1', 2000],
    [409, 'garbage', 2000],
    [429, 'garbage', 2000],
    [409, 'Thu, 01 Jan 1970 00:00:00 GMT', 1000],
    [429, 'Thu, 01 Jan 1970 00:00:00 GMT', 1000],
    [429, null, 2000],
    [409, '7', 7000],
  ] as const)('after a %i with Retry-After %j, waits %i ms', async (status, header, waitMs) => {
    const { api, run, events, clock } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    const retryAfterMs = parseRetryAfter(header, clock.now());
    api.publishFaults = [{ status, retryAfterMs }, { status, retryAfterMs }];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));
    expect(result.publishes[0]!.outcome).toBe('ready');
    expect(events('publish-resend').map((e) => e.waitMs)).toEqual([waitMs, waitMs]);
    const posts = api.posts();
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(waitMs);
    expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(waitMs);
  });

  it.each([409, 429] as const)('stops at a %i whose Retry-After is beyond the cap instead of parking the run', async (status) => {
    const { api, run, clock } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = [{ status, retryAfterMs: parseRetryAfter('86400', clock.now()) }];
    const started = clock.now();
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])), { timeoutMs: 48 * 60 * MINUTE });
    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(result.publishes[0]!.error).toBe(
      `publishing Toy app v2 was refused as busy (${status}) and not sent again: the server asked to wait 24h (Retry-After), longer than the 5m p7apps waits (POST apps/: ${status} busy)`,
    );
    expect(api.posts()).toHaveLength(1);
    expect(clock.now() - started).toBeLessThan(MINUTE);
  });

  it.each([
    [undefined, 20],
    [3, 3],
  ])('with a ceiling of %s attempts, fails the app after %i sends, naming them and the last answer', async (maxPublishAttempts, sends) => {
    const { api, run } = setup();
    api.publishFaults = Array.from({ length: 100 }, () => ({ status: 409 as const, retryAfterMs: 0 }));
    const result = await run(planOf(createApp('Toy app', 2)), { timeoutMs: 60 * MINUTE, ...(maxPublishAttempts ? { maxPublishAttempts } : {}) });
    expect(api.posts()).toHaveLength(sends);
    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toBe(`publishing Toy app v1 failed after ${sends} attempts; the last answer: POST apps/: 409 busy`);
  });
});

describe('a timeout longer than a timer can hold', () => {
  it('does not abandon the publish at once (Node fires such a timer at once)', async () => {
    const { api, recorder } = setup();
    api.readyAfterMs = 0;
    const commit = api.publish.bind(api);
    // On the real clock: answered 50 ms after it is sent, unless abandoned first.
    api.publish = (request: PublishRequest, signal?: AbortSignal) =>
      new Promise<PublishResult>((resolve, reject) => {
        const timer = setTimeout(() => resolve(commit(request)), 50);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new FakeHttpError('Cancelled POST apps/', undefined, true));
        });
      });
    const result = await applyPlan(planOf(createApp('Toy app')), api, { timeoutMs: 1000 * 60 * MINUTE, hooks: recorder, random: () => 0.5 });
    expect(result.publishes[0]!.outcome).toBe('ready');
  });
});
