// The guide's curl examples for runs, run as written (the machine's curl and
// jq, no shell) against the emulator serving the guide's world: list runs,
// deploy (default and named), check the state, read the parameters, PATCH
// them from run_details.json, launch, interrupt, read the results, delete
// and see 404; and the AppsHub part's personal app run with -F fields.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { emulator, manualClock } from './helpers.js';

const exec = promisify(execFile);
const TOY = '130d943e100e46e0b5da490ac005b70e';

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'p7apps-runs-curl-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function curl(args: string[]): Promise<string> {
  return (await exec('curl', ['--silent', ...args], { cwd: workDir })).stdout;
}

/** `curl … | jq FILTER`, as the guide pipes them. */
async function curlJq(args: string[], filter: string): Promise<unknown> {
  const out = await curl(args);
  const jq = spawn('jq', ['-c', filter], { cwd: workDir });
  let text = '';
  jq.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  jq.stdin.end(out);
  const code = await new Promise<number | null>((resolve) => jq.on('close', resolve));
  expect(code).toBe(0);
  return JSON.parse(text);
}

async function guideWorld() {
  const clock = manualClock();
  const emu: RunningEmulator = await emulator({ now: clock.now, runTiming: { deployMs: 100, queueMs: 50, runMs: 1000 } });
  const auth = `Authorization: Token ${emu.token}`;
  return { emu, clock, auth, base: emu.workflowApiUrl, appshub: emu.appApiUrl };
}

