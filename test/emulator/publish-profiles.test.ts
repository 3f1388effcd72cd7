// The server profiles that change how a publish is received and carried out:
// nested-json (JSON read as nested objects, as Django REST framework reads
// it), form-only (no JSON publishes), error-state (failures end in ERROR,
// without a detail) and silent-queue (no 409 while a version is publishing:
// the publish is queued). Each against raw requests, and the p7apps client's
// own publish against each.

import { describe, expect, it } from 'vitest';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { startEmulator } from '../../src/emulator/index.js';
import { client, emulator, manualClock, toyPublish } from './helpers.js';

describe('nested-json', () => {
  it.each<[string, Record<string, unknown>, number, unknown]>([
    ['dotted keys in JSON', toyPublish(), 400, { workspace: ['This field is required.'] }],
    ['a nested workspace object', { name: 'Toy app', workflow_path: '/Users/1/ToyWorkflow.p7wf', workspace: { name: 'Toy apps' } }, 201, expect.objectContaining({ version: 1 })],
    ['both: the dotted keys are ignored', { ...toyPublish({ 'workspace.name': 'No such workspace' }), workspace: { id: '7' } }, 201, expect.objectContaining({ version: 1 })],
  ])('answers a JSON publish with %s as DRF would', async (_, fields, status, body) => {
    const c = client(await emulator({ profiles: ['nested-json'] }));
    const answer = await c.publish(fields as never, 'json');
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
  });

  it.each(['multipart', 'urlencoded'] as const)('takes dotted keys in a %s form as usual', async (encoding) => {
    const c = client(await emulator({ profiles: ['nested-json'] }));
    expect((await c.publish(toyPublish(), encoding)).status).toBe(201);
  });

  it('takes dotted JSON keys without the profile (the default reads both)', async () => {
    const c = client(await emulator());
    expect((await c.publish(toyPublish(), 'json')).status).toBe(201);
  });
});

describe('form-only', () => {
  it('refuses a JSON publish with 415, changing nothing', async () => {
    const emu = await emulator({ profiles: ['form-only'] });
    const answer = await client(emu).publish(toyPublish(), 'json');
    expect(answer.status).toBe(415);
    expect(answer.body).toEqual({ detail: 'Unsupported media type "application/json" in request.' });
    expect(emu.snapshot().apps).toEqual([]);
  });

  it.each(['multipart', 'urlencoded'] as const)('takes a %s publish', async (encoding) => {
    const c = client(await emulator({ profiles: ['form-only'] }));
    expect((await c.publish(toyPublish(), encoding)).status).toBe(201);
  });

  it('still signs in with JSON, as the guide does', async () => {
    const emu = await emulator({ profiles: ['form-only'] });
    const p7 = createAppsHubClient({ serverUrl: emu.url });
    try {
      await expect(p7.login('user@work.org', 'secret')).resolves.toBe(emu.token);
    } finally {
      await p7.close();
    }
  });

  it('cannot be combined with nested-json: both decide how a JSON publish is read', async () => {
    await expect(startEmulator({ profiles: ['form-only', 'nested-json'] })).rejects.toThrow(/cannot be combined/);
  });
});

describe('the p7apps client publishes against every publish profile', () => {
  it.each(['nested-json', 'form-only', 'guide,nested-json', 'silent-queue', 'error-state'])('%s: with and without a thumbnail', async (profiles) => {
    const emu = await emulator({ profiles });
    const p7 = createAppsHubClient({ serverUrl: emu.url, token: emu.token });
    try {
      const first = await p7.publish({ name: 'Toy app', workspaceName: 'Toy apps', workflowPath: '/Users/1/ToyWorkflow.p7wf', description: 'Line one\nline two ✓', setVersionAsDefault: true });
      expect(first).toMatchObject({ version: 1, state: 'QUEUED_TO_INITIALIZE' });
      const app = emu.snapshot().apps[0]!;
      expect(app.description).toBe('Line one\nline two ✓');
      expect(app.workspace).toEqual({ id: '7', name: 'Toy apps' });
    } finally {
      await p7.close();
    }
  });
});

