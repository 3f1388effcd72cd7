// `p7apps apply` end to end: the CLI in-process against the emulator on a
// real loopback socket. Every test checks the server's final state and the
// request log (no duplicate publishes), not only the exit code, and where the
// apply converged, that a second plan is empty.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { pngBytes } from '../emulator/png.js';

const WS = 'Toy apps';
const USER = 'user@work.org';

interface AppConfig {
  name: string;
  workspace?: string;
  description?: string;
  allowCopy?: boolean;
  versions: { version: number; workflow: string }[];
  defaultVersion?: number;
}

const flow = (name: string) => `/Users/1/${name}.p7wf`;

function seed(apps: SeedDocument['apps'] = [], extraFlows: string[] = []): SeedDocument {
  const flows = ['Alpha', 'Alpha2', 'Alpha3', 'Beta', 'Beta2', 'Gamma', ...extraFlows];
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

let emulator: RunningEmulator;
let dir: string;

async function start(options: Parameters<typeof startEmulator>[0] = {}): Promise<void> {
  emulator = await startEmulator({ readyAfterMs: 60, seed: seed(), ...options });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-apply-'));
});

afterEach(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(apps: AppConfig[]): Promise<void> {
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: WS }, apps }, null, 2));
}

function env(): NodeJS.ProcessEnv {
  return { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token };
}

function cli(args: string[], options: { stdin?: string; isTTY?: boolean; signal?: AbortSignal } = {}): Promise<CliRun> {
  return runCli(args, { env: env(), cwd: dir, ...options });
}

const apply = (...args: string[]) => cli(['apply', '--auto-approve', ...args]);

/** `apply --auto-approve`, interrupted (as by Ctrl-C) as soon as its output shows `moment`. */
function applyInterruptedAt(moment: RegExp): Promise<CliRun> {
  const controller = new AbortController();
  return runCli(['apply', '--auto-approve'], {
    env: env(),
    cwd: dir,
    signal: controller.signal,
    onStdout: (text) => {
      if (moment.test(text)) controller.abort(new Error('interrupted by SIGINT'));
    },
  });
}

/** `POST apps/` requests the server received (answered or not). */
function posts() {
  return emulator.requestLog().filter((e) => e.method === 'POST' && e.endpoint === 'POST apps/');
}

function app(name: string) {
  const found = emulator.snapshot().apps.find((a) => a.name === name);
  if (!found) throw new Error(`no app ${name} on the emulator`);
  return found;
}

/** version -> [revision, workflow, state] for an app. */
function versionsOf(name: string): Record<number, [number, string, string]> {
  return Object.fromEntries(app(name).versions.map((v) => [v.version, [v.revision, v.workflowPath, v.state]]));
}

/** The second plan after a converged apply must be empty. */
async function expectConverged(): Promise<void> {
  const again = await cli(['plan']);
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
}

/** JSON-lines output parsed; every line must be an event of format 1. */
function events(run: CliRun): Record<string, any>[] {
  const lines = run.stdout.trimEnd().split('\n');
  return lines.map((line) => {
    const event = JSON.parse(line);
    expect(event.formatVersion).toBe(1);
    return event;
  });
}

const catalog: AppConfig[] = [
  {
    name: 'Alpha',
    description: 'The first app',
    versions: [
      { version: 1, workflow: flow('Alpha') },
      { version: 2, workflow: flow('Alpha2') },
    ],
    defaultVersion: 2,
  },
  { name: 'Beta', allowCopy: false, versions: [{ version: 1, workflow: flow('Beta') }] },
];

