// One emulator world and one config that give the HTML reports every kind of
// card: a republish carrying a new thumbnail and a new description, an app
// unchanged with the same thumbnail on both sides, a new version that becomes
// default, a new app with an SVG thumbnail, a conflict, and an app only the
// server has. The images are real (PNG, SVG), so a browser decodes them.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { pngBytes } from '../emulator/png.js';
import { runCli, type CliRun } from '../helpers/cli.js';

export const TOKEN = 'tok-report-Secret-4711';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30" viewBox="0 0 40 30"><rect width="40" height="30" fill="#2a7"/><circle cx="20" cy="15" r="9" fill="#fff"/></svg>\n';

export const IMAGES: Record<string, Uint8Array | string> = {
  'beam-new.png': pngBytes([30, 90, 200], 16),
  'beam-old.png': pngBytes([200, 40, 40], 16),
  'gear.png': pngBytes([40, 160, 60], 12),
  'scratch.png': pngBytes([120, 120, 120], 8),
  'pump.svg': SVG,
};

const WORKFLOWS = ['Beam', 'Beam2', 'Gear', 'Mix1', 'Mix2', 'Pump', 'Valve'].map((name) => `/Users/1/${name}.p7wf`);

const SEED: SeedDocument = {
  users: [{ username: 'user@work.org', password: 'secret', tokens: [TOKEN] }],
  workspaces: [{ id: '7', name: 'Engineering', publishers: ['user@work.org'] }],
  workflows: WORKFLOWS.map((p) => ({ path: p, content: p })),
  apps: [
    {
      name: 'Beam Designer',
      workspace: 'Engineering',
      description: 'Sizes steel beams\nfor given loads.\n',
      thumbnail: 'server/beam-old.png',
      versions: [{ version: 1, workflow: '/Users/1/Beam.p7wf' }],
    },
    { name: 'Gearbox', workspace: 'Engineering', description: 'Designs gearboxes.', thumbnail: 'server/gear.png', versions: [{ version: 1, workflow: '/Users/1/Gear.p7wf' }] },
    { name: 'Mixer', workspace: 'Engineering', description: 'Mixes fluids.', versions: [{ version: 1, workflow: '/Users/1/Mix1.p7wf' }] },
    { name: 'Scratch', workspace: 'Engineering', thumbnail: 'server/scratch.png', versions: [{ version: 1, workflow: '/Users/1/Gear.p7wf' }] },
    { name: 'Valve', workspace: 'Engineering', versions: [{ version: 1, workflow: '/Users/1/Valve.p7wf' }] },
  ],
};

const CONFIG = {
  apps: [
    {
      name: 'Beam Designer',
      workspace: 'Engineering',
      description: 'Sizes steel and timber beams\nfor given loads.\n',
      thumbnail: 'images/beam-new.png',
      versions: [{ version: 1, workflow: '/Users/1/Beam.p7wf' }],
    },
    { name: 'Gearbox', workspace: 'Engineering', description: 'Designs gearboxes.', thumbnail: 'images/gear.png', versions: [{ version: 1, workflow: '/Users/1/Gear.p7wf' }] },
    {
      name: 'Mixer',
      workspace: 'Engineering',
      description: 'Mixes fluids quickly.',
      defaultVersion: 2,
      versions: [
        { version: 1, workflow: '/Users/1/Mix1.p7wf' },
        { version: 2, workflow: '/Users/1/Mix2.p7wf' },
      ],
    },
    { name: 'Pump', workspace: 'Engineering', description: 'Sizes pumps.', thumbnail: 'images/pump.svg', versions: [{ version: 1, workflow: '/Users/1/Pump.p7wf' }] },
    { name: 'Valve', workspace: 'Engineering', versions: [{ version: 3, workflow: '/Users/1/Valve.p7wf' }] },
  ],
};

export interface ReportWorld {
  emulator: RunningEmulator;
  dir: string;
  run(args: string[]): Promise<CliRun>;
  close(): Promise<void>;
}

/** The world above; `profiles` as the emulator takes them (e.g. 'thumbnail-forbidden'). */
export async function startReportWorld(options: { profiles?: string[] } = {}): Promise<ReportWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-report-'));
  await mkdir(path.join(dir, 'images'));
  await mkdir(path.join(dir, 'server'));
  for (const [name, bytes] of Object.entries(IMAGES)) {
    await writeFile(path.join(dir, 'images', name), bytes);
    await writeFile(path.join(dir, 'server', name), bytes);
  }
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify(CONFIG, null, 2));
  const emulator = await startEmulator({ seed: SEED, seedBaseDir: dir, readyAfterMs: 0, ...(options.profiles ? { profiles: options.profiles } : {}) });
  return {
    emulator,
    dir,
    run: (args) => runCli(args, { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN } }),
    close: async () => {
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
