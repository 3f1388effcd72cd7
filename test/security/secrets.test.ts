// The token and the password of P7APPS_PASSWORD appear nowhere p7apps
// writes: stdout, stderr, the saved plan, the JSON events of apply, the
// Markdown and JUnit reports of drift, the GITHUB_STEP_SUMMARY file, error
// messages. Every command runs against a live emulator with distinctive
// secrets, happy paths and failing ones (faults, wrong credentials, secrets
// in the wrong place, a server echoing them back), and everything captured
// (streams and every file in the project) is grepped by the last test.

import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { SECRET_PASSWORD, SECRET_TOKEN, STACK_LINE, Sweep, WRONG_TOKEN } from './sweep.js';

const USER = 'release-bot@work.org';
const sweep = new Sweep();
let emulator: RunningEmulator;
let dir: string;
let summaryFile: string;
/** A loopback URL nothing listens on. */
let closedPort: string;

const flow = (name: string) => `/Users/1/${name}.p7wf`;
const app = (name: string, workflows: string[], more: Record<string, unknown> = {}) => ({
  name,
  versions: workflows.map((w, i) => ({ version: i + 1, workflow: flow(w) })),
  ...more,
});

async function writeConfig(apps: unknown[]): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: 'Toy apps' }, apps }, null, 2));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-secrets-'));
  summaryFile = path.join(dir, 'step-summary.md');
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  emulator = await startEmulator({
    readyAfterMs: 20,
    seed: {
      users: [{ username: USER, password: SECRET_PASSWORD, tokens: [SECRET_TOKEN] }],
      workspaces: [{ id: '7', name: 'Toy apps', publishers: [USER] }],
      workflows: ['Alpha', 'Alpha2', 'Beta', 'Gamma'].map((f) => ({ path: flow(f) })),
      apps: [{ name: 'Unmanaged', workspace: 'Toy apps', versions: [{ version: 1, workflow: flow('Gamma') }] }],
    },
  });
  await writeConfig([app('Alpha', ['Alpha', 'Alpha2'], { description: 'First', defaultVersion: 2 }), app('Beta', ['Beta'], { allowCopy: false })]);
});

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const BY_TOKEN = () => ({ P7APPS_URL: emulator.url, P7APPS_TOKEN: SECRET_TOKEN });
const BY_GUIDE_TOKEN = () => ({ P7APPS_URL: emulator.url, DA__P7__REST_AUTHTOKEN: SECRET_TOKEN });
const BY_PASSWORD = () => ({ P7APPS_URL: emulator.url, P7APPS_USERNAME: USER, P7APPS_PASSWORD: SECRET_PASSWORD });

async function cli(label: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return sweep.addRun(label, await runCli(args, { cwd: dir, env: { ...env, GITHUB_STEP_SUMMARY: summaryFile } }));
}

describe.each([
  ['P7APPS_TOKEN', BY_TOKEN],
  ['DA__P7__REST_AUTHTOKEN', BY_GUIDE_TOKEN],
  ['P7APPS_USERNAME and P7APPS_PASSWORD', BY_PASSWORD],
])('signed in with %s', (how, env) => {
  it('plans in every format and saves the plan', async () => {
    emulator.reset();
    for (const format of ['human', 'json', 'markdown']) {
      const run = await cli(`${how} plan ${format}`, ['plan', '--format', format, '--verbose'], env());
      expect(run.code).toBe(2);
    }
    const saved = await cli(`${how} plan --out`, ['plan', '--out', 'plan.json'], env());
    expect(saved.code).toBe(2);
    await sweep.addFiles(`${how} saved plan`, path.join(dir, 'plan.json'));
  });

  it('applies the saved plan, then a change with JSON events, under faults', async () => {
    const applied = await cli(`${how} apply plan.json`, ['apply', 'plan.json'], env());
    expect(applied.code).toBe(0);
    await writeConfig([app('Alpha', ['Alpha', 'Alpha2'], { description: 'Second', defaultVersion: 1 }), app('Beta', ['Beta'], { allowCopy: true })]);
    // Lost answers, 503s and resets: the events then carry error messages.
    emulator.setFaults({ rate503: 0.05, resetRate: 0.05, dropPublishResponseRate: 0.5, retryAfterS: 0, seed: 7 });
    const events = await cli(`${how} apply json`, ['apply', '--auto-approve', '--format', 'json'], env());
    emulator.setFaults(null);
    expect(events.stdout).toMatch(/"type":"publish-ambiguous"/);
    expect(events.code).toBe(0);
    await writeConfig([app('Alpha', ['Alpha', 'Alpha2'], { description: 'First', defaultVersion: 2 }), app('Beta', ['Beta'], { allowCopy: false })]);
  });

  it('reports drift in every format, appending Markdown to GITHUB_STEP_SUMMARY', async () => {
    emulator.driftApp('Alpha', { description: 'Changed by hand' });
    for (const format of ['human', 'markdown', 'json', 'junit']) {
      const run = await cli(`${how} drift ${format}`, ['drift', '--format', format, '--verbose', '--fail-on-unmanaged'], env());
      expect(run.code).toBe(2);
    }
    await sweep.addFiles(`${how} step summary`, summaryFile);
  });
});

