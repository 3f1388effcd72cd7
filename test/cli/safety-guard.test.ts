// The guard end to end against the emulator: plan and show state its verdict
// in every format, with the config's `safety` limits and `protect: true`;
// apply refuses, before any publish, what needs --force or --allow-protected
// until it is given, for a fresh plan and a saved one alike.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'tok-guard-Secret-0042';
const flow = (name: string) => `/Users/1/${name}.p7wf`;
const NAMES = ['Alpha', 'Beta', 'Gamma'];
const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
  workflows: [...NAMES, 'Alpha2'].map((f) => ({ path: flow(f), content: `${f} as saved` })),
  apps: NAMES.map((name) => ({ name, workspace: 'Toy apps', description: 'Old words.', versions: [{ version: 1, workflow: flow(name) }] })),
};
const app = (name: string, extra: Record<string, unknown> = {}) => ({ name, workspace: 'Toy apps', description: 'Old words.', versions: [{ version: 1, workflow: flow(name) }], ...extra });

let emulator: RunningEmulator;
let dir: string;
const env = () => ({ P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN });
const cli = (...args: string[]) => runCli(args, { cwd: dir, env: env() });
const publishes = () => emulator.requestLog().filter((e) => e.method === 'POST' && e.endpoint === 'POST apps/');

beforeEach(async () => {
  emulator = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-guard-'));
});
afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(config: Record<string, unknown>): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify(config));
}

/** Every app gets new words: three republished of three. */
const EVERYTHING = { apps: NAMES.map((name) => app(name, { description: 'New words.' })) };
const TIGHT = { maxRepublishPercent: 50, maxRepublishApps: 2 };

describe('plan states the verdict', () => {
  it.each([
    ['human', 'apply will need --force: 3 of 3 existing apps republished (limit: 50% / 2 apps)'],
    ['markdown', '> - apply will need --force: 3 of 3 existing apps republished (limit: 50% / 2 apps)'],
  ])('in %s, with the limits of the config', async (format, line) => {
    await writeConfig({ ...EVERYTHING, safety: TIGHT });
    const run = await cli('plan', '--format', format, '--out', 'plan.json');
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(line);
    const shown = await runCli(['show', 'plan.json', '--format', format], { cwd: dir, env: {} });
    expect(shown.stdout).toBe(run.stdout);
  });

  it('in JSON, as the versioned safety field', async () => {
    await writeConfig({ ...EVERYTHING, safety: TIGHT, apps: [app('Alpha', { description: 'New words.', protect: true }), app('Beta'), app('Gamma')] });
    const run = await cli('plan', '--format', 'json');
    expect(JSON.parse(run.stdout).safety).toEqual({
      formatVersion: 1,
      needsForce: false,
      republishedApps: ['Alpha'],
      existingApps: 3,
      limits: TIGHT,
      protectedApps: ['Alpha'],
      protectedSteps: [{ app: 'Alpha', step: 1, version: 1, change: 'revision' }],
    });
  });

  it.each(['human', 'markdown', 'html'])('in %s, says nothing about --force when the plan republishes no existing app', async (format) => {
    // A new app and a new version of an existing one: no existing app gets a new revision.
    await writeConfig({
      apps: [...NAMES.map((name) => (name === 'Beta' ? { ...app(name), versions: [...app(name).versions, { version: 2, workflow: flow('Alpha2') }] } : app(name))), app('Delta', { versions: [{ version: 1, workflow: flow('Alpha2') }] })],
    });
    const run = await cli('plan', '--format', format);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Delta');
    expect(run.stdout).not.toContain('--force');
    const json = JSON.parse((await cli('plan', '--format', 'json')).stdout);
    // The JSON contract keeps the whole verdict.
    expect(json.safety).toMatchObject({ formatVersion: 1, needsForce: false, republishedApps: [], existingApps: 3 });
  });

  it('says no --force is needed under the built-in limits', async () => {
    await writeConfig(EVERYTHING);
    const run = await cli('plan');
    expect(run.stdout).toContain('apply needs no --force: 3 of 3 existing apps republished (limit: 30% / 5 apps)\nPlan: ');
  });
});

