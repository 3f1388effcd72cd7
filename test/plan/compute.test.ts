import { describe, expect, it } from 'vitest';
import { UNKNOWN, type WorkflowRecord } from '../../src/appshub/types.js';
import { closestWorkflowPath, computePlan, fingerprintObservedApp } from '../../src/plan/compute.js';
import { describeConflict, summaryLine } from '../../src/plan/describe.js';
import type { AppPlan, Plan, PlannedPublish } from '../../src/plan/types.js';
import {
  WORKSPACE,
  desiredApp,
  desiredState,
  desiredThumbnail,
  fp,
  observedApp,
  observedState,
  sha,
  wf,
  workflowsFor,
} from './builders.js';
import type { DesiredApp } from '../../src/config/desired.js';
import type { ObservedApp, ObservedState } from '../../src/plan/observed.js';

/** The parts of a publish that drive apply, in one line per publish. */
function brief(p: PlannedPublish) {
  return {
    version: p.request.version ?? '(next)',
    workflow: p.request.workflowPath,
    setDefault: p.request.setVersionAsDefault,
    expect: `${p.expect.creates} v${p.expect.version}${p.expect.becomesDefault ? ' default' : ''}`,
    reasons: p.reasons.map((r) => r.kind),
  };
}

function onlyApp(plan: Plan): AppPlan {
  expect(plan.apps).toHaveLength(1);
  return plan.apps[0] as AppPlan;
}

function publishes(app: AppPlan): PlannedPublish[] {
  if (app.action !== 'create' && app.action !== 'update') throw new Error(`expected publishes, got ${app.action}: ${JSON.stringify(app)}`);
  return app.publishes;
}

function plan1(desired: DesiredApp, observed?: ObservedApp, workflows?: ObservedState['workflows']): AppPlan {
  return onlyApp(computePlan(desiredState(desired), observedState(observed ? [observed] : [], workflows)));
}

interface Row {
  name: string;
  desired: DesiredApp;
  observed?: ObservedApp;
  workflows?: ObservedState['workflows'];
  action: AppPlan['action'];
  publishes?: ReturnType<typeof brief>[];
  check?: (app: AppPlan) => void;
}

