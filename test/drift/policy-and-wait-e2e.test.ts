// onWorkflowChange, versions still publishing and hand-published versions,
// end to end: the CLI in-process against the emulator over a real loopback
// socket, through plan (human and JSON), plan --wait, drift (human, JSON,
// JUnit) and apply.

import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';
import { TOY_APP_WORKFLOWS, toyAppSeed } from '../emulator/helpers.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const TOKEN = 'tok-policy-Secret-4711';
const { toy: TOY, gear: GEAR } = TOY_APP_WORKFLOWS;

function seed(stuck = false): SeedDocument {
  return toyAppSeed(TOKEN, stuck ? { state: 'QUEUED_TO_INITIALIZE', stuck: true } : {});
}

let emulator: RunningEmulator;
let dir: string;

async function start(config: Record<string, unknown>, stuck = false, now?: () => number): Promise<void> {
  emulator = await startEmulator({ seed: seed(stuck), readyAfterMs: 0, ...(now ? { now } : {}) });
  await writeFile(path.join(dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: 'Toy apps' }, ...config }));
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-policy-'));
});

afterEach(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN } });
}

const posts = () => emulator.counts()['POST apps/'] ?? 0;
const toyApp = (extra: Record<string, unknown> = {}, v2: Record<string, unknown> = {}) => ({
  name: 'Toy app',
  versions: [
    { version: 1, workflow: TOY },
    { version: 2, workflow: GEAR, ...v2 },
  ],
  ...extra,
});

