import { describe, expect, it } from 'vitest';
import { setup } from './harness.js';
import { UNKNOWN } from '../../src/appshub/types.js';
import type { ApplyEvent } from '../../src/apply/events.js';
import { FakeHttpError } from './fake-api.js';
import { createApp, newRevision, newVersion, planOf, updateApp } from './plans.js';

describe('applyPlan: order and parallelism', () => {
  it('publishes the versions of one app in order, each after the previous one is READY', async () => {
    const { api, run, events } = setup();
    const result = await run(planOf(createApp('Toy app', 3)));

    expect(result.publishes.map((p) => [p.version, p.outcome])).toEqual([[1, 'ready'], [2, 'ready'], [3, 'ready']]);
    const app = api.byName('Toy app')!;
    expect([...app.versions.keys()]).toEqual([1, 2, 3]);
    expect(api.posts()).toHaveLength(3);
    // Each POST comes after the READY of the version before it.
    const ready = events('publish-ready');
    const sent = events('publish-sent');
    expect(sent[1]!.at).toBeGreaterThanOrEqual(ready[0]!.at);
    expect(sent[2]!.at).toBeGreaterThanOrEqual(ready[1]!.at);
    expect(result.totals).toMatchObject({ planned: 3, ready: 3, requestsSent: 3, resends: 0 });
    expect(result.interrupted).toBe(false);
  });

  it('takes the id of a new app from its first publish for the later ones', async () => {
    const { api, run } = setup();
    const result = await run(planOf(createApp('Toy app', 2)));
    const id = api.byName('Toy app')!.id;
    expect(result.publishes.map((p) => p.appId)).toEqual([id, id]);
    expect(api.calls.filter((c) => c.call === 'getAppVersion').every((c) => c.app === 'Toy app')).toBe(true);
  });

  it.each([1, 2, 4])('runs at most %i apps at once', async (parallelism) => {
    const { api, run, recorder } = setup();
    const plan = planOf(...['A', 'B', 'C', 'D', 'E', 'F'].map((n) => createApp(n, 2)));
    await run(plan, { parallelism });

    let running = 0;
    let most = 0;
    for (const e of recorder.events) {
      if (e.type === 'app-start') most = Math.max(most, ++running);
      if (e.type === 'app-done') running--;
    }
    expect(most).toBe(parallelism);
    expect(api.apps.size).toBe(6);
    expect(api.posts()).toHaveLength(12);
  });

  it('does not touch an app the plan holds a conflict for, and says so', async () => {
    const { api, run, events } = setup();
    const result = await run(
      planOf(createApp('Good'), { action: 'conflict', name: 'Bad', notes: [], conflicts: [{ kind: 'default-not-published', version: 4 }] }),
    );
    expect(api.posts().map((c) => c.app)).toEqual(['Good']);
    expect(result.skippedApps).toEqual([{ app: 'Bad', reason: 'conflict', detail: expect.stringContaining('conflict') }]);
    expect(events('app-skipped').map((e) => e.app)).toEqual(['Bad']);
  });

  it('does not touch an app that waits for a version still publishing, and says why (not a conflict)', async () => {
    const { api, run, events } = setup();
    const result = await run(
      planOf(createApp('Good'), { action: 'wait', name: 'Busy', appId: 'busy1', workspace: UNKNOWN, notes: [], publishing: [{ version: 2, state: 'INITIALIZING', declared: true }] }),
    );
    expect(api.posts().map((c) => c.app)).toEqual(['Good']);
    expect(result.skippedApps).toEqual([{ app: 'Busy', reason: 'still-publishing', detail: expect.stringContaining('still publishing') }]);
    expect(events('app-skipped').map((e) => [e.app, e.reason])).toEqual([['Busy', 'still-publishing']]);
  });

  it('sends exactly the planned request', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    const publish = newRevision('Toy app', 1, 0, '/b.p7wf', 1, true);
    publish.request.description = 'New words';
    const seen: unknown[] = [];
    const original = api.publish.bind(api);
    api.publish = async (request) => {
      seen.push(request);
      return original(request);
    };
    await run(planOf(updateApp('Toy app', id, [publish])));
    expect(seen).toEqual([publish.request]);
  });
});

