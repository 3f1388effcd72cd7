// The end-to-end matrix: every server profile of the emulator (and the
// combinations docs/emulator-profiles.md lists) against the real CLI,
// in-process, over a real loopback socket. For each: import then plan,
// a changed config planned (exit 2), applied (exit 0) and planned again
// (exit 0), drift, a publish whose answer is lost after the commit, and
// Ctrl-C then apply again. Each check reads the emulator's own state and
// request log: no duplicate publish, nothing read that was not needed.
//
// To add a profile: one row in MATRIX saying what p7apps can verify against it.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { pngBytes } from '../emulator/png.js';
import { runCli, type CliRun } from '../helpers/cli.js';

interface ProfileCase {
  /** The profiles served, as `--profile` takes them. */
  profiles: string;
  /** The server reports descriptions and copy permissions (A1, A2). */
  settings: boolean;
  /** p7apps can read the thumbnails' bytes back (A3, A16). */
  thumbnails: boolean;
  /** App list entries carry full details, so no GET apps/{id}/ is needed (A19). */
  fullList: boolean;
}

const MATRIX: ProfileCase[] = [
  { profiles: 'full', settings: true, thumbnails: true, fullList: true },
  { profiles: 'guide', settings: false, thumbnails: true, fullList: true },
  { profiles: 'relative-thumbnails', settings: true, thumbnails: true, fullList: true },
  { profiles: 'version-urls', settings: true, thumbnails: true, fullList: true },
  { profiles: 'version-numbers', settings: true, thumbnails: true, fullList: true },
  { profiles: 'numeric-ids', settings: true, thumbnails: true, fullList: true },
  { profiles: 'short-list', settings: true, thumbnails: true, fullList: false },
  { profiles: 'thumbnail-forbidden', settings: true, thumbnails: false, fullList: true },
  { profiles: 'workflows-without-fingerprint', settings: true, thumbnails: true, fullList: true },
  { profiles: 'guide,relative-thumbnails,version-urls,numeric-ids,short-list', settings: false, thumbnails: true, fullList: false },
  { profiles: 'guide,version-numbers,numeric-ids,short-list,thumbnail-forbidden', settings: false, thumbnails: false, fullList: false },
  { profiles: 'nested-json', settings: true, thumbnails: true, fullList: true },
  { profiles: 'form-only', settings: true, thumbnails: true, fullList: true },
  { profiles: 'error-state', settings: true, thumbnails: true, fullList: true },
  { profiles: 'silent-queue', settings: true, thumbnails: true, fullList: true },
  { profiles: 'guide,nested-json,error-state,silent-queue,numeric-ids', settings: false, thumbnails: true, fullList: true },
];

const WS = 'Toy apps';
const USER = 'user@work.org';
const flow = (name: string) => `/Users/1/${name}.p7wf`;
const THUMB = pngBytes([30, 120, 200], 4);

const SEED: SeedDocument = {
  users: [{ username: USER, password: 'secret' }],
  workspaces: [{ id: '7', name: WS, publishers: [USER] }],
  workflows: ['Alpha', 'Alpha2', 'Alpha3', 'Beta', 'Beta2', 'Other'].map((f) => ({ path: flow(f), content: `${f} as first saved` })),
  apps: [
    {
      name: 'Alpha',
      workspace: WS,
      description: 'The first app',
      thumbnail: 'alpha.png',
      versions: [
        { version: 1, workflow: flow('Alpha') },
        { version: 2, workflow: flow('Alpha2') },
      ],
      defaultVersion: 2,
    },
    { name: 'Beta', workspace: WS, allowCopy: false, versions: [{ version: 1, workflow: flow('Beta') }] },
    { name: 'Unmanaged', workspace: WS, versions: [{ version: 1, workflow: flow('Other') }] },
  ],
};

/** The config the tests plan with: what the seed holds, plus whatever a test adds. */
function config(extra: { alphaVersions?: number; betaWorkflow?: string } = {}) {
  const alphaFlows = ['Alpha', 'Alpha2', 'Alpha3'].slice(0, extra.alphaVersions ?? 2);
  return {
    defaults: { workspace: WS },
    apps: [
      {
        name: 'Alpha',
        description: 'The first app',
        thumbnail: 'alpha.png',
        versions: alphaFlows.map((f, i) => ({ version: i + 1, workflow: flow(f) })),
        defaultVersion: 2,
      },
      { name: 'Beta', allowCopy: false, versions: [{ version: 1, workflow: extra.betaWorkflow ?? flow('Beta') }] },
    ],
  };
}

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-profiles-'));
  await writeFile(path.join(dir, 'alpha.png'), THUMB);
});

afterEach(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(c: ProfileCase, options: EmulatorOptions = {}): Promise<void> {
  emulator = await startEmulator({ readyAfterMs: 40, seed: SEED, seedBaseDir: dir, profiles: c.profiles, ...options });
}

async function writeConfig(value: object, where = dir): Promise<void> {
  await writeFile(path.join(where, 'p7apps.config.json'), JSON.stringify(value, null, 2));
}

function cli(args: string[], options: { signal?: AbortSignal; cwd?: string } = {}): Promise<CliRun> {
  return runCli(args, { env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token }, cwd: options.cwd ?? dir, ...(options.signal ? { signal: options.signal } : {}) });
}

const posts = () => emulator.requestLog().filter((e) => e.endpoint === 'POST apps/');

function versionsOf(name: string): Record<number, [number, string]> {
  const app = emulator.snapshot().apps.find((a) => a.name === name)!;
  return Object.fromEntries(app.versions.map((v) => [v.version, [v.revision, v.workflowPath]]));
}

