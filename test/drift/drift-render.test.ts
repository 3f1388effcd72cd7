// The drift report as data and in its four formats, from the same rich plan
// the plan renderers are tested with: goldens for every format, the JUnit
// XML parsed, and the exit-code decision (what counts as drift).

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { computeDrift, driftSummaryLine } from '../../src/plan/drift.js';
import { renderDriftHuman } from '../../src/render/drift-human.js';
import { renderDriftJson } from '../../src/render/drift-json.js';
import { renderDriftJunit } from '../../src/render/drift-junit.js';
import { renderDriftMarkdown } from '../../src/render/drift-markdown.js';
import { unreadable } from '../../src/appshub/types.js';
import { renderPlanHuman } from '../../src/render/plan-human.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderToString } from '../../src/render/text.js';
import type { DriftRenderer } from '../../src/render/types.js';
import { richPlan, unverifiedPlan } from '../plan/rich-plan.js';

const report = computeDrift(richPlan());

describe('drift report', () => {
  it('gives every app one status, sorted by name', () => {
    expect(report.apps.map((a) => [a.name, a.status])).toEqual([
      ['Beam Designer', 'missing'],
      ['Gearbox', 'drifted'],
      ['Heat Sink', 'drifted'],
      ['Legacy Calculator', 'unmanaged'],
      ['Mixer', 'drifted'],
      ['Pump', 'conflict'],
      ['Scratch', 'unmanaged'],
      ['Spring', 'conflict'],
      ['Valve', 'in-sync'],
      ['Welds', 'in-sync'],
    ]);
    expect(report.summary).toEqual({ inSync: 2, drifted: 3, missing: 1, conflict: 2, unmanaged: 2, unverifiable: 3 });
  });

  it('names edited workflows, unmanaged versions and what cannot be verified', () => {
    const gearbox = report.apps.find((a) => a.name === 'Gearbox');
    expect(gearbox?.editedWorkflows).toEqual([{ version: 2, workflow: '/Users/1/Gear2.p7wf', revision: 2 }]);
    expect(gearbox?.unmanagedVersions).toEqual([{ version: 3, revision: 0 }]);
    const valve = report.apps.find((a) => a.name === 'Valve');
    expect(valve?.unverifiable.map((u) => u.field).sort()).toEqual(['description', 'thumbnail', 'workflow']);
  });

  it.each([
    ['unmanaged apps do not count by default', false, ['Beam Designer', 'Gearbox', 'Heat Sink', 'Mixer', 'Pump', 'Spring']],
    [
      '--fail-on-unmanaged makes them count',
      true,
      ['Beam Designer', 'Gearbox', 'Heat Sink', 'Legacy Calculator', 'Mixer', 'Pump', 'Scratch', 'Spring'],
    ],
  ])('%s', (_name, failOnUnmanaged, counted) => {
    const r = computeDrift(richPlan(), { failOnUnmanaged });
    expect(r.apps.filter((a) => a.counts).map((a) => a.name)).toEqual(counted);
    expect(r.drift).toBe(true);
  });

  it('with --fail-on-unmanaged, counts an in-sync app that has versions the config does not declare', () => {
    const plan = richPlan();
    const valve = plan.apps.find((a) => a.name === 'Valve')!;
    const withExtra = { ...valve, notes: [...valve.notes, { kind: 'unmanaged-version' as const, version: 4, revision: 0 }] };
    const inSync = { ...plan, apps: [withExtra], unmanagedApps: [] };
    expect(computeDrift(inSync).drift).toBe(false);
    const strict = computeDrift(inSync, { failOnUnmanaged: true });
    expect(strict.apps.map((a) => [a.name, a.status, a.counts])).toEqual([['Valve', 'in-sync', true]]);
    expect(strict.drift).toBe(true);
  });

  it('says "No drift" when every managed app is in sync, even with unmanaged apps', () => {
    const plan = richPlan();
    const inSync = { ...plan, apps: plan.apps.filter((a) => a.action === 'no-op') };
    const r = computeDrift(inSync);
    expect(r.drift).toBe(false);
    expect(driftSummaryLine(r)).toBe('No drift: 2 in sync, 0 drifted, 0 missing, 0 in conflict, 2 unmanaged; description of 1 app, thumbnail of 1 app and workflow content of 1 version cannot be verified on this server.');
    expect(computeDrift(inSync, { failOnUnmanaged: true }).drift).toBe(true);
  });
});

const formats: Array<[string, DriftRenderer, string, boolean]> = [
  ['human', renderDriftHuman, 'drift-human.txt', false],
  ['human in colour', renderDriftHuman, 'drift-human-color.txt', true],
  ['markdown', renderDriftMarkdown, 'drift.md', false],
  ['json', renderDriftJson, 'drift.json', false],
  ['junit', renderDriftJunit, 'drift-junit.xml', false],
];

