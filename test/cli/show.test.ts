// `p7apps show PLAN` end to end: a plan saved against the emulator renders as
// `plan` rendered it, in every format, with the plan's exit code, and without
// a request to the server.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'tok-show-Secret-0042';
const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
  workflows: [
    { path: '/Users/1/Toy.p7wf', content: 'toy' },
    { path: '/Users/1/Another.p7wf', content: 'another' },
  ],
  apps: [{ name: 'Toy app', workspace: 'Toy apps', description: 'A toy app.', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] }],
};
const TOY = { name: 'Toy app', workspace: 'Toy apps', description: 'A toy app.', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] };

let emulator: RunningEmulator;
let dir: string;
const env = () => ({ P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN });

beforeEach(async () => {
  emulator = await startEmulator({ seed: SEED, readyAfterMs: 0, port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-show-'));
});
afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function saved(apps: unknown[]): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ apps }));
  const run = await runCli(['plan', '--out', 'plan.json'], { cwd: dir, env: env() });
  expect(run.stderr).toContain('Saved the plan');
}

describe('p7apps show', () => {
  it.each(['human', 'markdown', 'json'])('renders a saved plan as plan did (--format %s), exit 2, reading nothing', async (format) => {
    await saved([{ ...TOY, description: 'Changed.' }, { name: 'New app', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/Another.p7wf' }] }]);
    const planned = await runCli(['plan', '--format', format], { cwd: dir, env: env() });
    emulator.clearLog();
    const shown = await runCli(['show', 'plan.json', '--format', format], { cwd: dir, env: {} });
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(2);
    // JSON: the same document (key order is not part of a JSON contract); text formats: the same bytes.
    if (format === 'json') expect(JSON.parse(shown.stdout)).toEqual(JSON.parse(planned.stdout));
    else expect(shown.stdout).toBe(planned.stdout);
    expect(emulator.counts()).toEqual({});
  });

  it('exits 0 for a saved plan without changes', async () => {
    await saved([TOY]);
    const shown = await runCli(['show', 'plan.json'], { cwd: dir, env: {} });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('No changes');
  });

  it.each([
    ['a missing file', 'nope.json', undefined, /cannot read the plan .*nope\.json: no such file/],
    ['a file that is not JSON', 'bad.json', 'not json', /bad\.json is not JSON/],
    ['JSON that is not a plan', 'other.json', '{"kind": "something else"}', /other\.json/],
  ])('refuses %s with exit 1 and no stack trace', async (_name, file, content, message) => {
    if (content !== undefined) await writeFile(path.join(dir, file), content);
    const shown = await runCli(['show', file], { cwd: dir, env: {} });
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(message);
    expect(shown.stderr).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });

  it('needs the plan file', async () => {
    const shown = await runCli(['show'], { cwd: dir, env: {} });
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/Not enough non-option arguments|plan/);
  });
});