describe('error-state', () => {
  it('serves a failed publish as ERROR without state_detail, everywhere a state is served', async () => {
    const clock = manualClock();
    const emu = await emulator({ profiles: ['error-state'], now: clock.now, readyAfterMs: 1000, faults: { failPublishNext: 1 } });
    const c = client(emu);
    const id = String((await c.publish(toyPublish())).body.id);
    clock.advance(1000);
    for (const body of [(await c.getApp(id)).body, (await c.getApp(id, 1)).body, (await c.listApps()).body[0]]) {
      expect(body.state).toBe('ERROR');
      expect(body).not.toHaveProperty('state_detail');
      expect(body.versions).toEqual([expect.objectContaining({ version: 1, state: 'ERROR' })]);
    }
    // The emulator's own account still says what happened.
    expect(emu.snapshot().apps[0]!.versions[0]).toMatchObject({ state: 'FAILED' });
  });

  it('leaves READY and the in-progress states as they are', async () => {
    const clock = manualClock();
    const emu = await emulator({ profiles: ['error-state'], now: clock.now, readyAfterMs: 1000 });
    const c = client(emu);
    const id = String((await c.publish(toyPublish())).body.id);
    const states: string[] = [];
    for (const step of [0, 600, 600]) {
      clock.advance(step);
      states.push((await c.getApp(id)).body.state);
    }
    expect(states).toEqual(['QUEUED_TO_INITIALIZE', 'INITIALIZING', 'READY']);
  });
});

describe('silent-queue', () => {
  async function twoPublishes(profiles: string[], faults = {}) {
    const clock = manualClock();
    const emu = await emulator({ profiles, now: clock.now, readyAfterMs: 1000, faults });
    const c = client(emu);
    const first = await c.publish(toyPublish());
    const second = await c.publish(toyPublish({ workflow_path: '/Users/1/AnotherToyWorkflow.p7wf' }));
    return { emu, c, clock, id: String(first.body.id), second };
  }

  it('answers 409 while a version is publishing, without the profile', async () => {
    const { second, emu } = await twoPublishes([]);
    expect(second.status).toBe(409);
    expect(emu.snapshot().apps[0]!.versions).toHaveLength(1);
  });

  it('accepts the publish (201) and shows it queued at once, starting when the earlier one is READY', async () => {
    const { second, c, clock, id } = await twoPublishes(['silent-queue']);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ version: 2, state: 'QUEUED_TO_INITIALIZE' });
    const states: Array<[string, string]> = [];
    for (const step of [0, 600, 400, 500, 500]) {
      clock.advance(step);
      states.push([(await c.getApp(id, 1)).body.state, (await c.getApp(id, 2)).body.state]);
    }
    expect(states).toEqual([
      ['QUEUED_TO_INITIALIZE', 'QUEUED_TO_INITIALIZE'],
      ['INITIALIZING', 'QUEUED_TO_INITIALIZE'],
      ['READY', 'QUEUED_TO_INITIALIZE'],
      ['READY', 'INITIALIZING'],
      ['READY', 'READY'],
    ]);
  });

  it('queues a third publish behind the second, and a revision of the busy version behind it', async () => {
    const { c, clock, id } = await twoPublishes(['silent-queue']);
    expect((await c.publish(toyPublish())).body).toMatchObject({ version: 3 });
    expect((await c.publish(toyPublish({ version: 1 }))).body).toMatchObject({ version: 1, revision: 1 });
    const at = async () => Promise.all([1, 2, 3].map(async (v) => (await c.getApp(id, v)).body.state));
    clock.advance(1000);
    // v1's new revision waits for the last one queued (v3), not only for its own old revision.
    expect(await at()).toEqual(['QUEUED_TO_INITIALIZE', 'QUEUED_TO_INITIALIZE', 'QUEUED_TO_INITIALIZE']);
    clock.advance(1000);
    expect(await at()).toEqual(['QUEUED_TO_INITIALIZE', 'READY', 'QUEUED_TO_INITIALIZE']);
    clock.advance(1000);
    expect(await at()).toEqual(['QUEUED_TO_INITIALIZE', 'READY', 'READY']);
    clock.advance(1000);
    expect(await at()).toEqual(['READY', 'READY', 'READY']);
  });

  it('keeps a publish queued behind one stuck in the queue for ever', async () => {
    const { c, clock, id } = await twoPublishes(['silent-queue'], { stuckQueuedNext: 1 });
    clock.advance(60_000);
    expect((await c.getApp(id, 2)).body.state).toBe('QUEUED_TO_INITIALIZE');
  });

  it('starts a queued publish after an earlier one that FAILED', async () => {
    const { c, clock, id } = await twoPublishes(['silent-queue'], { failPublishNext: 1 });
    clock.advance(2000);
    expect([(await c.getApp(id, 1)).body.state, (await c.getApp(id, 2)).body.state]).toEqual(['FAILED', 'READY']);
  });
});
