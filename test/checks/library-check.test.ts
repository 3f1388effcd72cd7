// The library's check(): `p7apps check` without the CLI, through the
// package's entry point, against the emulator on a real socket. It runs the
// config's checks against the apps' default versions (or a given one),
// reports in the versioned CheckCatalogReport, hands each check's events to
// the hooks, and deletes every run it made.

import { describe, expect, it } from 'vitest';
import { catalogPassed, check, CHECK_REPORT_FORMAT_VERSION, recordEvents, UsageError, type CheckCatalogReport, type CheckOptions } from '../../src/index.js';
import { makeProject } from '../config/project.js';
import { emulator } from '../emulator/helpers.js';
import { CHECK_CONFIG, checkSeed } from './fixtures.js';

/** check() on a catalog whose default version of Square is `defaultVersion` (1 passes, 2 fails). */
async function checkLibrary(defaultVersion: number, options: Partial<CheckOptions> = {}) {
  const emu = await emulator({ seed: checkSeed(defaultVersion), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
  const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(CHECK_CONFIG) });
  const hooks = recordEvents();
  const report: CheckCatalogReport = await check({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token }, hooks, ...options });
  return { report, events: hooks.events, emu };
}

describe('check() from the package entry', () => {
  it.each([
    { name: 'the default version, healthy: passed', defaultVersion: 1, options: {}, version: null, status: 'passed', passed: true },
    { name: 'the default version, broken: failed', defaultVersion: 2, options: {}, version: null, status: 'failed', passed: false },
    { name: 'a given version: the broken one, though the default is healthy', defaultVersion: 1, options: { version: 2 }, version: 2, status: 'failed', passed: false },
  ])('$name', async ({ defaultVersion, options, version, status, passed }) => {
    const { report, events, emu } = await checkLibrary(defaultVersion, options);
    expect(report).toMatchObject({ formatVersion: CHECK_REPORT_FORMAT_VERSION, version, interrupted: false, configPath: expect.stringMatching(/p7apps\.config\.json$/) });
    expect(report.apps.map((a) => [a.app, a.status, a.checks.map((c) => c.check)])).toEqual([['Square', status, ['smoke']]]);
    expect(catalogPassed(report)).toBe(passed);
    // The hooks saw the check from its start to its run's deletion; no run is left.
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('check-start');
    expect(types.slice(-2)).toEqual(['check-done', 'check-cleanup']);
    expect(report.summary.runsLeft).toBe(0);
    expect(emu.snapshot().runs).toEqual([]);
  });

  it('names what differs when a check fails', async () => {
    const { report } = await checkLibrary(2);
    expect(report.apps[0]!.checks[0]!.outcome).toMatchObject({ status: 'failed', mismatches: [{ result: 'y', expected: { kind: 'equals', value: 9 }, got: { kind: 'value', value: 6 } }] });
  });

  it('an aborted signal stops the checks: the report says interrupted, and the run already made is deleted', async () => {
    const emu = await emulator({ seed: checkSeed(1), runTiming: { deployMs: 10, queueMs: 5, runMs: 30 } });
    const config = { defaults: { workspace: 'Toy apps' }, apps: [{ name: 'Slow', checks: [{ name: 'smoke' }], versions: [{ version: 1, workflow: '/Users/1/Slow.p7wf' }] }] };
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(config) });
    const controller = new AbortController();
    const pending = check({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token }, signal: controller.signal, interruptedCleanupMs: 30_000 });
    for (let i = 0; i < 2000 && !emu.snapshot().runs.some((r) => r.state === 'RUNNING'); i++) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const report = await pending;
    expect(report.interrupted).toBe(true);
    expect(report.apps[0]!.checks[0]!.cleanup).toBe('deleted');
    expect(emu.snapshot().runs).toEqual([]);
  });

  it.each([
    ['parallel 0', { parallel: 0 }, '--parallel must be a whole number from 1 to 100 (got 0)'],
    ['version 0', { version: 0 }, '--version must be a version number, 1 or more (got 0)'],
  ])('refuses %s before sending anything', async (_name, options, message) => {
    const emu = await emulator({ seed: checkSeed(1) });
    const cwd = await makeProject({ 'p7apps.config.json': JSON.stringify(CHECK_CONFIG) });
    const refused = check({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token }, ...options });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(message);
    expect(emu.requestLog()).toEqual([]);
  });
});
