import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/compute.js';
import { planFromDocument } from '../../src/plan/document-read.js';
import type { Plan } from '../../src/plan/types.js';
import { renderPlanHuman } from '../../src/render/plan-human.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { codeSpan, escapeMarkdown, renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { lineDiff, palette, wordDiff } from '../../src/render/text.js';
import type { PlanRenderer, RenderOptions } from '../../src/render/types.js';
import { desiredApp, desiredState, observedApp, observedState } from '../plan/builders.js';
import { guardedPlan, richPlan, unverifiedPlan } from '../plan/rich-plan.js';

function render(renderer: PlanRenderer, plan: Plan, options: Partial<RenderOptions> = {}): string {
  let text = '';
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  renderer(plan, out, { color: false, verbose: false, ...options });
  return text;
}

function noChangesPlan(): Plan {
  return computePlan(
    desiredState(desiredApp('Gearbox', { 1: 'Gear' }), desiredApp('Mixer', { 1: 'B', 2: 'C' })),
    observedState([observedApp('Gearbox', { 1: 'Gear' }), observedApp('Mixer', { 1: 'B', 2: 'C' }), observedApp('Scratch', { 1: 'A' })]),
  );
}

/** A plan for the staging environment of a config that declares environments. */
function stagingPlan(): Plan {
  return { ...noChangesPlan(), environment: 'staging' };
}

describe('plan renderers (golden files)', () => {
  it.each<[string, PlanRenderer, Partial<RenderOptions>, () => Plan]>([
    ['plan-human.txt', renderPlanHuman, {}, richPlan],
    ['plan-human-verbose.txt', renderPlanHuman, { verbose: true }, richPlan],
    ['plan-human-color.txt', renderPlanHuman, { color: true }, richPlan],
    ['plan-human-no-changes.txt', renderPlanHuman, {}, noChangesPlan],
    ['plan.json', renderPlanJson, {}, richPlan],
    ['plan.md', renderPlanMarkdown, {}, richPlan],
    ['plan-no-changes.md', renderPlanMarkdown, {}, noChangesPlan],
    ['plan-human-unverified.txt', renderPlanHuman, {}, unverifiedPlan],
    ['plan-unverified.md', renderPlanMarkdown, {}, unverifiedPlan],
    ['plan-unverified.json', renderPlanJson, {}, unverifiedPlan],
    ['plan-human-environment.txt', renderPlanHuman, {}, stagingPlan],
    ['plan-environment.md', renderPlanMarkdown, {}, stagingPlan],
    ['plan-environment.json', renderPlanJson, {}, stagingPlan],
    ['plan-guarded.txt', renderPlanHuman, {}, guardedPlan],
    ['plan-guarded.md', renderPlanMarkdown, {}, guardedPlan],
    ['plan-guarded.json', renderPlanJson, {}, guardedPlan],
  ])('%s', async (file, renderer, options, plan) => {
    await expect(render(renderer, plan(), options)).toMatchFileSnapshot(`../fixtures/render/${file}`);
  });
});

describe('plan renderers', () => {
  it('colour only when asked', () => {
    expect(render(renderPlanHuman, richPlan(), { color: false })).not.toContain('\u001b[');
    expect(render(renderPlanHuman, richPlan(), { color: true })).toContain('\u001b[32m+ app "Beam Designer"');
    expect(render(renderPlanMarkdown, richPlan(), { color: true })).not.toContain('\u001b[');
  });

  it('counts unchanged apps unless verbose, but always shows what could not be verified', () => {
    const quiet = render(renderPlanHuman, richPlan());
    expect(quiet).not.toContain('"Welds"');
    expect(quiet).toContain('1 app unchanged (--verbose lists them).');
    expect(quiet).toContain('? app "Valve"');
    expect(render(renderPlanHuman, richPlan(), { verbose: true })).toContain('= app "Welds" (id id-welds) is up to date');
  });

  it('ends with the summary line', () => {
    expect(render(renderPlanHuman, richPlan()).trimEnd().split('\n').at(-1)).toBe(
      'Plan: 1 app to create, 3 to update (6 publishes), 2 conflicts, 2 unchanged, 2 unmanaged; description of 1 app, thumbnail of 1 app and workflow content of 1 version cannot be verified on this server',
    );
    expect(render(renderPlanHuman, noChangesPlan()).trimEnd().split('\n').at(-1)).toBe('No changes for 2 apps; all verified: the server matches the config.');
  });

  it('prints the saved document as JSON, which apply reads back as the same plan', () => {
    const plan = richPlan();
    const text = render(renderPlanJson, plan, { color: true, verbose: true });
    expect(text.endsWith('}\n')).toBe(true);
    expect(planFromDocument(JSON.parse(text), 'stdout')).toEqual(plan);
  });
});

describe('text helpers', () => {
  it('diffs one-line descriptions word by word, marking removals and additions', () => {
    expect(wordDiff('Sizes beams fast.', 'Sizes steel beams.', palette(false), false)).toBe('Sizes {+steel +}beams[- fast-].');
  });

  it('diffs multi-line descriptions line by line', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nB\nc\n')).toEqual([
      { sign: ' ', text: 'a' },
      { sign: '-', text: 'b' },
      { sign: '+', text: 'B' },
      { sign: ' ', text: 'c' },
    ]);
  });

  it.each([
    ['a|b', 'a\\|b'],
    ['<script>', '&lt;script>'],
    ['*bold* _it_ `code` [link]', '\\*bold\\* \\_it\\_ \\`code\\` \\[link\\]'],
    ['two\nlines', 'two lines'],
  ])('escapes %j for Markdown running text', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });

  it('makes code spans that survive backticks', () => {
    expect(codeSpan('plain')).toBe('`plain`');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
  });
});
