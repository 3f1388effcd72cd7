// The assumption registry's checks over raw JSON, one row per way a server
// may differ from the README's shape, and how differences become what p7apps
// can and cannot verify.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, CAPABILITIES, type AssumptionStatus, type WireEvidence } from '../../src/appshub/assumptions.js';
import { assumptionFindings, capabilityFindings, summaryLine, verdictOf } from '../../src/doctor/report.js';
import { fullApp, fullVersion, fullWorkflow, type Json } from './wire-fixtures.js';

/** What a probe of the full server collects, with changes. */
function evidence(app: Json = {}, changes: Partial<WireEvidence> = {}): WireEvidence {
  return {
    appList: [fullApp(app)],
    workflowList: [fullWorkflow()],
    appListShape: { shape: 'array', pages: 1 },
    workflowListShape: { shape: 'array', pages: 1 },
    appDetail: fullApp(app),
    versionDetail: fullVersion(1, app),
    thumbnailRead: { ok: true },
    appRuns: { ok: true, runs: [{ id: 'r1', name: 'check', state: 'FINISHED' }] },
    versionRuns: { ok: true, path: 'apps/{id}@1/runs/' },
    ...changes,
  };
}

function verdict(id: string, e: WireEvidence) {
  return ASSUMPTIONS.find((a) => a.id === id)!.check(e);
}

