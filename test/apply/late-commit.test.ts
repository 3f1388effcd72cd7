// The ambiguous write against a server that commits late (src/apply/execute.ts,
// send() and recheck()): "A publish whose response is lost may still have
// happened. It is never blindly re-sent: the app is read again and the
// publish is retried only if it did not take effect. No duplicate versions."
// Each case is a publish that did take effect, shown late; none may be sent
// twice into a second version or revision.

import { describe, expect, it } from 'vitest';
import { recordEvents, type ApplyEvent } from '../../src/apply/events.js';
import { applyPlan, type ApplyOptions } from '../../src/apply/execute.js';
import { lateCommitLooks } from '../../src/apply/late-commit.js';
import type { PublishRequest, PublishResult } from '../../src/appshub/types.js';
import type { Plan } from '../../src/plan/types.js';
import { FakeAppsHub, FakeHttpError } from './fake-api.js';
import { createApp, newRevision, newVersion, planOf, updateApp } from './plans.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * The executor tests' fake AppsHub plus two behaviours of a real server:
 * - A10 (README): a publish to an app one of whose versions is still
 *   initialising is refused with 409 and Retry-After, nothing committed;
 * - a late commit: the gateway answers 504 at once, and the backend commits
 *   the publish `lateMs` later (a 504 Gateway Timeout, or the client's own
 *   headers timeout, while the server is still working on the request).
 */
class RealisticHub extends FakeAppsHub {
  /** Consumed one per publish call: a number makes that call a late commit after that many ms. */
  lateCommits: (number | undefined)[] = [];
  conflicts409 = 0;

  constructor(private readonly vclock: VirtualClock) {
    super(vclock);
  }

  override async publish(request: PublishRequest): Promise<PublishResult> {
    const self = this as unknown as { latency(app: string): Promise<void>; commit(r: PublishRequest): PublishResult };
    await self.latency(request.name);
    const app = this.byName(request.name);
    const busy = app && [...app.versions.values()].some((v) => v.stuck || this.vclock.now() < v.readyAt);
    if (busy) {
      this.conflicts409 += 1;
      this.calls.push({ at: this.vclock.now(), call: 'publish', app: request.name, outcome: 'error', version: request.version });
      throw new FakeHttpError('POST apps/: 409 still publishing', 409, false, 1000);
    }
    const late = this.lateCommits.shift();
    if (late !== undefined) {
      this.calls.push({ at: this.vclock.now(), call: 'publish', app: request.name, outcome: 'error', version: request.version });
      void this.vclock.sleep(late).then(() => self.commit(request));
      throw new FakeHttpError('POST apps/: 504 Gateway Timeout', 504, true);
    }
    const result = self.commit(request);
    this.calls.push({ at: this.vclock.now(), call: 'publish', app: request.name, outcome: 'ok', version: request.version });
    return result;
  }
}

function setup<T extends FakeAppsHub>(make: (clock: VirtualClock) => T) {
  const clock = new VirtualClock();
  const api = make(clock);
  const recorder = recordEvents();
  const run = (plan: Plan, options: Partial<ApplyOptions> = {}) =>
    applyPlan(plan, api, { parallelism: 10, timeoutMs: 15 * 60_000, hooks: recorder, clock, random: () => 0.5, ...options });
  const events = <K extends ApplyEvent['type']>(type: K) => recorder.events.filter((e): e is Extract<ApplyEvent, { type: K }> => e.type === type);
  return { clock, api, run, events };
}

