// Verification end to end: the CLI in-process against the emulator answering
// as a server that shows only what the vendor's guide shows (profile `guide`:
// no description, copy permission or fingerprints). apply must still send what
// the config manages, never republish because of what it cannot see, and say
// in its last line what it could not verify; --strict makes that an error.
// Against the `full` profile the same catalog verifies completely.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { drift, plan as planWithLibrary } from '../../src/operations.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const WS = 'Toy apps';
const USER = 'user@work.org';
const flow = (name: string) => `/Users/1/${name}.p7wf`;

function seed(apps: SeedDocument['apps'] = []): SeedDocument {
  return {
    users: [{ username: USER, password: 'secret' }],
    workspaces: [
      { id: '7', name: WS, publishers: [USER] },
      { id: '8', name: 'Other apps', publishers: [USER] },
    ],
    workflows: ['Alpha', 'Alpha2', 'Alpha3', 'Beta'].map((f) => ({ path: flow(f), content: `${f} as first saved` })),
    apps,
  };
}

interface AppConfig {
  name: string;
  workspace?: string | { name?: string; id?: string };
  description?: string;
  allowCopy?: boolean;
  versions: { version: number; workflow: string }[];
  defaultVersion?: number;
}

const alpha: AppConfig = {
  name: 'Alpha',
  description: 'The first app',
  versions: [
    { version: 1, workflow: flow('Alpha') },
    { version: 2, workflow: flow('Alpha2') },
  ],
  defaultVersion: 2,
};
const beta: AppConfig = { name: 'Beta', allowCopy: false, versions: [{ version: 1, workflow: flow('Beta') }] };

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-verify-'));
});

afterEach(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(profile: 'guide' | 'full', apps: SeedDocument['apps'] = []): Promise<void> {
  emulator = await startEmulator({ readyAfterMs: 40, seed: seed(apps), profiles: [profile] });
}

async function writeConfig(apps: AppConfig[], extra: Record<string, unknown> = {}): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: WS }, ...extra, apps }, null, 2));
}

function cli(...args: string[]): Promise<CliRun> {
  return runCli(args, { env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token }, cwd: dir });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);
const posts = () => emulator.requestLog().filter((e) => e.method === 'POST' && e.endpoint === 'POST apps/');
const appOnServer = (name: string) => emulator.snapshot().apps.find((a) => a.name === name);

const GUIDE_UNVERIFIED = 'description of 1 app, copy permission of 1 app and workflow content of 3 versions cannot be verified on this server';

