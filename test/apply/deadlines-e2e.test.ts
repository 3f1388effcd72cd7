// Deadlines end to end, against servers that answer too slowly on purpose: a
// trickling `GET apps/` ends in a clear error; a publish whose answer
// trickles is cut, reported as maybe committed, and never duplicated; and the
// built CLI, as a real process, ends within --timeout plus the grace, or the
// grace after Ctrl-C (SIGINT). Durations are small, bounds generous: the
// trickles would last minutes if nothing cut them.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { trickleServer, type TrickleServer } from '../helpers/trickle-server.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(root, 'bin', 'p7apps.js');
const WS = 'Toy apps';
const USER = 'user@work.org';
const FLOW = '/Users/1/Alpha.p7wf';

let emulator: RunningEmulator | undefined;
let trickling: TrickleServer | undefined;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-deadlines-'));
  await writeFile(
    path.join(dir, 'p7apps.config.json'),
    JSON.stringify({ defaults: { workspace: WS }, apps: [{ name: 'Alpha', versions: [{ version: 1, workflow: FLOW }] }] }),
  );
});

afterEach(async () => {
  await emulator?.close();
  await trickling?.close();
  emulator = undefined;
  trickling = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The emulator, committing every publish and then trickling its answer one byte a second. */
async function tricklingPublishes(onPublish: () => void = () => {}): Promise<RunningEmulator> {
  emulator = await startEmulator({
    readyAfterMs: 50,
    seed: {
      users: [{ username: USER, password: 'secret' }],
      workspaces: [{ id: '7', name: WS, publishers: [USER] }],
      workflows: [{ path: FLOW, content: 'Alpha as first saved' }],
      apps: [],
    },
    faults: { tricklePublishRate: 1, maxTricklePublish: 1, trickleEveryMs: 1000 },
    onRequest: (entry) => entry.endpoint === 'POST apps/' && onPublish(),
  });
  return emulator;
}

function env(url: string, token: string): NodeJS.ProcessEnv {
  return { P7APPS_URL: url, P7APPS_TOKEN: token };
}

function posts(emu: RunningEmulator) {
  return emu.requestLog().filter((e) => e.endpoint === 'POST apps/');
}

/** The second apply finds the publish the first one could not confirm, and sends nothing. */
async function expectResolvedWithoutDuplicate(emu: RunningEmulator): Promise<void> {
  const again = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env(emu.url, emu.token) });
  // A publish left "may have committed" is waited for until its late-commit window has passed, then found.
  expect(again.stderr).toMatch(/^(Waiting \S+ before reading the server: an earlier apply could not confirm "Alpha" v1 on [^\n]+\n)?$/);
  expect(again.code).toBe(0);
  expect(posts(emu)).toHaveLength(1);
  expect(emu.snapshot().apps.map((a) => [a.name, a.versions.map((v) => v.version)])).toEqual([['Alpha', [1]]]);
}

interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** performance.now() when the process ended. */
  endedAt: number;
}

/** The built CLI as a real process; `onStart` gets the child to signal. */
function runBin(args: string[], environment: NodeJS.ProcessEnv, onStart: (child: ReturnType<typeof spawn>) => void = () => {}): Promise<ProcessRun> {
  if (!existsSync(path.join(root, 'dist', 'bundle', 'p7apps.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does)');
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH, NO_COLOR: '1', ...environment } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c.toString()));
  child.stderr.on('data', (c) => (stderr += c.toString()));
  onStart(child);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, endedAt: performance.now() })));
}