describe('the full shape', () => {
  it('every assumption a read can show holds; the publish ones need a publish', () => {
    const statuses = Object.fromEntries(assumptionFindings(evidence()).map((a) => [a.id, a.status]));
    expect(statuses).toEqual({
      A1: 'holds', A2: 'holds', A3: 'holds', A4: 'holds', A5: 'holds', A6: 'holds', A7: 'holds',
      A8: 'holds', A9: 'holds', A10: 'needs-publish', A11: 'holds', A12: 'needs-publish', A13: 'holds', A14: 'needs-publish',
      // The rules for servers that differ: nothing here needs them.
      A15: 'not-seen', A16: 'not-seen', A17: 'not-seen', A18: 'not-seen', A19: 'not-seen', A23: 'not-seen',
      // Publishing: only a publish would tell.
      A20: 'needs-publish', A21: 'needs-publish', A22: 'needs-publish', A24: 'needs-publish',
      // Runs: the lists are read; the commands only a run would show.
      A25: 'holds', A26: 'holds', A27: 'not-seen', A28: 'needs-run',
    });
  });

  it('ids are A1, A2, ... in order, each with a title and a meaning; the assumptions proper affect something, the rules for servers that differ nothing', () => {
    const rules = ['A15', 'A16', 'A17', 'A18', 'A19', 'A23', 'A27'];
    expect(ASSUMPTIONS.map((a) => a.id)).toEqual(ASSUMPTIONS.map((_, i) => `A${i + 1}`));
    for (const a of ASSUMPTIONS) {
      expect(a.title).not.toBe('');
      expect(a.meaning).not.toBe('');
      expect(a.affects.length > 0, a.id).toBe(!rules.includes(a.id));
      for (const c of a.affects) expect(CAPABILITIES.map((x) => x.name)).toContain(c);
    }
  });

  it('every assumption is marked in the code', () => {
    const code = ['src/appshub/wire.ts', 'src/appshub/run-wire.ts', 'src/observe/read.ts', 'src/emulator/images.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const a of ASSUMPTIONS) expect(code, a.id).toMatch(new RegExp(`\\b${a.id}\\b`));
  });
});

describe('differences, one per row', () => {
  it.each<[string, string, WireEvidence, AssumptionStatus, string | undefined]>([
    ['A1', 'description not reported', evidence({ description: undefined }), 'differs', 'the description is not reported (no `description` field)'],
    ['A1', 'description a number', evidence({ description: 5 }), 'differs', 'description is 5, not a string or null'],
    ['A1', 'description missing from some', evidence({}, { appList: [fullApp(), { ...fullApp(), description: undefined }] }), 'differs', 'the description is missing from 1 of 3 app records'],
    ['A2', 'copy permission a string', evidence({ allow_get_as_workflow: 'False' }), 'differs', 'allow_get_as_workflow is "False", not true or false'],
    ['A3', 'thumbnail refused', evidence({}, { thumbnailRead: { ok: false, problem: '403 Forbidden on GET apps/x/thumbnail/' } }), 'differs', 'the thumbnail could not be read with the token: 403 Forbidden on GET apps/x/thumbnail/'],
    ['A3', 'thumbnail forbidden and relative', evidence({ thumbnail: 'thumbs/1.png' }, { thumbnailRead: { ok: false, problem: '403' } }), 'differs', 'thumbnail is "thumbs/1.png", not null or an absolute URL; the thumbnail could not be read with the token: 403'],
    ['A4', 'no default version', evidence({ version: undefined }), 'differs', 'the default version is not reported (no `version` field)'],
    ['A4', 'default not among the versions', evidence({ version: 7 }), 'differs', "an app's version 7 is not among its versions"],
    ['A5', 'versions of another kind', evidence({ versions: [{ number: 1 }] }), 'differs', 'a version entry is an object, not a number, a version URL or an object with `version`'],
    ['A5', 'versions as numbers', evidence({ versions: [1, 2] }), 'holds', undefined],
    ['A5', 'versions not listed', evidence({ versions: undefined }), 'differs', 'versions not listed (no `versions` field)'],
    ['A6', 'no workflow path', evidence({}, { versionDetail: fullVersion(1, { workflow: { id: 'w1' } }) }), 'differs', "a version's workflow path is not reported"],
    ['A6', 'no fingerprint', evidence({}, { versionDetail: fullVersion(1, { fingerprint: undefined }) }), 'differs', "a version's fingerprint is not reported"],
    ['A7', 'workflow fingerprint absent', evidence({}, { workflowList: [fullWorkflow({ fingerprint: undefined })] }), 'differs', 'workflow fingerprint not reported (no `fingerprint` field)'],
    ['A7', 'no workflows', evidence({}, { workflowList: [] }), 'not-seen', 'no workflows on this server to look at'],
    ['A8', 'an unknown state', evidence({ state: 'PUBLISHED' }), 'differs', 'state "PUBLISHED" is not one p7apps knows'],
    ['A8', 'states seen', evidence({ state: 'FAILED' }), 'holds', 'states seen: FAILED, READY'],
    ['A25', 'app runs refused', evidence({}, { appRuns: { ok: false, status: 404, problem: 'answered 404' } }), 'differs', 'GET apps/{id}/runs/ answered 404'],
    ['A25', 'a run without a state', evidence({}, { appRuns: { ok: true, runs: [{ id: 'r1', status: 'done' }] } }), 'differs', 'an entry lacks a string id or state ("id", "status")'],
    ['A25', 'no runs yet', evidence({}, { appRuns: { ok: true, runs: [] } }), 'holds', 'the app has no runs yet: an empty list'],
    ['A26', 'version runs refused', evidence({}, { versionRuns: { ok: false, status: 404, path: 'apps/{id}@1/runs/', problem: 'answered 404' } }), 'differs', 'GET apps/{id}@1/runs/ answered 404: only the default version can be run (p7apps falls back as docs/runs.md says)'],
    ['A26', 'no version read', evidence({}, { versionRuns: undefined }), 'not-seen', 'no version was read to try its runs/'],
    ['A27', 'no run in a state the guide does not name', evidence(), 'not-seen', 'nothing here needs it'],
    ['A8', 'a state that is no name', evidence({ state: 3 }), 'differs', 'a state is 3, not a name'],
    ['A11', 'workspace without a name', evidence({ workspace: { id: '7' } }), 'differs', 'workspace lacks its id or name'],
    ['A13', 'the app URL of the app', evidence({ url: 'https://app.example/appshub/.rest/v2/apps/x/' }), 'holds', "it is the app's URL; the default version's URL is read from its details"],
    ['A13', 'an app URL that is no URL', evidence({ url: 'here' }), 'differs', 'the app\'s url is "here"'],
    ['A7', 'workflows p7apps cannot read', evidence({}, { workflowListProblem: 'entry [0].path should be a non-empty string, got 5' }), 'differs', 'p7apps cannot read workflows/: entry [0].path should be a non-empty string, got 5'],
  ])('%s: %s', (id, _name, e, status, detail) => {
    const v = verdict(id, e);
    expect(v.status).toBe(status);
    if (detail !== undefined) expect(v.detail).toBe(detail);
  });

  it.each<[string, string, WireEvidence, string, string[], string]>([
    ['A3', 'relative thumbnail', evidence({ thumbnail: '/appshub/media/t/1/' }), 'thumbnail is a relative URL', ['A15'], 'A15'],
    ['A25', 'a run state the guide does not name', evidence({}, { appRuns: { ok: true, runs: [{ id: 'r1', state: 'PAUSED' }] } }), 'runs in states the guide does not name: "PAUSED"', ['A27'], 'A27'],
    ['A4', 'default version as a decimal string', evidence({ version: '2' }), 'the default version is a decimal string, not a number', ['A18'], 'A18'],
    ['A5', 'versions as URLs', evidence({ versions: ['https://app.example/appshub/.rest/v2/apps/a@1/', 'https://app.example/appshub/.rest/v2/apps/a@2/'] }), 'versions are URLs, not numbers or objects with `version`', ['A17'], 'A17'],
    ['A5', 'versions as decimal strings', evidence({ versions: ['1', '2'] }), 'versions are decimal strings, not numbers or objects with `version`', ['A17'], 'A17'],
    ['A9', 'short list entries', evidence({}, { appList: [{ id: fullApp().id, name: 'Toy app' }] }), '', ['A19'], 'A19'],
    ['A11', 'numeric workspace id', evidence({ workspace: { id: 7, name: 'Toy apps' } }), 'workspace id is a number, not a string', ['A18'], 'A18'],
    ['A13', 'relative app URL', evidence({ url: '/appshub/.rest/v2/apps/x/' }), "the app's url is a relative URL", ['A15'], 'A15'],
    ['A8', 'failures named ERROR', evidence({ state: 'ERROR' }), 'failures are named "ERROR", not "FAILED"', ['A23'], 'A23'],
  ])('%s: %s differs, and p7apps reads it anyway', (id, _name, e, detail, handledBy, rule) => {
    const v = verdict(id, e);
    expect(v.status).toBe('differs');
    if (detail !== '') expect(v.detail).toBe(detail);
    expect(v.handledBy).toEqual(handledBy);
    // The rule that reads it says it is in use, naming the assumption.
    expect(verdict(rule, e)).toMatchObject({ status: 'holds', detail: expect.stringContaining(id) });
    // Nothing is lost: no capability goes, and the verdict stays ok.
    const capabilities = capabilityFindings(assumptionFindings(e));
    expect(capabilities.filter((c) => c.status === 'no')).toEqual([]);
    expect(verdictOf([], capabilities)).toBe('ok');
  });

  it('an unreadable thumbnail (A16) takes thumbnails away and nothing else', () => {
    const e = evidence({}, { thumbnailRead: { ok: false, problem: '403 Forbidden' } });
    expect(verdict('A16', e).status).toBe('holds');
    const lost = capabilityFindings(assumptionFindings(e)).filter((c) => c.status === 'no');
    expect(lost).toEqual([{ name: 'thumbnail', meaning: "an app's thumbnail, by content", status: 'no', because: ['A3'] }]);
  });

  it('short list entries name the fields only in the details', () => {
    const v = verdict('A9', evidence({}, { appList: [{ id: fullApp().id, name: 'Toy app', version: 2 }] }));
    expect(v.detail).toMatch(/^apps\/ entries are shorter than GET apps\/\{id\}\/: "allow_get_as_workflow", "description", /);
  });

  it('nothing to look at: an empty server, or lists not read', () => {
    const empty = assumptionFindings({ appList: [], workflowList: [fullWorkflow()], appListShape: { shape: 'array', pages: 1 }, workflowListShape: { shape: 'array', pages: 1 } });
    expect(empty.filter((a) => a.status === 'not-seen').map((a) => a.id)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A8', 'A11', 'A13', 'A15', 'A16', 'A17', 'A18', 'A19', 'A23', 'A25', 'A26', 'A27']);
    expect(empty.find((a) => a.id === 'A1')!.detail).toBe('no apps on this server to look at');
    const unread = assumptionFindings({});
    expect(unread.find((a) => a.id === 'A1')!.detail).toBe('apps/ was not read');
    expect(unread.filter((a) => a.status === 'holds' || a.status === 'differs')).toEqual([]);
  });

  it('a server value with control characters is quoted, never raw', () => {
    const v = verdict('A8', evidence({ state: '\u001b[2JREADY\u202e' }));
    expect(v.detail).not.toContain('\u001b');
    expect(v.detail).toContain('\\u001b[2J');
  });
});

describe('what p7apps can verify', () => {
  it('a difference takes away what rests on it, naming the assumption', () => {
    const findings = assumptionFindings(evidence({ thumbnail: 'thumbs/1.png', description: undefined }));
    const caps = Object.fromEntries(capabilityFindings(findings).map((c) => [c.name, [c.status, c.because]]));
    expect(caps.thumbnail).toEqual(['no', ['A3']]);
    expect(caps.description).toEqual(['no', ['A1']]);
    expect(caps['copy-permission']).toEqual(['yes', ['A2']]);
    expect(caps['workflow-content']).toEqual(['yes', ['A6', 'A7']]);
    expect(caps.publish).toEqual(['needs-publish', ['A10', 'A12', 'A14', 'A20', 'A21', 'A22', 'A24']]);
    expect(verdictOf([], capabilityFindings(findings))).toBe('limited');
  });

  it.each([
    ['ok', [], evidence(), 'p7apps works with this server: every assumption it could check holds.'],
    ['limited', [], evidence({ thumbnail: 'thumbs/1.png', description: 5 }), 'p7apps works with this server, with limits: it cannot verify description, thumbnail (A1, A3).'],
    ['ok', [], evidence({ thumbnail: '/t.png', version: '2' }), 'p7apps works with this server: it reads the 2 differences above by its rules for servers that differ.'],
    ['unusable', [{ message: 'no' }], evidence(), 'p7apps cannot work with this server: 1 problem.'],
  ] as const)('%s', (expected, problems, e, line) => {
    const assumptions = assumptionFindings(e);
    const capabilities = capabilityFindings(assumptions);
    const verdict = verdictOf([...problems], capabilities);
    expect(verdict).toBe(expected);
    expect(summaryLine({ verdict, problems: [...problems], assumptions, capabilities } as never)).toBe(line);
  });
});
