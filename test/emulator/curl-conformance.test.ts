// The guide's own curl commands, run as written (with the machine's curl,
// no shell) against the emulator serving the guide's world, must get the
// status codes and fields the guide documents.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { emulator, manualClock, pngBytes } from './helpers.js';

const run = promisify(execFile);

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'p7apps-curl-'));
  await writeFile(join(workDir, 'thumbnail.png'), pngBytes([120, 60, 30]));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** The guide's shell variables, for this emulator. */
function guideVariables(emu: RunningEmulator, token = emu.token) {
  return {
    DA__P7__REST_BASEURL: emu.workflowApiUrl,
    DA__P7__REST_BASEURL_APPSHUB: emu.appApiUrl,
    DA__P7__REST_AUTHHEADER: `Authorization: Token ${token}`,
  };
}

async function curl(args: string[]): Promise<string> {
  const { stdout } = await run('curl', args, { cwd: workDir });
  return stdout;
}

/** Split `curl -i` output into its status line and its body. */
function statusAndBody(output: string): { statusLine: string; body: unknown } {
  const [head, ...rest] = output.split(/\r?\n\r?\n/);
  return { statusLine: head!.split(/\r?\n/)[0]!, body: JSON.parse(rest.join('\n\n').trim()) };
}

describe("the guide's curl examples", () => {
  it('get a token with the username and password', async () => {
    const emu = await emulator();
    const v = guideVariables(emu);
    const out = await curl([
      '--request', 'POST',
      `${v.DA__P7__REST_BASEURL}auth/login/`,
      '-H', 'Content-Type: application/json',
      '--data', '{"username": "user@work.org", "password": "secret"}',
    ]);
    expect(JSON.parse(out).token).toBe(emu.token);
  });

  it('list the workflows, and the first path is the ToyWorkflow', async () => {
    const emu = await emulator();
    const v = guideVariables(emu);
    const out = await curl(['-H', v.DA__P7__REST_AUTHHEADER, `${v.DA__P7__REST_BASEURL}workflows/`]);
    expect(JSON.parse(out)[0].path).toBe('/Users/1/ToyWorkflow.p7wf');
  });

  it('publish the workflow with -F fields and a thumbnail, then read its state and the app list', async () => {
    const clock = manualClock();
    const emu = await emulator({ readyAfterMs: 50, now: clock.now });
    const v = guideVariables(emu);
    const publish = [
      '-X', 'POST',
      '-H', v.DA__P7__REST_AUTHHEADER,
      '-F', 'workspace.name=Toy apps',
      '-F', 'name=Toy app',
      '-F', 'workflow_path=/Users/1/ToyWorkflow.p7wf',
      '-F', 'description=A toy app to try publishing via REST.',
      '-F', 'version=',
      '-F', 'set_version_as_default=False',
      '-F', 'allow_get_as_workflow=False',
      '-F', 'thumbnail=@./thumbnail.png',
      `${v.DA__P7__REST_BASEURL_APPSHUB}apps/`,
    ];
    const published = JSON.parse(await curl(publish));
    expect(published.id).toMatch(/^[0-9a-f]{32}$/);
    expect(published.url).toBe(`${emu.appApiUrl}apps/${published.id}@1/`);
    expect(published.state).toBe('QUEUED_TO_INITIALIZE');
    expect(published.workspace).toEqual({ id: '7', name: 'Toy apps' });

    clock.advance(50);
    const app = JSON.parse(await curl(['-H', v.DA__P7__REST_AUTHHEADER, `${emu.appApiUrl}apps/${published.id}/`]));
    expect(app.state).toBe('READY');
    expect(app).toMatchObject({ description: 'A toy app to try publishing via REST.', allow_get_as_workflow: false });

    // The same command again adds version 2 and, with set_version_as_default=False, keeps version 1 default.
    const again = JSON.parse(await curl(publish));
    expect(again).toMatchObject({ id: published.id, version: 2, revision: 0 });
    clock.advance(50);
    const apps = JSON.parse(await curl(['-H', v.DA__P7__REST_AUTHHEADER, `${v.DA__P7__REST_BASEURL_APPSHUB}apps/`]));
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ id: published.id, version: 1, state: 'READY' });
    expect(apps[0].versions.map((x: { version: number }) => x.version)).toEqual([1, 2]);
    const thumbnail = await fetch(apps[0].thumbnail, { headers: { Authorization: `Token ${emu.token}` } });
    expect(new Uint8Array(await thumbnail.arrayBuffer())).toEqual(pngBytes([120, 60, 30]));
  });

  it('an unauthorised request: HTTP/1.1 403 Forbidden and the detail', async () => {
    const emu = await emulator();
    const v = guideVariables(emu);
    const out = await curl([`${v.DA__P7__REST_BASEURL}workflows/`, '-i', '-w', '\n']);
    expect(statusAndBody(out)).toEqual({
      statusLine: 'HTTP/1.1 403 Forbidden',
      body: { detail: 'Authentication credentials were not provided.' },
    });
  });

  it('details of a workflow that does not exist: HTTP/1.1 404 Not Found and the detail', async () => {
    const emu = await emulator();
    const v = guideVariables(emu);
    const out = await curl(['-H', v.DA__P7__REST_AUTHHEADER, `${v.DA__P7__REST_BASEURL}workflows/00000000000000000000000000000000/`, '-i', '-w', '\n']);
    expect(statusAndBody(out)).toEqual({ statusLine: 'HTTP/1.1 404 Not Found', body: { detail: 'Not found.' } });
  });
});
