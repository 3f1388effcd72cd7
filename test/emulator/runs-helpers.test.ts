// The shared set-up of the run and check tests (./helpers.ts): a seed with
// the user and workspace they all use, a workflow whose run gives y for
// x = 3, and the run client, closed with the emulator after each test.

import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/checks/run.js';
import { SMOKE, steppingClock } from '../checks/fixtures.js';
import { emulator, runsClient, runsSeed, squareRun } from './helpers.js';

let previous: { client: ReturnType<typeof runsClient>; url: string } | undefined;

describe('the run tests\' set-up', () => {
  it.each([
    ['a run giving what the check expects passes', 9, 'passed'],
    ['a run giving another value fails', 6, 'failed'],
  ])('%s, through the client, on the seeded user and workspace', async (_name, y, status) => {
    const clock = steppingClock();
    const emu = await emulator({
      seed: runsSeed([{ path: '/Users/1/Square.p7wf', run: squareRun(y, 500) }], [{ name: 'Square', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/Square.p7wf' }] }]),
      now: clock.now,
      runTiming: { deployMs: 100, queueMs: 50, runMs: 500 },
    });
    expect(emu.snapshot().workspaces.map((w) => [w.id, w.name])).toEqual([['7', 'Toy apps']]);
    const client = runsClient(emu);
    const report = await runCheck({ app: 'Square', appId: emu.snapshot().apps[0]!.id }, SMOKE, { api: client, clock, signal: new AbortController().signal, emit: () => {} });
    expect(report.outcome.status).toBe(status);
    expect(report.cleanup).toBe('deleted');
    previous = { client, url: emu.url };
  });

  it('closed the previous test\'s emulator after it', async () => {
    expect(previous).toBeDefined();
    await expect(fetch(previous!.url)).rejects.toThrow();
  });
});
