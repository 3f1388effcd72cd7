// onWorkflowChange in the planner and the drift report: a workflow edited in
// Studio is republished, reported or ignored, as the version's policy says;
// a publish of that version needed for another reason still carries the
// edit, and says so. And a plan that waits for a version still publishing,
// read back from its saved document.

import { describe, expect, it } from 'vitest';
import type { WorkflowChangePolicy } from '../../src/config/desired.js';
import { computePlan } from '../../src/plan/compute.js';
import { summaryLine } from '../../src/plan/describe.js';
import { planDocumentText } from '../../src/plan/document.js';
import { planFromDocument } from '../../src/plan/document-read.js';
import { computeDrift } from '../../src/plan/drift.js';
import { planIsWaiting, type AppPlan, type Plan } from '../../src/plan/types.js';
import { desiredApp, desiredState, observedApp, observedState, wf } from './builders.js';

/** Beam v1 published from Beam, whose workflow was edited since (its fingerprint moved). */
function planWith(policy: WorkflowChangePolicy | undefined, extra: Parameters<typeof desiredApp>[2] = {}, observedExtra: Parameters<typeof observedApp>[2] = {}): Plan {
  const desired = desiredApp('Beam', { 1: 'Beam', 2: 'Beam2' }, extra);
  if (policy !== undefined) desired.versions[0]!.onWorkflowChange = policy;
  return computePlan(
    desiredState(desired),
    observedState([observedApp('Beam', { 1: { workflow: 'Beam', fingerprint: 'fp-before-the-edit', revision: 3 }, 2: 'Beam2' }, observedExtra)]),
  );
}

const reasonsOf = (app: AppPlan) => (app.action === 'update' ? app.publishes.flatMap((p) => p.reasons.map((r) => r.kind)) : []);

describe('onWorkflowChange in the plan', () => {
  it.each<[string, WorkflowChangePolicy | undefined, AppPlan['action'], string[], unknown[]]>([
    ['unset: republished, as always', undefined, 'update', ['workflow-content-changed'], []],
    ["'republish': republished", 'republish', 'update', ['workflow-content-changed'], []],
    ["'report': a note that reports it, no publish", 'report', 'no-op', [], [{ kind: 'workflow-changed', version: 1, workflow: wf('Beam'), revision: 3, policy: 'report' }]],
    ["'ignore': a quiet note, no publish", 'ignore', 'no-op', [], [{ kind: 'workflow-changed', version: 1, workflow: wf('Beam'), revision: 3, policy: 'ignore' }]],
  ])('%s', (_name, policy, action, reasons, notes) => {
    const app = planWith(policy).apps[0]!;
    expect(app.action).toBe(action);
    expect(reasonsOf(app)).toEqual(reasons);
    expect(app.notes).toEqual(notes);
  });

  it.each<[WorkflowChangePolicy]>([['report'], ['ignore']])(
    "'%s' still says the edit rides along when that version is published for another reason (the default)",
    (policy) => {
      const app = planWith(policy, { defaultVersion: 1 }, { defaultVersion: 2 }).apps[0]!;
      expect(app.action).toBe('update');
      expect(reasonsOf(app)).toEqual(['default-changed', 'workflow-content-changed']);
      expect(app.notes).toEqual([]);
    },
  );

  it("governs only edits in Studio: a workflow path the config changed is republished under 'report'", () => {
    const desired = desiredApp('Beam', { 1: 'Gear' });
    desired.versions[0]!.onWorkflowChange = 'report';
    const plan = computePlan(desiredState(desired), observedState([observedApp('Beam', { 1: 'Beam' })]));
    expect(reasonsOf(plan.apps[0]!)).toEqual(['workflow-path-changed']);
  });

  it('says so in the summary line only when something is reported', () => {
    expect(summaryLine(planWith('report'))).toBe('No publishes for 1 app; 1 workflow change reported, not republished (onWorkflowChange: report).');
    expect(summaryLine(planWith('ignore'))).toBe('No changes for 1 app; all verified: the server matches the config.');
  });

  it('survives the saved document', () => {
    for (const policy of ['report', 'ignore'] as const) {
      const plan = planWith(policy);
      expect(planFromDocument(JSON.parse(planDocumentText(plan)), 'plan.json')).toEqual(plan);
    }
  });
});

describe('onWorkflowChange in drift', () => {
  it.each<[WorkflowChangePolicy | undefined, string, boolean, unknown[]]>([
    [undefined, 'drifted', true, [{ version: 1, workflow: wf('Beam'), revision: 3 }]],
    ['report', 'drifted', true, [{ version: 1, workflow: wf('Beam'), revision: 3, policy: 'report' }]],
    ['ignore', 'in-sync', false, []],
  ])('%s: status %s, counts %s', (policy, status, counts, edited) => {
    const report = computeDrift(planWith(policy));
    expect(report.apps[0]).toMatchObject({ status, counts, editedWorkflows: edited, unverifiable: [] });
    expect(report.drift).toBe(counts);
  });
});

describe('a plan that waits', () => {
  const waiting = () =>
    computePlan(
      desiredState(desiredApp('Beam', { 1: 'Beam', 2: 'Beam2' })),
      observedState([observedApp('Beam', { 1: 'Beam', 2: { workflow: 'Beam2', state: 'INITIALIZING' } })]),
    );

  it('counts as waiting, not as a conflict, and is read back from its document', () => {
    const plan = waiting();
    expect(planIsWaiting(plan)).toBe(true);
    expect(plan.summary).toMatchObject({ conflict: 0, waiting: 1, publishes: 0 });
    expect(planFromDocument(JSON.parse(planDocumentText(plan)), 'plan.json')).toEqual(plan);
    expect(summaryLine(plan)).toBe('Plan: 0 apps to create, 0 to update (0 publishes), 0 conflicts, 1 still publishing (plan again), 0 unchanged, 0 unmanaged');
  });

  it('refuses a document whose waiting count does not match its apps', () => {
    const doc = JSON.parse(planDocumentText(waiting()));
    doc.summary.waiting = 0;
    expect(() => planFromDocument(doc, 'plan.json')).toThrow('at summary.waiting: 0 does not match the apps (1)');
  });

  it('is "publishing" in drift, which counts, but is no conflict', () => {
    const report = computeDrift(waiting());
    expect(report.apps[0]).toMatchObject({ status: 'publishing', counts: true, conflicts: [], publishing: [{ version: 2, state: 'INITIALIZING', declared: true }] });
    expect(report.summary).toMatchObject({ conflict: 0, publishing: 1 });
  });
});
