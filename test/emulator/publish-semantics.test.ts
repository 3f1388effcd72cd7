// Every row of the publish semantics (design/reconciler-semantics.md and the
// guide's "Workflow publishing" section), each over a real socket.

import { describe, expect, it } from 'vitest';
import { ANOTHER_TOY_WORKFLOW, client, emulator, pngBytes, TOY_WORKFLOW, toyPublish, type Encoding } from './helpers.js';

const ENCODINGS: Encoding[] = ['multipart', 'json', 'urlencoded'];

/** The guide's world plus a second user who may publish only in a second workspace. */
const TWO_WORKSPACES = {
  users: [
    { username: 'user@work.org', password: 'secret', tokens: ['user-token'] },
    { username: 'guest@work.org', password: 'guest', tokens: ['guest-token'] },
  ],
  workspaces: [
    { id: '7', name: 'Toy apps', publishers: ['user@work.org'] },
    { id: '8', name: 'Sandbox', publishers: ['user@work.org', 'guest@work.org'] },
  ],
  workflows: [{ path: TOY_WORKFLOW }, { path: ANOTHER_TOY_WORKFLOW }],
};

describe('a new app', () => {
  it.each(ENCODINGS)('is version 1, revision 0, default, copy allowed (%s)', async (encoding) => {
    const emu = await emulator();
    const api = client(emu);
    const res = await api.publish(toyPublish(), encoding);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Toy app', version: 1, revision: 0, workspace: { id: '7', name: 'Toy apps' } });
    const app = (await api.getApp(res.body.id)).body;
    expect(app).toMatchObject({ version: 1, revision: 0, allow_get_as_workflow: true, description: null, thumbnail: null });
    expect(emu.snapshot().apps).toEqual([expect.objectContaining({ name: 'Toy app', defaultVersion: 1, allowCopy: true })]);
  });

  it('is default even when set_version_as_default=False is sent', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ set_version_as_default: 'False' }));
    expect(res.status).toBe(201);
    expect(emu.snapshot().apps[0]!.defaultVersion).toBe(1);
    expect((await client(emu).getApp(res.body.id)).body.version).toBe(1);
  });

  it('keeps copy permission off when allow_get_as_workflow=False is sent', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ allow_get_as_workflow: 'False' }));
    expect((await client(emu).getApp(res.body.id)).body.allow_get_as_workflow).toBe(false);
  });

  it('answers 201 shaped as the guide shows it, with Location at the version URL', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish());
    const id = res.body.id as string;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toEqual({
      name: 'Toy app',
      path: '/Apps/Toy app.p7wf',
      id,
      readme: null,
      url: `${emu.appApiUrl}apps/${id}@1/`,
      presets: null,
      parameters: null,
      results: null,
      runs: [],
      ui_url: null,
      app_url: null,
      workflow: {
        id: '130d943e100e46e0b5da490ac005b70e',
        name: 'ToyWorkflow',
        path: TOY_WORKFLOW,
        url: `${emu.workflowApiUrl}workflows/130d943e100e46e0b5da490ac005b70e/`,
      },
      thumbnail: null,
      fingerprint: null,
      version: 1,
      revision: 0,
      updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      versions: [],
      workspace: { id: '7', name: 'Toy apps' },
      state: 'QUEUED_TO_INITIALIZE',
    });
    expect(res.headers.get('location')).toBe(`${emu.appApiUrl}apps/${id}@1/`);
  });
});

