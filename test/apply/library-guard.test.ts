// The library's applyPlan() holds a plan to the same guard as `p7apps apply`:
// a large change needs `force: true`, a protected app needs its name in
// `allowProtected`; otherwise it throws a PlanRefusedError and sends nothing.
// Through the package's entry point, against the emulator on a real socket.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, openServer, plan, PlanRefusedError, recordEvents, startEmulator, type RunningEmulator, type SeedDocument } from '../../src/index.js';

const TOKEN = 'tok-library-Secret-0042';
const flow = (name: string) => `/Users/1/${name}.p7wf`;
const NAMES = ['Alpha', 'Beta', 'Gamma'];
const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
  workflows: NAMES.map((f) => ({ path: flow(f), content: `${f} as saved` })),
  apps: NAMES.map((name) => ({ name, workspace: 'Toy apps', description: 'Old words.', versions: [{ version: 1, workflow: flow(name) }] })),
};

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  emulator = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-library-'));
});
afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN });
const publishes = () => emulator.requestLog().filter((e) => e.method === 'POST' && e.endpoint === 'POST apps/');

/** All three apps get new words; Alpha is protected; at most 1 app may be republished without force. */
async function plannedChange() {
  const apps = NAMES.map((name) => ({ name, workspace: 'Toy apps', description: 'New words.', versions: [{ version: 1, workflow: flow(name) }], ...(name === 'Alpha' ? { protect: true } : {}) }));
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ safety: { maxRepublishApps: 1 }, apps }));
  const { plan: computed } = await plan({ cwd: dir, env: env() });
  return computed;
}

describe('applyPlan() and the guard', () => {
  it.each([
    { name: 'no options: refused as a large change', options: {}, kind: 'large-change', sent: 0 },
    { name: 'force only: refused for the protected app', options: { force: true }, kind: 'protected', sent: 0 },
    { name: 'the protected app allowed but no force: refused as a large change', options: { allowProtected: ['Alpha'] }, kind: 'large-change', sent: 0 },
    { name: 'force and the protected app allowed: applied', options: { force: true, allowProtected: ['Alpha'] }, kind: null, sent: 3 },
  ])('$name', async ({ options, kind, sent }) => {
    const computed = await plannedChange();
    const api = await openServer({ env: env() });
    try {
      const run = applyPlan(computed, api, { hooks: recordEvents(), ...options });
      if (kind === null) {
        const result = await run;
        expect(result.totals.ready).toBe(3);
      } else {
        const error = await run.then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(PlanRefusedError);
        expect((error as PlanRefusedError).kind).toBe(kind);
        expect((error as PlanRefusedError).verdict.republishedApps).toEqual(NAMES);
      }
    } finally {
      await api.close();
    }
    expect(publishes()).toHaveLength(sent);
  });
});