describe('against a server that shows only what the guide shows', () => {
  it('applies, says what it could not verify in the last line, and the second plan is empty', async () => {
    await start('guide');
    await writeConfig([alpha, beta]);

    const run = await cli('apply', '--auto-approve');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/matches the config/);
    expect(lastLine(run.stdout)).toBe(`Apply complete: 3 of 3 publishes READY; converged: 2 apps verified; ${GUIDE_UNVERIFIED}.`);
    expect(run.stdout).toContain(`Converged: 2 apps verified; ${GUIDE_UNVERIFIED}.`);
    // What the server cannot show was sent all the same.
    expect(appOnServer('Alpha')).toMatchObject({ description: 'The first app' });
    expect(appOnServer('Beta')).toMatchObject({ allowCopy: false });

    const before = posts().length;
    const plan = await cli('plan');
    expect(plan.code).toBe(0);
    expect(lastLine(plan.stdout)).toBe(`No changes for 2 apps; ${GUIDE_UNVERIFIED}.`);
    expect(plan.stdout).toContain('cannot verify: the server did not report the app\'s description; no publish planned');

    const again = await cli('apply', '--auto-approve');
    expect(again.code).toBe(0);
    expect(lastLine(again.stdout)).toBe(`Nothing to apply: 2 apps verified; ${GUIDE_UNVERIFIED}.`);
    expect(posts()).toHaveLength(before);
  });

  it('sends a changed description with the next publish planned for another reason, and never publishes for it alone', async () => {
    await start('guide');
    await writeConfig([alpha]);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);

    await writeConfig([{ ...alpha, description: 'Sharper words' }]);
    const quiet = await cli('plan');
    expect(quiet.code).toBe(0);
    expect(lastLine(quiet.stdout)).toMatch(/^No changes for 1 app; description of 1 app and workflow content of 2 versions cannot be verified on this server\.$/);

    await writeConfig([{ ...alpha, description: 'Sharper words', versions: [...alpha.versions, { version: 3, workflow: flow('Alpha3') }] }]);
    const plan = await cli('plan');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('cannot verify: the server did not report the app\'s description; sent with this publish');
    const run = await cli('apply', '--auto-approve');
    expect(run.code).toBe(0);
    expect(appOnServer('Alpha')).toMatchObject({ description: 'Sharper words' });
  });

  it.each([
    ['plan', ['plan', '--strict']],
    ['drift', ['drift', '--strict']],
    ['apply', ['apply', '--auto-approve', '--strict']],
  ])('%s --strict exits 1 naming each app and field it cannot verify', async (_name, args) => {
    await start('guide');
    await writeConfig([alpha, beta]);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const before = posts().length;

    const run = await cli(...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'strict mode: 5 managed fields cannot be verified on this server: "Alpha" description, "Alpha" v1 workflow content, "Alpha" v2 workflow content, "Beta" copy permission, "Beta" v1 workflow content',
    );
    expect(posts()).toHaveLength(before);
  });

  it('strict: true in the config does the same, and --no-strict overrides it', async () => {
    await start('guide');
    await writeConfig([alpha, beta]);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await writeConfig([alpha, beta], { strict: true });
    expect((await cli('plan')).code).toBe(1);
    expect((await cli('plan', '--no-strict')).code).toBe(0);
  });

  it('apply --strict publishes a new app (its workspace is checked by the publish), then exits 1 for what it cannot read back', async () => {
    await start('guide');
    await writeConfig([beta]);
    const plan = await cli('plan', '--strict');
    expect(plan.code).toBe(2);
    expect(lastLine(plan.stdout)).toMatch(/; workspace of 1 new app cannot be checked before publishing$/);
    const run = await cli('apply', '--auto-approve', '--strict');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'Error: the apply finished, but strict mode: 2 managed fields cannot be verified on this server: "Beta" copy permission, "Beta" v1 workflow content\n',
    );
    expect(appOnServer('Beta')).toMatchObject({ allowCopy: false });
  });

  it('apply --strict of a saved plan refuses before publishing', async () => {
    await start('guide');
    await writeConfig([alpha, beta]);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await writeConfig([{ ...alpha, versions: [...alpha.versions, { version: 3, workflow: flow('Alpha3') }] }, beta]);
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(2);
    const before = posts().length;
    const run = await cli('apply', 'plan.json', '--strict');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: strict mode: 5 managed fields cannot be verified on this server: .*; nothing was applied\n/);
    expect(posts()).toHaveLength(before);
  });

  it('the library\'s plan() and drift() throw in strict mode, naming the pairs', async () => {
    await start('guide');
    await writeConfig([beta]);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const options = { config: path.join(dir, 'p7apps.config.json'), env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token }, cwd: dir };
    await expect(planWithLibrary({ ...options, strict: true })).rejects.toThrow('strict mode: 2 managed fields cannot be verified on this server: "Beta" copy permission, "Beta" v1 workflow content');
    await expect(drift({ ...options, strict: true })).rejects.toThrow(/strict mode/);
    const { plan } = await planWithLibrary(options);
    expect(plan.summary.publishes).toBe(0);
  });

  it('puts a structured verification in the JSON outputs', async () => {
    await start('guide');
    await writeConfig([alpha, beta]);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const plan = JSON.parse((await cli('plan', '--format', 'json')).stdout);
    const drift = JSON.parse((await cli('drift', '--format', 'json')).stdout);
    for (const document of [plan, drift]) {
      expect(document.verification).toMatchObject({ formatVersion: 1, apps: 2, verifiedApps: 0 });
      expect(document.verification.unverified.map((u: { field: string; apps: number; versions: number }) => [u.field, u.apps, u.versions])).toEqual([
        ['description', 1, 0],
        ['allowCopy', 1, 0],
        ['workflow', 2, 3],
      ]);
    }
  });
});

describe('workspaces of new apps', () => {
  const seeded: SeedDocument['apps'] = [{ name: 'Legacy', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }];

  it('checks the {name, id} pair against a workspace another app shows: same id, other name is a conflict naming both', async () => {
    await start('guide', seeded);
    await writeConfig([{ ...beta, workspace: { name: 'Other apps', id: '7' } }]);
    const plan = await cli('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('the config puts the app in workspace "Other apps" (id 7), but on the server workspace "Toy apps" (id 7) holds app "Legacy"');
  });

  it('says nothing when another app shows the same pair', async () => {
    await start('guide', seeded);
    await writeConfig([{ ...beta, workspace: { name: WS, id: '7' } }]);
    const plan = await cli('plan');
    expect(plan.code).toBe(2);
    expect(plan.stdout).not.toContain('workspace cannot be checked');
  });
});

describe('against a server that shows everything', () => {
  it('converges with every app verified, and the second plan is empty', async () => {
    await start('full');
    await writeConfig([alpha, beta]);
    const run = await cli('apply', '--auto-approve', '--strict');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lastLine(run.stdout)).toBe('Apply complete: 3 of 3 publishes READY; converged: 2 apps verified.');
    const plan = await cli('plan', '--strict');
    expect(plan.code).toBe(0);
    expect(lastLine(plan.stdout)).toBe('No changes for 2 apps; all verified: the server matches the config.');
  });
});
