// The control API under /_emulator/ and the in-process accessors that do
// the same: drift behind the tool's back, workflow edits, faults, the log,
// the snapshot and reset.

import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { ANOTHER_TOY_WORKFLOW, client, emulator, manualClock, pngBytes, TOY_WORKFLOW, toyPublish } from './helpers.js';

function control(emu: RunningEmulator, token: string | null = emu.controlToken) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.controlUrl}${path}`, {
      method,
      headers: { ...(token === null ? {} : { Authorization: `Token ${token}` }), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** The guide's world with Toy app at versions 1 and 2 (default 2). */
async function withToyApp(options: Parameters<typeof emulator>[0] = {}) {
  const emu = await emulator(options);
  const api = client(emu);
  const { body } = await api.publish(toyPublish({ description: 'Managed.' }));
  await api.publish(toyPublish({ workflow_path: ANOTHER_TOY_WORKFLOW }));
  return { emu, api, id: body.id as string, ctl: control(emu) };
}

describe('control API access', () => {
  it.each([
    ['no token', null, 'Authentication credentials were not provided.'],
    ['the user token', 'user', 'Invalid token.'],
    ['a wrong token', 'wrong', 'Invalid token.'],
  ])('refuses %s with 403', async (_label, which, detail) => {
    const emu = await emulator();
    const token = which === 'user' ? emu.token : which;
    const res = await control(emu, token)('GET', 'state');
    expect(res).toEqual({ status: 403, body: { detail } });
  });

  it('takes the admin token as Token or Bearer, with or without a trailing slash', async () => {
    const emu = await emulator({ controlToken: 'admin-token' });
    expect(emu.controlToken).toBe('admin-token');
    for (const [header, path] of [['Token admin-token', 'state'], ['Bearer admin-token', 'state/']]) {
      const res = await fetch(`${emu.controlUrl}${path}`, { headers: { Authorization: header! } });
      expect(res.status).toBe(200);
    }
  });

  it('makes a control token of its own, never a user token', async () => {
    const emu = await emulator({ token: 'user-token' });
    expect(emu.controlToken).toMatch(/^[0-9a-f]{40}$/);
    expect(emu.controlToken).not.toBe(emu.token);
    await expect(emulator({ token: 'same', controlToken: 'same' })).rejects.toThrow('the control token must differ from every user token');
  });

  it('lists its endpoints, and answers 404 to others', async () => {
    const emu = await emulator();
    const ctl = control(emu);
    expect((await ctl('GET', '')).body.endpoints).toContain('POST /_emulator/apps/drift');
    expect(await ctl('GET', 'nothing-here')).toEqual({ status: 404, body: { detail: 'Not found.' } });
  });
});

describe('reading state and the log', () => {
  it('GET state is the snapshot', async () => {
    const { emu, ctl } = await withToyApp();
    const res = await ctl('GET', 'state');
    expect(res.body).toEqual(emu.snapshot());
    expect(res.body.apps[0]).toMatchObject({ name: 'Toy app', defaultVersion: 2, versions: [{ version: 1 }, { version: 2 }] });
  });

  it('GET log gives entries, counts per endpoint and fault counts; DELETE clears it; control calls are not logged', async () => {
    const { emu, api, id, ctl } = await withToyApp();
    await api.getApp(id);
    await api.getApp(id, 1);
    await api.getApp(id, 2);
    const log = (await ctl('GET', 'log')).body;
    expect(log.counts).toEqual({ 'GET apps/{id}/': 1, 'GET apps/{id}@{v}/': 2, 'POST apps/': 2 });
    expect(log.counts).toEqual(emu.counts());
    expect(log.entries.map((e: { endpoint: string; status: number }) => [e.endpoint, e.status])).toEqual([
      ['POST apps/', 201],
      ['POST apps/', 201],
      ['GET apps/{id}/', 200],
      ['GET apps/{id}@{v}/', 200],
      ['GET apps/{id}@{v}/', 200],
    ]);
    expect(log.entries[3]).toEqual({ seq: 4, at: expect.any(Number), method: 'GET', path: `/appshub/.rest/v2/apps/${id}@1/`, endpoint: 'GET apps/{id}@{v}/', status: 200, delayMs: 0 });
    expect(log.faults).toEqual(emu.faultCounts());
    expect((await ctl('DELETE', 'log')).status).toBe(204);
    expect(emu.requestLog()).toEqual([]);
    expect(emu.counts()).toEqual({});
  });
});

describe('faults through the control API', () => {
  it('PUT faults sets a spec string or object; GET faults shows it', async () => {
    const { api, ctl } = await withToyApp();
    const set = await ctl('PUT', 'faults', { spec: 'rate503=1,retryAfter=4,seed=5' });
    expect(set.body).toMatchObject({ spec: 'rate503=1,retryAfter=4,seed=5', faults: { rate503: 1, retryAfterS: 4, seed: 5 } });
    expect((await api.listApps()).status).toBe(503);
    expect((await ctl('GET', 'faults')).body.counts['503']).toBe(1);
    await ctl('PUT', 'faults', { faults: { rate429: 1 } });
    expect((await api.listApps()).status).toBe(429);
    await ctl('PUT', 'faults', { spec: null });
    expect((await api.listApps()).status).toBe(200);
  });

  it('a bad spec is a 400 naming the item, and the old spec stays', async () => {
    const { api, ctl } = await withToyApp();
    await ctl('PUT', 'faults', { spec: 'rate503=1' });
    const res = await ctl('PUT', 'faults', { spec: 'rate503=3' });
    expect(res).toEqual({ status: 400, body: { detail: 'fault spec item "rate503=3": rate503 must be a probability from 0 to 1 (got "3")' } });
    expect((await api.listApps()).status).toBe(503);
  });

  it('PUT ready-after changes the publishing delay', async () => {
    const clock = manualClock();
    const { api, ctl } = await withToyApp({ now: clock.now });
    expect((await ctl('PUT', 'ready-after', { ms: 100 })).body).toEqual({ readyAfterMs: 100 });
    const { body } = await api.publish(toyPublish({ name: 'Slow' }));
    expect((await api.getApp(body.id, 1)).body.state).toBe('QUEUED_TO_INITIALIZE');
    expect((await ctl('PUT', 'ready-after', { ms: -5 })).status).toBe(400);
  });
});

describe('workflows behind the tool\'s back', () => {
  it('POST workflows/edit changes the fingerprint the workflow API reports', async () => {
    const { api, ctl } = await withToyApp();
    const before = (await api.get('/pseven/.rest/v2/workflows/')).body[0].fingerprint;
    const res = await ctl('POST', 'workflows/edit', { path: TOY_WORKFLOW });
    expect(res.body.path).toBe(TOY_WORKFLOW);
    expect(res.body.fingerprint).not.toBe(before);
    expect((await api.get('/pseven/.rest/v2/workflows/')).body[0].fingerprint).toBe(res.body.fingerprint);
    // Editing to known content gives that content's fingerprint, the same every time.
    const a = await ctl('POST', 'workflows/edit', { path: TOY_WORKFLOW, content: 'v2' });
    const b = await ctl('POST', 'workflows/edit', { path: ANOTHER_TOY_WORKFLOW, content: 'v2' });
    expect(a.body.fingerprint).toBe(b.body.fingerprint);
    expect(await ctl('POST', 'workflows/edit', { path: '/nope.p7wf' })).toEqual({ status: 400, body: { detail: 'no workflow has the path "/nope.p7wf"' } });
  });

  it('POST workflows adds one that can then be published', async () => {
    const { api, ctl } = await withToyApp();
    const res = await ctl('POST', 'workflows', { path: '/Users/1/New.p7wf' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'New', path: '/Users/1/New.p7wf', id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await api.publish(toyPublish({ workflow_path: '/Users/1/New.p7wf' }))).status).toBe(201);
    expect((await ctl('POST', 'workflows', { path: '/Users/1/New.p7wf' })).status).toBe(400);
  });

  it('refuses a malformed body with the path of the problem', async () => {
    const { ctl } = await withToyApp();
    expect(await ctl('POST', 'workflows/edit', { paht: 'x' })).toEqual({
      status: 400,
      body: { detail: 'Invalid control request body: path: Invalid input: expected string, received undefined; (top level): Unrecognized key: "paht"' },
    });
  });
});

describe('apps behind the tool\'s back (drift)', () => {
  it('changes description, copy permission, thumbnail and default version, as the API then reports', async () => {
    const { emu, api, id, ctl } = await withToyApp();
    const image = pngBytes([5, 6, 7]);
    const res = await ctl('POST', 'apps/drift', {
      name: 'Toy app',
      description: 'Edited in AppsHub.',
      allowCopy: false,
      thumbnailBase64: Buffer.from(image).toString('base64'),
      defaultVersion: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(emu.snapshot().apps[0]);
    const app = (await api.getApp(id)).body;
    expect(app).toMatchObject({ version: 1, description: 'Edited in AppsHub.', allow_get_as_workflow: false });
    const thumb = await fetch(app.thumbnail, { headers: { Authorization: `Token ${emu.token}` } });
    expect(new Uint8Array(await thumb.arrayBuffer())).toEqual(image);
    await ctl('POST', 'apps/drift', { name: 'Toy app', thumbnailBase64: null, description: null });
    expect((await api.getApp(id)).body).toMatchObject({ thumbnail: null, description: null });
  });

  it('publishes a new version or a new revision as if from Studio, even while another initialises', async () => {
    const clock = manualClock();
    const { emu, ctl } = await withToyApp({ now: clock.now });
    emu.setReadyAfterMs(100);
    await ctl('POST', 'apps/drift', { name: 'Toy app', publish: { setAsDefault: false } });
    expect(emu.snapshot().apps[0]!.versions[2]!.state).toBe('QUEUED_TO_INITIALIZE');
    await ctl('POST', 'apps/drift', { name: 'Toy app', publish: { version: 1, workflowPath: ANOTHER_TOY_WORKFLOW } });
    const snap = emu.snapshot().apps[0]!;
    expect(snap.defaultVersion).toBe(1);
    expect(snap.versions.map((v) => [v.version, v.revision, v.origin, v.workflowPath])).toEqual([
      [1, 1, 'studio', ANOTHER_TOY_WORKFLOW],
      [2, 0, 'api', ANOTHER_TOY_WORKFLOW],
      [3, 0, 'studio', ANOTHER_TOY_WORKFLOW],
    ]);
  });

  it('checks everything before changing anything', async () => {
    const { emu, ctl } = await withToyApp();
    const before = emu.snapshot();
    expect(await ctl('POST', 'apps/drift', { name: 'Toy app', description: 'x', defaultVersion: 9 })).toEqual({
      status: 400,
      body: { detail: 'app "Toy app" has no version 9' },
    });
    expect(await ctl('POST', 'apps/drift', { name: 'Toy app', thumbnailBase64: Buffer.from('not an image').toString('base64') })).toMatchObject({ status: 400 });
    expect(await ctl('POST', 'apps/drift', { name: 'Nope' })).toEqual({ status: 400, body: { detail: 'no app is named "Nope"' } });
    expect(emu.snapshot()).toEqual(before);
  });

  it('the in-process accessors do the same', async () => {
    const { emu, api, id } = await withToyApp();
    const image = pngBytes([50, 60, 70]);
    const after = emu.driftApp('Toy app', { allowCopy: false, thumbnail: image, defaultVersion: 1, publish: { version: 2, setAsDefault: false } });
    expect(after).toMatchObject({ allowCopy: false, defaultVersion: 1, thumbnail: { size: image.length, mediaType: 'image/png' } });
    expect(after.versions[1]).toMatchObject({ version: 2, revision: 1, origin: 'studio' });
    expect((await api.getApp(id)).body).toMatchObject({ version: 1, allow_get_as_workflow: false });
    expect(() => emu.driftApp('Toy app', { defaultVersion: 7 })).toThrow('app "Toy app" has no version 7');
    expect(() => emu.editWorkflow('/missing.p7wf')).toThrow('no workflow has the path "/missing.p7wf"');
  });
});

describe('reset', () => {
  it('goes back to the seeded world, the starting faults and an empty log', async () => {
    const { emu, api, ctl } = await withToyApp({ faults: 'max503=0,rate503=1' });
    emu.setFaults('rate429=1');
    emu.editWorkflow(TOY_WORKFLOW);
    const res = await ctl('POST', 'reset');
    expect(res.body.apps).toEqual([]);
    expect(res.body.workflows[0].edits).toBe(0);
    expect(emu.requestLog()).toEqual([]);
    expect(emu.faultCounts()['503']).toBe(0);
    expect((await api.listApps()).status).toBe(200);
    expect((await ctl('GET', 'faults')).body.spec).toBe('rate503=1,max503=0');
    // The same tokens work after a reset.
    expect((await api.publish(toyPublish())).status).toBe(201);
  });
});
