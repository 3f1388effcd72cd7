// Publishing states over time (README A8), the 409 rule for publishes while
// a version initialises (A10), and many clients at once. Time is a manual
// clock, so no assertion depends on how fast the machine is.

import { describe, expect, it } from 'vitest';
import { ANOTHER_TOY_WORKFLOW, client, emulator, manualClock, toyPublish, until } from './helpers.js';

async function stateOf(api: ReturnType<typeof client>, id: string, version: number) {
  const view = (await api.getApp(id, version)).body;
  return { state: view.state as string, detail: view.state_detail as string | null };
}

describe('publishing states', () => {
  it('move from QUEUED_TO_INITIALIZE through INITIALIZING to READY after readyAfterMs', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 1000, now: clock.now });
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    expect(body.state).toBe('QUEUED_TO_INITIALIZE');
    expect(await stateOf(api, body.id, 1)).toEqual({ state: 'QUEUED_TO_INITIALIZE', detail: null });
    clock.advance(499);
    expect((await stateOf(api, body.id, 1)).state).toBe('QUEUED_TO_INITIALIZE');
    clock.advance(1);
    expect((await stateOf(api, body.id, 1)).state).toBe('INITIALIZING');
    expect((await api.getApp(body.id)).body.versions[0].state).toBe('INITIALIZING');
    clock.advance(500);
    expect(await stateOf(api, body.id, 1)).toEqual({ state: 'READY', detail: null });
    expect(emu.snapshot().apps[0]!.versions[0]!.state).toBe('READY');
  });

  it('the publish answer says QUEUED_TO_INITIALIZE even when versions are ready at once', async () => {
    const emu = await emulator({ readyAfterMs: 0 });
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    expect(body.state).toBe('QUEUED_TO_INITIALIZE');
    expect((await stateOf(api, body.id, 1)).state).toBe('READY');
  });

  it('setReadyAfterMs changes the delay for later publishes only', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 0, now: clock.now });
    const api = client(emu);
    const first = await api.publish(toyPublish());
    emu.setReadyAfterMs(100);
    const second = await api.publish(toyPublish({ name: 'Other' }));
    expect((await stateOf(api, first.body.id, 1)).state).toBe('READY');
    expect((await stateOf(api, second.body.id, 1)).state).toBe('QUEUED_TO_INITIALIZE');
  });
});

describe('a publish while a version of the app is initialising (A10)', () => {
  it.each([
    ['QUEUED_TO_INITIALIZE', 0],
    ['INITIALIZING', 600],
  ])('is answered 409 with Retry-After: 1 while %s, and nothing is committed', async (state, elapsed) => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 1000, now: clock.now });
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    clock.advance(elapsed);
    const before = emu.snapshot();
    const res = await api.publish(toyPublish({ workflow_path: ANOTHER_TOY_WORKFLOW, description: 'changed' }));
    expect(res.status).toBe(409);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toEqual({
      detail: `App "Toy app" is still publishing version 1 (state ${state}); nothing was changed, try again when it is READY or FAILED.`,
    });
    expect(emu.snapshot()).toEqual(before);
    clock.advance(1000);
    const again = await api.publish(toyPublish({ workflow_path: ANOTHER_TOY_WORKFLOW }));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(body.id);
    expect(again.body.version).toBe(2);
  });

  it('applies to a new revision of another version too, but not to other apps', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 1000, now: clock.now });
    const api = client(emu);
    await api.publish(toyPublish());
    clock.advance(1000);
    await api.publish(toyPublish());
    expect((await api.publish(toyPublish({ version: 1 }))).status).toBe(409);
    expect((await api.publish(toyPublish({ name: 'Another app' }))).status).toBe(201);
  });

  it('does not apply once the version has FAILED', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 1000, now: clock.now, faults: 'failPublishNext=1' });
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    clock.advance(1000);
    expect((await stateOf(api, body.id, 1)).state).toBe('FAILED');
    expect((await api.publish(toyPublish({ version: 1 }))).status).toBe(201);
  });
});

describe('many clients at once', () => {
  it('publishes of different apps all succeed, each with its own version 1', async () => {
    const emu = await emulator({ readyAfterMs: 60_000 });
    const api = client(emu);
    const names = Array.from({ length: 25 }, (_, i) => `App ${i}`);
    const answers = await Promise.all(names.map((name) => api.publish(toyPublish({ name }))));
    expect(answers.map((a) => a.status)).toEqual(names.map(() => 201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(25);
    expect(emu.snapshot().apps.map((a) => a.versions.map((v) => v.version))).toEqual(names.map(() => [1]));
  });

  it('publishes racing to create one app: one wins, the others are 409 and commit nothing', async () => {
    const emu = await emulator({ readyAfterMs: 60_000 });
    const api = client(emu);
    const answers = await Promise.all(Array.from({ length: 12 }, () => api.publish(toyPublish())));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(11);
    expect(emu.snapshot().apps).toHaveLength(1);
    expect(emu.snapshot().apps[0]!.versions).toHaveLength(1);
  });

  it('publishes racing on one app with instant readiness each get their own version number', async () => {
    const emu = await emulator({ readyAfterMs: 0 });
    const api = client(emu);
    await api.publish(toyPublish());
    const answers = await Promise.all(Array.from({ length: 12 }, () => api.publish(toyPublish())));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(answers.map((a) => a.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    expect(emu.snapshot().apps[0]!.versions.map((v) => v.version)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('reads during publishes always see whole versions', async () => {
    const emu = await emulator({ readyAfterMs: 0 });
    const api = client(emu);
    const { body } = await api.publish(toyPublish());
    const work = await Promise.all([
      ...Array.from({ length: 10 }, () => api.publish(toyPublish())),
      ...Array.from({ length: 10 }, () => api.getApp(body.id)),
    ]);
    for (const read of work.slice(10)) {
      expect(read.status).toBe(200);
      const numbers = read.body.versions.map((v: { version: number }) => v.version);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    }
  });
});

describe('close()', () => {
  it('ends requests waiting on injected latency and resolves', async () => {
    const emu = await emulator({ latencyMs: 600_000 });
    const pending = fetch(`${emu.appApiUrl}apps/`, { headers: { Authorization: `Token ${emu.token}` } });
    pending.catch(() => {});
    await until(() => emu.activeRequests() === 1);
    await emu.close();
    await expect(pending).rejects.toThrow();
    expect(emu.activeRequests()).toBe(0);
    expect(emu.requestLog()).toEqual([]);
  });
});
