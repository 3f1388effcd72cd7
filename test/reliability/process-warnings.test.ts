// An apply with more apps in flight than Node's default listener limit (10)
// must not make Node print a MaxListenersExceededWarning on stderr: every
// request and wait listens to the CLI's abort signal, which is no leak.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { writeCatalog } from '../../bench/chaos-catalog.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

let dir: string | undefined;
let emulator: RunningEmulator | undefined;
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);

afterEach(async () => {
  process.off('warning', onWarning);
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function applyQuietly(parallelism: string[]): Promise<string[]> {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-warnings-'));
  const catalog = await writeCatalog(dir, 30);
  emulator = await startEmulator({ seed: catalog.seed, seedBaseDir: dir, token: catalog.token, readyAfterMs: 20 });
  process.on('warning', onWarning);
  // No signal given: the CLI makes its own, as `p7apps` on a terminal does.
  const run = await runCli(['apply', '--auto-approve', '--force', ...parallelism, '--config', catalog.configPath], {
    env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: catalog.token },
    cwd: dir,
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return warnings.map((w) => `${w.name}: ${w.message}`);
}

it('applies 30 apps at the default --parallelism (10) without a process warning', async () => {
  expect(await applyQuietly([])).toEqual([]);
});

// Above ten apps in flight, signals derived from the CLI's (AbortSignal.any
// in the observer, one per request in the transport) must not keep Node's
// limit of ten either.
it('applies 30 apps at --parallelism 20 without a process warning', async () => {
  expect(await applyQuietly(['--parallelism', '20'])).toEqual([]);
});