describe('onWorkflowChange', () => {
  it("'report': plan publishes nothing and says why, drift reports it, apply leaves it", async () => {
    await start({ defaults: { workspace: 'Toy apps', onWorkflowChange: 'report' }, apps: [toyApp()] });
    emulator.editWorkflow(TOY);

    const plan = await cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('= app "Toy app"');
    expect(plan.stdout).toContain('nothing to publish; 1 difference reported');
    expect(plan.stdout).toContain(`~ reported: workflow ${TOY} changed in Studio since revision 0 of version 1 was published; not republished (onWorkflowChange: report)`);
    expect(plan.stdout).toContain('No publishes for 1 app; 1 workflow change reported, not republished (onWorkflowChange: report).');

    const json = JSON.parse((await cli(['plan', '--format', 'json'])).stdout);
    expect(json.apps[0]).toMatchObject({ action: 'no-op', notes: [{ kind: 'workflow-changed', version: 1, workflow: TOY, revision: 0, policy: 'report' }] });

    const drift = await cli(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('~ "Toy app"');
    expect(drift.stdout).toContain(`~ workflow ${TOY} was edited since version 1 was published; not republished by apply (onWorkflowChange: report)`);
    const driftJson = JSON.parse((await cli(['drift', '--format', 'json'])).stdout);
    expect(driftJson.apps[0]).toMatchObject({ status: 'drifted', counts: true, editedWorkflows: [{ version: 1, workflow: TOY, policy: 'report' }] });
    const junit = (await cli(['drift', '--format', 'junit'])).stdout;
    expect(junit).toContain('not republished by apply (onWorkflowChange: report)');

    const apply = await cli(['apply', '--auto-approve']);
    expect(apply.code).toBe(0);
    expect(posts()).toBe(0);
  });

  it("'ignore': neither plan nor drift counts it; plan --verbose mentions it quietly", async () => {
    await start({ apps: [toyApp({ onWorkflowChange: 'ignore' })] });
    emulator.editWorkflow(GEAR);

    const plan = await cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).not.toContain(GEAR);
    expect(plan.stdout).toContain('No changes for 1 app; all verified');
    const verbose = await cli(['plan', '--verbose']);
    expect(verbose.stdout).toContain(`workflow ${GEAR} changed in Studio since revision 0 of version 2 was published; ignored (onWorkflowChange: ignore)`);

    const drift = await cli(['drift', '--format', 'json']);
    expect(drift.code).toBe(0);
    expect(JSON.parse(drift.stdout).apps[0]).toMatchObject({ status: 'in-sync', counts: false, editedWorkflows: [] });
  });

  it('the version says more than the app: its edit is republished, the other one only reported', async () => {
    await start({ apps: [toyApp({ onWorkflowChange: 'report' }, { onWorkflowChange: 'republish' })] });
    emulator.editWorkflow(TOY);
    emulator.editWorkflow(GEAR);

    const plan = await cli(['plan']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(`because workflow ${GEAR} changed since revision 0 of version 2 was published`);
    expect(plan.stdout).toContain(`~ reported: workflow ${TOY} changed in Studio since revision 0 of version 1 was published; not republished (onWorkflowChange: report)`);
    expect(plan.stdout).toMatch(/Plan: 0 apps to create, 1 to update \(1 publish\), 0 conflicts, 0 unchanged, 0 unmanaged; 1 workflow change reported/);
  });
});

describe('a version still publishing', () => {
  it('is a wait, not a conflict: plan exits 2 and says to plan again, saves nothing; drift says so too', async () => {
    await start({ apps: [toyApp({ description: 'New words.' })] }, true);
    const out = path.join(dir, 'plan.json');

    const plan = await cli(['plan', '--out', out]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('* app "Toy app"');
    expect(plan.stdout).toContain('still publishing, plan again once it is READY (plan --wait waits for it)');
    expect(plan.stdout).toContain('* version 2 is still publishing (state QUEUED_TO_INITIALIZE)');
    expect(plan.stdout).not.toMatch(/conflict a person|cannot be planned/);
    expect(plan.stdout).toContain('0 conflicts, 1 still publishing (plan again)');
    expect(plan.stderr).toContain('Still publishing: "Toy app" v2 (QUEUED_TO_INITIALIZE).');
    expect(plan.stderr).toContain('Not a conflict: plan again once READY, or use plan --wait.');
    expect(plan.stderr).toContain('The plan was not saved');
    await expect(stat(out)).rejects.toThrow();

    const printed = (await cli(['plan', '--format', 'json'])).stdout;
    const json = JSON.parse(printed);
    expect(json.summary).toMatchObject({ conflict: 0, waiting: 1 });
    // The printed document reads back: show renders it as plan did, with plan's exit code.
    await writeFile(path.join(dir, 'printed.json'), printed);
    const shown = await cli(['show', 'printed.json']);
    expect(shown.code).toBe(2);
    expect(shown.stdout).toContain('* version 2 is still publishing (state QUEUED_TO_INITIALIZE)');
    expect(json.apps[0]).toMatchObject({ action: 'wait', publishing: [{ version: 2, state: 'QUEUED_TO_INITIALIZE', declared: true }] });

    const markdown = (await cli(['plan', '--format', 'markdown'])).stdout;
    expect(markdown).toContain('> [!NOTE]');
    expect(markdown).not.toContain('[!CAUTION]');

    const drift = await cli(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('* "Toy app" (id');
    expect(drift.stdout).toContain('still publishing, run drift again later');
    expect(drift.stdout).toContain('0 in conflict, 1 still publishing (run drift again later)');
    const driftJson = JSON.parse((await cli(['drift', '--format', 'json'])).stdout);
    expect(driftJson.apps[0]).toMatchObject({ status: 'publishing', conflicts: [], publishing: [{ version: 2 }] });
    expect(driftJson.summary).toMatchObject({ conflict: 0, publishing: 1 });
    expect((await cli(['drift', '--format', 'junit'])).stdout).toContain('<failure type="publishing"');
    expect(posts()).toBe(0);
  });

  it('plan --wait waits for it to be READY, then plans', async () => {
    // The emulator's clock stands still until the first plan has read the app, so that plan surely sees v2 publishing.
    let time = Date.UTC(2026, 0, 1);
    await start({ apps: [toyApp()] }, false, () => time);
    emulator.setReadyAfterMs(1000);
    emulator.driftApp('Toy app', { publish: { version: 2 } });

    const running = cli(['plan', '--wait', '--timeout', '60s']);
    for (let i = 0; i < 600 && (emulator.counts()['GET apps/'] ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    time += 5000;
    const plan = await running;
    expect(plan.stderr).toContain('Waiting for "Toy app" v2');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('No changes for 1 app');
  });

  it('plan --wait gives up at --timeout and says it is still publishing, exit 2', async () => {
    await start({ apps: [toyApp()] }, true);
    const plan = await cli(['plan', '--wait', '--timeout', '200']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain('Still publishing: "Toy app" v2 (QUEUED_TO_INITIALIZE) after waiting 200.');
  });

  it('--timeout without --wait is a usage error that names the fix', async () => {
    await start({ apps: [toyApp()] });
    const plan = await cli(['plan', '--timeout', '5m']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('--timeout is the deadline of --wait: add --wait, or leave --timeout out');
  });
});

describe('--fail-on-unmanaged', () => {
  it('counts a version published by hand into a managed app', async () => {
    await start({ apps: [toyApp()] });
    emulator.driftApp('Toy app', { publish: { workflowPath: TOY, setAsDefault: false } });

    const plain = await cli(['drift', '--format', 'json']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout).apps[0]).toMatchObject({ status: 'in-sync', counts: false, unmanagedVersions: [{ version: 3 }] });

    const strict = await cli(['drift', '--fail-on-unmanaged']);
    expect(strict.code).toBe(2);
    expect(strict.stdout).toContain('- version 3 is on the server but not in the config');
    const junit = await cli(['drift', '--format', 'junit', '--fail-on-unmanaged']);
    expect(junit.stdout).toContain('version 3 is on the server but not in the config</failure>');
  });
});