const rows: Row[] = [
  {
    name: 'new app with three versions and a non-latest default: v1 creates it, v2 is made default, v3 keeps it',
    desired: desiredApp('Beam', { 1: 'Beam', 2: 'Beam2', 3: 'Beam3' }, { defaultVersion: 2, description: 'Beams.', allowCopy: false, thumbnail: desiredThumbnail('b') }),
    action: 'create',
    publishes: [
      { version: '(next)', workflow: wf('Beam'), setDefault: true, expect: 'app v1 default', reasons: ['app-missing'] },
      { version: '(next)', workflow: wf('Beam2'), setDefault: true, expect: 'version v2 default', reasons: ['version-missing'] },
      { version: '(next)', workflow: wf('Beam3'), setDefault: false, expect: 'version v3', reasons: ['version-missing'] },
    ],
    check: (app) => {
      const [first, second, third] = publishes(app);
      // The first publish carries every managed setting; the thumbnail is uploaded once.
      expect(first?.request).toEqual({
        name: 'Beam',
        workspaceName: 'Engineering',
        workflowPath: wf('Beam'),
        description: 'Beams.',
        setVersionAsDefault: true,
        allowGetAsWorkflow: false,
        thumbnail: { path: '/repo/assets/b.png', filename: 'b.png', mediaType: 'image/png', sha256: sha('b') },
      });
      expect(second?.request.thumbnail).toBeUndefined();
      expect(third?.request).toMatchObject({ description: 'Beams.', allowGetAsWorkflow: false });
      expect(app.action === 'create' && app.changes.map((c) => c.field)).toEqual(['description', 'thumbnail', 'allowCopy', 'defaultVersion', 'version', 'version', 'version']);
    },
  },
  {
    name: 'new app without a managed default: the first version is default, later ones send false',
    desired: desiredApp('Beam', { 1: 'Beam', 2: 'Beam2' }),
    action: 'create',
    publishes: [
      { version: '(next)', workflow: wf('Beam'), setDefault: true, expect: 'app v1 default', reasons: ['app-missing'] },
      { version: '(next)', workflow: wf('Beam2'), setDefault: false, expect: 'version v2', reasons: ['version-missing'] },
    ],
  },
  {
    name: 'new app declaring versions 3 and 4: the server can only assign 1, 2',
    desired: desiredApp('Beam', { 3: 'Beam', 4: 'Beam2' }),
    action: 'conflict',
    check: (app) =>
      expect(app.action === 'conflict' && app.conflicts).toEqual([
        { kind: 'version-not-assignable', version: 3, highest: 0 },
        { kind: 'version-not-assignable', version: 4, highest: 0 },
      ]),
  },
  {
    name: 'version republished because its workflow path changed',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Old', revision: 3 } }),
    action: 'update',
    publishes: [{ version: 2, workflow: wf('Gear2'), setDefault: false, expect: 'revision v2', reasons: ['workflow-path-changed'] }],
    check: (app) => {
      const [p] = publishes(app);
      expect(p?.expect.previousRevision).toBe(3);
      expect(p?.reasons).toEqual([{ kind: 'workflow-path-changed', version: 2, before: wf('Old'), after: wf('Gear2') }]);
      expect(app.action === 'update' && app.changes).toEqual([
        { field: 'version', version: 2, before: { revision: 3, workflowPath: wf('Old'), state: 'READY' }, after: { workflowPath: wf('Gear2') } },
      ]);
    },
  },
  {
    name: 'version republished because its workflow content changed (fingerprint)',
    desired: desiredApp('Gear', { 1: 'Gear' }),
    observed: observedApp('Gear', { 1: { workflow: 'Gear', revision: 2, fingerprint: 'fp-before-edit' } }),
    action: 'update',
    publishes: [{ version: 1, workflow: wf('Gear'), setDefault: false, expect: 'revision v1 default', reasons: ['workflow-content-changed'] }],
    check: (app) => expect(publishes(app)[0]?.reasons).toEqual([{ kind: 'workflow-content-changed', version: 1, revision: 2, workflow: wf('Gear') }]),
  },
  {
    name: 'a FAILED version is republished',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Gear2', state: 'FAILED', revision: 1 } }),
    action: 'update',
    publishes: [{ version: 2, workflow: wf('Gear2'), setDefault: false, expect: 'revision v2', reasons: ['version-failed'] }],
  },
  {
    name: 'a version in ERROR, another name for a failure (A23), is republished',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Gear2', state: 'ERROR', revision: 1 } }),
    action: 'update',
    publishes: [{ version: 2, workflow: wf('Gear2'), setDefault: false, expect: 'revision v2', reasons: ['version-failed'] }],
  },
  {
    name: 'settings-only change with the default managed: the default version is republished and stays default',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { description: 'New words.', defaultVersion: 1 }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { description: 'Old words.', defaultVersion: 1 }),
    action: 'update',
    publishes: [{ version: 1, workflow: wf('Gear'), setDefault: true, expect: 'revision v1 default', reasons: ['settings-changed'] }],
    check: (app) => expect(publishes(app)[0]?.request.description).toBe('New words.'),
  },
  {
    name: 'settings-only change with the default unmanaged: the current default is republished with an explicit false (it stays default)',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { allowCopy: false }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { defaultVersion: 2 }),
    action: 'update',
    publishes: [{ version: 2, workflow: wf('Gear2'), setDefault: false, expect: 'revision v2 default', reasons: ['settings-changed'] }],
  },
  {
    name: 'settings-only change when the config does not declare the current default: the highest declared existing version carries it',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { description: 'New.' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gear2', 3: 'A', 4: 'B' }, { defaultVersion: 4 }),
    action: 'update',
    publishes: [{ version: 2, workflow: wf('Gear2'), setDefault: false, expect: 'revision v2', reasons: ['settings-changed'] }],
  },
  {
    name: 'settings ride on a publish already needed (no extra revision)',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2', 3: 'A' }, { description: 'New.', thumbnail: desiredThumbnail('c') }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { description: 'Old.', thumbnail: { url: 'https://x/t.png', sha256: sha('d') } }),
    action: 'update',
    publishes: [{ version: '(next)', workflow: wf('A'), setDefault: false, expect: 'version v3', reasons: ['version-missing', 'settings-changed'] }],
    check: (app) => {
      const [p] = publishes(app);
      expect(p?.reasons[1]).toEqual({ kind: 'settings-changed', fields: ['description', 'thumbnail'] });
      expect(p?.request.thumbnail?.sha256).toBe(sha('c'));
    },
  },
  {
    name: 'only an explicit false keeps the default: every publish of an app with an unmanaged default sends false',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2', 3: 'A' }),
    observed: observedApp('Gear', { 1: { workflow: 'Gear', fingerprint: 'stale' }, 2: { workflow: 'Gear2', state: 'FAILED' } }, { defaultVersion: 1 }),
    action: 'update',
    publishes: [
      { version: 1, workflow: wf('Gear'), setDefault: false, expect: 'revision v1 default', reasons: ['workflow-content-changed'] },
      { version: 2, workflow: wf('Gear2'), setDefault: false, expect: 'revision v2', reasons: ['version-failed'] },
      { version: '(next)', workflow: wf('A'), setDefault: false, expect: 'version v3', reasons: ['version-missing'] },
    ],
  },
  {
    name: 'a default change costs a revision of the new default version',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { defaultVersion: 2 }),
    observed: observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Gear2', revision: 4 } }, { defaultVersion: 1 }),
    action: 'update',
    publishes: [{ version: 2, workflow: wf('Gear2'), setDefault: true, expect: 'revision v2 default', reasons: ['default-changed'] }],
    check: (app) => {
      expect(publishes(app)[0]?.reasons).toEqual([{ kind: 'default-changed', before: 1, after: 2, costsRevision: true }]);
      expect(publishes(app)[0]?.expect.previousRevision).toBe(4);
      expect(app.action === 'update' && app.changes).toEqual([{ field: 'defaultVersion', before: 1, after: 2 }]);
    },
  },
  {
    name: 'a default moving to a new version rides on its publish; the other publishes keep false',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { defaultVersion: 2 }),
    observed: observedApp('Gear', { 1: { workflow: 'Gear', fingerprint: 'stale' } }, { defaultVersion: 1 }),
    action: 'update',
    publishes: [
      { version: 1, workflow: wf('Gear'), setDefault: false, expect: 'revision v1 default', reasons: ['workflow-content-changed'] },
      { version: '(next)', workflow: wf('Gear2'), setDefault: true, expect: 'version v2 default', reasons: ['version-missing', 'default-changed'] },
    ],
  },
  {
    name: 'a version gap: declared 4 when the server has 1 and 2',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2', 4: 'A' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    action: 'conflict',
    check: (app) => expect(app.action === 'conflict' && app.conflicts).toEqual([{ kind: 'version-not-assignable', version: 4, highest: 2 }]),
  },
  {
    name: 'a missing version below the highest cannot be assigned either',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2', 3: 'A' }),
    observed: observedApp('Gear', { 1: 'Gear', 3: 'A' }),
    action: 'conflict',
    check: (app) => expect(app.action === 'conflict' && app.conflicts).toEqual([{ kind: 'version-not-assignable', version: 2, highest: 3 }]),
  },
  {
    name: 'the next versions are published without a version number, in order',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2', 3: 'A', 4: 'B' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    action: 'update',
    publishes: [
      { version: '(next)', workflow: wf('A'), setDefault: false, expect: 'version v3', reasons: ['version-missing'] },
      { version: '(next)', workflow: wf('B'), setDefault: false, expect: 'version v4', reasons: ['version-missing'] },
    ],
    check: (app) => expect(publishes(app).every((p) => !('version' in p.request))).toBe(true),
  },
  {
    name: 'declared versions 3 and 4 on an app whose 1 and 2 were published by hand: in sync, 1 and 2 are unmanaged',
    desired: desiredApp('Gear', { 3: 'A', 4: 'B' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Gear2', revision: 5 }, 3: 'A', 4: 'B' }),
    action: 'no-op',
    check: (app) =>
      expect(app.notes).toEqual([
        { kind: 'unmanaged-version', version: 1, revision: 0 },
        { kind: 'unmanaged-version', version: 2, revision: 5 },
      ]),
  },
  {
    name: 'fields the server does not report become notes, never "in sync"',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { description: 'D', allowCopy: true, thumbnail: desiredThumbnail('e'), defaultVersion: 1 }),
    observed: observedApp(
      'Gear',
      { 1: { workflow: 'Gear', path: UNKNOWN, state: UNKNOWN }, 2: { workflow: 'Gear2', fingerprint: null } },
      { description: UNKNOWN, allowCopy: UNKNOWN, thumbnail: { url: 'https://x/t.png', sha256: UNKNOWN }, defaultVersion: UNKNOWN, workspace: UNKNOWN },
    ),
    action: 'no-op',
    check: (app) =>
      expect(app.notes.map((n) => (n.kind === 'unverifiable' ? `${n.field}${n.version ? ` v${n.version}` : ''}` : n.kind))).toEqual([
        'workspace',
        'state v1',
        'workflow v1',
        'workflow v2',
        'defaultVersion',
        'description',
        'thumbnail',
        'allowCopy',
      ]),
  },
  {
    name: 'an unreadable workflow list makes every version\'s content unverifiable',
    desired: desiredApp('Gear', { 1: 'Gear' }),
    observed: observedApp('Gear', { 1: 'Gear' }),
    workflows: UNKNOWN,
    action: 'no-op',
    check: (app) => expect(app.notes).toEqual([expect.objectContaining({ kind: 'unverifiable', field: 'workflow', version: 1 })]),
  },
  {
    name: 'a workflow without a current fingerprint is unverifiable',
    desired: desiredApp('Gear', { 1: 'Gear' }),
    observed: observedApp('Gear', { 1: 'Gear' }),
    workflows: workflowsFor(['Gear'], { Gear: null }),
    action: 'no-op',
    check: (app) => expect(app.notes).toEqual([expect.objectContaining({ field: 'workflow', detail: expect.stringContaining('current fingerprint') })]),
  },
  {
    name: 'workspace differs by name: conflict (there is no move endpoint)',
    desired: desiredApp('Gear', { 1: 'Gear' }, { workspace: { name: 'Sales' } }),
    observed: observedApp('Gear', { 1: 'Gear' }),
    action: 'conflict',
    check: (app) => expect(app.action === 'conflict' && app.conflicts).toEqual([{ kind: 'workspace-differs', observed: WORKSPACE, desired: { name: 'Sales' } }]),
  },
  {
    name: 'workspace given by id compares only the id (as a string)',
    desired: desiredApp('Gear', { 1: 'Gear' }, { workspace: { id: '7' } }),
    observed: observedApp('Gear', { 1: 'Gear' }, { workspace: { id: 7 as unknown as string, name: 'Renamed' } }),
    action: 'no-op',
  },
  {
    name: 'workspace id differs: conflict',
    desired: desiredApp('Gear', { 1: 'Gear' }, { workspace: { id: '8', name: 'Engineering' } }),
    observed: observedApp('Gear', { 1: 'Gear' }),
    action: 'conflict',
  },
  {
    name: 'a declared version still initialising: wait (not a conflict), plan again when READY',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Gear2', state: 'INITIALIZING' } }),
    action: 'wait',
    check: (app) => expect(app.action === 'wait' && app.publishing).toEqual([{ version: 2, state: 'INITIALIZING', declared: true }]),
  },
  {
    name: 'a publish from a workflow the server does not list: conflict (it would fail with 400)',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Missing' }),
    observed: observedApp('Gear', { 1: 'Gear' }),
    action: 'conflict',
    check: (app) => expect(app.action === 'conflict' && app.conflicts).toEqual([{ kind: 'workflow-not-found', version: 2, workflow: wf('Missing') }]),
  },
  {
    name: 'a mistyped workflow path: conflict with the server\'s nearest path as a did-you-mean',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gaer' }),
    observed: observedApp('Gear', { 1: 'Gear' }),
    action: 'conflict',
    check: (app) =>
      expect(app.action === 'conflict' && app.conflicts).toEqual([{ kind: 'workflow-not-found', version: 2, workflow: wf('Gaer'), suggestion: wf('Gear') }]),
  },
  {
    name: 'an in-sync version whose workflow the server no longer lists: a note, no publish',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gone' }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gone' }),
    action: 'no-op',
    check: (app) => expect(app.notes).toEqual([expect.objectContaining({ kind: 'unverifiable', field: 'workflow', version: 2 })]),
  },
  {
    name: 'a default the config does not declare: conflict',
    desired: desiredApp('Gear', { 1: 'Gear' }, { defaultVersion: 2 }),
    observed: observedApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    action: 'conflict',
    check: (app) => expect(app.action === 'conflict' && app.conflicts).toEqual([{ kind: 'default-not-published', version: 2 }]),
  },
  {
    name: 'a thumbnail the server lacks is uploaded by the settings republish',
    desired: desiredApp('Gear', { 1: 'Gear' }, { thumbnail: desiredThumbnail('f') }),
    observed: observedApp('Gear', { 1: 'Gear' }, { thumbnail: null }),
    action: 'update',
    publishes: [{ version: 1, workflow: wf('Gear'), setDefault: false, expect: 'revision v1 default', reasons: ['settings-changed'] }],
    check: (app) => expect(publishes(app)[0]?.request.thumbnail?.filename).toBe('f.png'),
  },
  {
    name: 'a thumbnail with the same bytes is in sync and not sent',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { thumbnail: desiredThumbnail('f') }),
    observed: observedApp('Gear', { 1: 'Gear' }, { thumbnail: { url: 'https://x/t.png', sha256: sha('F') } }),
    action: 'update',
    publishes: [{ version: '(next)', workflow: wf('Gear2'), setDefault: false, expect: 'version v2', reasons: ['version-missing'] }],
    check: (app) => expect(publishes(app)[0]?.request.thumbnail).toBeUndefined(),
  },
  {
    name: 'plans never flap: CRLF against LF, and null against an empty description',
    desired: desiredApp('Gear', { 1: 'Gear' }, { description: 'line one\nline two\n' }),
    observed: observedApp('Gear', { 1: 'Gear' }, { description: 'line one\r\nline two\r' }),
    action: 'no-op',
  },
  {
    name: 'plans never flap: a null description equals an empty one',
    desired: desiredApp('Gear', { 1: 'Gear' }, { description: '' }),
    observed: observedApp('Gear', { 1: 'Gear' }, { description: null }),
    action: 'no-op',
  },
  {
    name: 'versions the server did not list: the found ones count, and a note says others may exist',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    observed: observedApp('Gear', { 1: 'Gear' }, { versionsListed: false }),
    action: 'update',
    publishes: [{ version: '(next)', workflow: wf('Gear2'), setDefault: false, expect: 'version v2', reasons: ['version-missing'] }],
    check: (app) => expect(app.notes).toEqual([expect.objectContaining({ kind: 'unverifiable', field: 'versions' })]),
  },
  {
    name: 'a version list the server sent but p7apps cannot read: a new version is a conflict, never a guessed publish',
    desired: desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
    observed: observedApp('Gear', { 1: 'Gear' }, { versionsListed: false, versionsUnreadable: '"all"' }),
    action: 'conflict',
    check: (app) => {
      expect(app.action === 'conflict' && app.conflicts).toEqual([{ kind: 'versions-unreadable', version: 2, sent: '"all"' }]);
      // What was sent is kept beside the sentence (shown quoted by the renderers), never inside it.
      expect(app.notes).toEqual([expect.objectContaining({ kind: 'unverifiable', field: 'versions', detail: expect.stringContaining('in a form p7apps cannot read'), raw: '"all"' })]);
    },
  },
  {
    name: 'a version list p7apps cannot read still lets a found version get a new revision (its number is named)',
    desired: desiredApp('Gear', { 1: 'Gear2' }),
    observed: observedApp('Gear', { 1: 'Gear' }, { versionsListed: false, versionsUnreadable: '"all"' }),
    action: 'update',
    publishes: [{ version: 1, workflow: wf('Gear2'), setDefault: false, expect: 'revision v1 default', reasons: ['workflow-path-changed'] }],
  },
];

