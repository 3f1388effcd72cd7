// The emulator as a real process ends by a signal, which for it is the
// ordinary end: exit 0, however its flags are ordered. Every other command
// stopped by a signal exits 130 or 143 (test/config/config-limits.test.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, waitUntil } from '../helpers/process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-emulator-end-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('p7apps emulator stopped by a signal', () => {
  // Found by a review: with a flag before the command, the emulator was taken for an interrupted command (130).
  it.each([
    ['SIGINT', ['emulator', '--port', '0']],
    ['SIGTERM', ['emulator', '--port', '0']],
    ['SIGINT', ['--port', '0', 'emulator']],
  ] as const)('%s with %j: exit 0, and it says it stopped', async (signal, command) => {
    const cli = startCli([...command], { cwd: dir });
    let stdout = '';
    cli.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await waitUntil(() => stdout.includes('Press Ctrl-C to stop.'), 'the emulator to start');
    cli.child.kill(signal);
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(0);
    expect(stdout).toContain('AppsHub emulator stopped.');
  });
});
