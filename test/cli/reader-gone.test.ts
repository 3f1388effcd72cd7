// A reader of p7apps' output that goes away (`p7apps plan | head -n 1`), as a
// real process shows: no stack trace, and the command still runs to its end
// and exits with its own code. Found by an adversarial review: p7apps exited
// 0 at once, so `apply | head` under `set -o pipefail` passed with nothing
// published, or with publishes sent and never waited for.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCliProcess, startCli } from '../helpers/process.js';

const TOKEN = 'tok-reader-gone-0042';
const FLOW = '/Users/1/Toy.p7wf';
const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
  workflows: [{ path: FLOW, content: 'Toy as saved' }],
  apps: [],
};

let emulator: RunningEmulator;
let dir: string;
const env = () => ({ P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN });

beforeAll(async () => {
  emulator = await startEmulator({ seed: SEED, readyAfterMs: 200, port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-reader-gone-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('standard output closed by its reader', () => {
  it.each([
    ['plan', ['plan'], 2],
    ['plan --format json', ['plan', '--format', 'json'], 2],
    ['apply --auto-approve', ['apply', '--auto-approve'], 0],
  ])('p7apps %s runs to its end and exits with its own code, without a stack trace', async (name, command, code) => {
    await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: 'Toy apps' }, apps: [{ name: `Toy ${name}`, versions: [{ version: 1, workflow: FLOW }] }] }));
    const cli = startCli(command, { cwd: dir, env: env() });
    // The reader is gone before p7apps writes its first byte.
    cli.child.stdout!.destroy();
    const run = await cli.done;
    expect(run.code, run.stderr).toBe(code);
    expect(run.stderr).not.toMatch(/EPIPE|\n\s+at /);
    if (command[0] === 'apply') {
      // Published and waited for: the next plan is empty.
      expect(emulator.snapshot().apps.map((a) => a.name)).toContain(`Toy ${name}`);
      expect((await runCliProcess(['plan'], { cwd: dir, env: env() })).code).toBe(0);
    }
  });
});