describe('applyPlan: the ambiguous write', () => {
  it('carries on without resending when the lost publish took effect', async () => {
    const { api, run, events } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = ['lose-after-commit'];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));

    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', resends: 0, version: 2 });
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1, 2]);
    expect(api.posts()).toHaveLength(1);
    expect(events('publish-recheck')).toEqual([expect.objectContaining({ tookEffect: true })]);
    expect(events('publish-resend')).toEqual([]);
  });

  it('finds a new app by name when the response that would have carried its id was lost', async () => {
    const { api, run } = setup();
    api.publishFaults = ['lose-after-commit'];
    const result = await run(planOf(createApp('Toy app', 2)));
    expect(result.publishes.map((p) => p.outcome)).toEqual(['ready', 'ready']);
    expect(api.apps.size).toBe(1);
    expect(api.posts()).toHaveLength(2);
    expect(result.publishes[1]!.appId).toBe(api.byName('Toy app')!.id);
  });

  it.each([
    ['a new app', () => createApp('Toy app'), null],
    ['a new version', () => updateApp('Toy app', 'app1', [newVersion('Toy app', 2, '/b.p7wf', 1)]), 'app1'],
    ['a new revision', () => updateApp('Toy app', 'app1', [newRevision('Toy app', 1, 0, '/b.p7wf')]), 'app1'],
  ])('sends %s again when the lost publish did not take effect, and ends with exactly one', async (_what, makePlan, seeded) => {
    const { api, run, events } = setup();
    if (seeded) api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = ['lose-before-commit'];
    const result = await run(planOf(makePlan()));

    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', resends: 1 });
    expect(result.totals).toMatchObject({ requestsSent: 2, resends: 1 });
    // Looks all through the late-commit window (120 s by default), none showing the commit, then one resend.
    const looks = events('publish-recheck');
    expect(looks.length).toBeGreaterThan(2);
    expect(looks.every((e) => !e.tookEffect)).toBe(true);
    expect(events('publish-resend')).toEqual([expect.objectContaining({ reason: 'response-lost', attempt: 2 })]);
    const [first, second] = api.posts();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(120_000);
    const app = api.byName('Toy app')!;
    expect(api.apps.size).toBe(1);
    expect(seeded === null ? [...app.versions.keys()] : [...app.versions.values()].map((v) => [v.version, v.revision])).toEqual(
      seeded === null ? [1] : _what === 'a new version' ? [[1, 0], [2, 0]] : [[1, 1]],
    );
  });

  it('recognises a new revision that took effect by its revision number', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, revision: 4, workflowPath: '/a.p7wf' }]);
    api.publishFaults = ['lose-after-commit'];
    const result = await run(planOf(updateApp('Toy app', id, [newRevision('Toy app', 1, 4, '/b.p7wf')])));
    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', resends: 0, revision: 5 });
    expect(api.apps.get(id)!.versions.get(1)!.revision).toBe(5);
    expect(api.posts()).toHaveLength(1);
  });

  it('gives up after the bounded number of resends, with nothing committed', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = ['lose-before-commit', 'lose-before-commit', 'lose-before-commit'];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1), newVersion('Toy app', 3, '/c.p7wf', 2)])), {
      maxResends: 2,
    });

    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toMatch(/response was lost 3 times .* not committed/);
    expect(api.posts()).toHaveLength(3);
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1]);
  });

  it('stops rather than resend when the version now exists with another workflow', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    // Someone else's publish of v2 lands while ours is lost before committing.
    const original = api.publish.bind(api);
    let first = true;
    api.publish = async (request) => {
      if (first) {
        first = false;
        api.apps.get(id)!.versions.set(2, { version: 2, revision: 0, workflowPath: '/theirs.p7wf', readyAt: 0 });
        api.publishFaults = ['lose-before-commit'];
      }
      return original(request);
    };
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));

    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(result.publishes[0]!.error).toMatch(/v2 now holds a publish of \/theirs\.p7wf.*not sending it again/);
    expect(api.posts()).toHaveLength(1);
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1, 2]);
  });

  it('stops rather than resend when the app cannot be read again', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = ['lose-before-commit'];
    api.readFaults = [{ status: 500 }];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));
    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(result.publishes[0]!.error).toMatch(/reading the app again failed/);
    expect(api.posts()).toHaveLength(1);
  });

  it('fails a publish the server numbered differently from the plan as a duplicate, and skips the rest of that app', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }, { version: 2, workflowPath: '/x.p7wf' }]);
    // Without the pre-publish read, which would have seen v2 and sent nothing (next test).
    const plan = planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1), newVersion('Toy app', 3, '/c.p7wf', 2)]));
    const result = await run(plan, { checkBeforePublish: false });
    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toMatch(/^duplicate publish on "Toy app": the server answered with v3 where the plan expected v2, so an extra version now exists; probably another apply/);
    expect(api.posts()).toHaveLength(1);
  });

  // Found by an adversarial review: the answer's app was polled, and its READY reported as this publish's.
  it('reads the app back when the answer names another app, and follows what it made, not the other app', async () => {
    const { api, run, events } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    const other = api.seed('Other app', [{ version: 1, workflowPath: '/o.p7wf' }]);
    api.publishFaults = [{ answer: { appId: other } }];
    api.failNext.set('Toy app', { version: 1, detail: 'the workflow does not load' });
    const result = await run(planOf(updateApp('Toy app', id, [newRevision('Toy app', 1, 0, '/b.p7wf')])));
    expect(events('publish-ambiguous')[0]!.error).toBe(`the server accepted publishing Toy app v1 but its answer names another app (id "${other}"; "Toy app" is "${id}")`);
    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(result.publishes[0]!.error).toMatch(/the workflow does not load/);
    expect(api.calls.filter((c) => c.call === 'getAppVersion').every((c) => c.app === 'Toy app')).toBe(true);
    expect(api.posts()).toHaveLength(1);
  });

  it('reads a new app back by its name when the answer to its first publish names another app', async () => {
    const { api, run, events } = setup();
    const other = api.seed('Other app', [{ version: 1, workflowPath: '/o.p7wf' }]);
    api.publishFaults = [{ answer: { appId: other, name: 'Other app' } }];
    const result = await run(planOf(createApp('Toy app')));
    expect(events('publish-ambiguous')[0]!.error).toBe(`the server accepted publishing Toy app v1 but its answer names another app ("Other app", id "${other}")`);
    const made = api.byName('Toy app')!.id;
    expect(result.publishes.map((p) => [p.outcome, p.appId])).toEqual([['ready', made]]);
    expect(api.calls.filter((c) => c.call === 'getAppVersion').every((c) => c.app === 'Toy app')).toBe(true);
    expect(api.posts()).toHaveLength(1);
  });

  it('does not say an extra version exists when the answer names a version reading the app back does not show', async () => {
    const { api, run, events } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = [{ answer: { version: 3 } }];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));
    expect(events('publish-ambiguous')[0]!.error).toBe('the server accepted publishing Toy app v2 but its answer names v3, which reading the app back does not show');
    // What it made, read back: v2, which becomes READY.
    expect(result.publishes.map((p) => p.outcome)).toEqual(['ready']);
    expect(result.publishes[0]!.error ?? null).toBeNull();
    expect(api.posts()).toHaveLength(1);
  });

  it('does not say an extra version exists when the list that would find a new app fails to read: it reads the app back instead', async () => {
    const { api, run, events } = setup();
    api.publishFaults = [{ answer: { version: 3 } }];
    // The check before the publish reads the list; the next read, to find where the answer's v3 would be, fails.
    api.listFaults = [undefined, { status: 500 }];
    const result = await run(planOf(createApp('Toy app')));
    expect(api.calls.filter((c) => c.call === 'listApps').map((c) => c.outcome)).toEqual(['ok', 'error', 'ok']);
    expect(events('publish-ambiguous')[0]!.error).toBe('the server accepted publishing Toy app v1 but its answer names v3, which reading the app back does not show');
    // What it made, read back by name: v1, followed to READY; v3 was never asked for, nor sent again.
    expect(result.publishes.map((p) => p.outcome)).toEqual(['ready']);
    expect(api.calls.filter((c) => c.call === 'getAppVersion').map((c) => c.version)).not.toContain(3);
    expect(api.posts()).toHaveLength(1);
  });

  it('after a 409 "still publishing", reads the app again and stops when another run published the version meanwhile', async () => {
    const { api, run, events } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    const original = api.publish.bind(api);
    let first = true;
    api.publish = async (request) => {
      if (!first) return original(request);
      first = false;
      // Another apply's publish of the same version got there first and is initialising.
      await original({ ...request, workflowPath: '/theirs.p7wf' });
      throw new FakeHttpError('POST apps/: 409 still publishing', 409, false, 1000);
    };
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));
    expect(result.publishes[0]!.error).toMatch(/^not publishing Toy app v2: the app changed after the plan was made \(v2 now exists on the server/);
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1, 2]);
    expect(events('publish-resend')).toHaveLength(1);
  });

  it('sends nothing for an app that changed since the plan, seen by the read before the publish, and the other apps go on', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }, { version: 2, workflowPath: '/x.p7wf' }]);
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1), newVersion('Toy app', 3, '/c.p7wf', 2)]), createApp('Other')));
    expect(result.publishes.map((p) => [p.app, p.outcome])).toEqual([['Toy app', 'failed'], ['Toy app', 'skipped'], ['Other', 'ready']]);
    expect(result.publishes[0]!.error).toMatch(/^not publishing Toy app v2: the app changed after the plan was made \(v2 now exists on the server; the plan was to create it\)/);
    expect(api.posts().map((p) => p.app)).toEqual(['Other']);
  });
});

