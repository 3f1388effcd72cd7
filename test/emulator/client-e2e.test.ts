// The real AppsHub client (src/appshub/client.ts) against the emulator over
// loopback: the two were written apart from the README's wire assumptions,
// and this is where they must agree.

import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppsHubClient, type AppsHubClient } from '../../src/appshub/client.js';
import { AppsHubError } from '../../src/appshub/errors.js';
import type { PublishRequest, ThumbnailUpload } from '../../src/appshub/types.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { ANOTHER_TOY_WORKFLOW, emulator, manualClock, pngBytes, TOY_WORKFLOW } from './helpers.js';

let dir: string;
let thumbnail: ThumbnailUpload;
const image = pngBytes([33, 66, 99]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p7apps-e2e-'));
  const path = join(dir, 'thumb.png');
  await writeFile(path, image);
  thumbnail = { path, filename: 'thumb.png', mediaType: 'image/png', sha256: createHash('sha256').update(image).digest('hex') };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const clients: AppsHubClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function clientFor(emu: RunningEmulator, token: string | undefined = emu.token): AppsHubClient {
  const client = createAppsHubClient({ serverUrl: emu.url, ...(token ? { token } : {}), sleep: async () => {}, retry: { baseDelayMs: 1 } });
  clients.push(client);
  return client;
}

const toy = (overrides: Partial<PublishRequest> = {}): PublishRequest => ({
  name: 'Toy app',
  workspaceName: 'Toy apps',
  workflowPath: TOY_WORKFLOW,
  setVersionAsDefault: true,
  ...overrides,
});

describe('the client against the emulator', () => {
  it('signs in with the guide user\'s password', async () => {
    const emu = await emulator();
    const client = clientFor(emu, undefined);
    expect(await client.login('user@work.org', 'secret')).toBe(emu.token);
    expect(await client.listApps()).toEqual([]);
  });

  it('reads workflows with their fingerprints, and sees an edit', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const [toyWf] = await client.listWorkflows();
    expect(toyWf).toMatchObject({ id: '130d943e100e46e0b5da490ac005b70e', name: 'ToyWorkflow', path: TOY_WORKFLOW, url: `${emu.workflowApiUrl}workflows/130d943e100e46e0b5da490ac005b70e/` });
    const edited = emu.editWorkflow(TOY_WORKFLOW);
    expect((await client.listWorkflows())[0]!.fingerprint).toBe(edited);
  });

  it('publishes (as forms, with and without a thumbnail), and reads back every field it manages', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 100, now: clock.now });
    const client = clientFor(emu);
    const first = await client.publish(toy({ description: 'Toy.', allowGetAsWorkflow: false }));
    expect(first).toMatchObject({ name: 'Toy app', version: 1, revision: 0, state: 'QUEUED_TO_INITIALIZE', workspace: { id: '7', name: 'Toy apps' } });
    expect(first.url).toBe(`${emu.appApiUrl}apps/${first.appId}@1/`);
    expect((await client.getAppVersion(first.appId, 1)).state).toBe('QUEUED_TO_INITIALIZE');
    clock.advance(100);
    expect((await client.getAppVersion(first.appId, 1)).state).toBe('READY');

    const second = await client.publish(toy({ workflowPath: ANOTHER_TOY_WORKFLOW, setVersionAsDefault: false, thumbnail }));
    expect(second).toMatchObject({ appId: first.appId, version: 2, revision: 0 });
    clock.advance(100);

    const app = await client.getApp(first.appId);
    const fingerprints = Object.fromEntries((await client.listWorkflows()).map((w) => [w.path, w.fingerprint]));
    expect(app).toMatchObject({
      id: first.appId,
      name: 'Toy app',
      workspace: { id: '7', name: 'Toy apps' },
      description: 'Toy.',
      allowCopy: false,
      thumbnailUrl: `${emu.appApiUrl}apps/${first.appId}/thumbnail/`,
      defaultVersion: 1,
      versions: [
        { version: 1, revision: 0, state: 'READY' },
        { version: 2, revision: 0, state: 'READY' },
      ],
      current: { appId: first.appId, version: 1, revision: 0, state: 'READY', workflowPath: TOY_WORKFLOW, workflowFingerprint: fingerprints[TOY_WORKFLOW], url: first.url },
    });
    expect(await client.listApps()).toEqual([app]);
    expect(await client.getAppVersion(first.appId, 2)).toMatchObject({ workflowPath: ANOTHER_TOY_WORKFLOW, workflowFingerprint: fingerprints[ANOTHER_TOY_WORKFLOW], stateDetail: null });
  });

  it('sends a multi-line description with a thumbnail byte for byte (no CRLF rewriting)', async () => {
    const emu = await emulator({ readyAfterMs: 0 });
    const client = clientFor(emu);
    const description = 'First line.\nSecond line, tab\there.\n\nLast: "quoted" & ünïcode ✓\n';
    const published = await client.publish(toy({ description, thumbnail }));
    expect((await client.getApp(published.appId)).description).toBe(description);
  });

  it('compares thumbnails by content: 304 when the server holds the bytes', async () => {
    const emu = await emulator();
    const client = clientFor(emu);
    const result = await client.publish(toy({ thumbnail }));
    const { thumbnailUrl } = await client.getApp(result.appId);
    expect(await client.fetchThumbnail(thumbnailUrl as string, { expectSha256: thumbnail.sha256 })).toEqual({ status: 'not-modified', sha256: thumbnail.sha256 });
    const fetched = await client.fetchThumbnail(thumbnailUrl as string, { expectSha256: 'f'.repeat(64) });
    expect(fetched).toMatchObject({ status: 'fetched', sha256: thumbnail.sha256, etag: `"sha256-${thumbnail.sha256}"` });
    expect(emu.counts()['GET apps/{id}/thumbnail/']).toBe(2);
  });

  it('reports a publish refused with 409 as definite (nothing committed), with Retry-After', async () => {
    const emu = await emulator({ readyAfterMs: 60_000 });
    const client = clientFor(emu);
    await client.publish(toy());
    const err = await client.publish(toy()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppsHubError);
    expect(err).toMatchObject({ kind: 'http', status: 409, ambiguous: false, retryAfterMs: 1000 });
    expect(emu.snapshot().apps[0]!.versions).toHaveLength(1);
  });

  it('reports field errors of a refused publish', async () => {
    const emu = await emulator();
    const err = await clientFor(emu).publish(toy({ version: 4 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 400, ambiguous: false });
    expect((err as AppsHubError).message).toContain('has no version 4');
  });

  it('retries reads through injected 503s and follows DRF pages', async () => {
    const emu = await emulator({ pageSize: 1, faults: 'rate503=1,max503=2' });
    const client = clientFor(emu);
    emu.setFaults(null);
    await client.publish(toy());
    await client.publish(toy({ name: 'Second app' }));
    emu.setFaults('rate503=1,max503=2');
    const apps = await client.listApps();
    expect(apps.map((a) => a.name)).toEqual(['Toy app', 'Second app']);
    expect(emu.faultCounts()['503']).toBe(2);
    expect(emu.counts()['GET apps/']).toBe(4);
  });

  it('marks a publish whose answer was lost as ambiguous, and the emulator shows it was committed', async () => {
    const emu = await emulator({ faults: 'dropPublishResponse=1' });
    const client = clientFor(emu);
    const err = await client.publish(toy()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppsHubError);
    expect((err as AppsHubError).ambiguous).toBe(true);
    expect(emu.counts()['POST apps/']).toBe(1);
    expect((await client.listApps()).map((a) => a.name)).toEqual(['Toy app']);
  });

  it('a wrong token is a 403 that names no token', async () => {
    const emu = await emulator();
    const err = await clientFor(emu, 'not-the-token').listApps().catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'http', status: 403 });
    expect(JSON.stringify(err)).not.toContain('not-the-token');
  });
});