describe('a read that trickles', () => {
  it('ends with a clear error naming the request and the flag, exit 1', async () => {
    trickling = await trickleServer({ everyMs: 20, pathPrefix: '/appshub/.rest/v2/apps/' });
    const run = await runCli(['plan', '--request-timeout', '200ms'], { cwd: dir, env: env(trickling.url, 'a-token') });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^Error: GET apps\/ did not finish within 200ms; the server answered too slowly \(after \d attempts\)\n {2}Raise --request-timeout \(now 200ms\) or check the server\.\n$/,
    );
    // Retried like any slow read, within the retry budget (5 attempts each).
    const reads = trickling.requests.filter((r) => r === 'GET /appshub/.rest/v2/apps/');
    expect(reads.length).toBeGreaterThan(1);
    expect(reads.length).toBeLessThanOrEqual(5);
  });

  it('refuses a --request-timeout that is not a duration', async () => {
    const run = await runCli(['plan', '--request-timeout', 'soon'], { cwd: dir, env: env('http://127.0.0.1:1', 'a-token') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--request-timeout must be a duration such as 30s, 2m or milliseconds (got "soon")');
  });
});

describe('a publish whose answer trickles', () => {
  it('is cut at its deadline after its 201, read back as committed, and never sent twice', async () => {
    const emu = await tricklingPublishes();
    const run = await runCli(['apply', '--auto-approve', '--format', 'json', '--request-timeout', '500ms'], { cwd: dir, env: env(emu.url, emu.token) });
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; error?: string; tookEffect?: boolean });

    const lost = events.find((e) => e.type === 'publish-ambiguous');
    expect(lost?.error).toBe('POST apps/ was not answered in full within 1s (its 201 status came, the rest did not); the server accepted it, so it took effect');
    expect(events.find((e) => e.type === 'publish-recheck')).toMatchObject({ tookEffect: true });
    expect(events.map((e) => e.type)).not.toContain('publish-resend');
    expect(run.code).toBe(0);
    await expectResolvedWithoutDuplicate(emu);
  });
});

describe('the built CLI as a process', () => {
  it('ends within --timeout plus the grace while a publish answer trickles, reporting it as maybe committed (exit 1)', async () => {
    let sentAt = 0;
    const emu = await tricklingPublishes(() => (sentAt = performance.now()));
    const run = await runBin(['apply', '--auto-approve', '--timeout', '2s', '--grace', '1s', '--late-commit-window', '1s'], env(emu.url, emu.token));

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Sent, not yet confirmed READY:\n\s+Alpha\s+v1\s+may have committed: run apply again \(no answer came within its 2s timeout and the 1s grace\)/);
    expect(run.stdout).toMatch(/Apply failed: 0 of 1 publish READY; 1 not confirmed \(run "p7apps apply" again\)/);
    expect(run.stdout).not.toContain('checking whether it was committed');
    // Nothing new is started after the timeout: no convergence check either.
    expect(run.stdout).not.toContain('Reading the server again');
    // timeout + grace = 3 s; the trickled answer alone would take minutes.
    expect(run.endedAt - sentAt).toBeLessThan(9000);
    expect(posts(emu)).toHaveLength(1);
    await expectResolvedWithoutDuplicate(emu);
  });

  it('ends within the grace after SIGINT during a trickling publish, reporting it as maybe committed (exit 130)', async () => {
    let child: ReturnType<typeof spawn> | undefined;
    let signalledAt = 0;
    const emu = await tricklingPublishes(() => {
      signalledAt = performance.now();
      child?.kill('SIGINT');
    });
    const run = await runBin(['apply', '--auto-approve', '--grace', '1s', '--late-commit-window', '1s'], env(emu.url, emu.token), (c) => (child = c));

    expect(run.code).toBe(130);
    expect(run.stdout).toContain('Apply interrupted: 0 of 1 publish READY.');
    expect(run.stderr).toContain('SIGINT received');
    expect(run.stdout).toMatch(/Alpha\s+v1\s+may have committed: run apply again \(the run was interrupted and no answer came within the 1s grace\)/);
    // The grace is 1 s; the trickled answer alone would take minutes.
    expect(run.endedAt - signalledAt).toBeLessThan(6000);
    await expectResolvedWithoutDuplicate(emu);
  });
});
