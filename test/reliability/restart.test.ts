// The restart of the fault matrix: the emulator has no restart of its own,
// so bench/chaos-stage.ts rebuilds one from a snapshot turned back into a
// seed. These tests show that the rebuilt server is the same server as far
// as p7apps can tell, and what the applier does when a publish meets the
// moment the server is down.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCatalog, type Catalog } from '../../bench/chaos-catalog.js';
import { seedFromSnapshot } from '../../bench/chaos-stage.js';
import { recordEvents } from '../../src/apply/events.js';
import { applyPlan } from '../../src/apply/execute.js';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { startEmulator, type EmulatorSnapshot, type RunningEmulator } from '../../src/emulator/index.js';
import { plan } from '../../src/operations.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
let catalog: Catalog;
const running: RunningEmulator[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-restart-'));
});

afterEach(async () => {
  for (const e of running.splice(0)) await e.close();
  await rm(dir, { recursive: true, force: true });
});

async function emulator(options: Parameters<typeof startEmulator>[0]): Promise<RunningEmulator> {
  const e = await startEmulator({ seedBaseDir: dir, token: catalog.token, ...options });
  running.push(e);
  return e;
}

function restartSeed(snapshot: EmulatorSnapshot) {
  return seedFromSnapshot(snapshot, catalog.seed.users, (sha) => catalog.thumbnailBySha256.get(sha)!);
}

/** What a restart keeps: everything but earlier revisions' history, revision origins and workflow edit counts. */
function kept(snapshot: EmulatorSnapshot) {
  return {
    ...snapshot,
    workflows: snapshot.workflows.map(({ edits: _edits, ...w }) => w),
    apps: snapshot.apps.map((a) => ({ ...a, versions: a.versions.map(({ revisions: _revisions, origin: _origin, ...v }) => v) })),
  };
}

const planFor = async (e: RunningEmulator) =>
  (await plan({ config: catalog.configPath, cwd: dir, server: e.url, env: { P7APPS_TOKEN: catalog.token } })).plan;

describe('an emulator rebuilt from its snapshot', () => {
  it('serves the same world, and p7apps plans the same against it', async () => {
    catalog = await writeCatalog(dir, 10);
    const before = await emulator({ seed: catalog.seed, readyAfterMs: 20, faults: { failPublishApps: [catalog.failingApp] } });
    const applied = await runCli(['apply', '--auto-approve', '--force', '--config', catalog.configPath], {
      env: { P7APPS_URL: before.url, P7APPS_TOKEN: catalog.token },
      cwd: dir,
    });
    expect(applied.code).toBe(1); // the failing app
    // A version still initialising when the server goes down, published from Studio.
    before.setReadyAfterMs(600_000);
    before.driftApp(catalog.apps.find((a) => a.kind === 'in-sync')!.declared.name, { publish: {} });

    const snapshot = before.snapshot();
    const states = snapshot.apps.flatMap((a) => a.versions.map((v) => v.state));
    expect(new Set(states)).toEqual(new Set(['READY', 'FAILED', 'QUEUED_TO_INITIALIZE']));
    expect(snapshot.apps.some((a) => a.versions.some((v) => v.revision > 0))).toBe(true);
    expect(snapshot.apps.some((a) => a.thumbnail !== null)).toBe(true);

    const planBefore = await planFor(before);
    await before.close();
    // On the same port: the URLs the server hands out (and so the plan's fingerprints of what it read) name it.
    const after = await emulator({ port: before.port, seed: restartSeed(snapshot), readyAfterMs: 600_000 });
    expect(kept(after.snapshot())).toEqual(kept(snapshot));
    const planAfter = await planFor(after);
    expect(planAfter.apps).toEqual(planBefore.apps);
    expect(planAfter.summary).toEqual(planBefore.summary);
  });
});

describe('a publish that meets the server down', () => {
  // A publish that fails before it leaves (ECONNREFUSED while the server
  // restarts) certainly did not commit: it is sent again once the server is
  // back, within the publish's timeout, so one short restart does not cost a
  // second apply.
  it('is sent again once the server is back, rather than failing its app', async () => {
    catalog = await writeCatalog(dir, 2);
    const first = await emulator({ seed: catalog.seed, readyAfterMs: 20 });
    const planned = await planFor(first);
    expect(planned.summary.publishes).toBeGreaterThan(0);
    const snapshot = first.snapshot();
    await first.close();
    const back = sleep(300).then(() => emulator({ port: first.port, seed: restartSeed(snapshot), readyAfterMs: 20 }));

    const client = createAppsHubClient({ serverUrl: first.url, token: catalog.token });
    try {
      const result = await applyPlan(planned, client, { hooks: recordEvents() });
      await back;
      expect(result.totals.ready).toBe(result.totals.planned);
    } finally {
      await back;
      await client.close();
    }
  });
});