/** A plan that finds nothing to do: exit 0, nothing on stderr, and what it could not verify said, not hidden. */
async function expectNoChanges(c: ProfileCase): Promise<CliRun> {
  const plan = await cli(['plan', '--verbose']);
  expect(plan.stderr).toBe('');
  expect(plan.code).toBe(0);
  expect(plan.stdout).toContain('No changes for ');
  if (!c.thumbnails) expect(plan.stdout).toMatch(/thumbnail could not be read, so its content cannot be compared \(the server sent \\?"HTTP 403\\?"\)/);
  if (!c.settings) expect(plan.stdout).toContain("the server did not report the app's description");
  return plan;
}

describe.each(MATRIX)('against a server with profile $profiles', (c) => {
  it('imports the catalog, and a plan of what was imported finds nothing to do', async () => {
    await start(c);
    const imported = await cli(['import']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported 3 apps/);
    const plan = await cli(['plan']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(posts()).toHaveLength(0);
  });

  it('plans a changed config (exit 2), applies it (exit 0), then plans no changes; then sees drift', async () => {
    await start(c);
    await writeConfig(config());
    await expectNoChanges(c);
    // Details are read per app only where the list lacks them, and only for managed apps.
    const detailReads = emulator.requestLog().filter((e) => e.endpoint === 'GET apps/{id}/').map((e) => e.path);
    expect(detailReads).toHaveLength(c.fullList ? 0 : 2);
    expect(detailReads.some((p) => p.includes(emulator.snapshot().apps.find((a) => a.name === 'Unmanaged')!.id))).toBe(false);

    await writeConfig(config({ alphaVersions: 3, betaWorkflow: flow('Beta2') }));
    const plan = await cli(['plan']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);

    const applied = await cli(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(posts()).toHaveLength(2);
    expect(versionsOf('Alpha')).toEqual({ 1: [0, flow('Alpha')], 2: [0, flow('Alpha2')], 3: [0, flow('Alpha3')] });
    expect(versionsOf('Beta')).toEqual({ 1: [1, flow('Beta2')] });
    await expectNoChanges(c);

    const inSync = await cli(['drift']);
    expect(inSync.code).toBe(0);
    emulator.driftApp('Beta', { publish: { version: 1, workflowPath: flow('Other') } });
    const drifted = await cli(['drift']);
    expect(drifted.stderr).toBe('');
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toContain('Beta');
  });

  it('recovers a publish whose answer was lost after the commit, without a duplicate', async () => {
    await start(c, { faults: { dropPublishResponseRate: 1, maxDropPublishResponse: 1 } });
    await writeConfig(config({ alphaVersions: 3 }));
    const applied = await cli(['apply', '--auto-approve', '--format', 'json']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const events = applied.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; tookEffect?: boolean });
    expect(events.find((e) => e.type === 'publish-recheck')).toMatchObject({ tookEffect: true });
    expect(events.map((e) => e.type)).not.toContain('publish-resend');
    expect(emulator.faultCounts().dropPublishResponse).toBe(1);
    expect(posts()).toHaveLength(1);
    expect(Object.keys(versionsOf('Alpha'))).toEqual(['1', '2', '3']);
    await expectNoChanges(c);
  });

  it('stops at Ctrl-C, and a second apply finishes the job without a duplicate', async () => {
    const controller = new AbortController();
    // Interrupted as the server answers the first publish: the moment is the server's, not a timer's.
    await start(c, {
      readyAfterMs: 200,
      onRequest: (entry) => entry.endpoint === 'POST apps/' && controller.abort(new Error('interrupted by SIGINT')),
    });
    await writeConfig(config({ alphaVersions: 3, betaWorkflow: flow('Beta2') }));
    const first = await cli(['apply', '--auto-approve', '--parallelism', '1'], { signal: controller.signal });
    expect(first.code).toBe(130);
    expect(posts()).toHaveLength(1);

    const second = await cli(['apply', '--auto-approve']);
    expect(second.code).toBe(0);
    expect(posts()).toHaveLength(2);
    expect(versionsOf('Alpha')).toEqual({ 1: [0, flow('Alpha')], 2: [0, flow('Alpha2')], 3: [0, flow('Alpha3')] });
    expect(versionsOf('Beta')).toEqual({ 1: [1, flow('Beta2')] });
    await expectNoChanges(c);
  });
});

describe('what only some profiles can show', () => {
  it('error-state: a publish that ends in ERROR without a detail fails the apply at once, and the next plan publishes it again', async () => {
    await start({ profiles: 'error-state', settings: true, thumbnails: true, fullList: true }, { faults: { failPublishNext: 1 } });
    await writeConfig(config({ alphaVersions: 3 }));
    const failed = await cli(['apply', '--auto-approve']);
    expect(failed.code).toBe(1);
    expect(`${failed.stdout}${failed.stderr}`).toContain('failed to publish (state ERROR): no detail given');
    expect(posts()).toHaveLength(1);

    const plan = await cli(['plan']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('version 3 failed to publish (state ERROR)');
    const again = await cli(['apply', '--auto-approve']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(versionsOf('Alpha')[3]).toEqual([1, flow('Alpha3')]);
  });

  it.each(['nested-json', 'form-only'])('%s: every publish is sent as a form the server reads (no 400, no 415)', async (profiles) => {
    await start({ profiles, settings: true, thumbnails: true, fullList: true });
    await writeConfig(config({ alphaVersions: 3, betaWorkflow: flow('Beta2') }));
    const applied = await cli(['apply', '--auto-approve']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(posts().map((p) => p.status)).toEqual([201, 201]);
  });
});
