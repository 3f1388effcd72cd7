// Managed fields the server does not report: the planner never publishes for
// them alone, sends them with any publish planned for another reason, and
// says which per app; the verification view counts them for the final lines
// and strict mode. Table-driven over field x what the server reported x
// whether a publish is planned.

import { describe, expect, it } from 'vitest';
import { UNKNOWN, unreadable, type Maybe } from '../../src/appshub/types.js';
import { computePlan } from '../../src/plan/compute.js';
import { describeConflict, describeNote, summaryLine } from '../../src/plan/describe.js';
import { planToDocument } from '../../src/plan/document.js';
import { planFromDocument } from '../../src/plan/document-read.js';
import type { ObservedApp, ObservedThumbnail } from '../../src/plan/observed.js';
import type { AppPlan, Plan, PlanNote } from '../../src/plan/types.js';
import { planVerification, strictModeError, unverifiedPairs, unverifiedText, verifiedText } from '../../src/plan/verification.js';
import { desiredApp, desiredState, desiredThumbnail, observedApp, observedState, sha } from './builders.js';

type Field = 'description' | 'allowCopy' | 'thumbnail';
type Reported = 'reported' | 'unreported' | 'unreadable';

const DESIRED: Record<Field, object> = {
  description: { description: 'Sizes beams.' },
  allowCopy: { allowCopy: false },
  thumbnail: { thumbnail: desiredThumbnail('b') },
};

/** What the server shows for the field: the config's own value, nothing, or something unreadable. */
function observedField(field: Field, reported: Reported): Partial<ObservedApp> {
  const value: Record<Field, unknown> = {
    description: 'Sizes beams.',
    allowCopy: false,
    thumbnail: { url: 'https://pseven.example.com/t.png', sha256: sha('b') } satisfies ObservedThumbnail,
  };
  const shown: Maybe<unknown> = reported === 'reported' ? value[field] : reported === 'unreadable' ? unreadable('{"x": 1}') : UNKNOWN;
  return { [field === 'thumbnail' ? 'thumbnail' : field]: shown } as Partial<ObservedApp>;
}

function planFor(field: Field, reported: Reported, publishPlanned: boolean): AppPlan {
  // A second declared version missing on the server is the "other reason" to publish.
  const versions: Record<number, string> = publishPlanned ? { 1: 'Beam', 2: 'Beam2' } : { 1: 'Beam' };
  const desired = desiredApp('Beam', versions, DESIRED[field]);
  const observed = observedApp('Beam', { 1: 'Beam' }, observedField(field, reported));
  return computePlan(desiredState(desired), observedState([observed])).apps[0] as AppPlan;
}

const unverifiableNotes = (app: AppPlan) => app.notes.filter((n): n is Extract<PlanNote, { kind: 'unverifiable' }> => n.kind === 'unverifiable');

const CASES = (['description', 'allowCopy', 'thumbnail'] as const).flatMap((field) =>
  (['reported', 'unreported', 'unreadable'] as const).flatMap((reported) => [true, false].map((publishPlanned) => ({ field, reported, publishPlanned }))),
);

