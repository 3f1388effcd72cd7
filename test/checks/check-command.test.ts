// `p7apps check` end to end: the CLI in-process against the emulator over
// loopback. A healthy catalog passes (exit 0); a broken one fails, naming the
// result, expected and got (exit 1); --version checks a given version; the
// JSON report is the versioned contract; Ctrl-C leaves no run behind.

import { afterEach, describe, expect, it } from 'vitest';
import type { SeedDocument } from '../../src/emulator/index.js';
import { emulator } from '../emulator/helpers.js';
import { runCli } from '../helpers/cli.js';
import { makeProject } from '../config/project.js';

const run = (y: number, extra: Record<string, unknown> = {}) => ({ parameters: [{ name: 'x', default: 1 }], results: [{ name: 'y', default: 1 }], cases: [{ when: { x: 3 }, then: { y } }], runTimeMs: 30, ...extra });

function seed(defaultVersion: number): SeedDocument {
  return {
    users: [{ username: 'u@work.org', password: 'p', tokens: ['tok-1'] }],
    workspaces: [{ id: '7', name: 'Toy apps', publishers: ['u@work.org'] }],
    workflows: [
      { path: '/Users/1/Square.p7wf', run: run(9) },
      { path: '/Users/1/SquareWrong.p7wf', run: run(6) },
      { path: '/Users/1/Slow.p7wf', run: run(9, { runTimeMs: 3_600_000 }) },
    ],
    apps: [
      { name: 'Square', workspace: 'Toy apps', defaultVersion, versions: [{ version: 1, workflow: '/Users/1/Square.p7wf' }, { version: 2, workflow: '/Users/1/SquareWrong.p7wf' }] },
      { name: 'Slow', workspace: 'Toy apps', defaultVersion: 1, versions: [{ version: 1, workflow: '/Users/1/Slow.p7wf' }] },
    ],
  };
}

const CONFIG = {
  defaults: { workspace: 'Toy apps' },
  apps: [
    {
      name: 'Square',
      checks: [{ name: 'smoke', parameters: { x: 3 }, expect: { y: 9 }, timeoutSeconds: 30 }],
      versions: [{ version: 1, workflow: '/Users/1/Square.p7wf' }, { version: 2, workflow: '/Users/1/SquareWrong.p7wf' }],
    },
  ],
};

const controllers: AbortController[] = [];
afterEach(() => controllers.splice(0).forEach((c) => c.abort()));

async function checkCli(defaultVersion: number, args: string[] = [], config: unknown = CONFIG, signal?: AbortSignal) {
  const emu = await emulator({ seed: seed(defaultVersion), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
  const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config) });
  const result = await runCli(['check', ...args], { cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token }, ...(signal ? { signal } : {}) });
  return { ...result, emu };
}

describe('p7apps check', () => {
  it('passes on a healthy catalog and deletes its run', async () => {
    const { code, stdout, emu } = await checkCli(1);
    expect(stdout).toContain('ok  Square v1 (1 check)');
    expect(stdout).toContain('Checked 1 app: 1 passed, 0 failed.');
    expect(code).toBe(0);
    expect(emu.snapshot().runs).toEqual([]);
  });

  it('fails on a broken catalog, naming the result, expected and got', async () => {
    const { code, stdout, emu } = await checkCli(2);
    expect(stdout).toContain('FAILED  Square v2 (1 check)');
    expect(stdout).toContain('result "y": expected 9, got 6');
    expect(code).toBe(1);
    expect(emu.snapshot().runs).toEqual([]);
  });

  it('--version checks a given version; --format json is the versioned report', async () => {
    const { code, stdout, stderr } = await checkCli(1, ['--version', '2', '--format', 'json']);
    expect(stderr).toContain('check "smoke" on v2: its run was deleted');
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ formatVersion: 1, version: 2, summary: { apps: 1, passed: 0, failed: 1, couldNotRun: 0, checks: 1, runsLeft: 0 } });
    expect(report.apps[0].checks[0].outcome.mismatches).toEqual([{ result: 'y', expected: { kind: 'equals', value: 9 }, got: { kind: 'value', value: 6 } }]);
    expect(code).toBe(1);
  });

  it('Ctrl-C while a run is RUNNING interrupts and deletes it; exit 130', async () => {
    const config = { defaults: { workspace: 'Toy apps' }, apps: [{ name: 'Slow', checks: [{ name: 'smoke' }], versions: [{ version: 1, workflow: '/Users/1/Slow.p7wf' }] }] };
    const controller = new AbortController();
    controllers.push(controller);
    const emu = await emulator({ seed: seed(1), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config) });
    const pending = runCli(['check'], { cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token }, signal: controller.signal });
    for (let i = 0; i < 2000 && !emu.snapshot().runs.some((r) => r.state === 'RUNNING'); i++) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const { code, stdout } = await pending;
    expect(code).toBe(130);
    expect(stdout).toContain('its run was deleted');
    expect(emu.snapshot().runs).toEqual([]);
  });
});