describe('an existing app', () => {
  it.each(ENCODINGS)('gets the next version number when no version is sent (%s)', async (encoding) => {
    const emu = await emulator();
    const api = client(emu);
    await api.publish(toyPublish());
    const second = await api.publish(toyPublish({ workflow_path: ANOTHER_TOY_WORKFLOW }), encoding);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ version: 2, revision: 0 });
    expect(second.body.url).toMatch(/@2\/$/);
    const third = await api.publish(toyPublish(), encoding);
    expect(third.body).toMatchObject({ version: 3, revision: 0 });
    expect(emu.snapshot().apps[0]!.versions.map((v) => [v.version, v.revision])).toEqual([[1, 0], [2, 0], [3, 0]]);
  });

  it.each(ENCODINGS)('gets a new revision of an existing version, replacing the old one (%s)', async (encoding) => {
    const emu = await emulator();
    const api = client(emu);
    const first = await api.publish(toyPublish());
    await api.publish(toyPublish());
    const res = await api.publish(toyPublish({ version: 1, workflow_path: ANOTHER_TOY_WORKFLOW, set_version_as_default: 'False' }), encoding);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 1, revision: 1 });
    const v1 = (await api.getApp(first.body.id, 1)).body;
    expect(v1).toMatchObject({ version: 1, revision: 1, workflow: { path: ANOTHER_TOY_WORKFLOW } });
    const [snapV1, snapV2] = emu.snapshot().apps[0]!.versions;
    expect(snapV1!.revisions.map((r) => [r.revision, r.workflowPath])).toEqual([
      [0, TOY_WORKFLOW],
      [1, ANOTHER_TOY_WORKFLOW],
    ]);
    expect(snapV2).toMatchObject({ version: 2, revision: 0, workflowPath: TOY_WORKFLOW });
  });

  it('records the workflow fingerprint of the moment each revision was published', async () => {
    const emu = await emulator();
    const api = client(emu);
    const first = await api.publish(toyPublish());
    const before = (await api.getApp(first.body.id, 1)).body.fingerprint;
    const edited = emu.editWorkflow(TOY_WORKFLOW);
    expect(edited).not.toBe(before);
    expect((await api.getApp(first.body.id, 1)).body.fingerprint).toBe(before);
    await api.publish(toyPublish({ version: 1 }));
    expect((await api.getApp(first.body.id, 1)).body.fingerprint).toBe(edited);
  });
});

describe('set_version_as_default', () => {
  it.each([
    ['omitted', undefined, 2],
    ['True', 'True', 2],
    ['False', 'False', 1],
  ])('%s: a new version makes default version %s', async (_label, value, expected) => {
    const emu = await emulator();
    const api = client(emu);
    const first = await api.publish(toyPublish());
    await api.publish(toyPublish({ set_version_as_default: value }));
    expect(emu.snapshot().apps[0]!.defaultVersion).toBe(expected);
    expect((await api.getApp(first.body.id)).body.version).toBe(expected);
  });

  it('omitted, with an existing version: that version becomes default', async () => {
    const emu = await emulator();
    const api = client(emu);
    await api.publish(toyPublish());
    await api.publish(toyPublish());
    await api.publish(toyPublish({ version: 1 }));
    expect(emu.snapshot().apps[0]!.defaultVersion).toBe(1);
  });

  it('False, with an existing version: the default stays where it was', async () => {
    const emu = await emulator();
    const api = client(emu);
    await api.publish(toyPublish());
    await api.publish(toyPublish());
    await api.publish(toyPublish({ version: 1, set_version_as_default: false }), 'json');
    expect(emu.snapshot().apps[0]!.defaultVersion).toBe(2);
  });
});

describe('app-wide settings', () => {
  it('are kept when omitted and overwritten when given, in every version', async () => {
    const emu = await emulator();
    const api = client(emu);
    const thumb = pngBytes([200, 10, 10]);
    const first = await api.publish(toyPublish({ description: 'First words.', allow_get_as_workflow: 'False', thumbnail: thumb }));
    const id = first.body.id as string;
    await api.publish(toyPublish());
    let snap = emu.snapshot().apps[0]!;
    expect(snap).toMatchObject({ description: 'First words.', allowCopy: false, thumbnail: { mediaType: 'image/png', size: thumb.length } });

    const other = pngBytes([10, 200, 10]);
    await api.publish(toyPublish({ description: 'New words.', allow_get_as_workflow: 'True', thumbnail: other, set_version_as_default: 'False' }));
    snap = emu.snapshot().apps[0]!;
    expect(snap.description).toBe('New words.');
    expect(snap.allowCopy).toBe(true);
    for (const v of [1, 2, 3]) {
      const view = (await api.getApp(id, v)).body;
      expect(view).toMatchObject({ description: 'New words.', allow_get_as_workflow: true, thumbnail: `${emu.appApiUrl}apps/${id}/thumbnail/` });
    }
    const image = await fetch(`${emu.appApiUrl}apps/${id}/thumbnail/`, { headers: { Authorization: `Token ${emu.token}` } });
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(other);
  });

  it.each(['json', 'urlencoded'] as const)('a description is kept byte for byte, trailing newline included (%s)', async (encoding) => {
    const emu = await emulator();
    await client(emu).publish(toyPublish({ description: '  Indented.\nTwo lines.\n' }), encoding);
    expect(emu.snapshot().apps[0]!.description).toBe('  Indented.\nTwo lines.\n');
  });

  it('an empty description is a description, not an omission', async () => {
    const emu = await emulator();
    const api = client(emu);
    await api.publish(toyPublish({ description: 'Something.' }));
    await api.publish(toyPublish({ description: '' }));
    expect(emu.snapshot().apps[0]!.description).toBe('');
  });
});

