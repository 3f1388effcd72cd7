import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyPlan, type ApplyResult } from '../../src/apply/execute.js';
import { fanOut, recordEvents, type ApplyEvent, type PublishReport } from '../../src/apply/events.js';
import type { CheckOutcome } from '../../src/checks/evaluate.js';
import { progressJsonLines } from '../../src/render/progress-jsonl.js';
import { progressLines } from '../../src/render/progress-lines.js';
import { renderApplySummary } from '../../src/render/progress-summary.js';
import { progressTty } from '../../src/render/progress-tty.js';
import { displayWidth } from '../../src/render/width.js';
import { FakeAppsHub } from './fake-api.js';
import { createApp, newRevision, planOf, updateApp } from './plans.js';
import { VirtualClock } from './virtual-clock.js';
import type { Verification } from '../../src/plan/verification.js';

/** One run that shows every kind of event: success, a busy server, a lost response, a failure. */
async function storyRun(environment?: string): Promise<{ events: ApplyEvent[]; result: ApplyResult }> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 10, 0, 0));
  const api = new FakeAppsHub(clock);
  const id = api.seed('Busy app', [{ version: 1, revision: 2, workflowPath: '/busy/v1.p7wf' }]);
  api.failNext.set('Broken app', { version: 1, detail: 'Workflow validation error: block Solver has no inputs' });
  const recorder = recordEvents();
  let posts = 0;
  const publish = api.publish.bind(api);
  api.publish = (request) => {
    posts += 1;
    if (posts === 2) api.publishFaults.unshift({ status: 409, retryAfterMs: 5000 });
    if (posts === 4) api.publishFaults.unshift('lose-after-commit');
    return publish(request);
  };
  const plan = planOf(
    createApp('Alpha', 2),
    updateApp('Busy app', id, [newRevision('Busy app', 1, 2, '/busy/v2.p7wf', 1, true)]),
    createApp('Broken app', 2),
  );
  const result = await applyPlan(
    environment === undefined ? plan : { ...plan, environment },
    api,
    { parallelism: 1, timeoutMs: 600_000, hooks: recorder, clock, random: () => 0.5 },
  );
  return { events: recorder.events, result };
}

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('progress listeners', () => {
  it('writes plain timestamped lines for CI, polls only when the state changes', async () => {
    const { events } = await storyRun();
    const out = sink();
    const listener = progressLines(out.stream);
    for (const e of events) listener.emit(e);
    await expect(out.text()).toMatchFileSnapshot('../fixtures/apply/progress-lines.txt');
    expect(out.text()).not.toMatch(/\x1b/);
    const polls = events.filter((e) => e.type === 'poll').length;
    expect(out.text().split('\n').filter((l) => / is (QUEUED|READY|FAILED)/.test(l)).length).toBeLessThan(polls);
  });

  it('writes every event as one versioned JSON object per line', async () => {
    const { events } = await storyRun();
    const out = sink();
    const listener = progressJsonLines(out.stream);
    for (const e of events) listener.emit(e);
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(events.length);
    const parsed = lines.map((l) => JSON.parse(l));
    for (const [i, obj] of parsed.entries()) {
      expect(Object.keys(obj).slice(0, 3)).toEqual(['formatVersion', 'type', 'time']);
      expect(obj).toMatchObject({ formatVersion: 1, type: events[i]!.type, time: new Date(events[i]!.at).toISOString() });
      expect(obj).not.toHaveProperty('at');
    }
    await expect(out.text()).toMatchFileSnapshot('../fixtures/apply/progress.jsonl');
  });

  it('names the environment of a plan for one in apply-start and apply-done, and changes nothing else', async () => {
    const render = (events: ApplyEvent[]) => {
      const out = sink();
      const listener = progressJsonLines(out.stream);
      for (const e of events) listener.emit(e);
      return out.text();
    };
    const plain = render((await storyRun()).events).trimEnd().split('\n');
    const text = render((await storyRun('staging')).events);
    const staged = text.trimEnd().split('\n');
    expect(staged).toHaveLength(plain.length);
    for (const [i, line] of staged.entries()) {
      const obj = JSON.parse(line);
      const { environment, ...rest } = obj;
      expect(environment).toBe(obj.type === 'apply-start' || obj.type === 'apply-done' ? 'staging' : undefined);
      expect(rest).toEqual(JSON.parse(plain[i]!));
    }
    expect(plain.join('\n')).not.toContain('environment');
    await expect(text).toMatchFileSnapshot('../fixtures/apply/progress-environment.jsonl');
  });

  it('draws one row per app on a terminal and redraws it in place', async () => {
    const { events } = await storyRun();
    const out = sink();
    const listener = progressTty(Object.assign(out.stream, { columns: 100 }), { color: false, tickMs: null });
    for (const e of events) listener.emit(e);
    listener.close?.();
    const text = out.text();
    // The final frame, as the terminal would show it after the last redraw.
    await expect(finalScreen(text)).toMatchFileSnapshot('../fixtures/apply/progress-tty-final.txt');
    const frames = text.split(/\x1b\[\d+F/);
    expect(frames.length).toBeGreaterThan(10);
    expect(frames.some((f) => f.includes('waiting for READY v1 (1/2) · QUEUED_TO_INITIALIZE'))).toBe(true);
    expect(frames.some((f) => f.includes('v2: server busy, sending again in 5s'))).toBe(true);
    expect(frames.some((f) => f.includes('v1: response lost, checking whether it was committed'))).toBe(true);
  });

  it('colours rows on request and cuts them to the terminal width', async () => {
    const { events } = await storyRun();
    const out = sink();
    const listener = progressTty(Object.assign(out.stream, { columns: 40 }), { color: true, tickMs: null });
    for (const e of events) listener.emit(e);
    const screen = finalScreen(out.text());
    expect(screen).toContain('\x1b[32m');
    expect(screen).toContain('\x1b[31m');
    const block = screen.slice(0, screen.indexOf('Finished after'));
    for (const line of block.split('\n')) expect(line.replace(/\x1b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(39);
  });

  it('counts the rows it cannot show when there are more apps than rows', () => {
    const out = sink();
    const listener = progressTty(out.stream, { color: false, tickMs: null, maxRows: 3 });
    const apps = ['a', 'b', 'c', 'd', 'e'].map((app) => ({ app, publishes: 1 }));
    listener.emit({ type: 'apply-start', at: 0, apps, publishes: 5, parallelism: 1, timeoutMs: 1000 });
    listener.emit({ type: 'app-start', at: 0, app: 'd', appId: null, publishes: 1 });
    listener.emit({ type: 'publish-start', at: 0, app: 'd', step: 1, of: 1, version: 1, creates: 'app', setAsDefault: true, workflowPath: '/d', reasons: [] });
    const screen = finalScreen(out.text());
    expect(screen.split('\n')).toEqual([
      'Applying 5 publishes to 5 apps (1 at once, each may take up to 1s to become READY)',
      '  a     queued',
      '  d     publishing v1',
      '  … 3 more: 3 queued',
      '',
    ]);
  });

  it.each([
    ['0 columns (script, docker -t)', 0],
    ['unknown columns', undefined],
  ])('a terminal that reports %s gets full-width rows, not 19 characters', (_name, columns) => {
    const out = sink();
    const listener = progressTty(Object.assign(out.stream, { columns }), { color: false, tickMs: null });
    listener.emit({ type: 'apply-start', at: 0, apps: [{ app: 'An app with a fairly long name', publishes: 1 }], publishes: 1, parallelism: 1, timeoutMs: 1000 });
    const screen = finalScreen(out.text());
    expect(screen.split('\n')[0]).toBe('Applying 1 publish to 1 app (1 at once, each may take up to 1s to become READY)');
    expect(screen).toContain('  An app with a fairly long name  queued');
  });

  it('lines up rows by display width for CJK and emoji names', () => {
    const out = sink();
    const listener = progressTty(Object.assign(out.stream, { columns: 100 }), { color: false, tickMs: null });
    const apps = ['梁の計算', 'Beam', '🚀 Rocket', 'e\u0301clair'].map((app) => ({ app, publishes: 1 }));
    listener.emit({ type: 'apply-start', at: 0, apps, publishes: 4, parallelism: 1, timeoutMs: 1000 });
    const rows = finalScreen(out.text()).split('\n').slice(1, 5);
    // Every status starts in the same terminal column: 2 + the widest name (9) + 2.
    for (const row of rows) expect(displayWidth(row.slice(0, row.indexOf('queued')))).toBe(13);
  });

  it("keeps the CLI's own line (a signal's message) in the live region, where later redraws do not overwrite it", () => {
    const out = sink();
    const view = progressTty(Object.assign(out.stream, { columns: 100 }), { color: false, tickMs: null });
    view.emit({ type: 'apply-start', at: 0, apps: [{ app: 'Alpha', publishes: 1 }], publishes: 1, parallelism: 1, timeoutMs: 1000 });
    view.note('SIGINT received: finishing requests already in flight. Press Ctrl-C again to stop at once.');
    view.emit({ type: 'interrupted', at: 1, inFlight: ['Alpha'] });
    view.emit({ type: 'app-start', at: 2, app: 'Alpha', appId: null, publishes: 1 });
    const screen = finalScreen(out.text());
    expect(screen).toContain('SIGINT received: finishing requests already in flight. Press Ctrl-C again to stop at once.');
    expect(screen).toContain('Interrupted: letting the requests in flight finish (Alpha)');
  });

  it('writes such a line as a plain line when no live region is drawn', () => {
    const out = sink();
    const view = progressTty(Object.assign(out.stream, { columns: 100 }), { color: false, tickMs: null });
    view.note('SIGTERM received: finishing requests already in flight. Press Ctrl-C again to stop at once.');
    expect(out.text()).toBe('SIGTERM received: finishing requests already in flight. Press Ctrl-C again to stop at once.\n');
  });

  it('fans one event out to several listeners in order', () => {
    const seen: string[] = [];
    const hooks = fanOut({ emit: (e) => seen.push(`1:${e.type}`) }, { emit: (e) => seen.push(`2:${e.type}`), close: () => seen.push('closed') });
    hooks.emit({ type: 'converge-start', at: 0, apps: 1 });
    hooks.close();
    expect(seen).toEqual(['1:converge-start', '2:converge-start', 'closed']);
  });
});

describe('apply summary', () => {
  it('lists what was published, what failed and why, and what was not sent', async () => {
    const { result } = await storyRun();
    const out = sink();
    renderApplySummary(
      {
        result,
        refused: [{ app: 'Stale app', detail: 'changed on the server since the plan was made; run "p7apps plan" again' }],
        convergence: { remaining: [{ app: 'Broken app', reasons: ['the app is not on the server yet'], conflicts: [] }] },
      },
      out.stream,
      { color: false },
    );
    await expect(out.text()).toMatchFileSnapshot('../fixtures/apply/summary.txt');
  });
});

/** Replays cursor movement: the screen after the last frame. */
function finalScreen(text: string): string {
  const screen: string[] = [];
  let row = 0;
  const re = /\x1b\[(\d+)F|\x1b\[2K|\n|[^\x1b\n]+|\x1b\[[0-9;]*m/g;
  for (const m of text.matchAll(re)) {
    const token = m[0];
    if (m[1] !== undefined) row -= Number(m[1]);
    else if (token === '\x1b[2K') screen[row] = '';
    else if (token === '\n') row += 1;
    else screen[row] = (screen[row] ?? '') + token;
  }
  return screen.map((l) => l ?? '').join('\n');
}

describe('the last words of an apply say what converged and what could not be verified', () => {
  const totals = { planned: 2, ready: 2, failed: 0, timedOut: 0, skipped: 0, notStarted: 0, unconfirmed: 0, requestsSent: 2, resends: 0 };
  const result: ApplyResult = { interrupted: false, apps: [], publishes: [], skippedApps: [], totals, elapsedMs: 1000 };
  const allVerified: Verification = { formatVersion: 1, apps: 2, verifiedApps: 2, unverified: [] };
  const someNot: Verification = {
    formatVersion: 1,
    apps: 2,
    verifiedApps: 0,
    unverified: [
      { field: 'description', apps: 1, versions: 0, items: [{ app: 'Beam', sentWithPublish: false }] },
      { field: 'workflow', apps: 2, versions: 3, items: [{ app: 'Beam', version: 1 }, { app: 'Beam', version: 2 }, { app: 'Gear', version: 1 }] },
    ],
  };

  it.each([
    [allVerified, 'Apply complete: 2 of 2 publishes READY; converged: 2 apps verified.', 'Converged: 2 apps verified.'],
    [
      someNot,
      'Apply complete: 2 of 2 publishes READY; converged: 2 apps verified; description of 1 app and workflow content of 3 versions cannot be verified on this server.',
      'Converged: 2 apps verified; description of 1 app and workflow content of 3 versions cannot be verified on this server.',
    ],
  ])('%#', (verification, last, eventLine) => {
    const out = sink();
    renderApplySummary({ result, refused: [], convergence: { remaining: [], verification } }, out.stream, { color: false });
    expect(out.text().trimEnd().split('\n').at(-1)).toBe(last);
    expect(out.text()).not.toContain('matches the config');

    const event: ApplyEvent = { type: 'converge-done', at: 0, converged: true, remaining: [], verification };
    const lines = sink();
    progressLines(lines.stream).emit(event);
    expect(lines.text()).toBe(`1970-01-01T00:00:00Z ${eventLine}\n`);
    const json = sink();
    progressJsonLines(json.stream).emit(event);
    expect(JSON.parse(json.text())).toEqual({ formatVersion: 1, type: 'converge-done', time: '1970-01-01T00:00:00.000Z', converged: true, remaining: [], verification });
  });

  // Found by an adversarial review: a check run after its version became default (a new app's first version)
  // failed the app, exit 1, while the last line said "Apply complete ... converged".
  it.each<[string, CheckOutcome[], string]>([
    ['a check that failed', [{ status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [] }], 'Apply failed: 2 of 2 publishes READY; 1 check did not pass.'],
    [
      'two checks that could not run',
      [
        { status: 'could-not-run', detail: 'no run client' },
        { status: 'could-not-run', detail: 'no run client' },
      ],
      'Apply failed: 2 of 2 publishes READY; 2 checks did not pass.',
    ],
    ['a check that passed', [{ status: 'passed', state: 'FINISHED' }], 'Apply complete: 2 of 2 publishes READY; converged: 2 apps verified.'],
  ])('with every publish READY and %s after it', (_, outcomes, last) => {
    const checks = outcomes.map((outcome) => ({ app: 'Beam', check: 'smoke', version: 1, outcome, runId: null, cleanup: 'none', cleanupDetail: null, elapsedMs: 0, interrupted: false }));
    const publishes = [{ app: 'Beam', step: 1, version: 1, outcome: 'ready', checks } as unknown as PublishReport];
    const out = sink();
    renderApplySummary({ result: { ...result, publishes }, refused: [], convergence: { remaining: [], verification: allVerified } }, out.stream, { color: false });
    expect(out.text().trimEnd().split('\n').at(-1)).toBe(last);
  });

  it('claims nothing about matching when it has no verification to go by', () => {
    const out = sink();
    renderApplySummary({ result, refused: [], convergence: { remaining: [] } }, out.stream, { color: false });
    expect(out.text().trimEnd().split('\n').at(-1)).toBe('Apply complete: 2 of 2 publishes READY.');
  });
});
