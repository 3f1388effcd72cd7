import { describe, expect, it } from 'vitest';
import { UNKNOWN, isUnknown } from '../../src/appshub/types.js';
import { P7appsError } from '../../src/errors.js';
import { planDocumentText, planToDocument } from '../../src/plan/document.js';
import { planFromDocument } from '../../src/plan/document-read.js';
import { richPlan } from './rich-plan.js';

const FILE = 'plans/today.json';

function documentJson(): Record<string, unknown> {
  return JSON.parse(planDocumentText(richPlan())) as Record<string, unknown>;
}

function refusal(json: unknown): P7appsError {
  try {
    planFromDocument(json, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(P7appsError);
    return err as P7appsError;
  }
  throw new Error('the document was accepted');
}

/** Applies an edit to a fresh copy of the rich plan's document. */
function edited(edit: (doc: any) => void): unknown {
  const doc = documentJson();
  edit(doc);
  return doc;
}

describe('the saved plan document', () => {
  it('round-trips: planFromDocument(planToDocument(plan)) equals the plan', () => {
    const plan = richPlan();
    expect(planFromDocument(planToDocument(plan), FILE)).toEqual(plan);
  });

  it('round-trips through JSON text, restoring the UNKNOWN marker', () => {
    const plan = richPlan();
    const back = planFromDocument(JSON.parse(planDocumentText(plan)), FILE);
    expect(back).toEqual(plan);
    const valve = back.apps.find((a) => a.name === 'Valve');
    expect(valve?.action).toBe('no-op');
    const unmanaged = back.unmanagedApps[0];
    expect(unmanaged && !isUnknown(unmanaged.workspace)).toBe(true);
  });

  it('names its kind and format version first, and writes UNKNOWN as {"unknown": true}', () => {
    const text = planDocumentText({ ...richPlan(), unmanagedApps: [{ appId: 'x', name: 'X', workspace: UNKNOWN }], summary: { ...richPlan().summary } });
    expect(text.startsWith('{\n  "kind": "p7apps-plan",\n  "formatVersion": 1,\n')).toBe(true);
    expect(text).toContain('"workspace": {\n        "unknown": true\n      }');
    expect(text.endsWith('}\n')).toBe(true);
  });

  it.each([
    ['a rich plan', richPlan],
    ['a plan with an unmanaged app of unknown workspace', () => ({ ...richPlan(), unmanagedApps: [{ appId: 'x', name: 'X', workspace: UNKNOWN }] })],
  ])('writes %s as the text of its copied document, leaving the plan as it was', (_name, make) => {
    const plan = make();
    const before = JSON.stringify(plan);
    expect(planDocumentText(plan)).toBe(`${JSON.stringify(planToDocument(plan), null, 2)}\n`);
    expect(JSON.stringify(plan)).toBe(before);
  });

  it('is a copy: changing the document does not change the plan', () => {
    const plan = richPlan();
    const doc = planToDocument(plan);
    doc.apps.length = 0;
    expect(plan.apps.length).toBeGreaterThan(0);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'hello', /^plans\/today\.json is not a p7apps plan/],
    ['an array', [], /is not a p7apps plan/],
    ['another kind', { kind: 'terraform-plan', formatVersion: 1 }, /is not a p7apps plan/],
    ['a newer format', edited((d) => (d.formatVersion = 2)), /is a plan in format 2; this p7apps reads format 1/],
    ['a missing request name', edited((d) => delete d.apps[0].publishes[1].request.name), /at apps\[0\]\.publishes\[1\]\.request\.name: /],
    ['a version as a string', edited((d) => (d.apps[1].publishes[0].request.version = '2')), /at apps\[1\]\.publishes\[0\]\.request\.version: /],
    ['an unknown field', edited((d) => (d.apps[1].publishes[0].request.authorization = 'Token x')), /at apps\[1\]\.publishes\[0\]\.request: /],
    ['an unknown action', edited((d) => (d.apps[2].action = 'delete')), /at apps\[2\]\.action: /],
    ['a bad fingerprint', edited((d) => (d.apps[1].observedFingerprint = 'abc')), /at apps\[1\]\.observedFingerprint: /],
    ['a bad thumbnail hash', edited((d) => (d.apps[0].publishes[0].request.thumbnail.sha256 = 'B'.repeat(64))), /at apps\[0\]\.publishes\[0\]\.request\.thumbnail\.sha256: /],
    ['a summary that does not add up', edited((d) => (d.summary.publishes = 1)), /at summary\.publishes: 1 does not match the apps \(6\)/],
    ['steps out of order', edited((d) => (d.apps[0].publishes[0].step = 2)), /at apps\[0\]\.publishes\[0\]\.step: expected 1, found 2/],
    // Found by an adversarial review: each was accepted, and apply then published to another app, or twice.
    ['an app listed twice (its publishes would be sent twice)', edited((d) => d.apps.push(structuredClone(d.apps[1]))), /at apps\[8\]\.name: app "Gearbox" is listed twice \(also at apps\[1\]\)/],
    [
      'an app listed twice under another name (its id twice)',
      edited((d) => d.apps.push({ ...structuredClone(d.apps[6]), name: 'Valve 2' })),
      /at apps\[8\]\.appId: app id "id-valve" is listed twice \(also at apps\[6\]\)/,
    ],
    [
      'a publish sent to another app than the one it is listed under',
      edited((d) => (d.apps[1].publishes[0].request.name = 'Heat Sink')),
      /at apps\[1\]\.publishes\[0\]\.request\.name: "Heat Sink" is not the app it is listed under \("Gearbox"\)/,
    ],
    [
      'a revision sent to another version than the one expected',
      edited((d) => (d.apps[3].publishes[0].request.version = 1)),
      /at apps\[3\]\.publishes\[0\]\.request\.version: 1 is not the version it is expected to publish \(2\)/,
    ],
  ])('refuses %s, naming the file and the place', (_name, json, message) => {
    const err = refusal(json);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(FILE);
    expect(err.hint).toBeTruthy();
  });
});