describe('the workspace', () => {
  it.each([
    ['workspace.id alone', { 'workspace.id': '7' }],
    ['workspace.name alone', { 'workspace.name': 'Toy apps' }],
    ['both, matching', { 'workspace.name': 'Toy apps', 'workspace.id': '7' }],
  ])('%s is accepted', async (_label, workspace) => {
    const emu = await emulator();
    const res = await client(emu).publish({ name: 'Toy app', workflow_path: TOY_WORKFLOW, ...workspace });
    expect(res.status).toBe(201);
    expect(res.body.workspace).toEqual({ id: '7', name: 'Toy apps' });
  });

  it('is accepted as a nested object in JSON', async () => {
    const emu = await emulator();
    const res = await client(emu).publish({ name: 'Toy app', workflow_path: TOY_WORKFLOW, workspace: { id: 7 } as never }, 'json');
    expect(res.status).toBe(201);
    expect(res.body.workspace).toEqual({ id: '7', name: 'Toy apps' });
  });

  it.each([
    ['neither name nor id', {}, { workspace: ['Either workspace.name or workspace.id is required.'] }],
    ['an unknown name', { 'workspace.name': 'Nope' }, { 'workspace.name': ['Workspace "Nope" does not exist.'] }],
    ['an unknown id', { 'workspace.id': '99' }, { 'workspace.id': ['Workspace with id "99" does not exist.'] }],
    [
      'a name and an id of different workspaces',
      { 'workspace.name': 'Sandbox', 'workspace.id': '7' },
      { 'workspace.id': ['Workspace "7" is "Toy apps", which does not match workspace.name "Sandbox".'] },
    ],
  ])('%s is a 400 with a field-level detail', async (_label, workspace, detail) => {
    const emu = await emulator({ seed: TWO_WORKSPACES });
    const res = await client(emu).publish({ name: 'Toy app', workflow_path: TOY_WORKFLOW, ...workspace });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(detail);
    expect(emu.snapshot().apps).toEqual([]);
  });

  it('needs the publish permission there: 403 otherwise', async () => {
    const emu = await emulator({ seed: TWO_WORKSPACES });
    const res = await client(emu, 'guest-token').publish(toyPublish());
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail: 'You do not have permission to publish apps in workspace "Toy apps".' });
    expect(emu.snapshot().apps).toEqual([]);
  });

  it('cannot change for an existing app: 400, there is no move', async () => {
    const emu = await emulator({ seed: TWO_WORKSPACES });
    const api = client(emu);
    await api.publish(toyPublish());
    const res = await api.publish(toyPublish({ 'workspace.name': 'Sandbox' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      'workspace.name': ['App "Toy app" is published in workspace "Toy apps" (id "7"); an app cannot be moved to another workspace.'],
    });
    expect(emu.snapshot().apps[0]!.versions).toHaveLength(1);
  });
});

describe('the workflow', () => {
  it('must exist: 400 otherwise', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ workflow_path: '/Users/1/Missing.p7wf' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ workflow_path: ['Workflow "/Users/1/Missing.p7wf" does not exist.'] });
  });
});

describe('version', () => {
  it('that the app does not have is a 400 and changes nothing', async () => {
    const emu = await emulator();
    const api = client(emu);
    await api.publish(toyPublish());
    const res = await api.publish(toyPublish({ version: 3 }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ version: ['App "Toy app" has no version 3 (its versions are 1). Omit version to add version 2.'] });
    expect(emu.snapshot().apps[0]!.versions).toHaveLength(1);
  });

  it('on a new app is a 400 (its first version is always 1, assigned by the server)', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ version: 1 }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ version: ['App "Toy app" does not exist yet, so it has no version 1. Omit version to publish version 1.'] });
    expect(emu.snapshot().apps).toEqual([]);
  });

  it.each([
    ['multipart', 'version='],
    ['urlencoded', 'version='],
    ['json', 'version: null'],
  ] as const)('empty (%s, %s) means no version', async (encoding: 'multipart' | 'urlencoded' | 'json', _sent: string) => {
    const emu = await emulator();
    const api = client(emu);
    await api.publish(toyPublish());
    const res = await api.publish(toyPublish({ version: encoding === 'json' ? null : '' }), encoding);
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(2);
  });

  it.each([['abc'], ['1.5'], ['0'], ['-1']])('"%s" is a 400', async (value) => {
    const emu = await emulator();
    const api = client(emu);
    await api.publish(toyPublish());
    const res = await api.publish(toyPublish({ version: value }));
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['version']);
  });
});