describe('a lost publish that took effect late is not sent again', () => {
  it('revision publish: a server that shows the old revision until the new one is READY still gets one POST, since it answers 409 meanwhile (A10)', async () => {
    // A lagging server hides the committed revision; what gives it away is the
    // 409 its A10 rule answers to the resend while our revision initialises.
    const { api, run, events } = setup((c) => new RealisticHub(c));
    const id = api.seed('Toy app', [{ version: 1, revision: 0, workflowPath: '/a.p7wf' }]);
    api.lagNext.add('Toy app');
    api.lateCommits = [0];

    const result = await run(planOf(updateApp('Toy app', id, [newRevision('Toy app', 1, 0, '/b.p7wf')])));

    expect(result.publishes[0]!.outcome).toBe('ready');
    expect(events('publish-recheck').at(-1)).toMatchObject({ tookEffect: true });
    expect(api.apps.get(id)!.versions.get(1)!.revision).toBe(1);
  });

  it('new version: a commit that lands after the first look is found by the second, before any resend', async () => {
    const { api, run, events } = setup((c) => new RealisticHub(c));
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    // Later than the first look at the app: the second one finds it.
    api.lateCommits = [2500];

    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));

    expect(events('publish-recheck').map((e) => e.tookEffect)).toEqual([false, true]);
    expect(api.posts()).toHaveLength(1);
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1, 2]);
    expect(result.publishes[0]!.outcome).toBe('ready');
  });

  it('new app: the same late commit is found, so no second version moves the default', async () => {
    const { api, run } = setup((c) => new RealisticHub(c));
    api.lateCommits = [200];

    await run(planOf(createApp('Toy app', 1)));

    const app = api.byName('Toy app')!;
    expect([...app.versions.keys()]).toEqual([1]);
    expect(app.defaultVersion).toBe(1);
  });
});

/** A late-committing server without the A10 rule: a resend is committed on top of a late commit, as a duplicate. */
class LateHub extends FakeAppsHub {
  lateCommits: (number | undefined)[] = [];

  constructor(private readonly vclock: VirtualClock) {
    super(vclock);
  }

  override async publish(request: PublishRequest): Promise<PublishResult> {
    const self = this as unknown as { commit(r: PublishRequest): PublishResult };
    const late = this.lateCommits.shift();
    if (late === undefined) return super.publish(request);
    this.calls.push({ at: this.vclock.now(), call: 'publish', app: request.name, outcome: 'error', version: request.version });
    void this.vclock.sleep(late).then(() => self.commit(request));
    throw new FakeHttpError('POST apps/: 504 Gateway Timeout', 504, true);
  }
}

