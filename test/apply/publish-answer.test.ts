// The executor against publish answers and publishing states that differ from
// the emulator's default: a 2xx whose answer cannot be read or does not say
// which version it made (committed: read back, never sent again, A21), the
// answer's own URL polled (A22), and states p7apps does not know or that look
// like failures (A23), on virtual time.

import { describe, expect, it } from 'vitest';
import { setup } from './harness.js';
import { applyPlan } from '../../src/apply/execute.js';
import { stateName, type ApplyEvent } from '../../src/apply/events.js';
import { progressLines } from '../../src/render/progress-lines.js';
import { progressTty } from '../../src/render/progress-tty.js';
import { renderApplySummary } from '../../src/render/progress-summary.js';
import type { AppPlan } from '../../src/plan/types.js';
import { FakeAppsHub, type PublishFault } from './fake-api.js';
import { createApp, newRevision, newVersion, planOf, updateApp } from './plans.js';
import { VirtualClock } from './virtual-clock.js';

describe('a publish the server accepted without saying what it made (A21)', () => {
  it.each<[string, () => AppPlan, boolean]>([
    ['a new app', () => createApp('Toy app'), false],
    ['a new version', () => updateApp('Toy app', 'app1', [newVersion('Toy app', 2, '/b.p7wf', 1)]), true],
    ['a new revision', () => updateApp('Toy app', 'app1', [newRevision('Toy app', 1, 0, '/b.p7wf')]), true],
  ])('%s answered with an unreadable 2xx: read back, never sent again, READY', async (_, makePlan, seeded) => {
    const { api, run, events } = setup();
    if (seeded) api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = ['commit-unreadable'];
    const result = await run(planOf(makePlan()));

    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', resends: 0 });
    expect(result.totals).toMatchObject({ requestsSent: 1, resends: 0 });
    expect(api.posts()).toHaveLength(1);
    expect(events('publish-ambiguous')).toEqual([expect.objectContaining({ committed: true, attempt: 1 })]);
    expect(events('publish-recheck')).toEqual([expect.objectContaining({ tookEffect: true })]);
    expect(events('publish-resend')).toEqual([]);
  });

  it('reads back a 201 that does not say which version it published, and waits for the planned one', async () => {
    const { api, run, events } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = ['commit-without-version'];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1)])));

    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', resends: 0, appId: id });
    expect(api.posts()).toHaveLength(1);
    expect(events('publish-sent')).toEqual([]);
    expect(events('publish-ambiguous')[0]!.error).toBe('the server accepted publishing Toy app v2 but its answer does not say which version it published');
  });

  it('never sends again when reading back does not find the publish: it stops and says so', async () => {
    const { api, run, events } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    // The server says it accepted, yet shows nothing: commit-unreadable with the commit undone.
    const original = api.publish.bind(api);
    api.publish = async (request) => {
      await original(request).catch(() => undefined);
      api.apps.get(id)!.versions.delete(2);
      throw Object.assign(new Error('Malformed response to POST apps/: it is not JSON; the server accepted it, so it took effect'), { ambiguous: true, committed: true });
    };
    api.publishFaults = ['commit-unreadable'];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1), newVersion('Toy app', 3, '/c.p7wf', 2)])));

    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toBe(
      'the server accepted publishing Toy app v2 but its answer could not be read, and reading the app back does not show it ' +
        '(v2 does not exist: not committed); not sending it again. Run "p7apps plan" to see the server\'s state.',
    );
    expect(result.totals).toMatchObject({ requestsSent: 1, resends: 0 });
    expect(events('publish-recheck')).toHaveLength(3);
  });

  it('words the read-back for people, not as a lost response', async () => {
    const { api, run, recorder } = setup();
    api.publishFaults = ['commit-unreadable'];
    await run(planOf(createApp('Toy app')));
    const lines: string[] = [];
    const listener = progressLines({ write: (text: string) => lines.push(text) > 0 });
    for (const event of recorder.events) listener.emit(event);
    const line = lines.find((l) => l.includes('reading the app back'));
    expect(line).toContain('Toy app: v1: Malformed response to POST apps/: it is not JSON but an HTML page; the server accepted it, so it took effect; reading the app back (it is not sent again)');
    expect(lines.join('')).not.toContain('the response was lost');
  });
});

