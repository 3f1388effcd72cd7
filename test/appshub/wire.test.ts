// The wire mapping, table by table: what each server field becomes, that an
// absent field is UNKNOWN, that a wrong type is unreadable (what was sent kept)
// except where it identifies the record (an error naming the field), and how
// a publish request is spelled on the wire.

import { describe, expect, it } from 'vitest';
import { UNKNOWN, unreadable, type PublishRequest } from '../../src/appshub/types.js';
import {
  WireFormatError,
  appRecordFromWire,
  listPageFromWire,
  loginTokenFromWire,
  pollableVersionUrl,
  publishFormFields,
  publishMultipartBody,
  publishResultFromWire,
  rawOf,
  versionRecordFromWire,
  versionStateKind,
  workflowRecordFromWire,
} from '../../src/appshub/wire.js';
import { GUIDE_FORM_FIELDS, GUIDE_PUBLISH_REQUEST } from './helpers.js';

const APP_ID = '130d943e100e46e0b5da490ac005b70e';
const BASE = 'https://app.pseven.io/appshub/.rest/v2/';

/** The guide's publish response, with the fields it leaves as `{...}` filled in. */
const guidePublishResponse = {
  name: 'Toy app',
  path: '/Apps/Toy app.p7wf',
  id: APP_ID,
  readme: null,
  url: `${BASE}apps/${APP_ID}@1/`,
  presets: null,
  parameters: null,
  results: null,
  runs: [],
  ui_url: null,
  app_url: null,
  workflow: { path: '/Users/1/ToyWorkflow.p7wf' },
  thumbnail: null,
  fingerprint: null,
  version: 1,
  revision: 0,
  updated: '2024-02-02T10:23:19.995035Z',
  versions: [],
  workspace: { id: '7', name: 'Toy apps' },
  state: 'QUEUED_TO_INITIALIZE',
};

const fullApp = {
  ...guidePublishResponse,
  url: `${BASE}apps/${APP_ID}/`,
  description: 'A toy app to try publishing via REST.',
  allow_get_as_workflow: false,
  thumbnail: `${BASE}apps/${APP_ID}/thumbnail/`,
  fingerprint: 'wf-fp-1',
  version: 2,
  revision: 3,
  state: 'READY',
  state_detail: null,
  versions: [1, { version: 2, revision: 3, state: 'READY' }],
};

