// Seed files: the shipped examples load and serve what they say, and every
// kind of mistake is reported with the path of the place in the file.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUIDE_SEED, loadSeedFile, resolveSeed, SeedError, type SeedDocument } from '../../src/emulator/index.js';
import { client, emulator } from './helpers.js';

const FIXTURES = resolve('test/fixtures/emulator');
const EXAMPLES = resolve('examples/seeds');

async function problemsOf(doc: unknown): Promise<string> {
  try {
    await resolveSeed(doc, { source: 'seed', baseDir: FIXTURES });
  } catch (err) {
    expect(err).toBeInstanceOf(SeedError);
    return (err as Error).message;
  }
  throw new Error('the seed was accepted');
}

const minimal = { users: [{ username: 'a@work.org', password: 'pw' }] };
const oneApp = (app: Record<string, unknown>, extra: Partial<SeedDocument> = {}) => ({
  users: [{ username: 'a@work.org', password: 'pw' }],
  workspaces: [{ id: '7', name: 'Toy apps', publishers: ['a@work.org'] }],
  workflows: [{ path: '/Users/1/A.p7wf' }],
  apps: [{ name: 'App', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/A.p7wf' }], ...app }],
  ...extra,
});

const runOf = (run: Record<string, unknown>) => ({ ...minimal, workflows: [{ path: '/Users/1/A.p7wf', run }] });

function twoAppsOneId() {
  const doc = oneApp({ id: 'a'.repeat(32) });
  doc.apps.push({ ...doc.apps[0]!, name: 'Other' });
  return doc;
}

describe('the shipped seeds', () => {
  it('examples/seeds/guide.json is the built-in guide world', async () => {
    const fromFile = await loadSeedFile(join(EXAMPLES, 'guide.json'));
    const builtIn = await resolveSeed(GUIDE_SEED, { source: 'guide', baseDir: EXAMPLES });
    expect(fromFile).toEqual(builtIn);
    expect(builtIn.workspaces).toEqual([{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }]);
    expect(builtIn.workflows.map((w) => [w.id, w.name, w.path])).toEqual([
      ['130d943e100e46e0b5da490ac005b70e', 'ToyWorkflow', '/Users/1/ToyWorkflow.p7wf'],
      ['a5017c372a76421a8ba41f91788f1b60', 'AnotherToyWorkflow', '/Users/1/AnotherToyWorkflow.p7wf'],
    ]);
    expect(builtIn.apps).toEqual([]);
  });

  it('examples/seeds/toy.yaml serves its catalog: versions, revisions, default, settings, thumbnail', async () => {
    const emu = await emulator({ seed: join(EXAMPLES, 'toy.yaml'), token: 'alice-token' });
    const api = client(emu);
    expect(emu.username).toBe('alice@work.org');
    const apps = (await api.listApps()).body;
    expect(apps.map((a: { name: string; version: number }) => [a.name, a.version])).toEqual([
      ['Beam calculator', 1],
      ['Heat exchanger', 2],
    ]);
    const [beam, heat] = apps;
    expect(beam).toMatchObject({
      revision: 1,
      description: 'Deflection and stress of simple beams.',
      allow_get_as_workflow: false,
      workspace: { id: '7', name: 'Toy apps' },
      updated: '2024-02-02T10:23:19.995035Z',
      workflow: { path: '/Users/1/BeamCalculatorLegacy.p7wf' },
    });
    const thumbnail = await fetch(beam.thumbnail, { headers: { Authorization: `Token ${emu.token}` } });
    expect(new Uint8Array(await thumbnail.arrayBuffer())).toEqual(new Uint8Array(await readFile(join(EXAMPLES, 'beam-calculator.png'))));
    expect(heat).toMatchObject({ state: 'FAILED', state_detail: "Initialization failed: block 'Solver' has no license.", description: null });
    const v1 = (await api.getApp(heat.id, 1)).body;
    const workflows = (await api.get('/pseven/.rest/v2/workflows/')).body;
    expect(v1.fingerprint).toBe('0'.repeat(64));
    expect(workflows.find((w: { path: string }) => w.path === '/Users/2/HeatExchanger.p7wf').fingerprint).not.toBe(v1.fingerprint);
    // bob signs in with the token the seed gives him, and may publish only in Structures.
    const bob = client(emu, 'bob-token-0001');
    expect((await bob.publish({ 'workspace.id': '7', name: 'Beam calculator', workflow_path: '/Users/1/BeamCalculator.p7wf' })).status).toBe(403);
    expect((await bob.publish({ 'workspace.id': '12', name: 'Heat exchanger', workflow_path: '/Users/2/HeatExchanger.p7wf' })).status).toBe(201);
  });

  it('a seeded version in progress carries on to READY; a stuck one never does', async () => {
    let now = 0;
    const emu = await emulator({
      readyAfterMs: 100,
      now: () => now,
      seed: oneApp({
        versions: [
          { version: 1, workflow: '/Users/1/A.p7wf', state: 'INITIALIZING' },
          { version: 2, workflow: '/Users/1/A.p7wf', state: 'QUEUED_TO_INITIALIZE', stuck: true },
        ],
      }),
    });
    const states = () => emu.snapshot().apps[0]!.versions.map((v) => v.state);
    expect(states()).toEqual(['INITIALIZING', 'QUEUED_TO_INITIALIZE']);
    now = 50;
    expect(states()).toEqual(['READY', 'QUEUED_TO_INITIALIZE']);
  });
});

describe('seed files that cannot be used', () => {
  it('name every broken reference with its path in the file', async () => {
    const path = join(FIXTURES, 'bad-references.yaml');
    await expect(loadSeedFile(path)).rejects.toThrow(
      [
        `seed file ${path} is not valid:`,
        '  users[1].username: username "alice@work.org" is already used at index 0',
        '  users[1].tokens[0]: this token is already given to a user',
        '  workspaces[0].publishers[0]: no user has the username "carol@work.org"',
        '  workflows[1].path: workflow path "/Users/1/A.p7wf" is already used at index 0',
        '  apps[0].workspace: no workspace has the name or id "Nowhere"',
        '  apps[0].versions: version 2 is missing: versions are numbered 1, 2, 3... without gaps',
        '  apps[0].defaultVersion: the app has no version 5',
        '  apps[0].versions[1].workflow: no workflow has the path "/Users/1/Missing.p7wf" (list it under workflows)',
        `  apps[1].thumbnail: ${join(FIXTURES, 'not-an-image.png')} is not a PNG, JPEG, GIF, WebP or SVG image`,
        `  apps[2].thumbnail: ${join(FIXTURES, 'missing.png')} does not exist`,
      ].join('\n'),
    );
  });

  // Found by an adversarial review: a value with a line break (a file name, here) wrote a line of its own.
  it('keep each problem on one line, a line break in a value shown escaped', async () => {
    const document = {
      users: [{ username: 'user@work.org', password: 'secret', tokens: ['tok-seed-lines-0001'] }],
      workspaces: [{ id: '7', name: 'W', publishers: ['user@work.org'] }],
      workflows: [{ path: '/Users/1/A.p7wf', content: 'a' }],
      apps: [{ name: 'A', workspace: 'W', thumbnail: 'no\nNo changes.png', versions: [{ version: 1, workflow: '/Users/1/A.p7wf' }] }],
    };
    const err = await resolveSeed(document, { source: 'seed.json', baseDir: '.' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SeedError);
    const lines = (err as Error).message.split('\n');
    expect(lines[0]).toBe('seed.json is not valid:');
    expect(lines.slice(1).every((line) => line.startsWith('  '))).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^  apps\[0\]\.thumbnail: .*no\\nNo changes\.png does not exist$/);
  });

  it('say where the YAML is broken', async () => {
    const path = join(FIXTURES, 'bad-syntax.yaml');
    await expect(loadSeedFile(path)).rejects.toThrow(`seed file ${path} is not valid YAML (line 4, column 1): Flow sequence in block collection`);
  });

  it('say where the JSON is broken', async () => {
    const path = join(FIXTURES, 'bad-syntax.json');
    await expect(loadSeedFile(path)).rejects.toThrow(`seed file ${path} is not valid JSON (line 1, column 63): `);
  });

  it('say when the file is not there, with a hint', async () => {
    const err = await loadSeedFile('missing-seed.yaml', FIXTURES).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeedError);
    expect((err as SeedError).message).toBe(`seed file ${join(FIXTURES, 'missing-seed.yaml')} does not exist`);
    expect((err as SeedError).hint).toMatch(/--seed/);
  });

  it('stop the emulator from starting', async () => {
    await expect(emulator({ seed: join(FIXTURES, 'bad-syntax.yaml') })).rejects.toBeInstanceOf(SeedError);
  });
});

describe('seed documents', () => {
  it.each<[string, unknown, string]>([
    ['no users', { users: [] }, 'users: at least one user (the first is the default user)'],
    ['a numeric workspace id', { ...minimal, workspaces: [{ id: 7, name: 'W' }] }, 'workspaces[0].id: workspace ids are strings: write "7", with quotes'],
    ['an unknown key', { ...minimal, colour: 'red' }, '(top level): Unrecognized key: "colour"'],
    ['an unknown key in an app', oneApp({ owner: 'me' }), 'apps[0]: Unrecognized key: "owner"'],
    ['a relative workflow path', { ...minimal, workflows: [{ path: 'A.p7wf' }] }, 'workflows[0].path: must be an absolute path in the pSeven storage'],
    ['a short workflow id', { ...minimal, workflows: [{ path: '/A.p7wf', id: 'abc' }] }, 'workflows[0].id: must be 32 lowercase hex digits'],
    ['both fingerprint and content', { ...minimal, workflows: [{ path: '/A.p7wf', fingerprint: 'f', content: 'c' }] }, 'workflows[0].fingerprint: give fingerprint or content, not both'],
    ['a numeric fingerprint', oneApp({ versions: [{ version: 1, workflow: '/Users/1/A.p7wf', fingerprint: 0 }] }), 'apps[0].versions[0].fingerprint: fingerprints are strings: quote them in YAML'],
    ['version 0', oneApp({ versions: [{ version: 0, workflow: '/Users/1/A.p7wf' }] }), 'apps[0].versions[0].version: Too small'],
    ['an unknown state', oneApp({ versions: [{ version: 1, workflow: '/Users/1/A.p7wf', state: 'DONE' }] }), 'apps[0].versions[0].state: Invalid option'],
    ['a state detail on a READY version', oneApp({ versions: [{ version: 1, workflow: '/Users/1/A.p7wf', stateDetail: 'x' }] }), 'apps[0].versions[0].stateDetail: stateDetail is only for state FAILED'],
    ['a stuck READY version', oneApp({ versions: [{ version: 1, workflow: '/Users/1/A.p7wf', stuck: true }] }), 'apps[0].versions[0].stuck: only a version in state QUEUED_TO_INITIALIZE can be stuck'],
    ['no versions', oneApp({ versions: [] }), 'apps[0].versions: an app has at least one version'],
    ['a repeated version', oneApp({ versions: [{ version: 1, workflow: '/Users/1/A.p7wf' }, { version: 1, workflow: '/Users/1/A.p7wf' }] }), 'apps[0].versions[1].version: version "1" is already used at index 0'],
    ['two apps with one id', twoAppsOneId(), `apps[1].id: app id "${'a'.repeat(32)}" is already used at index 0`],
    ['a token with a space', { users: [{ username: 'a', password: 'b', tokens: ['two words'] }] }, 'users[0].tokens[0]: must be 1 to 200 printable ASCII characters without spaces'],
    ['a parameter declared twice', runOf({ parameters: [{ name: 'x' }, { name: 'x' }] }), 'workflows[0].run.parameters[1].name: parameter "x" is already declared'],
    ['a result declared twice', runOf({ results: [{ name: 'y' }, { name: 'y' }] }), 'workflows[0].run.results[1].name: result "y" is already declared'],
    ['a case on an unknown parameter', runOf({ parameters: [{ name: 'x' }], cases: [{ when: { z: 1 } }] }), 'workflows[0].run.cases[0].when.z: no parameter is named "z"'],
    ['a case with an unknown result', runOf({ results: [{ name: 'y' }], cases: [{ then: { w: 1 } }] }), 'workflows[0].run.cases[0].then.w: no result is named "w"'],
    ['a case with then and fail', runOf({ cases: [{ then: {}, fail: 'boom' }] }), 'workflows[0].run.cases[0].fail: give then or fail, not both'],
    ['a negative run time', runOf({ runTimeMs: -1 }), 'workflows[0].run.runTimeMs: Too small'],
    ['an unknown run key', runOf({ timeout: 5 }), 'workflows[0].run: Unrecognized key: "timeout"'],
  ])('refuse %s', async (_label, doc, expected) => {
    expect(await problemsOf(doc)).toContain(`  ${expected}`);
  });

  it('fill in defaults: derived ids and names, READY, copy allowed, the highest version default', async () => {
    const seed = await resolveSeed(oneApp({ versions: [{ version: 2, workflow: '/Users/1/A.p7wf' }, { version: 1, workflow: '/Users/1/A.p7wf', revision: 3 }] }), {
      source: 'seed',
      baseDir: FIXTURES,
    });
    expect(seed.workflows[0]).toMatchObject({ name: 'A', path: '/Users/1/A.p7wf', id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(seed.apps[0]).toMatchObject({ allowCopy: true, description: null, thumbnail: null, defaultVersion: 2, workspaceId: '7' });
    expect(seed.apps[0]!.versions.map((v) => [v.version, v.revision, v.state, v.fingerprint])).toEqual([
      [1, 3, 'READY', seed.workflows[0]!.fingerprint],
      [2, 0, 'READY', seed.workflows[0]!.fingerprint],
    ]);
    // The same seed gives the same ids every time.
    const again = await resolveSeed(oneApp({ versions: [{ version: 1, workflow: '/Users/1/A.p7wf' }] }), { source: 'seed', baseDir: FIXTURES });
    expect(again.apps[0]!.id).toBe(seed.apps[0]!.id);
  });
});