describe('polling the URL the publish answer gave (A22)', () => {
  it('hands the answer\'s URL to every poll of that publish', async () => {
    const { api, run } = setup();
    api.answerUrl = (appId, version) => `https://fake.example/appshub/.rest/v2/apps/${appId}/versions/${version}/`;
    await run(planOf(createApp('Toy app', 2)));
    const id = api.byName('Toy app')!.id;
    expect(api.versionUrls.length).toBeGreaterThan(2);
    expect(new Set(api.versionUrls)).toEqual(
      new Set([`https://fake.example/appshub/.rest/v2/apps/${id}/versions/1/`, `https://fake.example/appshub/.rest/v2/apps/${id}/versions/2/`]),
    );
  });

  it('falls back to the version\'s usual URL when the answer\'s fails', async () => {
    const { api, run } = setup();
    api.answerUrl = (appId, version) => `https://fake.example/appshub/.rest/v2/missing/${appId}@${version}/`;
    const result = await run(planOf(createApp('Toy app')));
    expect(result.publishes[0]!.outcome).toBe('ready');
    expect(api.versionUrls[0]).toContain('/missing/');
    expect(api.versionUrls.slice(1).every((url) => url === undefined)).toBe(true);
  });

  it('polls without a URL when the answer gave none', async () => {
    const { api, run } = setup();
    await run(planOf(createApp('Toy app')));
    expect(api.versionUrls.every((url) => url === undefined)).toBe(true);
  });

  it('polls without a URL after reading back a publish whose answer was lost', async () => {
    const { api, run } = setup();
    api.answerUrl = (appId, version) => `https://fake.example/appshub/.rest/v2/apps/${appId}@${version}/`;
    api.publishFaults = ['lose-after-commit'];
    await run(planOf(createApp('Toy app')));
    expect(api.versionUrls.filter((url) => url !== undefined)).toEqual([]);
  });
});

