// `p7apps apply --expect-plan FILE` end to end against the emulator: a fresh
// plan that publishes what the reviewed plan did is applied as usual; one
// that differs (the config or the server moved since the review, or another
// server) is refused before any publish, naming each difference.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'tok-expect-Secret-0042';
const flow = (name: string) => `/Users/1/${name}.p7wf`;
const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
  workflows: ['Alpha', 'Alpha2', 'Beta', 'Beta2'].map((f) => ({ path: flow(f), content: `${f} as saved` })),
  apps: [
    { name: 'Alpha', workspace: 'Toy apps', description: 'First.', versions: [{ version: 1, workflow: flow('Alpha') }] },
    { name: 'Beta', workspace: 'Toy apps', description: 'Second.', versions: [{ version: 1, workflow: flow('Beta') }] },
  ],
};
const ALPHA = { name: 'Alpha', workspace: 'Toy apps', description: 'First.', versions: [{ version: 1, workflow: flow('Alpha') }] };
const BETA = { name: 'Beta', workspace: 'Toy apps', description: 'Second.', versions: [{ version: 1, workflow: flow('Beta') }] };
const REVIEWED = [{ ...ALPHA, versions: [...ALPHA.versions, { version: 2, workflow: flow('Alpha2') }] }, BETA];

let emulator: RunningEmulator;
let dir: string;
const env = (url = emulator.url) => ({ P7APPS_URL: url, P7APPS_TOKEN: TOKEN });

beforeEach(async () => {
  emulator = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-expect-'));
});
afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(apps: unknown[]): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ apps }));
}

async function review(apps: unknown[]): Promise<void> {
  await writeConfig(apps);
  const run = await runCli(['plan', '--out', 'reviewed.json'], { cwd: dir, env: env() });
  expect(run.stderr).toContain('Saved the plan');
  emulator.clearLog();
}

const publishes = () => emulator.requestLog().filter((e) => e.method === 'POST' && e.endpoint === 'POST apps/');
const applyExpecting = (url?: string) => runCli(['apply', '--auto-approve', '--expect-plan', 'reviewed.json'], { cwd: dir, env: env(url) });

describe('apply --expect-plan', () => {
  it('applies as usual when the fresh plan publishes what was reviewed', async () => {
    await review(REVIEWED);
    const run = await applyExpecting();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(publishes()).toHaveLength(1);
    expect(emulator.snapshot().apps.find((a) => a.name === 'Alpha')?.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  // Found by review: the reviewed plan is saved redacted, so a description holding the token read "***" there and
  // every merge of it was refused as sending another description.
  it('applies a reviewed plan whose saved copy had a secret redacted from what it sends', async () => {
    await review([{ ...REVIEWED[0], description: `Ask for ${TOKEN} at the desk.` }, BETA]);
    const run = await applyExpecting();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(publishes()).toHaveLength(1);
  });

  it.each([
    {
      name: 'the config gained a publish since the review',
      change: async () => writeConfig([REVIEWED[0], { ...BETA, versions: [...BETA.versions, { version: 2, workflow: flow('Beta2') }] }]),
      says: ['app "Beta" version 2: the reviewed plan does not publish it, this plan publishes it as a new version'],
    },
    {
      name: 'the config lost the reviewed publish',
      change: async () => writeConfig([ALPHA, BETA]),
      says: ['app "Alpha" version 2: the reviewed plan publishes it as a new version, this plan does not'],
    },
    // Found by an adversarial review: the same publishes with other content passed, and the merge applied them.
    {
      name: 'the reviewed version is now published from another workflow',
      change: async () => writeConfig([{ ...ALPHA, versions: [...ALPHA.versions, { version: 2, workflow: flow('Beta2') }] }, BETA]),
      says: ['app "Alpha" version 2: the reviewed plan publishes it from /Users/1/Alpha2.p7wf, this plan from /Users/1/Beta2.p7wf'],
    },
    {
      name: 'the description the reviewed publish sends was edited',
      change: async () => writeConfig([{ ...REVIEWED[0], description: 'NOT REVIEWED' }, BETA]),
      says: ['app "Alpha" version 2: this plan sends another description than the reviewed plan'],
    },
    {
      name: 'a workflow was edited in Studio since the review',
      change: async () => void emulator.editWorkflow(flow('Beta'), 'Beta edited in Studio'),
      says: ['app "Beta" version 1: the reviewed plan does not publish it, this plan republishes it (a new revision)'],
    },
  ])('refuses, before any publish, when $name', async ({ change, says }) => {
    await review(REVIEWED);
    await change();
    const run = await applyExpecting();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('this plan differs from the reviewed plan');
    for (const text of says) expect(run.stderr).toContain(text);
    expect(run.stderr).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect(publishes()).toHaveLength(0);
  });

  it('refuses a reviewed plan made against another server', async () => {
    await review(REVIEWED);
    const other = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
    try {
      const run = await applyExpecting(other.url);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`the reviewed plan was made against ${emulator.url}, this plan against ${other.url}`);
      expect(other.requestLog().filter((e) => e.method === 'POST')).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('refuses a reviewed plan with publishes when the fresh plan has none', async () => {
    await review(REVIEWED);
    await writeConfig(REVIEWED);
    expect((await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() })).code).toBe(0);
    emulator.clearLog();
    const run = await applyExpecting();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('app "Alpha" version 2: the reviewed plan publishes it as a new version, this plan does not');
  });

  it.each([
    ['a missing reviewed plan', ['apply', '--auto-approve', '--expect-plan', 'nope.json'], /cannot read the plan .*nope\.json: no such file/],
    ['a saved plan and --expect-plan together', ['apply', 'reviewed.json', '--expect-plan', 'reviewed.json'], /--expect-plan .*applied as it stands/],
  ])('refuses %s before reading the server', async (_name, args, message) => {
    await review(REVIEWED);
    const run = await runCli(args, { cwd: dir, env: env() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(emulator.counts()).toEqual({});
  });
});