describe('apply enforces it', () => {
  it('refuses a large change without --force, sending nothing, and applies it with --force', async () => {
    await writeConfig({ ...EVERYTHING, safety: TIGHT });
    const refused = await cli('apply', '--auto-approve');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to apply: the plan puts new revisions on 3 existing apps of 3 (100%, more than 50% and more than 2)');
    expect(publishes()).toHaveLength(0);
    const forced = await cli('apply', '--auto-approve', '--force');
    expect(forced.code).toBe(0);
    expect(publishes()).toHaveLength(3);
  });

  it('refuses to change a protected app until --allow-protected names it; a new version is no change', async () => {
    await writeConfig({ apps: [app('Alpha', { description: 'New words.', protect: true }), app('Beta', { protect: true, versions: [{ version: 1, workflow: flow('Beta') }, { version: 2, workflow: flow('Alpha2') }] }), app('Gamma')] });
    const planned = await cli('plan');
    expect(planned.stdout).toContain('needs --allow-protected: the app is protected');
    expect(planned.stdout).toContain('apply will need --allow-protected for protected app "Alpha": step 1 republishes version 1 (a new revision)');
    expect(planned.stdout).not.toContain('protected app "Beta"');

    const refused = await cli('apply', '--auto-approve', '--force');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to apply: the plan changes protected app "Alpha": step 1 republishes version 1 (a new revision)');
    expect(refused.stderr).toContain('run again with --allow-protected Alpha.');
    expect(publishes()).toHaveLength(0);

    const allowed = await cli('apply', '--auto-approve', '--allow-protected', 'Alpha');
    expect(allowed.code).toBe(0);
    expect(publishes()).toHaveLength(2);
  });

  it('holds a saved plan to the same rules', async () => {
    await writeConfig({ apps: [app('Alpha', { description: 'New words.', protect: true }), app('Beta', { description: 'New words.', protect: true }), app('Gamma')] });
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(2);
    const refused = await cli('apply', 'plan.json', '--allow-protected', 'Beta');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('protected app "Alpha"');
    expect(refused.stderr).not.toContain('"Beta"');
    expect(publishes()).toHaveLength(0);
    const allowed = await cli('apply', 'plan.json', '--allow-protected', 'Beta', '--allow-protected', 'Alpha');
    expect(allowed.code).toBe(0);
    expect(publishes()).toHaveLength(2);
  });

  it('keeps an app the saved plan recorded as protected protected, when the config no longer says so', async () => {
    await writeConfig({ apps: [app('Alpha', { description: 'New words.', protect: true }), app('Beta'), app('Gamma')] });
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(2);
    await writeConfig({ apps: [app('Alpha', { description: 'New words.' }), app('Beta'), app('Gamma')] });
    const refused = await cli('apply', 'plan.json');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('protected app "Alpha"');
    expect(publishes()).toHaveLength(0);
    expect((await cli('apply', 'plan.json', '--allow-protected', 'Alpha')).code).toBe(0);
    expect(publishes()).toHaveLength(1);
  });

  it('refuses a saved plan applied with a config that does not declare an app it publishes (--config names another), sending nothing', async () => {
    // Found by an adversarial review: the other config's guard, which did not protect "Alpha", was applied, and both apps published.
    await writeConfig({ apps: [app('Alpha', { description: 'New words.', protect: true }), app('Beta', { description: 'New words.' }), app('Gamma')] });
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(2);
    await writeFile(path.join(dir, 'other.config.json'), JSON.stringify({ apps: [app('Beta'), app('Gamma')] }));
    const readsOfThePlan = emulator.counts();
    const run = await cli('apply', 'plan.json', '--config', 'other.config.json', '--allow-protected', 'Beta');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: the plan ${path.join(dir, 'plan.json')} publishes "Alpha", which ${path.join(dir, 'other.config.json')} does not declare, so nothing was applied`);
    expect(run.stderr).toContain('leave out --config');
    expect(emulator.counts()).toEqual(readsOfThePlan);
  });

  it('refuses a saved plan publishing an app taken out of the config since, saying the config changed', async () => {
    await writeConfig({ apps: [app('Alpha', { description: 'New words.' }), app('Beta'), app('Gamma')] });
    expect((await cli('plan', '--out', 'plan.json')).code).toBe(2);
    await writeConfig({ apps: [app('Beta'), app('Gamma')] });
    const run = await cli('apply', 'plan.json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('publishes "Alpha", which');
    expect(run.stderr).toContain('The config changed since the plan was made: plan again, have that plan reviewed, and apply it.');
    expect(run.stderr).not.toContain('--config');
    expect(publishes()).toHaveLength(0);
  });

  it('refuses --allow-protected naming no app of the config, before reading the server', async () => {
    await writeConfig({ apps: [app('Alpha', { protect: true })] });
    const run = await cli('apply', '--auto-approve', '--allow-protected', 'Alpah');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--allow-protected Alpah: the config declares no app of that name');
    expect(run.stderr).toContain('Name a protected app exactly as the config does: "Alpha".');
    expect(emulator.counts()).toEqual({});
  });
});