describe('computePlan', () => {
  it.each(rows)('$name', (row) => {
    const app = plan1(row.desired, row.observed, row.workflows);
    expect(app.action, JSON.stringify(app, null, 2)).toBe(row.action);
    if (row.publishes) expect(publishes(app).map(brief)).toEqual(row.publishes);
    row.check?.(app);
  });

  it('numbers the steps of each app from 1 and sends set_version_as_default on every publish', () => {
    for (const row of rows) {
      const app = plan1(row.desired, row.observed, row.workflows);
      if (app.action !== 'create' && app.action !== 'update') continue;
      expect(app.publishes.map((p) => p.step)).toEqual(app.publishes.map((_, i) => i + 1));
      for (const p of app.publishes) {
        expect(typeof p.request.setVersionAsDefault, row.name).toBe('boolean');
        // true exactly where the config's default is published, or a new app's first version.
        const wanted = p.expect.version === row.desired.defaultVersion || p.expect.creates === 'app';
        expect(p.request.setVersionAsDefault, row.name).toBe(wanted);
      }
    }
  });

  it('lists server apps the config does not declare as unmanaged, and declared ones never', () => {
    const plan = computePlan(
      desiredState(desiredApp('Gear', { 1: 'Gear' })),
      observedState([observedApp('Zeta', { 1: 'A' }), observedApp('Gear', { 1: 'Gear' }), observedApp('Alpha', { 1: 'B' }, { workspace: UNKNOWN })]),
    );
    expect(plan.unmanagedApps).toEqual([
      { appId: 'id-alpha', name: 'Alpha', workspace: UNKNOWN },
      { appId: 'id-zeta', name: 'Zeta', workspace: WORKSPACE },
    ]);
    expect(plan.summary).toEqual({ create: 0, update: 0, conflict: 0, unchanged: 1, unmanaged: 2, publishes: 0, republishes: 0 });
    expect(summaryLine(plan)).toBe('No changes for 1 app; all verified: the server matches the config.');
  });

  it('refuses to guess between two server apps of the same name', () => {
    const plan = computePlan(
      desiredState(desiredApp('Gear', { 1: 'Gear' })),
      observedState([observedApp('Gear', { 1: 'Gear' }, { id: 'b' }), observedApp('Gear', { 1: 'Gear' }, { id: 'a' })]),
    );
    expect(plan.apps[0]).toMatchObject({ action: 'conflict', conflicts: [{ kind: 'name-ambiguous', appIds: ['a', 'b'] }] });
  });

  it('refuses to guess for apps the server lists under one id, naming both', () => {
    const plan = computePlan(
      desiredState(desiredApp('Gear', { 1: 'Gear' }), desiredApp('Wheel', { 1: 'Wheel' })),
      observedState([observedApp('Wheel', { 1: 'Wheel' }, { id: 'same' }), observedApp('Gear', { 1: 'Gear' }, { id: 'same' })]),
    );
    for (const app of plan.apps) {
      expect(app).toMatchObject({ action: 'conflict', appId: 'same', conflicts: [{ kind: 'id-shared', appId: 'same', names: ['Gear', 'Wheel'] }] });
    }
    expect(describeConflict({ kind: 'id-shared', appId: 'same', names: ['Gear', 'Wheel'] }).problem).toBe(
      'the server lists the id "same" for 2 apps ("Gear", "Wheel"), so p7apps cannot tell which one it would read or publish to',
    );
    expect(plan.summary).toMatchObject({ conflict: 2, publishes: 0 });
  });

  it('summarises creates, updates, conflicts, publishes and republishes', () => {
    const plan = computePlan(
      desiredState(
        desiredApp('New', { 1: 'New', 2: 'A' }),
        desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }),
        desiredApp('Bad', { 5: 'B' }),
        desiredApp('Same', { 1: 'C' }),
      ),
      observedState([observedApp('Gear', { 1: { workflow: 'Gear', fingerprint: 'x' } }), observedApp('Bad', { 1: 'B' }), observedApp('Same', { 1: 'C' }), observedApp('Other', { 1: 'D' })]),
    );
    expect(plan.apps.map((a) => `${a.name}:${a.action}`)).toEqual(['Bad:conflict', 'Gear:update', 'New:create', 'Same:no-op']);
    expect(plan.summary).toEqual({ create: 1, update: 1, conflict: 1, unchanged: 1, unmanaged: 1, publishes: 4, republishes: 1 });
    expect(summaryLine(plan)).toBe('Plan: 1 app to create, 1 to update (4 publishes), 1 conflict, 1 unchanged, 1 unmanaged');
  });

  it('is deterministic: shuffled inputs give the identical plan', () => {
    const desired = desiredState(
      desiredApp('Émile', { 1: 'A' }),
      desiredApp('beam', { 1: 'Beam', 2: 'Beam2' }, { description: 'x' }),
      desiredApp('Beam', { 1: 'Beam', 2: 'Beam2', 3: 'Beam3' }, { defaultVersion: 3 }),
      desiredApp('Zed', { 1: 'Gear', 2: 'Gear2' }),
    );
    const observed = observedState([
      observedApp('Zed', { 1: 'Gear', 2: { workflow: 'Gear2', fingerprint: 'stale' }, 3: 'A' }),
      observedApp('beam', { 1: 'Beam' }),
      observedApp('Other', { 1: 'A' }),
      observedApp('Another', { 1: 'A' }),
    ]);
    const reference = JSON.stringify(computePlan(desired, observed));
    const reversed = <T,>(xs: readonly T[]): T[] => [...xs].reverse();
    const shuffledDesired = {
      ...desired,
      apps: reversed(desired.apps).map((a) => ({ ...a, versions: reversed(a.versions) })),
    };
    const workflows = observed.workflows as Record<string, WorkflowRecord>;
    const shuffledObserved: ObservedState = {
      ...observed,
      apps: reversed(observed.apps).map((a) => ({ ...a, versions: reversed(a.versions) })),
      workflows: Object.fromEntries(reversed(Object.entries(workflows))),
    };
    expect(JSON.stringify(computePlan(shuffledDesired, shuffledObserved))).toBe(reference);
    // Code point order, not locale order: "Beam" < "Zed" < "beam" < "Émile".
    expect(computePlan(desired, observed).apps.map((a) => a.name)).toEqual(['Beam', 'Zed', 'beam', 'Émile']);
  });

  it('a plan computed again from the state it leads to is empty (convergence)', () => {
    const desired = desiredState(desiredApp('Gear', { 1: 'Gear', 2: 'Gear2' }, { description: 'Now.', defaultVersion: 2, allowCopy: false }));
    const after = observedState([
      observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Gear2', revision: 1 } }, { description: 'Now.', defaultVersion: 2, allowCopy: false }),
    ]);
    expect(computePlan(desired, after).summary.publishes).toBe(0);
  });
});