describe('boolean fields', () => {
  const accepted: [string, boolean][] = [
    ['True', true],
    ['False', false],
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
  ];
  it.each(accepted.flatMap(([text, value]) => (['multipart', 'urlencoded'] as Encoding[]).map((enc) => [text, enc, value] as const)))(
    'accept "%s" (%s)',
    async (text, encoding, value) => {
      const emu = await emulator();
      const res = await client(emu).publish(toyPublish({ allow_get_as_workflow: text, set_version_as_default: text }), encoding);
      expect(res.status).toBe(201);
      expect(emu.snapshot().apps[0]!.allowCopy).toBe(value);
    },
  );

  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['True', true],
  ])('accept JSON %j', async (raw, value) => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ allow_get_as_workflow: raw }), 'json');
    expect(res.status).toBe(201);
    expect(emu.snapshot().apps[0]!.allowCopy).toBe(value);
  });

  it.each([['yes'], ['TRUE'], ['on'], [''], ['2']])('refuse "%s" with a 400', async (text) => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ set_version_as_default: text, allow_get_as_workflow: text }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ set_version_as_default: ['Must be a valid boolean.'], allow_get_as_workflow: ['Must be a valid boolean.'] });
    expect(emu.snapshot().apps).toEqual([]);
  });
});

describe('required fields', () => {
  it.each(ENCODINGS)('name and workflow_path missing: 400, DRF style (%s)', async (encoding) => {
    const emu = await emulator();
    const res = await client(emu).publish({ 'workspace.name': 'Toy apps' }, encoding);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ name: ['This field is required.'], workflow_path: ['This field is required.'] });
  });

  it('blank name: 400', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ name: '   ' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ name: ['This field may not be blank.'] });
  });
});

describe('the thumbnail', () => {
  it('that is not an image by its bytes is a 400', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ thumbnail: new TextEncoder().encode('#!/bin/sh\necho not an image\n') }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ thumbnail: ['Upload a valid image. The file you uploaded was either not an image or a corrupted image.'] });
    expect(emu.snapshot().apps).toEqual([]);
  });

  it('that is an SVG is accepted, as the config accepts it (ASSUMPTION A14)', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ thumbnail: new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>') }));
    expect(res.status).toBe(201);
    expect(emu.snapshot().apps[0]?.thumbnail?.mediaType).toBe('image/svg+xml');
  });

  it('that is empty is a 400', async () => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ thumbnail: new Uint8Array() }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ thumbnail: ['The submitted file is empty.'] });
  });

  it.each(['json', 'urlencoded'] as const)('sent as text (%s) is a 400: a file needs multipart', async (encoding) => {
    const emu = await emulator();
    const res = await client(emu).publish(toyPublish({ thumbnail: 'thumbnail.png' }), encoding);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ thumbnail: ['The submitted data was not a file. Check the encoding type on the form.'] });
  });

  it('is recognised by its bytes, not its name', async () => {
    const emu = await emulator();
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
    const res = await client(emu).publish(toyPublish({ thumbnail: jpeg }));
    expect(res.status).toBe(201);
    expect(emu.snapshot().apps[0]!.thumbnail).toMatchObject({ mediaType: 'image/jpeg' });
  });
});

describe('field errors', () => {
  it('are all answered at once', async () => {
    const emu = await emulator();
    const res = await client(emu).publish({ version: 'x', set_version_as_default: 'maybe', thumbnail: new Uint8Array([1, 2, 3]) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      name: ['This field is required.'],
      workflow_path: ['This field is required.'],
      version: ['A valid integer is required.'],
      set_version_as_default: ['Must be a valid boolean.'],
      thumbnail: ['Upload a valid image. The file you uploaded was either not an image or a corrupted image.'],
      workspace: ['Either workspace.name or workspace.id is required.'],
    });
  });
});