describe('publishing states (A23)', () => {
  it.each<[string, string | null | undefined, string]>([
    ['ERROR', undefined, 'Toy app v1 failed to publish (state ERROR): no detail given'],
    ['ERROR', null, 'Toy app v1 failed to publish (state ERROR): no detail given'],
    ['CANCELLED', 'Cancelled by an administrator', 'Toy app v1 failed to publish (state CANCELLED): Cancelled by an administrator'],
    ['BUILD_FAILURE', 'image build failed', 'Toy app v1 failed to publish (state BUILD_FAILURE): image build failed'],
    ['FAILED', undefined, 'Toy app v1 failed to publish: no detail given'],
    ['rejected', '', 'Toy app v1 failed to publish (state rejected): no detail given'],
  ])('ends the wait at once on %s (detail %j)', async (state, detail, error) => {
    const { api, run, clock } = setup();
    api.stateOverride = (_app, _v, since) => (since >= 1000 ? { state, ...(detail === undefined ? {} : { detail }) } : undefined);
    const started = clock.now();
    const result = await run(planOf(createApp('Toy app', 2)));
    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toBe(error);
    expect(clock.now() - started).toBeLessThan(5000);
  });

  it('shows a state it does not know at once, waits on it while it changes, and remembers it in the report', async () => {
    const { api, run, events, clock } = setup();
    const script = [
      { until: 500, state: 'QUEUED_TO_INITIALIZE' },
      { until: 60_000, state: 'BUILDING_IMAGE' },
      { until: 150_000, state: 'DEPLOYING' },
      { until: 151_000, state: 'INITIALIZING' },
    ];
    api.readyAfterMs = 152_000;
    api.stateOverride = (_app, _v, since) => script.find((s) => since < s.until);
    const started = clock.now();
    const result = await run(planOf(createApp('Toy app')), { unknownStateLimitMs: 100_000 });

    expect(result.publishes[0]).toMatchObject({ outcome: 'ready', unknownStates: ['BUILDING_IMAGE', 'DEPLOYING'] });
    const unknown = events('publish-state-unknown');
    expect(unknown.map((e) => [e.state, e.limitMs])).toEqual([
      ['BUILDING_IMAGE', 100_000],
      ['DEPLOYING', 100_000],
    ]);
    // Announced on the first poll that saw it, not later.
    const firstPoll = events('poll').find((e) => e.state === 'BUILDING_IMAGE')!;
    expect(unknown[0]!.at).toBe(firstPoll.at);
    expect(clock.now() - started).toBeGreaterThanOrEqual(152_000);
  });

  it('ends the wait when a state it does not know stays unchanged for the limit, long before the timeout', async () => {
    const { api, run, clock } = setup();
    api.stateOverride = (_app, _v, since) => (since >= 300 ? { state: 'PAUSED' } : undefined);
    const started = clock.now();
    const result = await run(planOf(createApp('Toy app', 2)), { unknownStateLimitMs: 30_000, timeoutMs: 15 * 60_000 });

    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toMatch(/^Toy app v1 stopped waiting: state PAUSED is not one p7apps knows, and it did not change for 3\ds$/);
    expect(result.publishes[0]!.unknownStates).toEqual(['PAUSED']);
    const waited = clock.now() - started;
    expect(waited).toBeGreaterThanOrEqual(30_000);
    expect(waited).toBeLessThan(30_000 + 10_000);
  });

  it('waits two minutes on an unchanged unknown state by default', async () => {
    const { api, run, clock } = setup();
    api.stateOverride = () => ({ state: 'PAUSED' });
    const started = clock.now();
    const result = await run(planOf(createApp('Toy app')));
    expect(result.publishes[0]!.outcome).toBe('failed');
    expect(clock.now() - started).toBeGreaterThanOrEqual(120_000);
    expect(clock.now() - started).toBeLessThan(130_000);
  });

  it('quotes a state name that is not a plain word in messages and lines', async () => {
    const { api, run, recorder } = setup();
    api.stateOverride = () => ({ state: 'WAIT\u001b[2J ING' });
    const result = await run(planOf(createApp('Toy app')), { unknownStateLimitMs: 10_000 });
    expect(result.publishes[0]!.error).toContain('state "WAIT\\u001b[2J ING" is not one p7apps knows');
    const lines: string[] = [];
    const listener = progressLines({ write: (text: string) => lines.push(text) > 0 });
    for (const event of recorder.events) listener.emit(event);
    expect(lines.join('')).not.toContain('\u001b');
    expect(lines.filter((l) => l.includes('which p7apps does not know'))).toEqual([
      expect.stringContaining('Toy app: v1 is in state "WAIT\\u001b[2J ING", which p7apps does not know; waiting while it changes (at most 10s unchanged)'),
    ]);
  });

  it('shows the unknown state, quoted, and a read-back in the terminal view', async () => {
    const { api, run, recorder } = setup();
    api.publishFaults = ['commit-unreadable'];
    api.stateOverride = (_app, _v, since) => (since < 1000 ? { state: 'STAGE\u001b[31m' } : undefined);
    await run(planOf(createApp('Toy app')));
    let text = '';
    const listener = progressTty({ write: (t: string) => ((text += t), true), columns: 200 }, { color: false, tickMs: null });
    for (const event of recorder.events) listener.emit(event);
    listener.close?.();
    expect(text).toContain('Toy app  v1: accepted, answer unreadable, reading the app back');
    expect(text).toContain('waiting for READY v1 · "STAGE\\u001b[31m" (a state p7apps does not know) · ');
    expect(text).not.toContain('\u001b[31m');
  });

  it.each([
    ['STAGING', 'STAGING'],
    ['in\u202Eprogress', '"in\\u202eprogress"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['déploiement', '"d\\u00e9ploiement"'],
  ])('writes the state %j as %s in messages', (state, shown) => {
    expect(stateName(state)).toBe(shown);
  });

  it('names the unknown states a READY publish went through in the summary', async () => {
    const { api, run } = setup();
    api.stateOverride = (_app, _v, since) => (since < 1000 ? { state: 'STAGING' } : undefined);
    const result = await run(planOf(createApp('Toy app')));
    let text = '';
    renderApplySummary({ result, refused: [], convergence: { remaining: [] } }, { write: (t: string) => ((text += t), true) }, { color: false });
    expect(text).toContain('(went through state STAGING, unknown to p7apps)');
  });

  it('still learns READY timing from publishes that went through unknown states', async () => {
    const clock = new VirtualClock();
    const api = new FakeAppsHub(clock);
    api.latencyMs = 0;
    api.readyAfterMs = 500;
    api.stateOverride = (_app, _v, since) => (since < 300 ? { state: 'STAGING' } : undefined);
    const jitter = { random: 0.999 };
    const hooks = {
      emit(event: ApplyEvent) {
        if (event.type === 'publish-ready' && event.step === 1) jitter.random = 0;
      },
    };
    const result = await applyPlan(planOf(createApp('Toy app', 3)), api, { timeoutMs: 600_000, hooks, clock, random: () => jitter.random });
    expect(result.publishes.map((p) => [p.outcome, p.unknownStates])).toEqual([
      ['ready', ['STAGING']],
      ['ready', ['STAGING']],
      ['ready', ['STAGING']],
    ]);
    const polls: number[][] = [];
    for (const call of api.calls) {
      if (call.call === 'publish') polls.push([call.at]);
      else if (call.call === 'getAppVersion') polls.at(-1)!.push(call.at);
    }
    const [first, ...rest] = polls.map(([post, ...at]) => at.map((t) => t - post!));
    // The first is seen READY at 570 (jitter +20%); the others are polled there too, not at their own schedule's 650.
    expect(first).toEqual([120, 300, 570]);
    for (const p of rest) expect(p).toEqual([80, 200, 570]);
  });
});

describe('faults a publish answer can carry', () => {
  it.each<[string, PublishFault]>([
    ['unreadable', 'commit-unreadable'],
    ['without a version', 'commit-without-version'],
  ])('an answer %s never produces a second version', async (_, fault) => {
    const { api, run } = setup();
    const id = api.seed('Toy app', [{ version: 1, workflowPath: '/a.p7wf' }]);
    api.publishFaults = [fault, fault];
    const result = await run(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, '/b.p7wf', 1), newVersion('Toy app', 3, '/c.p7wf', 2)])));
    expect(result.publishes.map((p) => p.outcome)).toEqual(['ready', 'ready']);
    expect([...api.apps.get(id)!.versions.keys()]).toEqual([1, 2, 3]);
    expect(api.posts()).toHaveLength(2);
  });
});