describe('applyPlan: server refusals and failures', () => {
  it.each([409, 429] as const)('waits for Retry-After after a %i and sends again', async (status) => {
    const { api, run, events, clock } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = [{ status, retryAfterMs: 7000 }, { status, retryAfterMs: 3000 }];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));

    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', resends: 2 });
    expect(events('publish-resend').map((e) => [e.reason, e.waitMs])).toEqual([['server-busy', 7000], ['server-busy', 3000]]);
    const posts = api.posts();
    expect(posts).toHaveLength(3);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(7000);
    expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(3000);
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1, 2]);
    expect(clock.sleeps.some((s) => s.ms === 7000)).toBe(true);
  });

  it('gives up on a server that stays busy past the timeout', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = Array.from({ length: 100 }, () => ({ status: 409 as const, retryAfterMs: 10_000 }));
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])), { timeoutMs: 60_000 });
    expect(result.publishes[0]!.outcome).toBe('timed-out');
    expect(result.publishes[0]!.error).toMatch(/refused as busy \(409\) until the 1m timeout/);
    expect(api.posts().length).toBeLessThanOrEqual(7);
  });

  it('reports a definite refusal without sending again', async () => {
    const { api, run } = setup();
    api.publishFaults = [{ status: 400 }];
    const result = await run(planOf(createApp('Toy app', 2)));
    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toMatch(/^publishing Toy app v1 failed: POST apps\/: 400/);
    expect(api.posts()).toHaveLength(1);
  });

  it("reports FAILED with the server's detail and skips the app's later publishes", async () => {
    const { api, run, events } = setup();
    api.failNext.set('Toy app', { version: 1, detail: 'Workflow validation error: block Solver has no inputs' });
    const result = await run(planOf(createApp('Toy app', 3)));

    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped', 'skipped']);
    expect(result.publishes[0]!.error).toBe('Toy app v1 failed to publish: Workflow validation error: block Solver has no inputs');
    expect(events('app-done')).toEqual([expect.objectContaining({ outcome: 'failed', skipped: [2, 3] })]);
    expect(api.posts()).toHaveLength(1);
  });

  it('times out a version that never leaves the queue, naming the last state', async () => {
    const { api, run, clock } = setup();
    api.stickNext.add('Toy app');
    const started = clock.now();
    const result = await run(planOf(createApp('Toy app')), { timeoutMs: 90_000 });
    expect(result.publishes[0]!.outcome).toBe('timed-out');
    expect(result.publishes[0]!.error).toBe('Toy app v1 did not become READY within 1m 30s (last state QUEUED_TO_INITIALIZE)');
    expect(clock.now() - started).toBeLessThan(90_000 + 6000);
  });

  it('keeps waiting while a READY version still shows the revision it replaces', async () => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, revision: 2, workflowPath: '/a.p7wf' }]);
    api.lagNext.add('Toy app');
    api.readyAfterMs = 4000;
    const result = await run(planOf(updateApp('Toy app', id, [newRevision('Toy app', 1, 2, '/b.p7wf')])));
    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', revision: 3 });
    const sentAt = api.posts()[0]!.at;
    expect(result.publishes[0]!.timeToReadyMs).toBeGreaterThanOrEqual(4000);
    expect(api.calls.filter((c) => c.call === 'getAppVersion' && c.at - sentAt < 4000).length).toBeGreaterThan(1);
  });

  it('lets one app fail while the others finish', async () => {
    const { api, run } = setup();
    api.failNext.set('B', { version: 1, detail: 'broken' });
    const result = await run(planOf(createApp('A', 2), createApp('B', 2), createApp('C', 2)), { parallelism: 1 });
    expect(result.apps.map((a) => [a.app, a.outcome])).toEqual([['A', 'done'], ['B', 'failed'], ['C', 'done']]);
    expect(result.totals).toMatchObject({ ready: 4, failed: 1, skipped: 1 });
    expect([...api.byName('C')!.versions.keys()]).toEqual([1, 2]);
  });

  it('fails a publish whose state cannot be read after repeated errors', async () => {
    const { api, run } = setup();
    api.readFaults = Array.from({ length: 5 }, () => ({ status: 500 }));
    const result = await run(planOf(createApp('Toy app')), { maxPollErrors: 5 });
    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(result.publishes[0]!.error).toMatch(/^could not read the state of Toy app v1: GET .* 500/);
  });
});

