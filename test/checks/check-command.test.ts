// `p7apps check` end to end: the CLI in-process against the emulator over
// loopback. A healthy catalog passes (exit 0); a broken one fails, naming the
// result, expected and got (exit 1); --version checks a given version; the
// JSON report is the versioned contract; Ctrl-C leaves no run behind.

import { afterEach, describe, expect, it } from 'vitest';
import { emulator } from '../emulator/helpers.js';
import { runCli } from '../helpers/cli.js';
import { makeProject } from '../config/project.js';
import { CHECK_CONFIG, checkSeed } from './fixtures.js';

const controllers: AbortController[] = [];
afterEach(() => controllers.splice(0).forEach((c) => c.abort()));

async function checkCli(defaultVersion: number, args: string[] = [], config: unknown = CHECK_CONFIG, signal?: AbortSignal) {
  const emu = await emulator({ seed: checkSeed(defaultVersion), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
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

  it('Ctrl-C before any check started stops at once, says nothing was run, exit 130', async () => {
    const controller = new AbortController();
    controller.abort();
    const { code, stdout, stderr, emu } = await checkCli(1, [], CHECK_CONFIG, controller.signal);
    expect(code).toBe(130);
    expect(stderr).toContain('Interrupted before any check was started; nothing was run on the server.');
    expect(stdout).toBe('');
    expect(emu.snapshot().runs).toEqual([]);
  });

  it('Ctrl-C while a run is RUNNING interrupts and deletes it; exit 130', async () => {
    const config = { defaults: { workspace: 'Toy apps' }, apps: [{ name: 'Slow', checks: [{ name: 'smoke' }], versions: [{ version: 1, workflow: '/Users/1/Slow.p7wf' }] }] };
    const controller = new AbortController();
    controllers.push(controller);
    const emu = await emulator({ seed: checkSeed(1), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
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

describe('p7apps check and environments', () => {
  /** A config whose staging environment declares the check; its server is the emulator only for the run that says so. */
  const withEnvironments = (url: string) => ({
    defaults: { workspace: 'Toy apps' },
    apps: [{ name: 'Square', versions: [{ version: 1, workflow: '/Users/1/Square.p7wf' }, { version: 2, workflow: '/Users/1/SquareWrong.p7wf' }] }],
    environments: {
      staging: { server: { url }, apps: { Square: { checks: [{ name: 'smoke', parameters: { x: 3 }, expect: { y: 9 }, timeoutSeconds: 30 }] } } },
      production: { server: { url: 'https://pseven.example.com' } },
    },
  });

  it.each([
    ['--env', ['--env', 'staging'], {}],
    ['P7APPS_ENV', [], { P7APPS_ENV: 'staging' }],
  ])('runs the checks of the environment chosen with %s, against its server', async (_name, args, extraEnv) => {
    const emu = await emulator({ seed: checkSeed(1), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(withEnvironments(emu.url)) });
    const { code, stdout, stderr } = await runCli(['check', ...args], { cwd, env: { P7APPS_TOKEN: emu.token, ...extraEnv } });
    expect(stderr).toBe('');
    expect(stdout).toContain('ok  Square v1 (1 check)');
    expect(code).toBe(0);
  });

  it.each([
    ['json', (out: string) => expect(JSON.parse(out)).toMatchObject({ formatVersion: 1, environment: 'staging', summary: { passed: 1 } })],
    ['junit', (out: string) => expect(out).toContain('<property name="environment" value="staging"/>')],
    ['markdown', (out: string) => expect(out).toMatch(/^## p7apps check: staging\n[\s\S]*\nEnvironment `staging`, server `/)],
  ] as const)('names the environment in its %s report', async (format, expectReport) => {
    const emu = await emulator({ seed: checkSeed(1), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(withEnvironments(emu.url)) });
    const { code, stdout } = await runCli(['check', '--env', 'staging', '--format', format], { cwd, env: { P7APPS_TOKEN: emu.token } });
    expect(code).toBe(0);
    expectReport(stdout);
  });

  // Found by an adversarial review: --version abc said "(got NaN)", and 1e1 or 0x10 were taken as numbers.
  it.each([
    [['--version', 'abc'], '--version must be a version number, 1 or more (got "abc")'],
    [['--version', '0'], '--version must be a version number, 1 or more (got "0")'],
    [['--version', '1.5'], '--version must be a version number, 1 or more (got "1.5")'],
    [['--version', '0x2'], '--version must be a version number, 1 or more (got "0x2")'],
    [['--parallel', 'abc'], '--parallel must be a whole number from 1 to 100 (got "abc")'],
    [['--parallel', '1e1'], '--parallel must be a whole number from 1 to 100 (got "1e1")'],
  ])('refuses %j naming it as typed, before running anything', async (args, message) => {
    const { code, stderr, emu } = await checkCli(1, args);
    expect(code).toBe(1);
    expect(stderr).toBe(`Error: ${message}\n`);
    expect(emu.requestLog()).toEqual([]);
  });

  it('takes --version and --parallel as typed digits', async () => {
    const { code, stdout } = await checkCli(1, ['--version', '2', '--parallel', '2']);
    expect(stdout).toContain('FAILED  Square v2 (1 check)');
    expect(code).toBe(1);
  });

  it('says no environment in its JSON report when the config declares none', async () => {
    const { stdout } = await checkCli(1, ['--format', 'json']);
    expect(JSON.parse(stdout)).not.toHaveProperty('environment');
  });

  it("refuses P7APPS_URL pointing away from the environment's own server, as plan does", async () => {
    const emu = await emulator({ seed: checkSeed(1) });
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(withEnvironments('https://staging.pseven.example.com')) });
    const { code, stderr } = await runCli(['check', '--env', 'staging'], { cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token } });
    expect(code).toBe(1);
    expect(stderr).toContain('but environment staging declares its server https://staging.pseven.example.com');
    expect(emu.requestLog()).toEqual([]);
  });
});
