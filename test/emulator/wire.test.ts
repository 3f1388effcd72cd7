// The wire the emulator serves outside of publishing: sign-in, the DRF
// error bodies, the workflow and app objects (README A1-A9), thumbnails
// with ETags, and lists served as pages.

import { describe, expect, it } from 'vitest';
import { ANOTHER_TOY_WORKFLOW, client, emulator, pngBytes, TOY_WORKFLOW, toyPublish } from './helpers.js';

describe('auth/login/', () => {
  it('exchanges the guide user\'s username and password for the token', async () => {
    const emu = await emulator({ token: 'known-token' });
    const res = await fetch(`${emu.workflowApiUrl}auth/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username": "user@work.org", "password": "secret"}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ token: 'known-token' });
  });

  it('accepts a form body too', async () => {
    const emu = await emulator();
    const res = await fetch(`${emu.workflowApiUrl}auth/login/`, { method: 'POST', body: new URLSearchParams({ username: 'user@work.org', password: 'secret' }) });
    expect(await res.json()).toEqual({ token: emu.token });
  });

  it.each([
    ['a wrong password', { username: 'user@work.org', password: 'nope' }, { non_field_errors: ['Unable to log in with provided credentials.'] }],
    ['an unknown user', { username: 'who@work.org', password: 'secret' }, { non_field_errors: ['Unable to log in with provided credentials.'] }],
    ['no fields', {}, { username: ['This field is required.'], password: ['This field is required.'] }],
  ])('answers %s with 400', async (_label, body, detail) => {
    const emu = await emulator();
    const res = await fetch(`${emu.workflowApiUrl}auth/login/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(detail);
  });
});

describe('authentication', () => {
  const endpoints = ['/pseven/.rest/v2/workflows/', '/appshub/.rest/v2/apps/', '/appshub/.rest/v2/apps/0123456789abcdef0123456789abcdef/'];

  it.each(endpoints)('%s without a token: 403, credentials not provided', async (path) => {
    const emu = await emulator();
    const res = await client(emu, null).get(path);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it.each([
    ['Token wrong-token', 'Invalid token.'],
    ['Token', 'Invalid token header. No credentials provided.'],
    ['Token a b', 'Invalid token header. Token string should not contain spaces.'],
    ['Bearer something', 'Authentication credentials were not provided.'],
  ])('Authorization: %s -> 403 %s', async (header, detail) => {
    const emu = await emulator();
    const res = await client(emu, null).get('/appshub/.rest/v2/apps/', { Authorization: header });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ detail });
  });

  it('the control token is not a user token', async () => {
    const emu = await emulator();
    const res = await client(emu, emu.controlToken).listApps();
    expect(res.body).toEqual({ detail: 'Invalid token.' });
  });
});

describe('not found', () => {
  it.each([
    ['an unknown app id', '/appshub/.rest/v2/apps/00000000000000000000000000000000/'],
    ['an unknown workflow id (the guide\'s example)', '/pseven/.rest/v2/workflows/00000000000000000000000000000000/'],
    ['an unknown version', '/appshub/.rest/v2/apps/{id}@9/'],
    ['a version that is not a number', '/appshub/.rest/v2/apps/{id}@latest/'],
    ['apps/ without the trailing slash', '/appshub/.rest/v2/apps'],
    ['an app without the trailing slash', '/appshub/.rest/v2/apps/{id}'],
    ['a version without the trailing slash', '/appshub/.rest/v2/apps/{id}@1'],
    ['workflows/ without the trailing slash', '/pseven/.rest/v2/workflows'],
    ['login without the trailing slash', '/pseven/.rest/v2/auth/login'],
    ['apps under the workflow API', '/pseven/.rest/v2/apps/'],
    ['the control API under an API prefix', '/appshub/.rest/v2/_emulator/state'],
    ['an unknown API version', '/appshub/.rest/v1/apps/'],
  ])('%s: 404 {"detail": "Not found."}', async (_label, path) => {
    const emu = await emulator();
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    const res = await api.get(path.replace('{id}', body.id));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.body).toEqual({ detail: 'Not found.' });
  });
});

