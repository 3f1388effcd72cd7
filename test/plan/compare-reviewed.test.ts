import { describe, expect, it } from 'vitest';
import { compareWithReviewed, publishSteps, sameServerUrl } from '../../src/plan/compare-reviewed.js';
import { computePlan } from '../../src/plan/compute.js';
import type { AppPlan, Plan, PlannedPublish } from '../../src/plan/types.js';
import { desiredApp, desiredState, observedApp, observedState, SERVER, wf } from './builders.js';

type Creates = PlannedPublish['expect']['creates'];
/** `Alpha 2 revision default`: app Alpha, version 2, a new revision, made the default. */
type StepText = string;

/** A plan whose publishes are the given steps, grouped per app in the order first named. */
function planOf(steps: StepText[], serverUrl = SERVER): Plan {
  const apps = new Map<string, PlannedPublish[]>();
  for (const text of steps) {
    const [app, version, creates, isDefault] = text.split(' ') as [string, string, Creates, string | undefined];
    const publishes = apps.get(app) ?? [];
    publishes.push({
      step: publishes.length + 1,
      request: { name: app, workflowPath: wf(app), version: Number(version), setVersionAsDefault: isDefault === 'default' },
      expect: { version: Number(version), creates, previousRevision: creates === 'revision' ? 0 : null, becomesDefault: isDefault === 'default' },
      reasons: [],
    });
    apps.set(app, publishes);
  }
  const appPlans: AppPlan[] = [...apps].map(([name, publishes]) => ({
    action: 'update',
    name,
    notes: [],
    appId: `id-${name}`,
    workspace: { id: '7', name: 'Engineering' },
    observedFingerprint: '0'.repeat(64),
    changes: [],
    publishes,
  }));
  return {
    formatVersion: 1,
    serverUrl,
    configPath: '/repo/p7apps.config.ts',
    apps: appPlans,
    unmanagedApps: [],
    summary: { create: 0, update: appPlans.length, conflict: 0, unchanged: 0, unmanaged: 0, publishes: steps.length, republishes: 0 },
  };
}