describe('p7apps apply', () => {
  it('creates a catalog from nothing, then has nothing left to do', async () => {
    await start();
    await writeConfig(catalog);
    const run = await apply();

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Published:\n\s+Alpha\s+v1\s+READY \(revision 0\) after/);
    expect(run.stdout).toContain('Converged: 2 apps verified.');
    expect(run.stdout).toMatch(/Apply complete: 3 of 3 publishes READY; converged: 2 apps verified\.\n$/);
    expect(versionsOf('Alpha')).toEqual({ 1: [0, flow('Alpha'), 'READY'], 2: [0, flow('Alpha2'), 'READY'] });
    expect(app('Alpha')).toMatchObject({ defaultVersion: 2, description: 'The first app' });
    expect(app('Beta')).toMatchObject({ allowCopy: false, defaultVersion: 1 });
    expect(posts()).toHaveLength(3);
    await expectConverged();
    expect(posts()).toHaveLength(3);
  });

  it('says so and sends nothing when there is nothing to do', async () => {
    await start();
    await writeConfig(catalog);
    expect((await apply()).code).toBe(0);
    emulator.clearLog();
    const run = await apply();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Nothing to apply: 2 apps verified\.\n$/);
    expect(posts()).toHaveLength(0);
    // JSON consumers get the same stream as for any apply.
    const json = await apply('--format', 'json');
    expect(json.code).toBe(0);
    expect(events(json).map((e) => e.type)).toEqual(['apply-start', 'apply-done', 'converge-start', 'converge-done']);
    expect(posts()).toHaveLength(0);
  });

  const [alpha, beta] = [catalog[0]!, catalog[1]!];
  it.each([
    {
      change: 'adds a version (not default: the default is managed) without touching the others',
      config: [{ ...alpha, versions: [...alpha.versions, { version: 3, workflow: flow('Alpha3') }] }, beta],
      versions: { 1: [0, flow('Alpha'), 'READY'], 2: [0, flow('Alpha2'), 'READY'], 3: [0, flow('Alpha3'), 'READY'] },
      defaultVersion: 2,
      description: 'The first app',
    },
    {
      change: 'changes a description with one new revision of the default version',
      config: [{ ...alpha, description: 'Better words' }, beta],
      versions: { 1: [0, flow('Alpha'), 'READY'], 2: [1, flow('Alpha2'), 'READY'] },
      defaultVersion: 2,
      description: 'Better words',
    },
    {
      change: 'moves the default version by republishing it',
      config: [{ ...alpha, defaultVersion: 1 }, beta],
      versions: { 1: [1, flow('Alpha'), 'READY'], 2: [0, flow('Alpha2'), 'READY'] },
      defaultVersion: 1,
      description: 'The first app',
    },
  ])('$change, with one publish', async ({ config, versions, defaultVersion, description }) => {
    await start();
    await writeConfig(catalog);
    expect((await apply()).code).toBe(0);
    emulator.clearLog();
    await writeConfig(config);

    const run = await apply();
    expect(run.code).toBe(0);
    expect(posts()).toHaveLength(1);
    expect(versionsOf('Alpha')).toEqual(versions);
    expect(app('Alpha')).toMatchObject({ defaultVersion, description });
    expect(versionsOf('Beta')).toEqual({ 1: [0, flow('Beta'), 'READY'] });
    await expectConverged();
  });

  it('refuses an app of a saved plan whose config entry changed what is read of it, naming the config as a possible cause', async () => {
    await start();
    await writeFile(path.join(dir, 'thumb.png'), pngBytes([10, 120, 200]));
    const withThumbnail = { ...catalog[0]!, thumbnail: 'thumb.png' };
    await writeConfig([withThumbnail, catalog[1]!]);
    expect((await apply()).code).toBe(0);
    await writeConfig([{ ...withThumbnail, description: 'Planned words' }, catalog[1]!]);
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(2);
    // The server is untouched. Without a thumbnail declared, its hash is not read, so the app reads differently.
    await writeConfig([{ ...catalog[0]!, description: 'Planned words' }, catalog[1]!]);
    emulator.clearLog();

    const run = await cli(['apply', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Alpha: not applied: changed after the plan was made, on the server or in what the config declares for it/);
    expect(posts()).toHaveLength(0);
  });

  it('refuses an app of a saved plan that changed on the server since, and applies the rest', async () => {
    await start();
    await writeConfig(catalog);
    expect((await apply()).code).toBe(0);
    await writeConfig([
      { ...catalog[0]!, description: 'Planned words' },
      { ...catalog[1]!, versions: [...catalog[1]!.versions, { version: 2, workflow: flow('Beta2') }] },
    ]);
    const planned = await cli(['plan', '--out', 'plan.json']);
    expect(planned.code).toBe(2);
    emulator.driftApp('Alpha', { description: 'Someone else was here' });
    emulator.clearLog();

    const run = await cli(['apply', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Alpha: not applied: changed after the plan was made, on the server or in what the config declares for it; run "p7apps plan" again/);
    expect(run.stdout).toMatch(/Not applied:\n\s+Alpha\s+changed after the plan was made, on the server or in what the config declares for it/);
    expect(run.stdout).toMatch(/Apply failed: 1 of 1 publish READY; 1 app changed since the plan \(run "p7apps plan" again\), did not converge\./);
    expect(posts()).toHaveLength(1);
    expect(app('Alpha').description).toBe('Someone else was here');
    expect(versionsOf('Beta')[2]).toEqual([0, flow('Beta2'), 'READY']);
    // Planning again picks up the drift and the rest converges.
    expect((await apply()).code).toBe(0);
    expect(app('Alpha').description).toBe('Planned words');
    await expectConverged();
  });

  it('applies a saved plan as it stands, without asking, and converges', async () => {
    await start();
    await writeConfig(catalog);
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(2);
    emulator.clearLog();
    const run = await cli(['apply', 'plan.json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('Do you want to apply');
    expect(posts()).toHaveLength(3);
    await expectConverged();
  });

  it('refuses a saved plan made for another server, before sending anything', async () => {
    await start();
    await writeConfig(catalog);
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(2);
    const file = path.join(dir, 'plan.json');
    const document = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...document, serverUrl: 'https://elsewhere.example' }));
    emulator.clearLog();
    const run = await cli(['apply', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the plan was made for https:\/\/elsewhere\.example, but this run would apply it to http:\/\/127\.0\.0\.1/);
    expect(emulator.requestLog()).toEqual([]);
  });

  it('applies only the apps named with --app', async () => {
    await start();
    await writeConfig(catalog);
    const run = await apply('--app', 'Beta');
    expect(run.code).toBe(0);
    expect(emulator.snapshot().apps.map((a) => a.name)).toEqual(['Beta']);
    expect(posts()).toHaveLength(1);
    expect((await cli(['plan', '--app', 'Beta'])).code).toBe(0);
  });

  it('reports a publish that fails on the server with its detail, finishes the other apps, and does not converge', async () => {
    await start({ faults: { failPublishApps: ['Alpha'], failDetail: 'Workflow validation error: block Solver has no inputs' } });
    await writeConfig(catalog);
    const run = await apply();

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Failed:\n\s+Alpha\s+v1\s+failed to publish: Workflow validation error: block Solver has no inputs/);
    expect(run.stdout).toMatch(/Not sent:\n\s+Alpha\s+v2\s+an earlier publish of this app did not succeed/);
    expect(run.stdout).toMatch(/Did not converge: the server still differs from the config:\n\s+Alpha\n\s+- version 1 failed to publish/);
    expect(run.stdout).toMatch(/Apply failed: 1 of 3 publishes READY; 1 failed, 1 not sent, did not converge\./);
    expect(posts().map((p) => p.status)).toEqual([201, 201]);
    expect(versionsOf('Alpha')).toEqual({ 1: [0, flow('Alpha'), 'FAILED'] });
    expect(versionsOf('Beta')).toEqual({ 1: [0, flow('Beta'), 'READY'] });
  });

  it('gives up on a version stuck in the queue after --timeout', async () => {
    await start({ faults: { stuckQueuedApps: ['Beta'] } });
    await writeConfig(catalog);
    const run = await apply('--timeout', '1s');

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Failed:\n\s+Beta\s+v1\s+did not become READY within 1s \(last state QUEUED_TO_INITIALIZE\)/);
    expect(versionsOf('Beta')).toEqual({ 1: [0, flow('Beta'), 'QUEUED_TO_INITIALIZE'] });
    expect(versionsOf('Alpha')).toEqual({ 1: [0, flow('Alpha'), 'READY'], 2: [0, flow('Alpha2'), 'READY'] });
    expect(posts()).toHaveLength(3);
  });

  it('produces exactly one version when the server commits a publish and the response is lost', async () => {
    await start({ faults: { dropPublishResponseRate: 1, maxDropPublishResponse: 1 } });
    await writeConfig([catalog[1]!]);
    const run = await apply('--format', 'json');

    expect(run.code).toBe(0);
    const types = events(run).map((e) => e.type);
    expect(types).toContain('publish-ambiguous');
    expect(events(run).find((e) => e.type === 'publish-recheck')).toMatchObject({ tookEffect: true });
    expect(types).not.toContain('publish-resend');
    expect(emulator.faultCounts().dropPublishResponse).toBe(1);
    expect(posts()).toHaveLength(1);
    expect(versionsOf('Beta')).toEqual({ 1: [0, flow('Beta'), 'READY'] });
    await expectConverged();
  });

  it('rides out 503s and 429s with Retry-After, sending a publish again only when it was not committed', async () => {
    await start({ faults: { rate503: 0.5, rate429: 0.3, retryAfterS: 1, max503: 3, max429: 2, seed: 7 } });
    await writeConfig(catalog);
    // A 503 to a publish may come from a gateway while the server commits: a short late-commit window keeps the test quick.
    const run = await apply('--format', 'json', '--late-commit-window', '1500ms');

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const done = events(run).find((e) => e.type === 'apply-done')!;
    expect(done.totals).toMatchObject({ planned: 3, ready: 3 });
    expect(posts()).toHaveLength(3 + done.totals.resends);
    expect(posts().filter((p) => p.status === 201)).toHaveLength(3);
    // How many faults land depends on how many polls the timing allowed; some always do, at most the caps.
    const injected = emulator.faultCounts()['503'] + emulator.faultCounts()['429'];
    expect(injected).toBeGreaterThan(0);
    expect(injected).toBeLessThanOrEqual(5);
    expect(versionsOf('Alpha')).toEqual({ 1: [0, flow('Alpha'), 'READY'], 2: [0, flow('Alpha2'), 'READY'] });
    expect(versionsOf('Beta')).toEqual({ 1: [0, flow('Beta'), 'READY'] });
    emulator.setFaults(null);
    await expectConverged();
  });

  it('stops at Ctrl-C with what is done and not done, and a second apply finishes the job', async () => {
    const controller = new AbortController();
    // Ctrl-C as the server answers the first publish: the moment is the server's, not a timer's.
    await start({
      readyAfterMs: 1000,
      onRequest: (entry) => entry.endpoint === 'POST apps/' && controller.abort(new Error('interrupted by SIGINT')),
    });
    await writeConfig(catalog);
    const run = await cli(['apply', '--auto-approve', '--parallelism', '1'], { signal: controller.signal });

    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/Sent, not yet confirmed READY:\n\s+Alpha\s+v1\s+was published but the run was interrupted before it was confirmed READY/);
    expect(run.stdout).toMatch(/Not sent:\n\s+Alpha\s+v2 .*\n\s+Beta\s+v1 /);
    expect(run.stdout).toMatch(/Apply interrupted: 0 of 3 publishes READY\. Run "p7apps apply" again to finish/);
    expect(posts()).toHaveLength(1);

    // v1 is still initialising: the next apply waits for it (not a conflict to refuse), then finishes the job.
    expect(app('Alpha').versions[0]!.state).not.toBe('READY');
    const second = await apply();
    expect(second.stderr).toMatch(/Waiting for "Alpha" v1 \((QUEUED_TO_INITIALIZE|INITIALIZING)\) to finish publishing before planning/);
    expect(second.code).toBe(0);
    expect(posts()).toHaveLength(3);
    expect(versionsOf('Alpha')).toEqual({ 1: [0, flow('Alpha'), 'READY'], 2: [0, flow('Alpha2'), 'READY'] });
    expect(versionsOf('Beta')).toEqual({ 1: [0, flow('Beta'), 'READY'] });
    await expectConverged();
  });

  it('waits for a version someone else is still publishing only up to --timeout, then refuses: still publishing, not a conflict', async () => {
    await start({ seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha'), state: 'QUEUED_TO_INITIALIZE', stuck: true }] }]) });
    await writeConfig([{ name: 'Alpha', description: 'New words.', versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    const run = await apply('--timeout', '1s');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\* version 1 is still publishing \(state QUEUED_TO_INITIALIZE\)/);
    expect(run.stderr).toMatch(/Error: versions were still publishing after --timeout 1s, so nothing was applied: "Alpha" v1 \(QUEUED_TO_INITIALIZE\)/);
    expect(run.stderr).toMatch(/not a conflict: run "p7apps apply" again once they are READY/);
    expect(posts()).toHaveLength(0);
  });

  it('refuses a plan that would put new revisions on most of the existing apps, unless --force', async () => {
    const names = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7'];
    const seeded = names.map((n) => ({ name: n, workspace: WS, versions: [{ version: 1, workflow: flow('Gamma') }] }));
    await start({ seed: seed(seeded) });
    const renamed = names.map((n) => ({ name: n, versions: [{ version: 1, workflow: flow('Beta') }] }));
    await writeConfig(renamed);

    const refused = await apply();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Error: refusing to apply: the plan puts new revisions on 7 existing apps of 7 \(100%/);
    expect(refused.stderr).toMatch(/run again with --force/);
    expect(posts()).toHaveLength(0);

    const forced = await apply('--force');
    expect(forced.code).toBe(0);
    expect(posts()).toHaveLength(7);
    for (const n of names) expect(versionsOf(n)).toEqual({ 1: [1, flow('Beta'), 'READY'] });
    await expectConverged();
  });

  it('refuses to run unattended without --auto-approve, before contacting the server', async () => {
    await start();
    await writeConfig(catalog);
    const run = await cli(['apply']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: refusing to apply without confirmation: standard input is not a terminal/);
    expect(run.stderr).toContain('p7apps apply --auto-approve');
    expect(emulator.requestLog()).toEqual([]);
  });

  it.each([
    ['no', 1, 0],
    ['yes', 0, 3],
  ])('on a terminal, asks first; answer %j exits %i after %i publishes', async (answer, code, sent) => {
    await start();
    await writeConfig(catalog);
    const run = await cli(['apply'], { isTTY: true, stdin: `${answer}\n` });
    expect(run.stdout).toContain("Do you want to apply these changes? Only 'yes' will be accepted:");
    expect(run.code).toBe(code);
    expect(posts()).toHaveLength(sent);
    expect(emulator.snapshot().apps.map((a) => a.name)).toEqual(answer === 'yes' ? ['Alpha', 'Beta'] : []);
    if (answer === 'no') expect(run.stderr).toContain('Apply cancelled: nothing was published.');
  });

  it('refuses a plan with conflicts and sends nothing', async () => {
    await start({ seed: seed([{ name: 'Alpha', workspace: 'Other apps', versions: [{ version: 1, workflow: flow('Alpha') }] }]) });
    await writeConfig(catalog);
    const run = await apply();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Error: the plan has conflicts, so nothing was applied/);
    expect(posts()).toHaveLength(0);
    expect(emulator.snapshot().apps.map((a) => [a.name, a.workspace.name, a.versions.length])).toEqual([['Alpha', 'Other apps', 1]]);
  });

  it('writes only JSON lines with --format json, a complete story from apply-start to converge-done', async () => {
    await start();
    await writeConfig(catalog);
    const run = await apply('--format', 'json');
    expect(run.code).toBe(0);
    const all = events(run);
    expect(all[0]!.type).toBe('apply-start');
    expect(all.at(-1)).toMatchObject({
      type: 'converge-done',
      converged: true,
      remaining: [],
      verification: { formatVersion: 1, apps: 2, verifiedApps: 2, unverified: [] },
    });
    expect(all.filter((e) => e.type === 'publish-ready').map((e) => [e.app, e.version])).toEqual(
      expect.arrayContaining([
        ['Alpha', 1],
        ['Alpha', 2],
        ['Beta', 1],
      ]),
    );
    expect(run.stdout).not.toContain(emulator.token);
  });

  it.each([
    [['--timeout', 'soon'], /--timeout must be a duration such as 90s, 15m or 1h/],
    [['--late-commit-window', 'soon'], /--late-commit-window must be a duration such as 120s, 5m or 0 \(got "soon"\)\n\s+Make it longer than the timeout of any gateway/],
    [['--grace', '30s'], /--grace must be a duration such as 2s or 500ms, at most 8s \(got "30s"\)/],
    [['--grace', 'soon'], /--grace must be a duration such as 2s or 500ms, at most 8s \(got "soon"\)/],
    [['--request-timeout', '0'], /--request-timeout must be a duration such as 30s, 2m or milliseconds \(got "0"\)/],
    [['--parallelism', '0'], /--parallelism must be a whole number from 1 to 100/],
    [['--format', 'json', '--no-auto-approve'], /--format json needs --auto-approve/],
  ])('rejects %j with a message naming the flag', async (args, message) => {
    await start();
    await writeConfig(catalog);
    const run = await cli(['apply', ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(emulator.requestLog()).toEqual([]);
  });

  it('refuses a saved plan file that is not a plan', async () => {
    await start();
    await writeConfig(catalog);
    await writeFile(path.join(dir, 'plan.json'), '{"apps": []}');
    const run = await cli(['apply', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/plan\.json is not a p7apps plan/);
    const missing = await cli(['apply', 'nope.json']);
    expect(missing.stderr).toMatch(/cannot read the plan .*nope\.json: no such file/);
    expect(emulator.requestLog()).toEqual([]);
  });

  it('ends --help with real examples', async () => {
    await start();
    const run = await cli(['apply', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples:\n.*p7apps apply\s/);
    expect(run.stdout).toContain('p7apps plan --out plan.json && p7apps apply');
  });
});

describe('p7apps apply under attack', () => {
  const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

  /** Plans Alpha with a thumbnail into plan.json, then lets `edit` change the planned upload; returns the plan's path. */
  async function savedPlanWithThumbnail(edit: (thumbnail: Record<string, string>) => Promise<unknown>): Promise<void> {
    await start();
    await writeFile(path.join(dir, 'thumb.png'), pngBytes([10, 120, 200]));
    await writeConfig([{ ...catalog[0]!, thumbnail: 'thumb.png' } as AppConfig, catalog[1]!]);
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(2);
    const file = path.join(dir, 'plan.json');
    const plan = JSON.parse(await readFile(file, 'utf8'));
    const alpha = plan.apps.find((a: { name: string }) => a.name === 'Alpha');
    await edit(alpha.publishes[0].request.thumbnail);
    await writeFile(file, JSON.stringify(plan));
    emulator.clearLog();
  }

  it.each<[string, (thumbnail: Record<string, string>) => Promise<unknown>, RegExp]>([
    [
      '/etc/passwd, with its sha256',
      async (t) => Object.assign(t, { path: '/etc/passwd', sha256: sha256(await readFile('/etc/passwd')) }),
      /"Alpha" v1: thumbnail "\/etc\/passwd" is outside the config file's directory/,
    ],
    [
      'a symbolic link out of the config folder',
      async (t) => {
        const outside = await mkdtemp(path.join(tmpdir(), 'p7apps-outside-'));
        const bytes = pngBytes([1, 2, 3]);
        await writeFile(path.join(outside, 'secret.png'), bytes);
        await symlink(path.join(outside, 'secret.png'), path.join(dir, 'link.png'));
        Object.assign(t, { path: path.join(dir, 'link.png'), sha256: sha256(bytes) });
      },
      /"Alpha" v1: thumbnail ".*link\.png" leads through a symbolic link to a file outside the config file's directory/,
    ],
    [
      'a file that is not an image',
      async (t) => {
        await writeFile(path.join(dir, 'notes.txt'), 'not a picture');
        Object.assign(t, { path: path.join(dir, 'notes.txt'), sha256: sha256('not a picture') });
      },
      /"Alpha" v1: thumbnail ".*notes\.txt" is not an image/,
    ],
    [
      'a file over the size limit',
      async (t) => {
        const big = Buffer.concat([Buffer.from(pngBytes([9, 9, 9])), Buffer.alloc(1024 * 1024 + 1)]);
        await writeFile(path.join(dir, 'big.png'), big);
        Object.assign(t, { path: path.join(dir, 'big.png'), sha256: sha256(big) });
      },
      /"Alpha" v1: thumbnail ".*big\.png" is 1 MiB; a thumbnail may be at most 1 MiB|"Alpha" v1: thumbnail ".*big\.png" is \d+ bytes; a thumbnail may be at most 1 MiB/,
    ],
    [
      'a file changed since the plan',
      async () => writeFile(path.join(dir, 'thumb.png'), pngBytes([200, 0, 0])),
      /"Alpha" v1: thumbnail ".*thumb\.png" changed since the plan was made \(its sha256 differs\)/,
    ],
  ])('refuses a saved plan whose thumbnail was edited to %s, sending nothing', async (_what, edit, says) => {
    await savedPlanWithThumbnail(edit);
    const run = await cli(['apply', 'plan.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: the plan .*plan\.json would upload files the config may not, so nothing was applied: /);
    expect(run.stderr).toMatch(says);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(emulator.requestLog()).toEqual([]);
  });

  it('of two applies of one checkout started together, the lock lets one run; the other says who holds it', async () => {
    await start({ latencyMs: 20 });
    await writeConfig(catalog);
    const [one, other] = await Promise.all([apply(), apply()]);

    expect([one.code, other.code].sort()).toEqual([0, 1]);
    const refused = one.code === 1 ? one : other;
    expect(refused.stderr).toMatch(/^Error: another apply is running for this config: .*\.p7apps\.lock is held by process \d+ on ".+", started \S+ \("p7apps apply"\)\n\s+Wait for it to finish/);
    expect(posts()).toHaveLength(3);
    expect(posts().filter((p) => p.status === 201)).toHaveLength(3);
    // Removed at the end: the next apply takes it and finds nothing to do.
    const again = await apply();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to apply');
    await expectConverged();
  });

  it('one saved plan applied twice at the same moment publishes once; applied again later, it is refused as stale', async () => {
    await start({ latencyMs: 20 });
    await writeConfig(catalog);
    expect((await cli(['plan', '--out', 'plan.json'])).code).toBe(2);
    emulator.clearLog();
    const [one, other] = await Promise.all([cli(['apply', 'plan.json']), cli(['apply', 'plan.json'])]);

    expect([one.code, other.code].sort()).toEqual([0, 1]);
    expect((one.code === 1 ? one : other).stderr).toMatch(/another apply is running for this config/);
    expect(posts()).toHaveLength(3);
    const late = await cli(['apply', 'plan.json']);
    expect(late.code).toBe(1);
    expect(posts()).toHaveLength(3);
    expect(Object.keys(versionsOf('Alpha'))).toEqual(['1', '2']);
    await expectConverged();
  });

  it('removes its lock when interrupted by Ctrl-C, and takes over a lock left by a process that is gone', async () => {
    const controller = new AbortController();
    await start({ readyAfterMs: 1000, onRequest: (entry) => entry.endpoint === 'POST apps/' && controller.abort(new Error('interrupted by SIGINT')) });
    await writeConfig(catalog);
    const lockFile = path.join(dir, '.p7apps.lock');
    const interrupted = await cli(['apply', '--auto-approve', '--parallelism', '1'], { signal: controller.signal });
    expect(interrupted.code).toBe(130);
    await expect(readFile(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });

    // A crashed run's lock: same host, a process id that is not running.
    const host = (await import('node:os')).hostname();
    await writeFile(lockFile, JSON.stringify({ pid: 2 ** 22 + 12345, host, startedAt: new Date().toISOString(), command: 'p7apps apply', token: 'crashed' }));
    const resumed = await apply();
    expect(resumed.stderr).toMatch(/Taking over the apply lock .*\.p7apps\.lock: process 4206649 that took it on this host is no longer running\./);
    expect(resumed.code).toBe(0);
    await expect(readFile(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not resend a publish committed after its 504, inside the window, and ends converged', async () => {
    await start({ seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }]), faults: { lateCommitNext: 1, lateCommitMs: 800 } });
    await writeConfig([catalog[0]!]);
    const run = await apply('--late-commit-window', '5s');

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Apply complete: 1 of 1 publish READY; converged: 1 app verified\.\n$/);
    expect(posts()).toHaveLength(1);
    expect(Object.keys(versionsOf('Alpha'))).toEqual(['1', '2']);
    await expectConverged();
  });

  // Found by an adversarial review: a run stopped by its --timeout said "run apply again", and the apply run at
  // once sent the version again; the first send then committed on top of it (v2, made the default), exit 0.
  it('an apply right after one that left a publish unconfirmed waits out its window, then finds the late commit: no second copy', async () => {
    await start({ seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }]), faults: { lateCommitNext: 1, lateCommitMs: 1200 } });
    await writeConfig([catalog[0]!]);
    const first = await apply('--timeout', '400ms', '--late-commit-window', '2s');
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/v2 may have committed: run apply again/);
    const note = JSON.parse(await readFile(path.join(dir, '.p7apps.unconfirmed.json'), 'utf8'));
    expect(note).toMatchObject({ formatVersion: 1, publishes: [{ app: 'Alpha', version: 2, server: expect.any(String), until: expect.any(String) }] });

    const second = await apply();
    expect(second.stderr).toMatch(/^Waiting \S+ before reading the server: an earlier apply could not confirm "Alpha" v2 on http:\/\/127\.0\.0\.1:\d+ \(the answer was lost\), and the server may still commit it until /);
    expect(second.code).toBe(0);
    expect(posts()).toHaveLength(1);
    expect(Object.keys(versionsOf('Alpha'))).toEqual(['1', '2']);
    await expect(readFile(path.join(dir, '.p7apps.unconfirmed.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expectConverged();
  });

  // Found by an adversarial review: the last line said "Apply complete", with exit 130 and nothing read back.
  it('Ctrl-C while the server is read back: the last line says the apply was interrupted, exit 130', async () => {
    await start({ seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }]) });
    await writeConfig([catalog[0]!]);
    const run = await applyInterruptedAt(/Reading the server again/);
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/Apply interrupted: 1 of 1 publish READY\. Run "p7apps apply" again to finish/);
    expect(run.stdout).not.toContain('Apply complete');
  });

  // Found by review: every unconfirmed publish was noted, and the next apply waited the whole window.
  it('a FIFO where the note of unconfirmed publishes goes stops the next apply at once, naming it, before the server is read', async () => {
    await start({ seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }]) });
    await writeConfig([catalog[0]!]);
    execFileSync('mkfifo', [path.join(dir, '.p7apps.unconfirmed.json')]);
    const run = await apply();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: cannot read .*\.p7apps\.unconfirmed\.json \(it is not a regular file \(a FIFO, socket or device\)\)\n/);
    expect(posts()).toHaveLength(0);
  });

  it('Ctrl-C while a publish the server answered waits for READY: nothing is noted, and the next apply does not wait', async () => {
    await start({ readyAfterMs: 3000, seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }]) });
    await writeConfig([catalog[0]!]);
    const first = await applyInterruptedAt(/v2 sent; the server answered/);
    expect(first.code).toBe(130);
    expect(first.stdout).toMatch(/was published but the run was interrupted before it was confirmed READY/);
    await expect(readFile(path.join(dir, '.p7apps.unconfirmed.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const second = await apply();
    expect(second.stderr).not.toContain('an earlier apply could not confirm');
    expect(posts()).toHaveLength(1);
  });

  it.each([
    ['a publish without its fields', '{"formatVersion": 1, "publishes": [{"app": "\u001b[2J"}]}', 'is not a note of unconfirmed publishes that p7apps wrote'],
    ['not JSON', 'garbage', 'is not a note of unconfirmed publishes that p7apps wrote'],
    ['a window ending in a year', JSON.stringify({ formatVersion: 1, publishes: [{ server: 'https://x', app: 'Alpha', version: 2, until: '2999-01-01T00:00:00Z' }] }), 'names a late-commit window that ends more than a day from now'],
  ])('a note of unconfirmed publishes p7apps cannot go by (%s) stops the next apply, naming it, before the server is read', async (_, text, says) => {
    await start({ seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }]) });
    await writeConfig([catalog[0]!]);
    await writeFile(path.join(dir, '.p7apps.unconfirmed.json'), text);
    const run = await apply();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(says);
    expect(run.stderr).toMatch(/\n  It lists publishes an earlier apply could not confirm/);
    expect(posts()).toHaveLength(0);
  });

  it('reports a publish committed after the window as a duplicate, with exit 1, never "matches the config"', async () => {
    // Beta never leaves the queue, so the run is still going when Alpha's late commit lands after its resend.
    await start({
      seed: seed([{ name: 'Alpha', workspace: WS, versions: [{ version: 1, workflow: flow('Alpha') }] }]),
      faults: { lateCommitNext: 1, lateCommitMs: 600, stuckQueuedApps: ['Beta'] },
    });
    await writeConfig(catalog);
    const run = await apply('--late-commit-window', '0', '--parallelism', '2', '--timeout', '3s');

    expect(run.code).toBe(1);
    expect(Object.keys(versionsOf('Alpha'))).toEqual(['1', '2', '3']);
    expect(run.stdout, run.stdout).toMatch(/! v3 appeared during this apply but the config does not declare it: a publish was probably committed twice \(a late commit after a lost answer, or another apply at the same time\)/);
    expect(run.stdout).not.toContain('matches the config');
    expect(run.stdout).not.toContain('Apply complete');
  });
});