describe('other errors', () => {
  it('a method the endpoint does not have: 405 with Allow (there is no delete)', async () => {
    const emu = await emulator();
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    const res = await fetch(`${emu.appApiUrl}apps/${body.id}/`, { method: 'DELETE', headers: { Authorization: `Token ${emu.token}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });

  it('a publish body of another media type: 415', async () => {
    const emu = await emulator();
    const res = await fetch(`${emu.appApiUrl}apps/`, { method: 'POST', headers: { Authorization: `Token ${emu.token}`, 'Content-Type': 'text/plain' }, body: 'name=x' });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ detail: 'Unsupported media type "text/plain" in request.' });
  });

  it.each([
    ['broken JSON', '{"name": ', /^JSON parse error - /],
    ['a JSON list', '[]', undefined],
  ])('%s: 400', async (_label, text, detail) => {
    const emu = await emulator();
    const res = await fetch(`${emu.appApiUrl}apps/`, { method: 'POST', headers: { Authorization: `Token ${emu.token}`, 'Content-Type': 'application/json' }, body: text });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail?: string };
    if (detail) expect(body.detail).toMatch(detail);
    else expect(body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  });
});

describe('workflows', () => {
  it('lists the guide\'s workflows with absolute URLs and a fingerprint (A7)', async () => {
    const emu = await emulator();
    const res = await client(emu).get('/pseven/.rest/v2/workflows/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        id: '130d943e100e46e0b5da490ac005b70e',
        name: 'ToyWorkflow',
        path: TOY_WORKFLOW,
        url: `${emu.url}/pseven/.rest/v2/workflows/130d943e100e46e0b5da490ac005b70e/`,
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      {
        id: 'a5017c372a76421a8ba41f91788f1b60',
        name: 'AnotherToyWorkflow',
        path: ANOTHER_TOY_WORKFLOW,
        url: `${emu.url}/pseven/.rest/v2/workflows/a5017c372a76421a8ba41f91788f1b60/`,
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
  });

  it('gives the same object in detail, and a new fingerprint after an edit', async () => {
    const emu = await emulator();
    const api = client(emu);
    const [first] = (await api.get('/pseven/.rest/v2/workflows/')).body;
    // The details are the list entry plus the workflow's runs, as the guide shows them.
    expect((await api.get(first.url)).body).toEqual({ ...first, runs: [] });
    const edited = emu.editWorkflow(TOY_WORKFLOW);
    expect((await api.get(first.url)).body).toEqual({ ...first, fingerprint: edited, runs: [] });
    expect(edited).not.toBe(first.fingerprint);
  });
});

describe('app objects', () => {
  async function twoVersions() {
    const emu = await emulator();
    const api = client(emu);
    const { body } = await api.publish(toyPublish({ description: 'Toy.', allow_get_as_workflow: 'False', thumbnail: pngBytes([1, 2, 3]) }));
    await api.publish(toyPublish({ workflow_path: ANOTHER_TOY_WORKFLOW, set_version_as_default: 'False' }));
    return { emu, api, id: body.id as string };
  }

  it('GET apps/{id}/ is the default version\'s view, equal to GET apps/{id}@{default}/ (A4)', async () => {
    const { api, id } = await twoVersions();
    const app = (await api.getApp(id)).body;
    expect(app).toEqual((await api.getApp(id, 1)).body);
    expect(app.version).toBe(1);
  });

  it('carries every field the guide shows plus description, allow_get_as_workflow and state_detail', async () => {
    const { emu, api, id } = await twoVersions();
    const app = (await api.getApp(id)).body;
    expect(Object.keys(app)).toEqual([
      'name', 'path', 'id', 'readme', 'url', 'presets', 'parameters', 'results', 'runs', 'ui_url', 'app_url', 'workflow',
      'thumbnail', 'fingerprint', 'version', 'revision', 'updated', 'versions', 'workspace', 'state',
      'state_detail', 'description', 'allow_get_as_workflow',
    ]);
    expect(app).toMatchObject({
      name: 'Toy app',
      url: `${emu.appApiUrl}apps/${id}@1/`,
      thumbnail: `${emu.appApiUrl}apps/${id}/thumbnail/`,
      workflow: { id: '130d943e100e46e0b5da490ac005b70e', name: 'ToyWorkflow', path: TOY_WORKFLOW },
      workspace: { id: '7', name: 'Toy apps' },
      state: 'READY',
      state_detail: null,
      description: 'Toy.',
      allow_get_as_workflow: false,
    });
    expect(app.versions).toEqual([
      { version: 1, revision: 0, state: 'READY', url: `${emu.appApiUrl}apps/${id}@1/` },
      { version: 2, revision: 0, state: 'READY', url: `${emu.appApiUrl}apps/${id}@2/` },
    ]);
  });

  it('a version\'s view has its own workflow, fingerprint, revision and state; app-wide fields are shared', async () => {
    const { emu, api, id } = await twoVersions();
    const [v1, v2] = [(await api.getApp(id, 1)).body, (await api.getApp(id, 2)).body];
    const workflows = (await api.get('/pseven/.rest/v2/workflows/')).body;
    expect(v2).toMatchObject({ version: 2, url: `${emu.appApiUrl}apps/${id}@2/`, workflow: { path: ANOTHER_TOY_WORKFLOW }, fingerprint: workflows[1].fingerprint });
    expect(v1.fingerprint).toBe(workflows[0].fingerprint);
    for (const field of ['name', 'id', 'thumbnail', 'versions', 'workspace', 'description', 'allow_get_as_workflow']) {
      expect(v2[field]).toEqual(v1[field]);
    }
  });

  it('GET apps/ is an array of the same objects (A9)', async () => {
    const { api, id } = await twoVersions();
    expect((await api.listApps()).body).toEqual([(await api.getApp(id)).body]);
  });

  it('builds every URL from the emulator\'s own base, whatever Host the client sends', async () => {
    const { emu, id } = await twoVersions();
    const res = await fetch(`http://localhost:${emu.port}/appshub/.rest/v2/apps/${id}/`, { headers: { Authorization: `Token ${emu.token}` } });
    expect(((await res.json()) as { url: string }).url).toBe(`${emu.url}/appshub/.rest/v2/apps/${id}@1/`);
  });
});

describe('thumbnails (A3)', () => {
  async function withThumbnail() {
    const emu = await emulator();
    const api = client(emu);
    const image = pngBytes([9, 99, 199]);
    const { body } = await api.publish(toyPublish({ thumbnail: image }));
    const snapshot = emu.snapshot().apps[0]!.thumbnail!;
    const url = (await api.getApp(body.id)).body.thumbnail as string;
    return { emu, api, image, url, etag: `"sha256-${snapshot.sha256}"`, id: body.id as string };
  }

  it('are served at the thumbnail URL with their type and a sha256 ETag', async () => {
    const { emu, image, url, etag } = await withThumbnail();
    const res = await fetch(url, { headers: { Authorization: `Token ${emu.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('etag')).toBe(etag);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(image);
  });

  it.each([
    ['the exact tag', (etag: string) => etag],
    ['a list holding it', (etag: string) => `"sha256-00", ${etag}`],
    ['its weak form', (etag: string) => `W/${etag}`],
    ['*', () => '*'],
  ])('answer 304 without a body to If-None-Match with %s', async (_label, header) => {
    const { emu, url, etag } = await withThumbnail();
    const res = await fetch(url, { headers: { Authorization: `Token ${emu.token}`, 'If-None-Match': header(etag) } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('answer 200 to an If-None-Match of other bytes', async () => {
    const { emu, url } = await withThumbnail();
    const res = await fetch(url, { headers: { Authorization: `Token ${emu.token}`, 'If-None-Match': '"sha256-0000"' } });
    expect(res.status).toBe(200);
  });

  it('need the token', async () => {
    const { url } = await withThumbnail();
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('answer HEAD with the headers only', async () => {
    const { emu, url, etag, image } = await withThumbnail();
    const res = await fetch(url, { method: 'HEAD', headers: { Authorization: `Token ${emu.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('content-length')).toBe(String(image.length));
  });

  it('are 404 for an app without one', async () => {
    const emu = await emulator();
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    expect((await api.getApp(body.id)).body.thumbnail).toBeNull();
    const res = await api.get(`/appshub/.rest/v2/apps/${body.id}/thumbnail/`);
    expect(res.status).toBe(404);
  });
});

describe('lists as DRF pages (pageSize, A9)', () => {
  it('pages apps/ with count, next and previous', async () => {
    const emu = await emulator({ pageSize: 2 });
    const api = client(emu);
    for (const name of ['A', 'B', 'C']) await api.publish(toyPublish({ name }));
    const first = (await api.listApps()).body;
    expect(first).toMatchObject({ count: 3, previous: null, next: `${emu.appApiUrl}apps/?page=2` });
    expect(first.results.map((a: { name: string }) => a.name)).toEqual(['A', 'B']);
    const second = (await api.get(first.next)).body;
    expect(second).toMatchObject({ count: 3, next: null, previous: `${emu.appApiUrl}apps/?page=1` });
    expect(second.results.map((a: { name: string }) => a.name)).toEqual(['C']);
    expect((await api.get(`${emu.appApiUrl}apps/?page=3`)).body).toEqual({ detail: 'Invalid page.' });
  });
});