describe('applyPlan: polling', () => {
  it('polls at most about once a second per waiting version after the first few seconds', async () => {
    const { api, run } = setup();
    for (const random of [0, 0.5, 0.999]) {
      api.calls.length = 0;
      api.stickNext.add(`Toy app ${random}`);
      await run(planOf(createApp(`Toy app ${random}`)), { timeoutMs: 120_000, random: () => random });
      const polls = api.calls.filter((c) => c.call === 'getAppVersion').map((c) => c.at);
      const start = api.posts()[0]!.at;
      const early = polls.filter((t) => t - start <= 3000);
      const late = polls.filter((t) => t - start > 3000);
      expect(early.length).toBeGreaterThanOrEqual(3);
      // Every gap after the first few seconds is at least a second, and the mean is well under 1/s.
      for (let i = 1; i < late.length; i++) expect(late[i]! - late[i - 1]!).toBeGreaterThanOrEqual(1000);
      expect(late.length / 117).toBeLessThan(0.5);
    }
  });

  it('waits at least the Retry-After a failed poll asked for', async () => {
    const { api, run } = setup();
    api.readyAfterMs = 100;
    api.readFaults = [{ status: 503, retryAfterMs: 9000 }, { status: 429, retryAfterMs: 4000 }];
    const result = await run(planOf(createApp('Toy app')));
    const polls = api.calls.filter((c) => c.call === 'getAppVersion').map((c) => c.at);
    expect(polls).toHaveLength(3);
    expect(polls[1]! - polls[0]!).toBeGreaterThanOrEqual(9000);
    expect(polls[2]! - polls[1]!).toBeGreaterThanOrEqual(4000);
    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', polls: 3 });
  });
});

