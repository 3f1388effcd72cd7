// `p7apps plan` end to end: the CLI in-process against the emulator on a real
// loopback socket, with a JSON config in a temporary folder.

import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { planFromDocument } from '../../src/plan/document-read.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { sentWithoutConfig } from '../helpers/before-config.js';

const TOKEN = 'tok-e2e-Secret-4711';

const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [
    { id: '7', name: 'Toy apps', publishers: ['user@work.org'] },
    { id: '9', name: 'Archive', publishers: ['user@work.org'] },
  ],
  workflows: [
    { path: '/Users/1/Toy.p7wf', content: 'toy as first saved' },
    { path: '/Users/1/Another.p7wf', content: 'another as first saved' },
  ],
  apps: [
    { name: 'Toy app', workspace: 'Toy apps', description: 'A toy app.', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] },
    { name: 'Legacy', workspace: 'Archive', versions: [{ version: 1, workflow: '/Users/1/Another.p7wf' }] },
  ],
};

const TOY_IN_SYNC = { name: 'Toy app', workspace: 'Toy apps', description: 'A toy app.', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] };

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  emulator = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-plan-'));
});

afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(apps: unknown[]): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ apps }, null, 2));
}

function plan(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(['plan', ...args], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN, ...env } });
}

function expectNoToken(run: CliRun): void {
  expect(run.stdout).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
}

