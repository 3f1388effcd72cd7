// What the CI-loop tests share: the emulator on a real socket, a project
// folder with a config, the CI step run in-process (its p7apps runs are real
// child processes of the built CLI), and a zip writer standing in for
// actions/upload-artifact.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCi } from '../../src/ci/main.js';
import { runCliProcess } from '../helpers/process.js';

export const WS = 'Toy apps';
const USER = 'user@work.org';
export const flow = (name: string) => `/Users/1/${name}.p7wf`;

export interface AppConfig {
  name: string;
  description?: string;
  versions: { version: number; workflow: string }[];
  defaultVersion?: number;
  protect?: boolean;
}

export function seed(flows: string[], apps: SeedDocument['apps'] = []): SeedDocument {
  return {
    users: [{ username: USER, password: 'secret' }],
    workspaces: [
      { id: '7', name: WS, publishers: [USER] },
      { id: '8', name: 'Other apps', publishers: [USER] },
    ],
    workflows: flows.map((f) => ({ path: flow(f), content: `${f} as first saved` })),
    apps,
  };
}

export interface Project {
  emulator: RunningEmulator;
  /** The folder of the config (the checkout). */
  dir: string;
  /** RUNNER_TEMP: where the action keeps the saved plan. */
  temp: string;
  writeConfig(apps: AppConfig[]): Promise<void>;
  /** One CI step, in-process, with the given environment on top of the server's. */
  ci(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }>;
  /** p7apps itself against the emulator (a second plan), as a process: nock keeps this one off the network. */
  p7apps(args: string[]): ReturnType<typeof runCliProcess>;
  /** `POST apps/` requests the emulator received. */
  publishes(): number;
  close(): Promise<void>;
}

export async function project(flows: string[], apps: SeedDocument['apps'] = []): Promise<Project> {
  const emulator = await startEmulator({ readyAfterMs: 20, seed: seed(flows, apps) });
  const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-ci-'));
  const temp = await mkdtemp(path.join(tmpdir(), 'p7apps-ci-temp-'));
  const serverEnv = { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token, PATH: process.env.PATH ?? '', NO_COLOR: '1' };
  return {
    emulator,
    dir,
    temp,
    writeConfig: (list) => writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: WS }, apps: list }, null, 2)),
    ci: async (argv, env) => {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (c) => (out += c.toString()));
      stderr.on('data', (c) => (err += c.toString()));
      const code = await runCi(argv, { env: { ...serverEnv, ...env }, cwd: dir, stdout, stderr });
      await new Promise((resolve) => setImmediate(resolve));
      return { code, stdout: out, stderr: err };
    },
    p7apps: (args) => runCliProcess(args, { env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token }, cwd: dir }),
    publishes: () => emulator.requestLog().filter((e) => e.method === 'POST' && e.endpoint === 'POST apps/').length,
    close: async () => {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
      await rm(temp, { recursive: true, force: true });
    },
  };
}

/** A zip archive of the given files, deflated, as actions/upload-artifact makes one. */
export function zipOf(files: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, bytes] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const data = deflateRawSync(bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(bytes), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(bytes.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(bytes), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(bytes.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** What the action's upload step would store: plan.json and plan.md of the plan folder, zipped. */
export async function artifactOf(planDir: string): Promise<Buffer> {
  return zipOf({ 'plan.json': await readFile(path.join(planDir, 'plan.json')), 'plan.md': await readFile(path.join(planDir, 'plan.md')) });
}

/** A request body nock captured, parsed. */
export function jsonBody(body: unknown): { body: string } {
  return (typeof body === 'string' ? JSON.parse(body) : body) as { body: string };
}
