// The executor with the real client against the emulator's publish profiles,
// over a loopback socket: a server that queues a publish silently instead of
// answering 409 (silent-queue) must still never get a second version, also
// when the answer to the queued publish is lost; a server whose failures end
// in ERROR without a detail (error-state) ends the wait at once; servers that
// read JSON differently (nested-json, form-only) take every publish.

import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/execute.js';
import { recordEvents, type ApplyEvent } from '../../src/apply/events.js';
import { createAppsHubClient, type AppsHubClient } from '../../src/appshub/client.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { Plan } from '../../src/plan/types.js';
import { createApp, newVersion, planOf, updateApp } from './plans.js';

const TOY = '/Users/1/ToyWorkflow.p7wf';
const ANOTHER = '/Users/1/AnotherToyWorkflow.p7wf';

let emu: RunningEmulator | undefined;
let api: AppsHubClient | undefined;
afterEach(async () => {
  await api?.close();
  await emu?.close();
  api = undefined;
  emu = undefined;
});

async function start(profiles: string, readyAfterMs: number) {
  emu = await startEmulator({ profiles, readyAfterMs });
  api = createAppsHubClient({ serverUrl: emu.url, token: emu.token });
  return { emu, api };
}

async function apply(plan: Plan) {
  const recorder = recordEvents();
  const result = await applyPlan(plan, api!, { hooks: recorder, timeoutMs: 60_000 });
  const events = <T extends ApplyEvent['type']>(type: T) => recorder.events.filter((e): e is Extract<ApplyEvent, { type: T }> => e.type === type);
  return { result, events };
}

/** A new app of `versions` versions, published from the emulator's two seeded workflows in turn. */
function toyApp(versions: number) {
  const plan = createApp('Toy app', versions);
  plan.publishes.forEach((p, i) => (p.request.workflowPath = i % 2 === 0 ? TOY : ANOTHER));
  return plan;
}

const posts = () => emu!.requestLog().filter((e) => e.endpoint === 'POST apps/');

describe('silent-queue: a publish accepted while another version is publishing', () => {
  /** Publishes v1 outside apply, so that it is still initialising when apply sends v2. */
  async function appStillPublishing(readyAfterMs: number) {
    const { emu, api } = await start('silent-queue', readyAfterMs);
    const first = await api.publish({ name: 'Toy app', workspaceName: 'Toy apps', workflowPath: TOY, setVersionAsDefault: true });
    expect(emu.snapshot().apps[0]!.versions[0]!.state).toBe('QUEUED_TO_INITIALIZE');
    return first.appId;
  }

  it('is waited on until READY, and the next publish goes after it: one POST each, no 409', async () => {
    const id = await appStillPublishing(600);
    const { result } = await apply(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, ANOTHER, 1), newVersion('Toy app', 3, TOY, 2)])));

    expect(result.publishes.map((p) => [p.version, p.outcome, p.resends])).toEqual([
      [2, 'ready', 0],
      [3, 'ready', 0],
    ]);
    expect(posts().map((p) => p.status)).toEqual([201, 201, 201]);
    expect(emu!.snapshot().apps[0]!.versions.map((v) => [v.version, v.revision, v.state])).toEqual([
      [1, 0, 'READY'],
      [2, 0, 'READY'],
      [3, 0, 'READY'],
    ]);
  });

  it('is found by the re-read after its answer is lost, and never sent again', async () => {
    // v1 READY at 1.5 s; the queued v2 starts then and is READY at 3 s: the re-read (1 s after the loss) finds it queued.
    const id = await appStillPublishing(1500);
    emu!.setFaults({ dropPublishResponseRate: 1, maxDropPublishResponse: 1 });
    const { result, events } = await apply(planOf(updateApp('Toy app', id, [newVersion('Toy app', 2, ANOTHER, 1)])));

    expect(result.publishes[0]).toMatchObject({ version: 2, outcome: 'ready', resends: 0 });
    expect(events('publish-ambiguous')).toHaveLength(1);
    expect(events('publish-recheck')).toEqual([expect.objectContaining({ tookEffect: true, detail: 'v2 exists: committed' })]);
    expect(events('publish-resend')).toEqual([]);
    expect(posts().map((p) => p.status)).toEqual([201, null]);
    expect(emu!.snapshot().apps[0]!.versions.map((v) => [v.version, v.state])).toEqual([
      [1, 'READY'],
      [2, 'READY'],
    ]);
  });
});

describe('error-state: a failure in state ERROR, without a detail', () => {
  it('ends the wait at once as a failure and skips the app\'s later publishes', async () => {
    await start('error-state', 200);
    emu!.setFaults({ failPublishNext: 1 });
    const { result } = await apply(planOf(toyApp(2)));
    expect(result.publishes.map((p) => p.outcome)).toEqual(['failed', 'skipped']);
    expect(result.publishes[0]!.error).toBe('Toy app v1 failed to publish (state ERROR): no detail given');
    expect(posts()).toHaveLength(1);
  });
});

describe('servers that read a JSON publish differently', () => {
  it.each(['nested-json', 'form-only', 'guide,nested-json,numeric-ids'])('%s: every publish of a new app goes through', async (profiles) => {
    await start(profiles, 50);
    const plan = toyApp(2);
    plan.publishes[0]!.request.description = 'First line\nsecond line';
    const { result } = await apply(planOf(plan));
    expect(result.publishes.map((p) => p.outcome)).toEqual(['ready', 'ready']);
    expect(posts().map((p) => p.status)).toEqual([201, 201]);
    expect(emu!.snapshot().apps[0]!.description).toBe('First line\nsecond line');
  });
});
