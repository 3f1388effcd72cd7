// Server profiles: each one changes the served shape as its entry in the
// profile table says, combinations apply every hook, and an unknown or
// conflicting name is refused with the valid names.

import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES, startEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { client, emulator, manualClock, pngBytes, toyPublish } from './helpers.js';

/** An emulator with one app (two versions, a thumbnail) under the given profiles. */
async function withApp(profiles: string[], extra: Parameters<typeof emulator>[0] = {}) {
  const emu = await emulator({ profiles, ...extra });
  const c = client(emu);
  const first = await c.publish(toyPublish({ description: 'Toy', thumbnail: pngBytes([10, 20, 30]) }));
  expect(first.status).toBe(201);
  expect((await c.publish(toyPublish({ set_version_as_default: 'False' }))).status).toBe(201);
  const id = String(first.body.id);
  return { emu, c, id };
}

describe('server profiles', () => {
  it('lists the names other tools rely on', () => {
    expect(PROFILE_NAMES).toEqual(
      expect.arrayContaining(['full', 'guide', 'relative-thumbnails', 'version-urls', 'version-numbers', 'numeric-ids', 'short-list', 'thumbnail-forbidden']),
    );
  });

  it('serves today\'s shape under full (the default)', async () => {
    const { emu, c, id } = await withApp([]);
    expect(emu.profiles).toEqual(['full']);
    const app = (await c.getApp(id)).body;
    expect(app).toMatchObject({ description: 'Toy', allow_get_as_workflow: true, workspace: { id: '7', name: 'Toy apps' } });
    expect(app.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(app.thumbnail).toBe(`${emu.appApiUrl}apps/${id}/thumbnail/`);
    expect(app.versions[0]).toEqual({ version: 1, revision: 0, state: 'READY', url: `${emu.appApiUrl}apps/${id}@1/` });
    expect((await c.get(`${emu.workflowApiUrl.replace(emu.url, '')}workflows/`)).body[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves only what the guide shows under guide', async () => {
    const { emu, c, id } = await withApp(['guide']);
    for (const body of [(await c.getApp(id)).body, (await c.getApp(id, 2)).body, (await c.listApps()).body[0]]) {
      for (const field of ['description', 'allow_get_as_workflow', 'fingerprint', 'state_detail']) expect(body).not.toHaveProperty(field);
      expect(body).toMatchObject({ id, name: 'Toy app', version: expect.any(Number), workspace: { id: '7', name: 'Toy apps' } });
    }
    const workflows = (await c.get(`${emu.workflowApiUrl.replace(emu.url, '')}workflows/`)).body;
    expect(workflows[0]).not.toHaveProperty('fingerprint');
    const answer = (await c.publish(toyPublish({ set_version_as_default: 'False' }))).body;
    expect(answer).toMatchObject({ versions: [], fingerprint: null, state: 'QUEUED_TO_INITIALIZE' });
    expect(answer).not.toHaveProperty('description');
  });

  it('goes from QUEUED_TO_INITIALIZE straight to READY under guide', async () => {
    const clock = manualClock();
    const emu = await emulator({ profiles: ['guide'], now: clock.now, readyAfterMs: 1000 });
    const c = client(emu);
    const id = String((await c.publish(toyPublish())).body.id);
    const states: string[] = [];
    for (const step of [0, 600, 600]) {
      clock.advance(step);
      const app = (await c.getApp(id)).body;
      states.push(app.state, app.versions[0].state);
    }
    expect(states).toEqual(['QUEUED_TO_INITIALIZE', 'QUEUED_TO_INITIALIZE', 'QUEUED_TO_INITIALIZE', 'QUEUED_TO_INITIALIZE', 'READY', 'READY']);
  });

  it.each([
    ['version-urls', (emuApi: string, id: string) => [`${emuApi}apps/${id}@1/`, `${emuApi}apps/${id}@2/`]],
    ['version-numbers', () => [1, 2]],
  ])('serves versions as %s', async (profile, expected) => {
    const { emu, c, id } = await withApp([profile]);
    expect((await c.getApp(id)).body.versions).toEqual(expected(emu.appApiUrl, id));
    expect((await c.listApps()).body[0].versions).toEqual(expected(emu.appApiUrl, id));
  });

  it('serves ids that look numeric as JSON numbers under numeric-ids', async () => {
    const { c, id } = await withApp(['numeric-ids']);
    expect((await c.getApp(id)).body.workspace).toEqual({ id: 7, name: 'Toy apps' });
    expect((await c.listApps()).body[0].workspace).toEqual({ id: 7, name: 'Toy apps' });
    expect((await c.publish(toyPublish())).body.workspace).toEqual({ id: 7, name: 'Toy apps' });
    // Hex ids stay strings.
    expect((await c.getApp(id)).body.id).toBe(id);
  });

  it('serves short list entries under short-list, and full details per app', async () => {
    const { emu, c, id } = await withApp(['short-list']);
    expect((await c.listApps()).body).toEqual([{ id, name: 'Toy app', path: '/Apps/Toy app.p7wf', url: `${emu.appApiUrl}apps/${id}@1/` }]);
    expect((await c.getApp(id)).body).toHaveProperty('versions');
  });

  it('serves a fetchable server-relative thumbnail under relative-thumbnails', async () => {
    const { c, id } = await withApp(['relative-thumbnails']);
    const url = (await c.getApp(id)).body.thumbnail;
    expect(url).toBe(`/appshub/media/thumbnails/${id}/`);
    const image = await c.get(url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('answers 403 for thumbnails under thumbnail-forbidden', async () => {
    const { c, id } = await withApp(['thumbnail-forbidden']);
    const url = (await c.getApp(id)).body.thumbnail;
    expect((await c.get(url)).status).toBe(403);
  });

  it('applies every hook of a combination', async () => {
    const { emu, c, id } = await withApp(['short-list', 'guide', 'numeric-ids', 'version-numbers', 'relative-thumbnails']);
    expect(emu.profiles).toEqual(['guide', 'relative-thumbnails', 'version-numbers', 'numeric-ids', 'short-list']);
    const app = (await c.getApp(id)).body;
    expect(app).toMatchObject({ versions: [1, 2], workspace: { id: 7 }, thumbnail: `/appshub/media/thumbnails/${id}/` });
    expect(app).not.toHaveProperty('description');
    expect(Object.keys((await c.listApps()).body[0]).sort()).toEqual(['id', 'name', 'path', 'url']);
  });

  it.each([
    [['gide'], /unknown server profile "gide"/],
    ['guide,nope', /unknown server profile "nope"/],
    [['version-urls', 'version-numbers'], /"version-urls" and "version-numbers" cannot be combined/],
  ])('refuses %j', async (profiles, message) => {
    const err = await startEmulator({ profiles }).catch((e: Error & { hint?: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(message);
  });

  it('names the valid profiles when one is unknown', async () => {
    const err = (await startEmulator({ profiles: ['gide'] }).catch((e: unknown) => e)) as { hint?: string };
    expect(err.hint).toContain(PROFILE_NAMES.join(', '));
  });

  it('takes --profile on the command line and prints the profiles served', async () => {
    const ok = await runCli(['emulator', '--port', '0', '--profile', 'numeric-ids,guide'], { signal: AbortSignal.abort() });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('  Profiles:      guide, numeric-ids\n');
    const bad = await runCli(['emulator', '--port', '0', '--profile', 'guide,bogus'], { signal: AbortSignal.abort() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown server profile "bogus"');
    expect(bad.stderr).toContain('full, guide');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