describe('drift renderers, against a server that shows little', () => {
  const thin = computeDrift(unverifiedPlan());
  it.each([
    ['human', renderDriftHuman, 'drift-unverified.txt'],
    ['markdown', renderDriftMarkdown, 'drift-unverified.md'],
    ['json', renderDriftJson, 'drift-unverified.json'],
    ['junit', renderDriftJunit, 'drift-unverified.xml'],
  ] as const)('%s matches its golden file', async (_name, render, golden) => {
    const text = renderToString((out) => render(thin, out, { color: false, verbose: false }));
    // (JSON keeps server text as data; JSON.stringify escapes the control characters.)
    expect(text).not.toMatch(_name === 'json' ? /\u001b/ : /[\u001b\u202e]/);
    await expect(text).toMatchFileSnapshot(`../fixtures/render/${golden}`);
  });
});

describe('drift renderers, for an environment', () => {
  it.each([
    ['human', renderDriftHuman, 'drift-environment.txt'],
    ['markdown', renderDriftMarkdown, 'drift-environment.md'],
    ['json', renderDriftJson, 'drift-environment.json'],
    ['junit', renderDriftJunit, 'drift-environment.xml'],
  ] as const)('%s names the environment (golden file)', async (_name, render, golden) => {
    const text = renderToString((out) => render(computeDrift({ ...richPlan(), environment: 'production' }), out, { color: false, verbose: false }));
    expect(text).toContain('production');
    await expect(text).toMatchFileSnapshot(`../fixtures/render/${golden}`);
  });
});

describe('drift renderers', () => {
  it.each(formats)('%s matches its golden file', async (_name, render, golden, color) => {
    const text = renderToString((out) => render(report, out, { color, verbose: false }));
    await expect(text).toMatchFileSnapshot(`../fixtures/render/${golden}`);
  });

  it('writes JUnit XML that parses, with one test case per app and a failure per drifted app', () => {
    const xml = renderToString((out) => renderDriftJunit(report, out, { color: false, verbose: false }));
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    const cases = suite.testcase as Array<{ name: string; failure?: { type: string } }>;
    expect(cases.map((c) => c.name)).toEqual(report.apps.map((a) => a.name));
    expect(Number(suite.tests)).toBe(10);
    expect(Number(suite.failures)).toBe(6);
    expect(cases.filter((c) => c.failure).map((c) => [c.name, c.failure?.type])).toEqual([
      ['Beam Designer', 'missing'],
      ['Gearbox', 'drifted'],
      ['Heat Sink', 'drifted'],
      ['Mixer', 'drifted'],
      ['Pump', 'conflict'],
      ['Spring', 'conflict'],
    ]);
  });

  it('escapes app names that would break XML or Markdown', () => {
    const plan = richPlan();
    const hostile = { ...plan, unmanagedApps: [{ appId: 'x', name: 'a<b>&"c\' | `d` \u0001', workspace: { id: '1', name: 'W' } }] };
    const r = computeDrift(hostile);
    const xml = renderToString((out) => renderDriftJunit(r, out, { color: false, verbose: false }));
    expect(XMLValidator.validate(xml)).toBe(true);
    const md = renderToString((out) => renderDriftMarkdown(r, out, { color: false, verbose: true }));
    expect(md).toContain('a&lt;b>&amp;"c\' \\| \\`d\\`');
  });
});

describe('drift and plan word one change with the same helper', () => {
  /** Mixer's changes replaced by one multi-line description where the server has none, or one that could not be read. */
  function newDescriptionPlan(before: null | ReturnType<typeof unreadable> = unreadable('{"text": 7}')) {
    const plan = richPlan();
    const apps = plan.apps.map((app) =>
      app.name === 'Mixer' && app.action === 'update' ? { ...app, changes: [{ field: 'description' as const, before, after: 'First line\nSecond line' }] } : app,
    );
    return { ...plan, apps };
  }

  it.each([
    ['the server has none', null],
    ['the server\'s could not be read', unreadable('{"text": 7}')],
  ])('diffs a multi-line description from nothing when %s, in the plan and in drift alike', (_name, before) => {
    const plan = newDescriptionPlan(before);
    const drift = renderToString((out) => renderDriftHuman(computeDrift(plan), out, { color: false, verbose: false }));
    expect(drift).toContain(['    ~ description (- server, + config):', '        + First line', '        + Second line'].join('\n'));
    const planText = renderToString((out) => renderPlanHuman(plan, out, { color: false, verbose: false }));
    expect(planText).toContain(['    ~ description:', '        + First line', '        + Second line'].join('\n'));
  });

  it.each([
    ['plan', renderPlanMarkdown, '- **description**:'],
    ['drift', (r: Parameters<typeof renderPlanMarkdown>[0], out: NodeJS.WritableStream) => renderDriftMarkdown(computeDrift(r), out, { color: false, verbose: false }), '- **description** (`-` server, `+` config):'],
  ] as const)('%s Markdown says the sides of a description diff its own way', (_name, render, label) => {
    const text = renderToString((out) => render(newDescriptionPlan(), out, { color: false, verbose: false }));
    expect(text).toContain([label, '', '  ```diff', '  +First line', '  +Second line', '  ```'].join('\n'));
  });
});