describe('failures', () => {
  it.each<[string, string[], () => NodeJS.ProcessEnv, RegExp]>([
    ['a wrong password', ['plan'], () => ({ ...BY_PASSWORD(), P7APPS_PASSWORD: `${SECRET_PASSWORD}x` }), /auth\/login\/[\s\S]*Check P7APPS_USERNAME and P7APPS_PASSWORD/],
    ['a wrong token', ['apply', '--auto-approve'], () => ({ ...BY_TOKEN(), P7APPS_TOKEN: WRONG_TOKEN }), /403 Forbidden on GET (apps|workflows)\/: Invalid token\./],
    ['a token given with its "Token " prefix', ['plan'], () => ({ ...BY_TOKEN(), P7APPS_TOKEN: `Token ${SECRET_TOKEN}` }), /P7APPS_TOKEN cannot be used as a token: it starts with "Token "/],
    ['a token with a line break', ['drift'], () => ({ ...BY_TOKEN(), P7APPS_TOKEN: `${SECRET_TOKEN}\nX-Injected: 1` }), /P7APPS_TOKEN cannot be used as a token: it contains spaces, control or non-ASCII characters/],
    ['a password and no username', ['plan'], () => ({ P7APPS_URL: emulator.url, P7APPS_PASSWORD: SECRET_PASSWORD }), /P7APPS_PASSWORD is set but P7APPS_USERNAME is not/],
    ['credentials in --server', ['plan', '--server', `http://${USER}:${encodeURIComponent(SECRET_PASSWORD)}@127.0.0.1:1`], BY_TOKEN, /--server contains a user name or password/],
    ['credentials in P7APPS_URL', ['plan'], () => ({ ...BY_TOKEN(), P7APPS_URL: `http://x:${SECRET_TOKEN}@127.0.0.1:1` }), /P7APPS_URL contains a user name or password/],
    ['a server that is not there', ['apply', '--auto-approve', '--format', 'json'], () => ({ ...BY_TOKEN(), P7APPS_URL: closedPort }), /Could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/],
  ])('%s: a clear error without the secret', async (what, args, env, says) => {
    const run = await cli(`failure ${what}`, args, env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(says);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('refuses a token written into the config, without echoing it', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'p7apps-secrets-config-'));
    try {
      await writeFile(path.join(other, 'p7apps.config.json'), JSON.stringify({ server: { url: emulator.url, token: SECRET_TOKEN }, apps: [] }));
      const run = sweep.addRun('token in config', await runCli(['plan'], { cwd: other, env: BY_TOKEN() }));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/server\.token: credentials do not belong in the config file \(the value is not shown\)/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('shows a publish that failed with the server\'s reason, even when the server echoes the token in it', async () => {
    emulator.reset();
    emulator.setFaults({ failPublishApps: ['Beta'], failDetail: `initialisation failed for Token ${SECRET_TOKEN}` });
    const run = await cli('failed publish', ['apply', '--auto-approve'], BY_TOKEN());
    emulator.setFaults(null);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Beta: v1 failed to publish: initialisation failed for Token \[REDACTED\]/);
  });

  it('stops an interrupted apply cleanly', async () => {
    emulator.reset();
    const controller = new AbortController();
    const pending = runCli(['apply', '--auto-approve', '--format', 'json'], { cwd: dir, env: BY_TOKEN(), signal: controller.signal });
    setImmediate(() => controller.abort());
    const run = sweep.addRun('interrupted', await pending);
    expect([1, 130]).toContain(run.code);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

it('leaves the token and the password in no byte captured above, nor in any file of the project', async () => {
  await sweep.addFiles('project directory', dir);
  expect(sweep.size.items).toBeGreaterThan(40);
  expect(sweep.size.bytes).toBeGreaterThan(20_000);
  expect(sweep.leaks([SECRET_TOKEN, SECRET_PASSWORD, WRONG_TOKEN])).toEqual([]);
});