describe('a managed setting the server does not report', () => {
  it.each(CASES)('$field $reported, publish planned: $publishPlanned', ({ field, reported, publishPlanned }) => {
    const app = planFor(field, reported, publishPlanned);
    // Never a publish of its own: only the missing version 2 causes one.
    expect(app.action).toBe(publishPlanned ? 'update' : 'no-op');
    const notes = unverifiableNotes(app);
    if (reported === 'reported') {
      expect(notes).toEqual([]);
    } else {
      expect(notes).toEqual([
        expect.objectContaining({ field, sentWithPublish: publishPlanned, ...(reported === 'unreadable' ? { raw: '{"x": 1}' } : {}) }),
      ]);
      const words = describeNote(notes[0]!);
      expect(words).toMatch(publishPlanned ? /; sent with this publish$/ : /; no publish planned$/);
      if (reported === 'unreadable') expect(words).toContain('(the server sent {"x": 1})');
    }
    if (app.action !== 'update') return;
    // The publish planned for another reason carries the field: the server ends up right whenever the app is touched.
    const [publish] = app.publishes;
    expect(publish?.reasons.map((r) => r.kind)).toEqual(['version-missing']);
    const sent = { description: publish?.request.description, allowCopy: publish?.request.allowGetAsWorkflow, thumbnail: publish?.request.thumbnail?.sha256 };
    const expected = { description: 'Sizes beams.', allowCopy: false, thumbnail: sha('b') };
    if (field === 'thumbnail' && reported === 'reported') expect(sent.thumbnail).toBeUndefined(); // same content: not uploaded again
    else expect(sent[field]).toBe(expected[field]);
  });

  it('marks the default version sent only when a publish of that very version is planned', () => {
    const plan = (versions: Record<number, string>) =>
      computePlan(
        desiredState(desiredApp('Beam', versions, { defaultVersion: 2 })),
        observedState([observedApp('Beam', { 1: 'Beam', 2: 'Beam2' }, { defaultVersion: UNKNOWN })]),
      ).apps[0] as AppPlan;
    expect(unverifiableNotes(plan({ 1: 'Beam', 2: 'Beam2' }))).toEqual([expect.objectContaining({ field: 'defaultVersion', sentWithPublish: false })]);
    const withV3 = plan({ 1: 'Beam', 2: 'Beam2', 3: 'Beam3' });
    expect(withV3.action).toBe('update');
    expect(unverifiableNotes(withV3)).toEqual([expect.objectContaining({ field: 'defaultVersion', sentWithPublish: false })]);
  });

  it('shows what an unreadable field held safely: control and direction characters escaped, cut short', () => {
    const note: PlanNote = { kind: 'unverifiable', field: 'description', detail: 'x', raw: `\u001b[31mred\u202e${'y'.repeat(80)}` };
    const words = describeNote(note);
    expect(words).not.toMatch(/[\u001b\u202e]/);
    expect(words).toContain('\\x1b[31mred\\u202e');
    expect(words).toMatch(/y\.\.\.\)$/);
  });
});