describe("the guide's run examples with curl", () => {
  it('deploy, check the state, set parameters from run_details.json, launch, read results, delete', async () => {
    const { clock, auth, base } = await guideWorld();
    // Deploy a new run with a default name and location.
    const deployed = (await curlJq(['-H', auth, '--request', 'POST', `${base}workflows/${TOY}/runs/`, '-H', 'Content-Type: application/json'], '.')) as Record<string, string>;
    expect(deployed).toEqual({
      name: '#1 (ToyWorkflow)',
      path: '/Users/1/ToyWorkflow.p7wf/@Runs/#00000001.p7run',
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      url: `${base}workflows/${TOY}/runs/${deployed.id}/`,
      state: 'QUEUED_TO_INITIALIZE',
      workflow: '/Users/1/ToyWorkflow.p7wf',
      workflow_url: `${base}workflows/${TOY}/`,
    });
    const run = `${base}workflows/${TOY}/runs/${deployed.id}/`;

    // Check run state.
    clock.advance(100);
    expect(await curlJq(['-H', auth, run], '.state')).toBe('CONFIGURATION');

    // Get run parameter IDs, names, values, and labels.
    const params = (await curlJq(['-H', auth, run], '[.parameters[] | {id: .id, name: .name, value: .value.data, labels: .labels}]')) as { id: string }[];
    expect(params).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'MyFirstParameter', value: 'string_value', labels: { type: 'string' } },
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'MySecondParameter', value: 42, labels: { type: 'integer, real, string' } },
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'MySecret', value: null, labels: { note: 'the real value is a secret' } },
    ]);

    // Get run details and save them to a file; change parameter values; send the changes.
    await curl(['-H', auth, run, '--output', 'run_details.json']);
    const details = JSON.parse(await readFile(join(workDir, 'run_details.json'), 'utf8'));
    details.parameters[0].value.data = 'new_string_value';
    details.parameters[1].value.data = 43;
    details.parameters[2].value.data = 'new_access_token';
    await writeFile(join(workDir, 'run_details.json'), JSON.stringify(details));
    const patched = await curlJq(
      ['-H', auth, '-H', 'Content-Type: application/json', '--request', 'PATCH', run, '--data', '@run_details.json'],
      '[.parameters[] | {id: .id, name: .name, value: .value.data}]',
    );
    expect(patched).toEqual([
      { id: params[0]!.id, name: 'MyFirstParameter', value: 'new_string_value' },
      { id: params[1]!.id, name: 'MySecondParameter', value: 43 },
      { id: params[2]!.id, name: 'MySecret', value: '' },
    ]);

    // Launch the run.
    expect(await curlJq(['-H', auth, run], '.state')).toBe('CONFIGURATION');
    expect(await curlJq(['-H', auth, '--request', 'POST', `${run}run/`], '.')).toEqual({ status: 200, message: 'Accepted' });
    expect(await curlJq(['-H', auth, run], '.state')).toBe('QUEUED_TO_RUN');
    clock.advance(50);
    expect(await curlJq(['-H', auth, run], '.state')).toBe('RUNNING');
    clock.advance(1000);
    expect(await curlJq(['-H', auth, run], '.state')).toBe('FINISHED');

    // Get names, values, and labels of run results from run details.
    expect(await curlJq(['-H', auth, run], '[.results[] | {name: .name, value: .value.data, labels: .labels}]')).toEqual([
      { name: 'MyResult', value: 99, labels: { type: 'integer' } },
      { name: 'MyAdditionalResult', value: 'no_comments', labels: { type: 'string' } },
      { name: 'MyFirstParameter', value: 'new_string_value', labels: { type: 'string' } },
      { name: 'MySecondParameter', value: 43, labels: { type: 'integer, real, string' } },
    ]);

    // Delete it, and check that it has been deleted.
    expect(await curlJq(['-H', auth, '--request', 'DELETE', run], '.')).toEqual({ status: 200 });
    const gone = await curl(['-H', auth, run, '-i', '-w', '\n']);
    expect(gone.split(/\r?\n/)[0]).toBe('HTTP/1.1 404 Not Found');
    expect(JSON.parse(gone.split(/\r?\n\r?\n/).slice(1).join('').trim())).toEqual({ detail: 'Not found.' });
  });

  it('deploy a named run into a directory, list runs both ways, interrupt a running one', async () => {
    const { clock, auth, base } = await guideWorld();
    const named = await curlJq(
      ['-H', auth, '--request', 'POST', `${base}workflows/${TOY}/runs/`, '-H', 'Content-Type: application/json', '--data', '{"path": "/Users/1/Toy runs", "name": "Toy named run"}'],
      '.',
    );
    expect(named).toMatchObject({ name: 'Toy named run', path: '/Users/1/Toy runs/Toy named run.p7run', state: 'QUEUED_TO_INITIALIZE' });
    const run = (named as { url: string }).url;

    // Get workflow details and show its runs only; get a list of workflow runs.
    const fromDetails = await curlJq(['-H', auth, `${base}workflows/${TOY}/`], '.runs');
    const list = await curlJq(['-H', auth, `${base}workflows/${TOY}/runs/`], '.');
    expect(fromDetails).toEqual(list);
    expect(list).toEqual([named]);

    clock.advance(100);
    await curl(['-H', auth, '--request', 'POST', `${run}run/`]);
    clock.advance(60);
    expect(await curlJq(['-H', auth, run], '.state')).toBe('RUNNING');
    // Interrupt a run.
    expect(await curlJq(['-H', auth, '--request', 'POST', `${run}interrupt/`], '.')).toEqual({ status: 200, message: 'Accepted' });
    expect(await curlJq(['-H', auth, run], '.state')).toBe('INTERRUPTED');
  });

  it('publish the app, then deploy a named personal app run with -F fields', async () => {
    const { emu, auth, appshub } = await guideWorld();
    const published = (await curlJq(
      ['-X', 'POST', '-H', auth, '-F', 'workspace.name=Toy apps', '-F', 'name=Toy app', '-F', 'workflow_path=/Users/1/ToyWorkflow.p7wf', `${appshub}apps/`],
      '.',
    )) as { id: string };
    // The test emulator publishes at once (readyAfterMs 0): the version is READY, so runs can be deployed.
    expect(await curlJq(['-H', auth, `${appshub}apps/${published.id}/`], '.state')).toBe('READY');
    const run = await curlJq(['-X', 'POST', '-H', auth, '-F', 'name=Test personal run', '-F', 'personal=True', `${appshub}apps/${published.id}/runs/`], '.');
    expect(run).toMatchObject({ name: 'Test personal run', state: 'QUEUED_TO_INITIALIZE', url: expect.stringContaining(`${appshub}apps/${published.id}/runs/`) });
    expect(emu.snapshot().runs).toEqual([expect.objectContaining({ name: 'Test personal run', personal: true, owner: expect.objectContaining({ kind: 'app', version: 1 }) })]);
  });
});
