// `p7apps drift` end to end: the CLI in-process against the emulator over a
// real loopback socket. Exit codes, drift made behind the tool's back through
// the emulator, the job-summary file, and that drift never writes.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const TOKEN = 'tok-drift-Secret-0815';

const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
  workflows: [{ path: '/Users/1/Toy.p7wf', content: 'toy' }],
  apps: [
    { name: 'Toy app', workspace: 'Toy apps', description: 'A toy app.', allowCopy: true, versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] },
    { name: 'Hand made', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] },
  ],
};

const CONFIG = {
  apps: [{ name: 'Toy app', workspace: 'Toy apps', description: 'A toy app.', allowCopy: true, versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] }],
};

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  emulator = await startEmulator({ seed: SEED, readyAfterMs: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-drift-'));
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify(CONFIG));
});

afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

function drift(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runCli(['drift', ...args], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN, ...env } });
}

describe('p7apps drift', () => {
  it('exits 0 when in sync, and lists the unmanaged app without counting it', async () => {
    const run = await drift();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('? "Hand made"');
    expect(run.stdout).toContain('No drift: 1 in sync, 0 drifted, 0 missing, 0 in conflict, 1 unmanaged.');
  });

  it('exits 2 with --fail-on-unmanaged', async () => {
    const run = await drift(['--fail-on-unmanaged', '--format', 'json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'p7apps-drift', formatVersion: 1, drift: true, failOnUnmanaged: true });
  });

  it.each([
    ['a description edited by hand', { description: 'Edited in AppsHub.' }, '~ description: server: "Edited in AppsHub.", config: "A toy app."'],
    ['copy permission switched off', { allowCopy: false }, '~ copy permission: server: false, config: true'],
  ])('exits 2 and shows the field for %s', async (_name, change, line) => {
    emulator.driftApp('Toy app', change);
    const before = emulator.counts()['POST apps/'] ?? 0;
    const run = await drift();
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('~ "Toy app"');
    expect(run.stdout).toContain(line);
    expect(emulator.counts()['POST apps/'] ?? 0).toBe(before);
  });

  it('reports a workflow edited in Studio since its version was published', async () => {
    emulator.editWorkflow('/Users/1/Toy.p7wf');
    const run = await drift();
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('~ workflow /Users/1/Toy.p7wf was edited since version 1 was published');
  });

  it('writes parseable JUnit XML with one test case per app', async () => {
    emulator.driftApp('Toy app', { description: 'Edited.' });
    const run = await drift(['--format', 'junit']);
    expect(run.code).toBe(2);
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    expect(run.stdout.match(/<testcase /g)).toHaveLength(2);
    expect(run.stdout).toContain('<failure type="drifted"');
  });

  it('appends the Markdown report to GITHUB_STEP_SUMMARY, after what is there', async () => {
    const summary = path.join(dir, 'summary.md');
    await writeFile(summary, '# Earlier step\n');
    emulator.driftApp('Toy app', { description: 'Edited.' });
    const run = await drift(['--format', 'json'], { GITHUB_STEP_SUMMARY: summary });
    expect(run.code).toBe(2);
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('# Earlier step\n## p7apps drift\n')).toBe(true);
    expect(text).toContain('| Toy app | drifted | yes |');
    expect(text).not.toContain(TOKEN);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('fails with exit 1 and a clear message when the summary file cannot be written', async () => {
    const run = await drift([], { GITHUB_STEP_SUMMARY: path.join(dir, 'no-such-dir', 'summary.md') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot append the drift report to GITHUB_STEP_SUMMARY');
  });

  it('exits 1 with the server error when the token is wrong', async () => {
    const run = await drift([], { P7APPS_TOKEN: 'wrong-token' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/403/);
    expect(run.stderr).not.toContain('wrong-token');
  });
});