describe('applyPlan: interruption', () => {
  it('finishes the POST in flight, stops waiting, starts nothing new and says what is unconfirmed', async () => {
    const { api, run, recorder, events } = setup();
    const controller = new AbortController();
    api.onPublishSent = (request) => {
      if (request.name === 'A') controller.abort();
    };
    const result = await run(planOf(createApp('A', 2), createApp('B', 1), createApp('C', 1)), {
      parallelism: 1,
      signal: controller.signal,
      hooks: recorder,
    });

    expect(result.interrupted).toBe(true);
    // The POST that was on its way when the signal came was let through and is reported unconfirmed.
    expect(api.posts().map((c) => c.app)).toEqual(['A']);
    expect(result.publishes.map((p) => [p.app, p.version, p.outcome])).toEqual([
      ['A', 1, 'unconfirmed'],
      ['A', 2, 'not-started'],
      ['B', 1, 'not-started'],
      ['C', 1, 'not-started'],
    ]);
    expect(result.apps.map((a) => a.outcome)).toEqual(['interrupted', 'not-started', 'not-started']);
    expect(events('interrupted')).toHaveLength(1);
    expect(events('publish-unconfirmed')[0]!.detail).toMatch(/published but the run was interrupted before it was confirmed READY/);
    expect(events('app-skipped').map((e) => [e.app, e.reason])).toEqual([['B', 'interrupted'], ['C', 'interrupted']]);
    expect(events('apply-done')[0]!.interrupted).toBe(true);
  });

  it('stops waiting at once when interrupted during a long wait', async () => {
    const { api, run, clock } = setup();
    api.stickNext.add('Toy app');
    const controller = new AbortController();
    const started = clock.now();
    const hooks = {
      emit(event: ApplyEvent) {
        if (event.type === 'poll' && event.polls === 5) controller.abort();
      },
    };
    const result = await run(planOf(createApp('Toy app')), { signal: controller.signal, hooks });
    expect(result.publishes[0]!.outcome).toBe('unconfirmed');
    expect(clock.now() - started).toBeLessThan(10_000);
  });

  it('does not resend a lost publish once interrupted', async () => {
    const { api, run } = setup();
    api.publishFaults = ['lose-before-commit'];
    const controller = new AbortController();
    api.onPublishSent = () => controller.abort();
    const result = await run(planOf(createApp('Toy app')), { signal: controller.signal });
    expect(result.publishes[0]!.outcome).toBe('unconfirmed');
    expect(result.publishes[0]!.error).toMatch(/may have committed: run apply again \(its answer was lost and the run was interrupted/);
    expect(api.posts()).toHaveLength(1);
  });

  it('sends nothing for a publish interrupted while its pre-publish check is out', async () => {
    const { api, run } = setup();
    const controller = new AbortController();
    const hooks = { emit: (e: ApplyEvent) => e.type === 'publish-start' && controller.abort() };
    const result = await run(planOf(createApp('A'), createApp('B')), { signal: controller.signal, hooks, parallelism: 2 });
    expect(api.posts()).toEqual([]);
    expect(result.publishes.map((p) => [p.app, p.outcome])).toEqual([
      ['A', 'not-started'],
      ['B', 'not-started'],
    ]);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const { api, run } = setup();
    const controller = new AbortController();
    controller.abort();
    const result = await run(planOf(createApp('A'), createApp('B')), { signal: controller.signal });
    expect(api.calls).toEqual([]);
    expect(result.totals).toMatchObject({ planned: 2, notStarted: 2, requestsSent: 0 });
  });
});

describe('applyPlan: events', () => {
  it('tells one complete story, stamped by the clock, without credentials', async () => {
    const { run, recorder } = setup();
    await run(planOf(createApp('Toy app', 2)));
    const types = recorder.events.map((e) => e.type).filter((t) => t !== 'poll');
    expect(types).toEqual([
      'apply-start',
      'app-start',
      'publish-start',
      'publish-sent',
      'publish-ready',
      'publish-start',
      'publish-sent',
      'publish-ready',
      'app-done',
      'apply-done',
    ]);
    const times = recorder.events.map((e) => e.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(JSON.stringify(recorder.events)).not.toMatch(/token|authorization/i);
  });
});