describe('the verification view', () => {
  function mixed(): Plan {
    return computePlan(
      desiredState(
        desiredApp('Alpha', { 1: 'A' }, { description: 'A.' }),
        desiredApp('Beta', { 1: 'B' }, { description: 'B.', thumbnail: desiredThumbnail('t') }),
        desiredApp('Gamma', { 1: 'C' }),
        desiredApp('Delta', { 1: 'D' }, { workspace: { name: 'Fluids' } }),
      ),
      observedState([
        observedApp('Alpha', { 1: { workflow: 'A', fingerprint: UNKNOWN } }, { description: UNKNOWN }),
        observedApp('Beta', { 1: { workflow: 'B', fingerprint: UNKNOWN } }, { description: unreadable('42'), thumbnail: UNKNOWN }),
        observedApp('Gamma', { 1: 'C' }),
      ]),
    );
  }

  it('counts fields by app and per-version fields by version, in a fixed order', () => {
    const v = planVerification(mixed());
    expect(v).toMatchObject({ formatVersion: 1, apps: 4, verifiedApps: 1 });
    expect(v.unverified.map((u) => [u.field, u.apps, u.versions])).toEqual([
      ['description', 2, 0],
      ['thumbnail', 1, 0],
      ['workflow', 2, 2],
      ['newAppWorkspace', 1, 0],
    ]);
    expect(v.unverified[0]?.items).toEqual([
      { app: 'Alpha', sentWithPublish: false },
      { app: 'Beta', raw: '42', sentWithPublish: false },
    ]);
  });

  it.each([
    [{ formatVersion: 1 as const, apps: 12, verifiedApps: 12, unverified: [] }, null, '12 apps verified'],
    [
      { formatVersion: 1 as const, apps: 12, verifiedApps: 9, unverified: [{ field: 'description' as const, apps: 3, versions: 0, items: [] }] },
      'description of 3 apps cannot be verified on this server',
      '12 apps verified; description of 3 apps cannot be verified on this server',
    ],
    [
      {
        formatVersion: 1 as const,
        apps: 1,
        verifiedApps: 0,
        unverified: [
          { field: 'thumbnail' as const, apps: 2, versions: 0, items: [] },
          { field: 'workflow' as const, apps: 2, versions: 5, items: [] },
        ],
      },
      'thumbnail of 2 apps and workflow content of 5 versions cannot be verified on this server',
      '1 app verified; thumbnail of 2 apps and workflow content of 5 versions cannot be verified on this server',
    ],
  ])('words %#', (verification, unverified, verified) => {
    expect(unverifiedText(verification)).toBe(unverified);
    expect(verifiedText(verification)).toBe(verified);
  });

  it('never says the server matches the config when something managed is unverified', () => {
    expect(summaryLine(mixed())).toBe(
      'Plan: 1 app to create, 0 to update (1 publish), 0 conflicts, 3 unchanged, 0 unmanaged; ' +
        'description of 2 apps, thumbnail of 1 app and workflow content of 2 versions cannot be verified on this server; ' +
        'workspace of 1 new app cannot be checked before publishing',
    );
  });

  it('strict mode lists every app/field pair, except a new app\'s workspace that the publish itself checks', () => {
    const v = planVerification(mixed());
    expect(unverifiedPairs(v)).toEqual(['"Alpha" description', '"Alpha" v1 workflow content', '"Beta" description', '"Beta" thumbnail', '"Beta" v1 workflow content']);
    expect(strictModeError(v)?.message).toBe(
      'strict mode: 5 managed fields cannot be verified on this server: "Alpha" description, "Alpha" v1 workflow content, "Beta" description, "Beta" thumbnail, "Beta" v1 workflow content',
    );
    expect(strictModeError(planVerification(computePlan(desiredState(desiredApp('Gamma', { 1: 'C' })), observedState([observedApp('Gamma', { 1: 'C' })]))))).toBeNull();
  });

  it('is written into the saved plan, and a saved plan without it still loads', () => {
    const plan = mixed();
    const document = planToDocument(plan);
    expect(document.verification).toEqual(planVerification(plan));
    expect(planFromDocument(JSON.parse(JSON.stringify(document)), 'plan.json')).toEqual(plan);
    const { verification: _dropped, ...older } = JSON.parse(JSON.stringify(document));
    expect(planFromDocument(older, 'plan.json')).toEqual(plan);
  });
});

describe('a new app\'s workspace', () => {
  const other = (workspace: { id: string; name: string }) => observedApp('Other', { 1: 'A' }, { workspace });

  it.each([
    ['name only, shown', { name: 'Engineering' }, [other({ id: '7', name: 'Engineering' })], 'verified'],
    ['id only, shown', { id: '7' }, [other({ id: '7', name: 'Engineering' })], 'verified'],
    ['both, shown together', { name: 'Engineering', id: '7' }, [other({ id: '7', name: 'Engineering' })], 'verified'],
    ['both, the id shown under another name', { name: 'A', id: '7' }, [other({ id: '7', name: 'B' })], 'conflict'],
    ['both, the name shown under another id', { name: 'A', id: '7' }, [other({ id: '8', name: 'A' })], 'conflict'],
    ['not shown by any app', { name: 'Engineering' }, [other({ id: '9', name: 'Archive' })], 'unchecked'],
    ['no apps at all', { name: 'Engineering' }, [], 'unchecked'],
  ])('%s', (_name, workspace, apps, outcome) => {
    const app = computePlan(desiredState(desiredApp('Beam', { 1: 'Beam' }, { workspace })), observedState(apps)).apps[0] as AppPlan;
    if (outcome === 'conflict') {
      expect(app.action).toBe('conflict');
      const conflict = app.action === 'conflict' ? app.conflicts[0]! : undefined;
      expect(conflict).toMatchObject({ kind: 'workspace-mismatch', seenOn: 'Other' });
      expect(describeConflict(conflict!).problem).toMatch(/^the config puts the app in workspace "A" \(id 7\), but on the server workspace "[AB]" \(id [78]\) holds app "Other"/);
      return;
    }
    expect(app.action).toBe('create');
    expect(unverifiableNotes(app).map((n) => n.field)).toEqual(outcome === 'verified' ? [] : ['newAppWorkspace']);
  });
});