function without(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

describe('appRecordFromWire', () => {
  it('maps every field of a full app record', () => {
    expect(appRecordFromWire(fullApp)).toEqual({
      id: APP_ID,
      name: 'Toy app',
      url: `${BASE}apps/${APP_ID}/`,
      workspace: { id: '7', name: 'Toy apps' },
      description: 'A toy app to try publishing via REST.',
      allowCopy: false,
      thumbnailUrl: `${BASE}apps/${APP_ID}/thumbnail/`,
      defaultVersion: 2,
      current: {
        appId: APP_ID,
        version: 2,
        revision: 3,
        state: 'READY',
        stateDetail: null,
        workflowPath: '/Users/1/ToyWorkflow.p7wf',
        workflowFingerprint: 'wf-fp-1',
        // The app's own URL is not the default version's URL (A4).
        url: UNKNOWN,
        updated: '2024-02-02T10:23:19.995035Z',
      },
      versions: [
        { version: 1, revision: UNKNOWN, state: UNKNOWN },
        { version: 2, revision: 3, state: 'READY' },
      ],
    });
  });

  it('keeps the record url as the default version url when it is a version url', () => {
    const app = appRecordFromWire({ ...fullApp, url: `${BASE}apps/${APP_ID}@2/` });
    expect(app.current).toMatchObject({ url: `${BASE}apps/${APP_ID}@2/` });
  });

  it.each([
    ['description', 'description'],
    ['allow_get_as_workflow', 'allowCopy'],
    ['thumbnail', 'thumbnailUrl'],
    ['version', 'defaultVersion'],
    ['version', 'current'],
    ['versions', 'versions'],
    ['workspace', 'workspace'],
    ['url', 'url'],
  ])('an absent %s makes %s UNKNOWN', (wireField, field) => {
    expect(appRecordFromWire(without(fullApp, wireField))).toHaveProperty(field, UNKNOWN);
  });

  it.each([
    ['workspace without id', { ...fullApp, workspace: { name: 'Toy apps' } }],
    ['workspace without name', { ...fullApp, workspace: { id: '7' } }],
  ])('a %s is UNKNOWN as a whole', (_, body) => {
    expect(appRecordFromWire(body).workspace).toBe(UNKNOWN);
  });

  it.each([
    ['description', 'description'],
    ['thumbnail', 'thumbnailUrl'],
  ])('a null %s is %s null (none on the server), not UNKNOWN', (wireField, field) => {
    expect(appRecordFromWire({ ...fullApp, [wireField]: null })).toHaveProperty(field, null);
  });

  it('ignores fields it does not know', () => {
    expect(appRecordFromWire({ ...fullApp, brand_new_field: { x: 1 }, runs: 'whatever' })).toEqual(appRecordFromWire(fullApp));
  });

  it.each([
    ['id', { ...fullApp, id: undefined }, 'id should be present (a non-empty string), got nothing'],
    ['id', { ...fullApp, id: { hex: 'x' } }, 'id should be a non-empty string, got an object'],
    ['id', { ...fullApp, id: '' }, 'id should be a non-empty string, got ""'],
    ['name', { ...fullApp, name: null }, 'name should be a non-empty string, got null'],
  ])('a wrong %s is an error naming the field: without it the app cannot be told apart', (field, body, message) => {
    let caught: unknown;
    try {
      appRecordFromWire(body, '');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WireFormatError);
    expect((caught as WireFormatError).field).toBe(field);
    expect((caught as Error).message).toBe(message);
  });

  // A19: one odd field is that field's problem (shown as sent), never the whole answer's.
  it.each([
    ['description', { ...fullApp, description: 5 }, 'description', '5'],
    ['allow_get_as_workflow', { ...fullApp, allow_get_as_workflow: 'False' }, 'allowCopy', '"False"'],
    ['thumbnail', { ...fullApp, thumbnail: 42 }, 'thumbnailUrl', '42'],
    ['thumbnail', { ...fullApp, thumbnail: 'javascript:alert(1)' }, 'thumbnailUrl', '"javascript:alert(1)"'],
    ['version', { ...fullApp, version: 0 }, 'defaultVersion', '0'],
    ['versions', { ...fullApp, versions: { 1: 'x' } }, 'versions', '{"1":"x"}'],
    ['versions[1]', { ...fullApp, versions: [1, 'two'] }, 'versions', '"two"'],
    ['versions[0].version', { ...fullApp, versions: [{ revision: 1 }] }, 'versions', '[{"revision":1}]'],
    ['workspace', { ...fullApp, workspace: 'Toy apps' }, 'workspace', '"Toy apps"'],
    ['workspace.id', { ...fullApp, workspace: { id: true, name: 'Toy apps' } }, 'workspace', '{"id":true,"name":"Toy apps"}'],
    ['url', { ...fullApp, url: ['x'] }, 'url', '["x"]'],
  ])('a wrong %s makes %s unreadable, with what was sent', (_, body, field, raw) => {
    expect(appRecordFromWire(body)).toHaveProperty(field, unreadable(raw));
  });

  it.each([
    ['revision', { ...fullApp, revision: 1.5 }, 'revision', '1.5'],
    ['versions[0].state', { ...fullApp, versions: [{ version: 2, state: 3 }] }, 'state', '3'],
    ['workflow', { ...fullApp, workflow: null }, 'workflowPath', 'null'],
    ['workflow.path', { ...fullApp, workflow: { path: ['x'] } }, 'workflowPath', '["x"]'],
    ['fingerprint', { ...fullApp, fingerprint: 12 }, 'workflowFingerprint', '12'],
    ['state_detail', { ...fullApp, state_detail: { why: 1 } }, 'stateDetail', '{"why":1}'],
  ])('a wrong %s of the default version makes its %s unreadable', (wireField, body, field, raw) => {
    const app = appRecordFromWire(body);
    if (wireField.startsWith('versions')) expect((app.versions as unknown as Array<Record<string, unknown>>)[0]).toHaveProperty(field, unreadable(raw));
    else expect(app.current).toHaveProperty(field, unreadable(raw));
  });

  it('shows what was sent on one line, escaped and cut short', () => {
    const app = appRecordFromWire({ ...fullApp, description: { text: `a\u001b[31m\u202e${'z'.repeat(200)}` } });
    const raw = (app.description as { raw: string }).raw;
    expect(raw.startsWith(String.raw`{"text":"a\u001b[31m\u202ezzz`)).toBe(true);
    expect(raw.endsWith('z…')).toBe(true);
    expect(raw.length).toBe(80);
    expect(rawOf('\u2028')).toBe('"\\u2028"');
  });

  it.each([
    ['A15: a server-relative thumbnail', { thumbnail: '/appshub/media/t.png' }, 'thumbnailUrl', 'https://app.pseven.io/appshub/media/t.png'],
    ['A15: a relative app url', { url: `/appshub/.rest/v2/apps/${APP_ID}@2/` }, 'url', `${BASE}apps/${APP_ID}@2/`],
    ['A18: a numeric workspace id', { workspace: { id: 7, name: 'Toy apps' } }, 'workspace', { id: '7', name: 'Toy apps' }],
    ['A18: a numeric app id', { id: 130 }, 'id', '130'],
    ['A18: a default version as a decimal string', { version: '2' }, 'defaultVersion', 2],
    ['A17: versions as numbers', { versions: [1, 2] }, 'versions', [1, 2].map((version) => ({ version, revision: UNKNOWN, state: UNKNOWN }))],
    ['A17: versions as decimal strings', { versions: ['1', '2'] }, 'versions', [1, 2].map((version) => ({ version, revision: UNKNOWN, state: UNKNOWN }))],
    [
      'A17: versions as version URLs',
      { versions: [`${BASE}apps/${APP_ID}@1/`, `/appshub/.rest/v2/apps/${APP_ID}@12/`] },
      'versions',
      [1, 12].map((version) => ({ version, revision: UNKNOWN, state: UNKNOWN })),
    ],
    ['A17: version objects with string numbers', { versions: [{ version: '3', revision: '1' }] }, 'versions', [{ version: 3, revision: 1, state: UNKNOWN }]],
  ])('reads %s', (_, change, field, value) => {
    expect(appRecordFromWire({ ...fullApp, ...change }, '', { baseUrl: 'https://app.pseven.io' })).toHaveProperty(field, value);
  });

  it('keeps a relative URL unreadable when there is no server to read it against', () => {
    expect(appRecordFromWire({ ...fullApp, thumbnail: '/appshub/media/t.png' }).thumbnailUrl).toEqual(unreadable('"/appshub/media/t.png"'));
  });

  it('refuses a version URL whose number cannot be read, as the whole list', () => {
    const app = appRecordFromWire({ ...fullApp, versions: [1, `${BASE}apps/${APP_ID}@latest/`] }, '', { baseUrl: 'https://app.pseven.io' });
    expect(app.versions).toEqual(unreadable(rawOf(`${BASE}apps/${APP_ID}@latest/`)));
  });

  it('prefixes field names with the record path it is given', () => {
    expect(() => appRecordFromWire({ name: 'x' }, 'results[3]')).toThrow('results[3].id should be present');
  });

  it.each([
    ['a list', []],
    ['a string', 'app'],
    ['null', null],
  ])('refuses %s as an app', (_, body) => {
    expect(() => appRecordFromWire(body)).toThrow(WireFormatError);
  });

  it('describes a long wrong value briefly', () => {
    const long = 'y'.repeat(500);
    expect(() => appRecordFromWire({ ...fullApp, name: 7, id: long } as unknown)).toThrow(/name should be a non-empty string, got 7$/);
    expect(() => versionRecordFromWire({ id: APP_ID, version: long })).toThrow(/got "y{38}…$/);
  });
});

describe('versionRecordFromWire', () => {
  const version = {
    id: APP_ID,
    name: 'Toy app',
    url: `${BASE}apps/${APP_ID}@2/`,
    version: 2,
    revision: 1,
    state: 'FAILED',
    state_detail: 'Workflow validation failed: block "Solver" has no inputs.',
    workflow: { path: '/Users/1/ToyWorkflow.p7wf', id: 'ignored' },
    fingerprint: null,
    updated: '2024-02-02T10:23:19.995035Z',
  };

  it('maps a version record, reasons for failure included', () => {
    expect(versionRecordFromWire(version)).toEqual({
      appId: APP_ID,
      version: 2,
      revision: 1,
      state: 'FAILED',
      stateDetail: 'Workflow validation failed: block "Solver" has no inputs.',
      workflowPath: '/Users/1/ToyWorkflow.p7wf',
      workflowFingerprint: null,
      url: `${BASE}apps/${APP_ID}@2/`,
      updated: '2024-02-02T10:23:19.995035Z',
    });
  });

  it.each([
    ['revision', 'revision'],
    ['state', 'state'],
    ['state_detail', 'stateDetail'],
    ['workflow', 'workflowPath'],
    ['fingerprint', 'workflowFingerprint'],
    ['url', 'url'],
    ['updated', 'updated'],
  ])('an absent %s makes %s UNKNOWN', (wireField, field) => {
    expect(versionRecordFromWire(without(version, wireField))).toHaveProperty(field, UNKNOWN);
  });

  it('a workflow object without path leaves the path UNKNOWN', () => {
    expect(versionRecordFromWire({ ...version, workflow: {} }).workflowPath).toBe(UNKNOWN);
  });

  it('passes on states the guide does not name', () => {
    expect(versionRecordFromWire({ ...version, state: 'ARCHIVED' }).state).toBe('ARCHIVED');
  });

  it.each([
    ['version', without(version, 'version')],
    ['id', without(version, 'id')],
  ])('a version record without %s is an error', (field, body) => {
    expect(() => versionRecordFromWire(body)).toThrow(`${field} should be present`);
  });
});

describe('workflowRecordFromWire', () => {
  const guideWorkflow = {
    id: '130d943e100e46e0b5da490ac005b70e',
    name: 'ToyWorkflow',
    path: '/Users/1/ToyWorkflow.p7wf',
    url: 'https://app.pseven.io/pseven/.rest/v2/workflows/130d943e100e46e0b5da490ac005b70e/',
  };

  it.each([
    ['the guide\'s entry (no fingerprint)', guideWorkflow, UNKNOWN],
    ['an entry with a fingerprint', { ...guideWorkflow, fingerprint: 'abc' }, 'abc'],
    ['an entry with a null fingerprint', { ...guideWorkflow, fingerprint: null }, null],
  ])('maps %s', (_, body, fingerprint) => {
    expect(workflowRecordFromWire(body)).toEqual({ ...guideWorkflow, fingerprint });
  });

  it.each(['id', 'name', 'path'])('a workflow without %s is an error', (field) => {
    expect(() => workflowRecordFromWire(without(guideWorkflow, field), '[0]')).toThrow(`[0].${field} should be present`);
  });
});

describe('publishResultFromWire (A20)', () => {
  const POSTED_TO = `${BASE}apps/`;
  const smallest = { appId: APP_ID, name: UNKNOWN, version: 4, revision: UNKNOWN, state: UNKNOWN, url: UNKNOWN, workspace: UNKNOWN };

  it('maps the guide\'s 201 response', () => {
    expect(publishResultFromWire(guidePublishResponse, '', { baseUrl: POSTED_TO })).toEqual({
      appId: APP_ID,
      name: 'Toy app',
      version: 1,
      revision: 0,
      state: 'QUEUED_TO_INITIALIZE',
      url: `${BASE}apps/${APP_ID}@1/`,
      workspace: { id: '7', name: 'Toy apps' },
    });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['keeps what the response leaves out UNKNOWN', { id: APP_ID, version: 4 }, {}],
    ['reads null fields as UNKNOWN', { id: APP_ID, version: 4, name: null, revision: null, state: null, url: null, workspace: null }, {}],
    ['reads a numeric app id as its decimal string', { id: 130, version: 4 }, { appId: '130' }],
    ['reads a numeric workspace id as a string', { id: APP_ID, version: 4, workspace: { id: 7, name: 'Toy apps' } }, { workspace: { id: '7', name: 'Toy apps' } }],
    ['reads a version written as a decimal string', { id: APP_ID, version: '4' }, {}],
    ['resolves a path-only url against the request', { id: APP_ID, version: 4, url: `/appshub/.rest/v2/apps/${APP_ID}@4/` }, { url: `${BASE}apps/${APP_ID}@4/` }],
    ['resolves a relative url against the request', { id: APP_ID, version: 4, url: `${APP_ID}@4/` }, { url: `${BASE}apps/${APP_ID}@4/` }],
    ['takes the version from a url ending in @{version}/ when `version` is absent', { id: APP_ID, url: `${BASE}apps/${APP_ID}@4/` }, { url: `${BASE}apps/${APP_ID}@4/` }],
    ['keeps the version UNKNOWN when neither `version` nor the url tells it', { id: APP_ID, url: `${BASE}apps/${APP_ID}/` }, { version: UNKNOWN, url: `${BASE}apps/${APP_ID}/` }],
    ['keeps an unreadable revision as UNKNOWN with what was there', { id: APP_ID, version: 4, revision: 'zero' }, { revision: unreadable('"zero"') }],
    ['keeps an unreadable state as UNKNOWN', { id: APP_ID, version: 4, state: 3 }, { state: unreadable('3') }],
    ['keeps a non-http url as UNKNOWN', { id: APP_ID, version: 4, url: 'ftp://elsewhere/x' }, { url: unreadable('"ftp://elsewhere/x"') }],
    ['keeps a half workspace as UNKNOWN (A11)', { id: APP_ID, version: 4, workspace: { id: '7' } }, {}],
    ['keeps a workspace that is a word unreadable', { id: APP_ID, version: 4, workspace: 'Toy apps' }, { workspace: unreadable('"Toy apps"') }],
  ])('%s', (_, body, changes) => {
    expect(publishResultFromWire(body, '', { baseUrl: POSTED_TO })).toEqual({ ...smallest, ...changes });
  });

  it.each<[string, unknown, string]>([
    ['no app id', { version: 1 }, 'id should be present (a non-empty string), got nothing'],
    ['an empty app id', { id: '', version: 1 }, 'id should be a non-empty string, got ""'],
    ['an app id that is an object', { id: { hex: APP_ID }, version: 1 }, 'id should be a non-empty string, got an object'],
    ['a version that is not a whole number from 1', { id: APP_ID, version: 0 }, 'version should be a whole number from 1, got 0'],
    ['a version that is a word', { id: APP_ID, version: 'one' }, 'version should be a whole number from 1, got "one"'],
    ['a list', [guidePublishResponse], 'the body should be an object, got a list'],
  ])('refuses %s: apply cannot go on without it', (_, body, message) => {
    expect(() => publishResultFromWire(body, '', { baseUrl: POSTED_TO })).toThrow(message);
  });
});

describe('pollableVersionUrl (A22)', () => {
  const base = 'https://h.example/p7/appshub/.rest/v2/';
  it.each<[string | undefined, string | undefined]>([
    [`${base}apps/a@2/`, `${base}apps/a@2/`],
    [`${base}apps/a/versions/2/?fresh=1`, `${base}apps/a/versions/2/?fresh=1`],
    ['https://h.example/appshub/.rest/v2/apps/a@2/', undefined],
    ['https://h.example/p7/appshub/.rest/v2evil/apps/a@2/', undefined],
    ['http://h.example/p7/appshub/.rest/v2/apps/a@2/', undefined],
    ['https://h.example:444/p7/appshub/.rest/v2/apps/a@2/', undefined],
    ['https://other.example/p7/appshub/.rest/v2/apps/a@2/', undefined],
    ['apps/a@2/', undefined],
    [undefined, undefined],
  ])('polls %s at %s', (url, polled) => {
    expect(pollableVersionUrl(url, base)?.href).toBe(polled);
  });
});

describe('versionStateKind (A23)', () => {
  it.each([
    ['READY', 'ready'],
    ['QUEUED_TO_INITIALIZE', 'in-progress'],
    ['INITIALIZING', 'in-progress'],
    ...['FAILED', 'ERROR', 'FAILURE', 'CANCELLED', 'CANCELED', 'ABORTED', 'REJECTED', 'failed', 'Cancelled', 'BUILD_FAILED', 'INIT_ERROR', 'error'].map((s) => [s, 'failed']),
    ['PUBLISHING', 'unknown'],
    ['Ready', 'unknown'],
    ['initializing', 'unknown'],
    ['DEPLOYING', 'unknown'],
  ])('%s is %s', (state, kind) => {
    expect(versionStateKind(state!)).toBe(kind);
  });
});

describe('listPageFromWire (A9)', () => {
  it.each([
    ['a bare array', [{ id: 'a' }], { items: [{ id: 'a' }], itemsPath: '', next: null }],
    ['a last DRF page', { count: 1, next: null, previous: null, results: [{ id: 'a' }] }, { items: [{ id: 'a' }], itemsPath: 'results', next: null }],
    ['a DRF page with more', { count: 3, next: `${BASE}apps/?page=2`, results: [] }, { items: [], itemsPath: 'results', next: `${BASE}apps/?page=2` }],
    ['a page without next', { results: [] }, { items: [], itemsPath: 'results', next: null }],
  ])('reads %s', (_, body, page) => {
    expect(listPageFromWire(body)).toEqual(page);
  });

  it.each([
    ['an object without results', { count: 0, apps: [] }, 'the body should be a list, or a page with a `results` list, got an object without a `results` list'],
    ['a string', 'apps', 'the body should be a list, or a page with a `results` list, got "apps"'],
    ['a page whose next is a number', { results: [], next: 2 }, 'next should be a URL or null, got 2'],
  ])('refuses %s', (_, body, message) => {
    expect(() => listPageFromWire(body)).toThrow(message);
  });
});

describe('loginTokenFromWire', () => {
  it('reads the guide\'s login answer', () => {
    expect(loginTokenFromWire({ token: '7a592349be99d8affc6739c1ff8fec98030ff14f' })).toBe('7a592349be99d8affc6739c1ff8fec98030ff14f');
  });
  it('refuses an answer without a token', () => {
    expect(() => loginTokenFromWire({ key: 'x' })).toThrow('token should be present');
  });
});

describe('publish request encoding (A12)', () => {
  const guideRequest = GUIDE_PUBLISH_REQUEST;

  it('spells the guide\'s example field for field, in its order', () => {
    expect(publishFormFields(guideRequest)).toEqual(GUIDE_FORM_FIELDS);
  });

  it.each<[string, PublishRequest, Array<[string, string]>]>([
    [
      'the smallest request still says set_version_as_default',
      { name: 'A', workspaceId: '7', workflowPath: '/w.p7wf', setVersionAsDefault: true },
      [['workspace.id', '7'], ['name', 'A'], ['workflow_path', '/w.p7wf'], ['set_version_as_default', 'True']],
    ],
    [
      'a version is a decimal number, booleans are True/False',
      { name: 'A', workspaceName: 'W', workspaceId: '7', workflowPath: '/w.p7wf', version: 12, setVersionAsDefault: false, allowGetAsWorkflow: true },
      [['workspace.name', 'W'], ['workspace.id', '7'], ['name', 'A'], ['workflow_path', '/w.p7wf'], ['version', '12'], ['set_version_as_default', 'False'], ['allow_get_as_workflow', 'True']],
    ],
    [
      'an empty description is sent (it clears), an undefined one is not',
      { name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', description: '', setVersionAsDefault: false },
      [['workspace.name', 'W'], ['name', 'A'], ['workflow_path', '/w.p7wf'], ['description', ''], ['set_version_as_default', 'False']],
    ],
    [
      'the thumbnail is never among the text fields',
      { ...GUIDE_PUBLISH_REQUEST, thumbnail: { path: '/tmp/t.png', filename: 't.png', mediaType: 'image/png', sha256: '0'.repeat(64) } },
      GUIDE_FORM_FIELDS,
    ],
  ])('%s', (_, request, fields) => {
    expect(publishFormFields(request)).toEqual(fields);
  });

  it.each([0, 1.5, -2, Number.NaN])('refuses to send version %s', (version) => {
    expect(() => publishFormFields({ ...guideRequest, version })).toThrow(RangeError);
  });

  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

  it('builds a body without a file byte for byte, still multipart', () => {
    const { body, contentType } = publishMultipartBody([['name', 'A'], ['set_version_as_default', 'False']], undefined, 'B');
    expect(contentType).toBe('multipart/form-data; boundary=B');
    expect(text(body)).toBe(
      '--B\r\nContent-Disposition: form-data; name="name"\r\n\r\nA\r\n' +
        '--B\r\nContent-Disposition: form-data; name="set_version_as_default"\r\n\r\nFalse\r\n' +
        '--B--\r\n',
    );
  });

  it('puts the file last, its name escaped, its bytes as they are', () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x0d, 0x0a, 0xff]);
    const { body } = publishMultipartBody([['name', 'A']], { field: 'thumbnail', filename: 'a"b\n.png', mediaType: 'image/png', bytes }, 'B');
    const head =
      '--B\r\nContent-Disposition: form-data; name="name"\r\n\r\nA\r\n' +
      '--B\r\nContent-Disposition: form-data; name="thumbnail"; filename="a%22b%0A.png"\r\nContent-Type: image/png\r\n\r\n';
    expect(Buffer.from(body)).toEqual(Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from('\r\n--B--\r\n')]));
  });

  it('keeps a description\'s line endings and characters byte for byte', () => {
    const description = 'Ünïcødé — 日本語 ✓\nsecond line\r\nthird\n';
    const { body } = publishMultipartBody([['description', description]], undefined, 'B');
    expect(text(body)).toBe(`--B\r\nContent-Disposition: form-data; name="description"\r\n\r\n${description}\r\n--B--\r\n`);
  });
});
