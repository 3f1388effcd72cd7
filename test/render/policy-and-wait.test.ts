// Golden files for what onWorkflowChange and a version still publishing look
// like in every plan and drift format: a waiting app (not a conflict), a
// reported workflow edit (no publish), an ignored one (quiet), and an edit
// republished as before.

import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src/plan/compute.js';
import { computeDrift } from '../../src/plan/drift.js';
import type { Plan } from '../../src/plan/types.js';
import { renderDriftHtml } from '../../src/render/drift-html.js';
import { renderDriftHuman } from '../../src/render/drift-human.js';
import { renderDriftJson } from '../../src/render/drift-json.js';
import { renderDriftJunit } from '../../src/render/drift-junit.js';
import { renderDriftMarkdown } from '../../src/render/drift-markdown.js';
import { renderPlanHtml } from '../../src/render/plan-html.js';
import { renderPlanHuman } from '../../src/render/plan-human.js';
import { renderPlanJson } from '../../src/render/plan-json.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderToString } from '../../src/render/text.js';
import type { DriftRenderer, PlanRenderer } from '../../src/render/types.js';
import { desiredApp, desiredState, observedApp, observedState } from '../plan/builders.js';

function policyPlan(): Plan {
  const edited = { fingerprint: 'fp-before-the-edit', revision: 4 };
  const reported = desiredApp('Beam', { 1: 'Beam' });
  reported.versions[0]!.onWorkflowChange = 'report';
  const ignored = desiredApp('Gear', { 1: 'Gear' });
  ignored.versions[0]!.onWorkflowChange = 'ignore';
  return computePlan(
    desiredState(reported, ignored, desiredApp('Mixer', { 1: 'A', 2: 'B' }), desiredApp('Old', { 1: 'Old' }, { description: 'New words.' })),
    observedState([
      observedApp('Beam', { 1: { workflow: 'Beam', ...edited } }),
      observedApp('Gear', { 1: { workflow: 'Gear', ...edited } }),
      observedApp('Mixer', { 1: 'A', 2: { workflow: 'B', state: 'INITIALIZING' } }),
      observedApp('Old', { 1: { workflow: 'Old', ...edited }, 2: { workflow: 'New', state: 'QUEUED_TO_INITIALIZE' } }),
    ]),
  );
}

describe('onWorkflowChange and still publishing, rendered (golden files)', () => {
  it.each<[string, PlanRenderer, boolean]>([
    ['policy-plan-human.txt', renderPlanHuman, false],
    ['policy-plan-human-verbose.txt', renderPlanHuman, true],
    ['policy-plan.md', renderPlanMarkdown, false],
    ['policy-plan.json', renderPlanJson, false],
    ['policy-plan.html', renderPlanHtml, false],
  ])('%s', async (file, render, verbose) => {
    await expect(renderToString((out) => render(policyPlan(), out, { color: false, verbose }))).toMatchFileSnapshot(`../fixtures/render/${file}`);
  });

  it.each<[string, DriftRenderer]>([
    ['policy-drift-human.txt', renderDriftHuman],
    ['policy-drift.md', renderDriftMarkdown],
    ['policy-drift.json', renderDriftJson],
    ['policy-drift-junit.xml', renderDriftJunit],
    ['policy-drift.html', renderDriftHtml],
  ])('%s', async (file, render) => {
    const report = computeDrift(policyPlan());
    await expect(renderToString((out) => render(report, out, { color: false, verbose: false }))).toMatchFileSnapshot(`../fixtures/render/${file}`);
  });
});
