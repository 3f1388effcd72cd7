// In a GitHub Actions log, text from a server that p7apps prints must not be
// read as a workflow command: p7apps stops the runner's command processing
// (on standard error, with a token nobody can guess) for as long as it runs,
// and resumes it as it ends. Standard output, which may be a JSON document,
// gets no marker.

import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const FORGED = '::error title=pwned::injected from server\n##[add-mask]secret';

async function project(): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  emulator = await startEmulator({
    port: 0,
    readyAfterMs: 0,
    seed: {
      users: [{ username: 'user@work.org', password: 'secret', tokens: ['tok-wf-commands-1'] }],
      workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
      workflows: [{ path: '/Users/1/Toy.p7wf', content: 'toy' }],
      apps: [{ name: 'Toy', workspace: 'Toy apps', description: `Server text\n${FORGED}`, versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] }],
    },
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-wf-'));
  await writeFile(
    path.join(dir, 'p7apps.config.json'),
    JSON.stringify({ apps: [{ name: 'Toy', workspace: 'Toy apps', description: 'Config text.', versions: [{ version: 1, workflow: '/Users/1/Toy.p7wf' }] }] }),
  );
  return { dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: 'tok-wf-commands-1' } };
}

describe('workflow commands in a GitHub Actions log', () => {
  it.each([['human'], ['markdown']])('plan --format %s: the server text is shown between a stop and its resume, on standard error', async (format) => {
    const { dir, env } = await project();
    const run = await runCli(['plan', '--format', format], { cwd: dir, env: { ...env, GITHUB_ACTIONS: 'true' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('::error title=pwned::injected from server');
    const lines = run.stderr.trimEnd().split('\n');
    const stop = /^::stop-commands::(p7apps-[0-9a-f]{32})$/.exec(lines[0]!);
    expect(stop).not.toBeNull();
    expect(lines.at(-1)).toBe(`::${stop![1]}::`);
    expect(run.stdout).not.toContain(stop![1]);
  });

  it('plan --format json: standard output is the JSON document alone', async () => {
    const { dir, env } = await project();
    const run = await runCli(['plan', '--format', 'json'], { cwd: dir, env: { ...env, GITHUB_ACTIONS: 'true' } });
    expect(JSON.parse(run.stdout)).toMatchObject({ formatVersion: 1 });
    expect(run.stderr).toMatch(/^::stop-commands::p7apps-[0-9a-f]{32}\n::p7apps-[0-9a-f]{32}::\n$/);
  });

  it('a failing command resumes the commands too', async () => {
    const run = await runCli(['validate', '--config', 'nowhere.json'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^::stop-commands::(p7apps-[0-9a-f]{32})\nError: .*\n::\1::\n$/);
  });

  it.each([[{}], [{ GITHUB_ACTIONS: 'false' }]])('elsewhere (%j) nothing is written for it', async (extra) => {
    const { dir, env } = await project();
    const run = await runCli(['plan'], { cwd: dir, env: { ...env, ...extra } });
    expect(run.stderr).toBe('');
  });

  it('each run has its own token', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i += 1) tokens.add((await runCli(['--version'], { env: { GITHUB_ACTIONS: 'true' } })).stderr.split('\n')[0]!);
    expect(tokens.size).toBe(3);
  });
});

describe('a process that ends without finishing its command', () => {
  // A second Ctrl-C ends p7apps with process.exit: the commands are resumed on the way out.
  it('resumes the commands as it exits', () => {
    const script = `
      import { stopWorkflowCommands } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/cli/workflow-commands.ts'))};
      stopWorkflowCommands(process.stderr, { GITHUB_ACTIONS: 'true' });
      process.exit(130);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '../..') });
    expect(run.status).toBe(130);
    expect(run.stderr).toMatch(/^::stop-commands::(p7apps-[0-9a-f]{32})\n::\1::\n$/);
  });
});