describe('fingerprintObservedApp', () => {
  const base = observedApp('Gear', { 1: 'Gear', 2: { workflow: 'Gear2', revision: 3 } }, { description: 'x' });

  it('ignores what changes by itself: state, version URLs, timestamps, key order', () => {
    const settled: ObservedApp = {
      ...base,
      versions: base.versions.map((v) => ({ ...v, state: 'QUEUED_TO_INITIALIZE', updated: 'later', url: 'elsewhere' })).reverse(),
    };
    expect(fingerprintObservedApp(settled)).toBe(fingerprintObservedApp(base));
    expect(fingerprintObservedApp(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<ObservedApp>]>([
    ['a new revision', { versions: base.versions.map((v) => (v.version === 2 ? { ...v, revision: 4 } : v)) }],
    ['a new version', { versions: [...base.versions, { ...(base.versions[0] as ObservedApp['versions'][0]), version: 3 }] }],
    ['another default', { defaultVersion: 2 }],
    ['another description', { description: 'y' }],
    ['another copy permission', { allowCopy: false }],
    ['another workspace', { workspace: { id: '8', name: 'Sales' } }],
    ['a thumbnail', { thumbnail: { url: 'https://x/t.png', sha256: sha('1') } }],
    ['a republished workflow', { versions: base.versions.map((v) => ({ ...v, workflowFingerprint: fp('other') })) }],
  ])('changes with %s', (_name, change) => {
    expect(fingerprintObservedApp({ ...base, ...change })).not.toBe(fingerprintObservedApp(base));
  });
});

describe('the did-you-mean for a workflow path', () => {
  const paths = ['/Users/1/Beam.p7wf', '/Users/1/BeamCalculator.p7wf', '/Users/2/HeatExchanger.p7wf'];
  it.each([
    ['/Users/1/BeamCalculater.p7wf', '/Users/1/BeamCalculator.p7wf'],
    ['/users/1/beamcalculator.p7wf', '/Users/1/BeamCalculator.p7wf'],
    ['/Users/2/HeatExchanger.p7wf/', '/Users/2/HeatExchanger.p7wf'],
    ['/Users/1/Bean.p7wf', '/Users/1/Beam.p7wf'],
    ['/Users/3/Something/Else.p7wf', undefined],
  ])('%s -> %s', (path, expected) => {
    expect(closestWorkflowPath(path, paths)).toBe(expected);
  });
});
