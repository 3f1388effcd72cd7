// Signing in with P7APPS_USERNAME and P7APPS_PASSWORD against a flaky
// server. auth/login/ changes nothing on the server, so a 503, a 429 or a
// reset there is as safe to retry as a GET.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { GUIDE_PASSWORD, GUIDE_USERNAME, startEmulator, type FaultSpec, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

let emulator: RunningEmulator | undefined;
let dir: string | undefined;

afterEach(async () => {
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function planSignedIn(faults: FaultSpec) {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-sign-in-'));
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ apps: [] }));
  emulator = await startEmulator({ readyAfterMs: 20, faults });
  const run = await runCli(['plan'], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_USERNAME: GUIDE_USERNAME, P7APPS_PASSWORD: GUIDE_PASSWORD } });
  return { run, log: emulator.requestLog().map((r) => `${r.endpoint} ${r.status ?? r.fault}`) };
}

it('signs in on a healthy server', async () => {
  const { run, log } = await planSignedIn({});
  expect(run.code).toBe(0);
  expect(log[0]).toBe('POST auth/login/ 200');
});

// One 503 (or 429, or reset) on POST auth/login/ must not end the whole
// command: signing in commits nothing, so it is retried like a read.
it.each<[string, FaultSpec]>([
  ['one 503', { rate503: 1, max503: 1, retryAfterS: 0 }],
  ['one reset', { resetRate: 1, maxReset: 1 }],
])('signs in despite %s on auth/login/', async (_what, faults) => {
  const { run, log } = await planSignedIn(faults);
  expect(log).toContain('POST auth/login/ 200');
  expect(run.code).toBe(0);
});