describe('p7apps plan', () => {
  it('exits 0 when the server matches the config, reading only the two lists', async () => {
    await writeConfig([TOY_IN_SYNC]);
    const run = await plan();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No changes for 1 app; all verified: the server matches the config.');
    expect(run.stdout).toContain('"Legacy"');
    expect(emulator.counts()).toEqual({ 'GET apps/': 1, 'GET workflows/': 1 });
  });

  it('exits 2 with changes, saves the plan atomically with --out, and never writes the token', async () => {
    await writeConfig([
      { ...TOY_IN_SYNC, versions: [...TOY_IN_SYNC.versions, { version: 2, workflow: '/Users/1/Another.p7wf' }], defaultVersion: 2 },
      { name: 'New app', workspace: 'Toy apps', allowCopy: false, versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] },
    ]);
    const run = await plan(['--out', 'plan.json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('+ app "New app" will be created in workspace "Toy apps"');
    expect(run.stdout).toContain('~ app "Toy app"');
    expect(run.stdout).toContain('Plan: 1 app to create, 1 to update (2 publishes), 0 conflicts, 0 unchanged, 1 unmanaged');
    expect(run.stderr).toContain('Saved the plan to');
    expectNoToken(run);

    const text = await readFile(path.join(dir, 'plan.json'), 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text.toLowerCase()).not.toContain('authorization');
    const saved = planFromDocument(JSON.parse(text), 'plan.json');
    expect(saved.serverUrl).toBe(emulator.url);
    expect(saved.summary).toMatchObject({ create: 1, update: 1, publishes: 2 });
    const toy = saved.apps.find((a) => a.name === 'Toy app');
    expect(toy?.action === 'update' && toy.observedFingerprint).toMatch(/^[0-9a-f]{64}$/);
    // Only the plan itself is left in the folder: no temporary file.
    expect((await readdir(dir)).sort()).toEqual(['p7apps.config.json', 'plan.json']);
    // Reading only: nothing was published.
    expect(Object.keys(emulator.counts()).filter((k) => !k.startsWith('GET '))).toEqual([]);
  });

  it('sees a workflow edited in Studio and plans a new revision of its version', async () => {
    await writeConfig([TOY_IN_SYNC]);
    emulator.editWorkflow('/Users/1/Toy.p7wf', 'toy, edited');
    const run = await plan();
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('because workflow /Users/1/Toy.p7wf changed since revision 0 of version 1 was published');
    expect(run.stdout).toContain('POST apps/ version=1 set_version_as_default=false');
  });

  it('exits 1 on a conflict, says what to do, and saves nothing', async () => {
    await writeConfig([{ ...TOY_IN_SYNC, workspace: 'Archive' }]);
    const run = await plan(['--out', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('! app "Toy app"');
    expect(run.stdout).toContain('to do: AppsHub cannot move an app between workspaces');
    expect(run.stderr).toContain('1 app cannot be planned until a person resolves its conflict: "Toy app"');
    expect(run.stderr).toContain('The plan was not saved');
    expect(await readdir(dir)).toEqual(['p7apps.config.json']);
  });

  it('prints with --format json exactly the document --out saves', async () => {
    await writeConfig([{ ...TOY_IN_SYNC, description: 'A better toy app.' }]);
    const run = await plan(['--format', 'json', '--out', 'saved.json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(await readFile(path.join(dir, 'saved.json'), 'utf8'));
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'p7apps-plan', formatVersion: 1 });
  });

  it('writes Markdown for a pull request with --format markdown', async () => {
    await writeConfig([{ ...TOY_IN_SYNC, description: 'A better toy app.' }]);
    const run = await plan(['--format', 'markdown']);
    expect(run.code).toBe(2);
    expect(run.stdout.startsWith('## p7apps plan\n\n**Plan: 0 apps to create, 1 to update (1 publish)')).toBe(true);
    expect(run.stdout).toContain('```diff');
  });

  it('limits the plan to the apps --app names, and reads nothing of the others', async () => {
    await writeConfig([TOY_IN_SYNC, { name: 'Legacy', workspace: 'Archive', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] }]);
    const run = await plan(['--app', 'Toy app', '--verbose']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('= app "Toy app"');
    expect(run.stdout).not.toContain('Legacy');
  });

  it.each<[string, string[], RegExp]>([
    ['an app the config lacks', ['--app', 'Nope'], /--app "Nope": no such app in .*p7apps\.config\.json/],
    ['a parallelism that would stall', ['--parallelism', '0'], /--parallelism must be a whole number from 1 to 100 \(got "0"\)/],
    // Named as typed: a value that is not a number read as "NaN", and one in another notation was taken.
    ['a parallelism that is not a number', ['--parallelism', 'abc'], /--parallelism must be a whole number from 1 to 100 \(got "abc"\)/],
    ['a parallelism in exponent notation', ['--parallelism', '1e1'], /--parallelism must be a whole number from 1 to 100 \(got "1e1"\)/],
    ['a parallelism in hexadecimal', ['--parallelism', '0x10'], /--parallelism must be a whole number from 1 to 100 \(got "0x10"\)/],
    ['a parallelism given twice', ['--parallelism', '5', '--parallelism', '6'], /--parallelism must be a whole number from 1 to 100 \(got more than one value\)/],
    ['an --out folder that does not exist', ['--out', 'missing/plan.json'], /--out missing\/plan\.json: the folder .* does not exist/],
    ['an unknown format', ['--format', 'yaml'], /Invalid values:[\s\S]*format/],
    // Found by an adversarial review: an empty --server (an unset variable in a script) fell back to P7APPS_URL unseen.
    ['an empty --server', ['--server', ''], /--server is empty: give the sign-in URL of pSeven Enterprise, or leave the flag out/],
  ])('refuses %s before reading the server beyond its lists', async (_name, args, message) => {
    await writeConfig([TOY_IN_SYNC]);
    const run = await plan(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    // A selection is checked against the config, by which time the lists may have been requested.
    expect(sentWithoutConfig('plan', emulator.requestLog())).toEqual([]);
  });

  // Found by an adversarial review: each was replaced by the plan (renamed over it), the config included.
  it.each<[string, (dir: string) => Promise<string>]>([
    ['a FIFO', async (dir) => (execFileSync('mkfifo', [path.join(dir, 'plan.fifo')]), 'plan.fifo')],
    ['a symbolic link', async (dir) => (await symlink(path.join(dir, 'elsewhere.json'), path.join(dir, 'linked.json')), 'linked.json')],
  ])('refuses an --out that is %s, before reading the server beyond its lists, and leaves it as it is', async (_name, make) => {
    await writeConfig([{ ...TOY_IN_SYNC, description: 'A better toy app.' }]);
    const name = await make(dir);
    const before = await lstat(path.join(dir, name));
    const run = await plan(['--out', name]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: --out ${name}: ${path.join(dir, name)} exists and is not a regular file (a device, FIFO, socket or symbolic link); name a new file or a regular one`);
    expect((await lstat(path.join(dir, name))).mode).toBe(before.mode);
    expect(sentWithoutConfig('plan', emulator.requestLog())).toEqual([]);
  });

  it('refuses an --out that names the config, which stays as it was', async () => {
    await writeConfig([{ ...TOY_IN_SYNC, description: 'A better toy app.' }]);
    const config = await readFile(path.join(dir, 'p7apps.config.json'), 'utf8');
    const run = await plan(['--out', 'p7apps.config.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: --out p7apps.config.json: ${path.join(dir, 'p7apps.config.json')} is the config this plan was made from; name another file`);
    expect(await readFile(path.join(dir, 'p7apps.config.json'), 'utf8')).toBe(config);
  });

  it('reports a rejected token without echoing it', async () => {
    await writeConfig([TOY_IN_SYNC]);
    const wrong = 'tok-wrong-Secret-0815';
    const run = await plan([], { P7APPS_TOKEN: wrong });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: /);
    expect(run.stderr + run.stdout).not.toContain(wrong);
  });
});

describe('p7apps plan, drift and apply narrowed with --workspace and --exclude-app', () => {
  const NEW_IN_ARCHIVE = { name: 'Archived', workspace: 'Archive', versions: [{ version: 1, workflow: '/Users/1/Another.p7wf' }] };
  const NEW_IN_TOY = { name: 'New toy', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] };

  it('plans only the apps of the named workspace, reading only them', async () => {
    await writeConfig([TOY_IN_SYNC, NEW_IN_ARCHIVE, NEW_IN_TOY]);
    const run = await plan(['--workspace', 'Archive']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('+ app "Archived" will be created');
    expect(run.stdout).not.toContain('"New toy"');
    expect(run.stdout).not.toContain('Legacy');
  });

  it('leaves out the apps named by --exclude-app, in plan and drift', async () => {
    await writeConfig([TOY_IN_SYNC, NEW_IN_ARCHIVE]);
    const planned = await plan(['--exclude-app', 'Archived']);
    expect(planned.code).toBe(0);
    const drifted = await runCli(['drift', '--exclude-app', 'Archived'], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN } });
    expect(drifted.code).toBe(0);
    const all = await runCli(['drift'], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN } });
    expect(all.code).toBe(2);
  });

  it('applies only the selected apps; the rest is still to do', async () => {
    await writeConfig([TOY_IN_SYNC, NEW_IN_ARCHIVE, NEW_IN_TOY]);
    const env = { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN };
    const applied = await runCli(['apply', '--auto-approve', '--workspace', 'Toy apps'], { cwd: dir, env });
    expect(applied.code).toBe(0);
    expect(emulator.snapshot().apps.map((a) => a.name).sort()).toEqual(['Legacy', 'New toy', 'Toy app']);
    expect((await plan(['--workspace', 'Toy apps'])).code).toBe(0);
    expect((await plan()).code).toBe(2);
  });

  it.each([
    ['a workspace no app of the config is in', ['--workspace', 'Nowhere'], /--workspace "Nowhere": no app/],
    ['an excluded app the config lacks', ['--exclude-app', 'Nope'], /--exclude-app "Nope": no such app/],
  ])('refuses %s before reading the server beyond its lists', async (_name, args, message) => {
    await writeConfig([TOY_IN_SYNC]);
    const run = await plan(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    // A selection is checked against the config, by which time the lists may have been requested.
    expect(sentWithoutConfig('plan', emulator.requestLog())).toEqual([]);
  });

  it('refuses to narrow a saved plan', async () => {
    await writeConfig([TOY_IN_SYNC, NEW_IN_ARCHIVE]);
    expect((await plan(['--out', 'plan.json'])).code).toBe(2);
    const run = await runCli(['apply', 'plan.json', '--workspace', 'Archive'], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot narrow a saved plan');
  });
});
