// End-to-end scenarios against the emulator that probe for plans that flap or
// publishes that land on the wrong version number: each applies, then checks
// that the next plan is empty and the server holds exactly what was declared.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { pngBytes } from '../emulator/png.js';

const WS = 'Toy apps';
const USER = 'user@work.org';
const flow = (name: string) => `/Users/1/${name}.p7wf`;

function seed(apps: SeedDocument['apps'] = []): SeedDocument {
  return {
    users: [{ username: USER, password: 'secret' }],
    workspaces: [{ id: '7', name: WS, publishers: [USER] }],
    workflows: ['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'B4'].map((f) => ({ path: flow(f), content: `${f} v0` })),
    apps,
  };
}

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-converge-'));
});
afterEach(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token }, cwd: dir });
const posts = () => emulator.requestLog().filter((e) => e.method === 'POST' && e.endpoint === 'POST apps/');
const app = (name: string) => emulator.snapshot().apps.find((a) => a.name === name)!;

async function config(apps: unknown[]): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: WS }, apps }, null, 2));
}

describe('apply converges on every setting at once', () => {
  it('a new app with every setting (CRLF description, thumbnail, allowCopy false, workspace by name and id, default 2 of 3) converges', async () => {
    emulator = await startEmulator({ readyAfterMs: 30, seed: seed() });
    await writeFile(path.join(dir, 'thumb.png'), pngBytes([10, 20, 30]));
    await writeFile(path.join(dir, 'APP.md'), 'Line one\r\nLine two\r\n');
    await config([
      {
        name: 'A',
        workspace: { name: WS, id: '7' },
        descriptionFile: 'APP.md',
        thumbnail: 'thumb.png',
        allowCopy: false,
        versions: [1, 2, 3].map((v) => ({ version: v, workflow: flow(`A${v}`) })),
        defaultVersion: 2,
      },
    ]);
    const run = await cli(['apply', '--auto-approve']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(app('A')).toMatchObject({ defaultVersion: 2, allowCopy: false, description: expect.stringMatching(/^Line one\nLine two\n?$/) });
    expect(app('A').versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await cli(['plan'])).code).toBe(0);
  });

  it('declared [3,4] on an app whose 1,2 exist (default 2): two publishes without version, v3 and v4, default moved to 4 only', async () => {
    emulator = await startEmulator({
      readyAfterMs: 30,
      seed: seed([{ name: 'B', workspace: WS, defaultVersion: 2, versions: [1, 2].map((v) => ({ version: v, workflow: flow(`B${v}`) })) }]),
    });
    await config([{ name: 'B', versions: [3, 4].map((v) => ({ version: v, workflow: flow(`B${v}`) })), defaultVersion: 4 }]);
    const run = await cli(['apply', '--auto-approve']);
    expect(run.code).toBe(0);
    expect(posts()).toHaveLength(2);
    expect(app('B').versions.map((v) => [v.version, v.workflowPath])).toEqual([
      [1, flow('B1')],
      [2, flow('B2')],
      [3, flow('B3')],
      [4, flow('B4')],
    ]);
    expect(app('B').defaultVersion).toBe(4);
    expect((await cli(['plan'])).code).toBe(0);
  });

  it('declared [3] with the default unmanaged keeps the server default (explicit false)', async () => {
    emulator = await startEmulator({
      readyAfterMs: 30,
      seed: seed([{ name: 'B', workspace: WS, defaultVersion: 1, versions: [1, 2].map((v) => ({ version: v, workflow: flow(`B${v}`) })) }]),
    });
    await config([{ name: 'B', description: 'x', versions: [{ version: 3, workflow: flow('B3') }] }]);
    expect((await cli(['apply', '--auto-approve'])).code).toBe(0);
    expect(app('B').defaultVersion).toBe(1);
    expect(app('B').versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await cli(['plan'])).code).toBe(0);
  });

  it('a gap ([1,2,4] on an app with 1,2) is a conflict and nothing is sent', async () => {
    emulator = await startEmulator({
      readyAfterMs: 30,
      seed: seed([{ name: 'B', workspace: WS, versions: [1, 2].map((v) => ({ version: v, workflow: flow(`B${v}`) })) }]),
    });
    await config([{ name: 'B', versions: [1, 2, 4].map((v) => ({ version: v, workflow: flow(`B${v}`) })) }]);
    const run = await cli(['apply', '--auto-approve']);
    expect(run.code).toBe(1);
    expect(posts()).toHaveLength(0);
  });
});