describe('the late-commit window: no resend until the app has stayed unchanged for longer than a gateway timeout', () => {
  it.each([
    ['6 s (after the old looks at 1 s and 3 s)', 6_000],
    ['100 s', 100_000],
  ])('a publish committed %s after its 504 is found, never sent again (default window)', async (_when, lateMs) => {
    const { api, run, events } = setup((c) => new LateHub(c));
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.lateCommits = [lateMs];

    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1, true)])));

    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', resends: 0 });
    expect(api.posts()).toHaveLength(1);
    expect(events('publish-resend')).toEqual([]);
    expect(events('publish-recheck').at(-1)).toMatchObject({ tookEffect: true });
    const app = api.apps.get(id)!;
    expect([...app.versions.keys()]).toEqual([1, 2]);
    expect(app.defaultVersion).toBe(2);
  });

  it('a window longer than what is left of the timeout ends at the timeout, saying the commit is not known, and sends nothing again', async () => {
    const { api, run } = setup((c) => new LateHub(c));
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.lateCommits = [100_000];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])), { timeoutMs: 60_000 });
    expect(result.publishes[0]!.outcome).toBe('unconfirmed');
    expect(result.publishes[0]!.error).toBe(
      'Toy app v2 may have committed: run apply again (its answer was lost and its 1m timeout passed before p7apps could check whether it was committed)',
    );
    expect(api.posts()).toHaveLength(1);
  });

  it('interrupted while it waits out the window, a lost publish is reported unconfirmed, not as unsent, and never sent again', async () => {
    const clock = new VirtualClock();
    const api = new LateHub(clock);
    api.lateCommits = [500_000];
    const controller = new AbortController();
    const recorder = recordEvents();
    const hooks = { emit: (e: ApplyEvent) => (recorder.emit(e), e.type === 'publish-recheck' && controller.abort()) };
    const result = await applyPlan(planOf(createApp('Toy app')), api, { parallelism: 2, timeoutMs: 15 * 60_000, hooks, clock, signal: controller.signal });
    expect(result.publishes[0]!.outcome).toBe('unconfirmed');
    expect(result.publishes[0]!.error).toMatch(/Toy app v1 may have committed: run apply again \(its answer was lost and the run was interrupted before p7apps could check whether it was committed\)/);
    expect(api.posts()).toHaveLength(1);
  });

  it('the looks come quickly at first, then every 15 s, and the last one comes just past the end of the window', () => {
    expect(lateCommitLooks(120_000)).toEqual([1000, 3000, 10_000, 25_000, 40_000, 55_000, 70_000, 85_000, 100_000, 115_000, 122_000]);
    expect(lateCommitLooks(500)).toEqual([525]);
    expect(lateCommitLooks(5000, 4000)).toEqual([4000, 5250]);
    expect(lateCommitLooks(0, 2000)).toEqual([2000]);
  });

  it('a new version committed after the window, before the resend landed: the answer names the next version, reported as a duplicate', async () => {
    const { api, run } = setup((c) => new LateHub(c));
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    // Lands after the last look (two reads of 20 ms, 500 ms past the window's end) and before the resend (20 ms more) is committed.
    api.lateCommits = [10_550];

    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1, true)])), { lateCommitWindowMs: 10_000 });

    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(result.publishes[0]!.error).toMatch(
      /^duplicate publish on "Toy app": the server answered with v3 where the plan expected v2, so an extra version now exists; probably the earlier send, whose answer was lost, was committed after the 10s late-commit window/,
    );
    expect(result.publishes[0]!.error).toMatch(/remove the extra version or revision .* then run "p7apps plan"/);
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1, 2, 3]);
  });

  it('a new revision committed after the window, while the resend waits for READY: reported as a duplicate revision', async () => {
    const { api, run } = setup((c) => new LateHub(c));
    const id = api.seed('Toy app', [{ version: 1, revision: 4, workflowPath: '/a.p7wf' }]);
    api.readyAfterMs = 5000;
    api.lateCommits = [12_000];

    const result = await run(planOf(updateApp('Toy app', id, [newRevision('Toy app', 1, 4, '/b.p7wf')])), { lateCommitWindowMs: 10_000 });

    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(result.publishes[0]!.error).toMatch(/^duplicate publish on "Toy app": v1 moved to revision 6 while p7apps waited for revision 5/);
    expect(result.publishes[0]!.error).toMatch(/after the 10s late-commit window/);
  });

  it('a publish answering with a second new revision is reported as a duplicate', async () => {
    const { api, run } = setup((c) => new LateHub(c));
    const id = api.seed('Toy app', [{ version: 1, revision: 4, workflowPath: '/a.p7wf' }]);
    // Committed by someone else between the pre-publish read and our send.
    const original = api.publish.bind(api);
    api.publish = async (request) => {
      await original(request);
      return original(request);
    };

    const result = await run(planOf(updateApp('Toy app', id, [newRevision('Toy app', 1, 4, '/b.p7wf')])));

    expect(result.publishes[0]!.error).toMatch(/^duplicate publish on "Toy app": v1 is now at revision 6 where this publish should have made revision 5, so an extra revision was published; probably another apply/);
  });

  it('while one app waits out its window, the other apps go on even with one slot', async () => {
    const { api, run, events } = setup((c) => new LateHub(c));
    api.lateCommits = [60_000];

    const result = await run(planOf(createApp('A app'), createApp('B app'), createApp('C app')), { parallelism: 1 });

    expect(result.publishes.map((p) => p.outcome)).toEqual(['ready', 'ready', 'ready']);
    const readyAt = Object.fromEntries(events('publish-ready').map((e) => [e.app, e.at]));
    expect(readyAt['B app']!).toBeLessThan(readyAt['A app']!);
    expect(readyAt['C app']!).toBeLessThan(readyAt['A app']!);
    expect(api.posts()).toHaveLength(3);
    expect(api.maxConcurrentApps).toBeLessThanOrEqual(2);
  });
});