describe('compareWithReviewed', () => {
  it.each([
    { name: 'identical publishes', reviewed: ['Alpha 2 version', 'Beta 1 revision default'], fresh: ['Alpha 2 version', 'Beta 1 revision default'], says: [] },
    { name: 'both empty', reviewed: [], fresh: [], says: [] },
    {
      name: 'a publish the review did not see',
      reviewed: ['Alpha 2 version'],
      fresh: ['Alpha 2 version', 'Beta 1 revision'],
      says: ['app "Beta" version 1: the reviewed plan does not publish it, this plan republishes it (a new revision)'],
    },
    {
      name: 'a reviewed publish that is gone',
      reviewed: ['Alpha 2 revision', 'Beta 1 revision'],
      fresh: ['Beta 1 revision'],
      says: ['app "Alpha" version 2: the reviewed plan republishes it (a new revision), this plan does not'],
    },
    {
      name: 'another kind of publish',
      reviewed: ['Alpha 2 version'],
      fresh: ['Alpha 2 revision'],
      says: ['app "Alpha" version 2: the reviewed plan publishes it as a new version, this plan republishes it (a new revision) instead'],
    },
    {
      name: 'a new app instead of an existing one',
      reviewed: ['Alpha 1 revision'],
      fresh: ['Alpha 1 app default'],
      says: ['app "Alpha" version 1: the reviewed plan republishes it (a new revision), this plan creates the app with it and makes it the default instead'],
    },
    {
      name: 'the default moves with a publish only in one plan',
      reviewed: ['Alpha 2 revision default'],
      fresh: ['Alpha 2 revision'],
      says: ['app "Alpha" version 2: the reviewed plan republishes it (a new revision) and makes it the default, this plan republishes it (a new revision) instead'],
    },
    {
      name: 'the same publishes in another order',
      reviewed: ['Alpha 1 revision', 'Alpha 2 version'],
      fresh: ['Alpha 2 version', 'Alpha 1 revision'],
      says: ['order differs at step 1 of 2: the reviewed plan publishes app "Alpha" version 1 there, this plan app "Alpha" version 2'],
    },
    {
      name: 'several differences, by app then version',
      reviewed: ['Gamma 3 version', 'Alpha 1 revision'],
      fresh: ['Beta 1 revision', 'Alpha 1 revision', 'Alpha 4 version'],
      says: [
        'app "Alpha" version 4: the reviewed plan does not publish it, this plan publishes it as a new version',
        'app "Beta" version 1: the reviewed plan does not publish it, this plan republishes it (a new revision)',
        'app "Gamma" version 3: the reviewed plan publishes it as a new version, this plan does not',
      ],
    },
  ])('$name', ({ reviewed, fresh, says }) => {
    expect(compareWithReviewed(planOf(reviewed), planOf(fresh))).toEqual(says);
  });

  // Found by an adversarial review: a merge applied a workflow path and descriptions nobody reviewed, since only
  // what the publishes do was compared, not what they send.
  it.each<[string, (request: PlannedPublish['request']) => PlannedPublish['request'], string]>([
    ['another workflow path', (r) => ({ ...r, workflowPath: '/Users/1/Beta.p7wf' }), 'app "Alpha" version 2: the reviewed plan publishes it from /Users/1/Alpha.p7wf, this plan from /Users/1/Beta.p7wf'],
    ['another description', (r) => ({ ...r, description: 'NOT REVIEWED' }), 'app "Alpha" version 2: this plan sends another description than the reviewed plan'],
    ['another workspace', (r) => ({ ...r, workspaceName: 'Elsewhere' }), 'app "Alpha" version 2: this plan sends another workspace than the reviewed plan'],
    ['another copy permission', (r) => ({ ...r, allowGetAsWorkflow: false }), 'app "Alpha" version 2: this plan sends another copy permission than the reviewed plan'],
    [
      'a thumbnail with other bytes',
      (r) => ({ ...r, thumbnail: { path: '/ci/other-checkout/thumb.png', filename: 'thumb.png', mediaType: 'image/png', sha256: 'b'.repeat(64) } }),
      'app "Alpha" version 2: this plan sends another thumbnail than the reviewed plan',
    ],
  ])('names a publish that sends %s', (_, change, says) => {
    const reviewed = planOf(['Alpha 2 version', 'Beta 1 revision']);
    const thumbnail = { path: '/ci/checkout/thumb.png', filename: 'thumb.png', mediaType: 'image/png', sha256: 'a'.repeat(64) };
    for (const app of reviewed.apps) if (app.action === 'update') app.publishes[0]!.request = { ...app.publishes[0]!.request, description: 'Reviewed.', allowGetAsWorkflow: true, workspaceName: 'Engineering', thumbnail };
    const fresh = structuredClone(reviewed);
    const alpha = fresh.apps[0]!;
    if (alpha.action === 'update') alpha.publishes[0]!.request = change(alpha.publishes[0]!.request);
    expect(compareWithReviewed(reviewed, fresh)).toEqual([says]);
  });

  it('a thumbnail read from another checkout (another path, the same bytes) is the same thumbnail', () => {
    const reviewed = planOf(['Alpha 2 version']);
    const alpha = reviewed.apps[0]!;
    if (alpha.action === 'update') alpha.publishes[0]!.request.thumbnail = { path: '/runner-1/repo/thumb.png', filename: 'thumb.png', mediaType: 'image/png', sha256: 'a'.repeat(64) };
    const fresh = structuredClone(reviewed);
    const again = fresh.apps[0]!;
    if (again.action === 'update') again.publishes[0]!.request.thumbnail!.path = '/runner-2/repo/thumb.png';
    expect(compareWithReviewed(reviewed, fresh)).toEqual([]);
  });

  it.each([
    ['https://a.example.com/', 'https://a.example.com', true],
    ['https://a.example.com', 'https://b.example.com', false],
  ])('compares the servers: %s vs %s same=%s', (a, b, same) => {
    expect(sameServerUrl(a, b)).toBe(same);
    const says = compareWithReviewed(planOf([], a), planOf([], b));
    expect(says).toEqual(same ? [] : [`the reviewed plan was made against ${a}, this plan against ${b}`]);
  });

  it('ignores what only explains: two plans computed from the same state compare equal', () => {
    const desired = desiredState(desiredApp('Alpha', { 1: 'A', 2: 'B' }), desiredApp('Beta', { 1: 'B' }), desiredApp('New', { 1: 'A' }));
    const observed = observedState([observedApp('Alpha', { 1: 'A' }), observedApp('Beta', { 1: { workflow: 'B', fingerprint: 'edited' } })]);
    const plan = computePlan(desired, observed);
    expect(publishSteps(plan).map((s) => `${s.app} ${s.version} ${s.creates}`)).toEqual(['Alpha 2 version', 'Beta 1 revision', 'New 1 app']);
    expect(compareWithReviewed(structuredClone(plan), computePlan(desired, observed))).toEqual([]);
  });
});
