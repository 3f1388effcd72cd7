// The check report's formats, as golden files: one report holding every kind
// of verdict (passed, a result that differs, a run that FAILED, a timeout, an
// app that could not be checked, a run left behind, hostile server text), and
// a canary plan as plan human and Markdown show it.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CHECK_REPORT_FORMAT_VERSION, type CheckCatalogReport } from '../../src/checks/catalog.js';
import type { CheckReport } from '../../src/checks/run.js';
import { computePlan } from '../../src/plan/compute.js';
import type { Plan } from '../../src/plan/types.js';
import { renderCheckHuman } from '../../src/render/check-human.js';
import { briefly, outcomeLines, SHOWN_VALUE_MAX } from '../../src/render/check-words.js';
import type { CheckOutcome } from '../../src/checks/evaluate.js';
import { renderCheckJson } from '../../src/render/check-json.js';
import { renderCheckJunit } from '../../src/render/check-junit.js';
import { renderCheckMarkdown } from '../../src/render/check-markdown.js';
import { renderPlanHuman } from '../../src/render/plan-human.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import type { CheckRenderer, PlanRenderer, RenderOptions } from '../../src/render/types.js';
import { desiredApp, desiredState, observedApp, observedState } from '../plan/builders.js';
import { SMOKE } from './fixtures.js';

function capture(write: (out: NodeJS.WritableStream) => void): string {
  let text = '';
  write(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
  );
  return text;
}

const check = (name: string, outcome: CheckReport['outcome'], extra: Partial<CheckReport> = {}): CheckReport => ({
  app: 'x', check: name, version: null, outcome, runId: 'r1', cleanup: 'deleted', cleanupDetail: null, elapsedMs: 1200, interrupted: false, ...extra,
});

function sampleReport(): CheckCatalogReport {
  return {
    formatVersion: CHECK_REPORT_FORMAT_VERSION,
    serverUrl: 'https://pseven.example.com',
    configPath: '/repo/p7apps.config.ts',
    version: null,
    interrupted: false,
    apps: [
      { app: 'Beam calculator', appId: 'a1', version: 3, status: 'failed', detail: null, checks: [
        check('smoke', { status: 'passed', state: 'FINISHED' }),
        check('load case', { status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [
          { result: 'stress', expected: { kind: 'near', value: 120.5, tolerance: 0.5 }, got: { kind: 'value', value: 99.1 } },
          { result: 'Report/status', expected: { kind: 'equals', value: 'ok' }, got: { kind: 'missing' } },
        ] }),
      ] },
      { app: 'Gearbox', appId: 'a2', version: 1, status: 'failed', detail: null, checks: [
        check('smoke', { status: 'failed', reason: 'run-ended', state: 'FAILED', detail: 'Solver crashed\u001b[31m <b>red</b>' }),
        check('slow', { status: 'failed', reason: 'timed-out', state: 'RUNNING', timeoutMs: 600_000 }, { cleanup: 'left', cleanupDetail: 'run r9 was left on the server: 503 Service Unavailable; delete it in pSeven Enterprise' }),
      ] },
      { app: 'Mixer', appId: null, version: null, status: 'could-not-run', detail: 'the app is not on the server', checks: [] },
      { app: 'Toy app', appId: 'a4', version: 2, status: 'passed', detail: null, checks: [check('smoke', { status: 'passed', state: 'FINISHED' })] },
    ],
    summary: { apps: 4, passed: 1, failed: 2, couldNotRun: 1, checks: 5, runsLeft: 1 },
  };
}

function canaryPlan(): Plan {
  const desired = desiredState({ ...desiredApp('Gearbox', { 1: 'Gear', 2: 'Gear2' }), defaultVersion: 2 });
  desired.apps[0]!.versions[1]!.checks = [SMOKE];
  return computePlan(desired, observedState([observedApp('Gearbox', { 1: 'Gear' })]));
}

describe('check report renderers (golden files)', () => {
  it.each<[string, CheckRenderer, Partial<RenderOptions>]>([
    ['check-human.txt', renderCheckHuman, {}],
    ['check-human-verbose.txt', renderCheckHuman, { verbose: true }],
    ['check.md', renderCheckMarkdown, {}],
    ['check.json', renderCheckJson, {}],
    ['check-junit.xml', renderCheckJunit, {}],
  ])('%s', async (file, renderer, options) => {
    await expect(capture((out) => renderer(sampleReport(), out, { color: false, verbose: false, ...options }))).toMatchFileSnapshot(`../fixtures/render/${file}`);
  });

  it.each<[string, PlanRenderer]>([
    ['plan-canary-human.txt', renderPlanHuman],
    ['plan-canary.md', renderPlanMarkdown],
  ])('%s', async (file, renderer) => {
    await expect(capture((out) => renderer(canaryPlan(), out, { color: false, verbose: false }))).toMatchFileSnapshot(`../fixtures/render/${file}`);
  });

  it.each([
    ['no environment', undefined, 'p7apps check for https://pseven.example.com'],
    ['an environment', 'staging', 'p7apps check for https://pseven.example.com (environment staging)'],
  ])('opens with the server and the config, as plan and drift do: %s', (_name, environment, first) => {
    const text = capture((out) => renderCheckHuman({ ...sampleReport(), ...(environment === undefined ? {} : { environment }) }, out, { color: false, verbose: false }));
    expect(text.split('\n').slice(0, 3)).toEqual([first, '  config: /repo/p7apps.config.ts', '']);
  });

  it('never writes server text raw to a terminal', () => {
    const text = capture((out) => renderCheckHuman(sampleReport(), out, { color: false, verbose: false }));
    expect(text).not.toContain('\u001b');
    expect(text).toContain('Solver crashed\\x1b[31m');
  });
});

// Found by an adversarial review: a run's 200 KB result value was printed whole on one line, twice.
describe('a long value from the server, in words', () => {
  it.each([
    ['a result value', { status: 'failed', reason: 'results', state: 'FINISHED', mismatches: [{ result: 'y', expected: { kind: 'equals', value: 9 }, got: { kind: 'value', value: 'v'.repeat(200_000) } }] }],
    ['a state detail', { status: 'failed', reason: 'run-ended', state: 'FAILED', detail: 'd'.repeat(200_000) }],
    ['a reason it could not run', { status: 'could-not-run', detail: 'c'.repeat(200_000) }],
  ] as [string, CheckOutcome][])('%s is shortened, saying how long it was', (_, outcome) => {
    const lines = outcomeLines(outcome);
    expect(lines.every((line) => line.length < SHOWN_VALUE_MAX + 200)).toBe(true);
    expect(lines.join('\n')).toMatch(/\.\.\. \(\d+ characters in all\)/);
  });

  it('a value of at most SHOWN_VALUE_MAX characters is shown whole, and one of emoji is cut between characters', () => {
    expect(briefly('x'.repeat(SHOWN_VALUE_MAX))).toBe('x'.repeat(SHOWN_VALUE_MAX));
    const cut = briefly('🚀'.repeat(SHOWN_VALUE_MAX + 1));
    expect(cut).toBe(`${'🚀'.repeat(SHOWN_VALUE_MAX)}... (${SHOWN_VALUE_MAX + 1} characters in all)`);
  });
});
