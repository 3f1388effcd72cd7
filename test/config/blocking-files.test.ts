// Files read on the way to a config, or by apply and show, that would block
// their reader: a FIFO (named pipe) nobody writes to, under the name of a
// package.json, tsconfig.json, a saved plan or the apply lock. The real `p7apps`
// process refuses each from its metadata, naming it, with exit 1, or, where
// nothing reads it, passes it by; it never waits on one. Every FIFO is
// released after the run (test/helpers/process.ts), so a p7apps that does
// read one fails the test instead of hanging it.

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageJsonYargsReads } from '../../src/cli/main.js';
import { likelyModuleConfig, specialFileBesideCode } from '../../src/config/search-places.js';
import { releaseFifos, settlesWithin, startCli } from '../helpers/process.js';
import { makeProject } from './project.js';

const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

const CONFIGS = {
  json: ['p7apps.config.json', '{"apps": []}\n'],
  yaml: ['p7apps.config.yaml', 'apps: []\n'],
  ts: ['p7apps.config.ts', "import { defineConfig } from 'p7apps';\nexport default defineConfig({ apps: [] });\n"],
} as const;

/** A project holding `files`, with a FIFO at each of `fifos` (paths relative to it). */
async function projectWithFifos(files: Record<string, string>, fifos: string[]): Promise<{ dir: string; fifos: string[] }> {
  const dir = await makeProject(files);
  const made = fifos.map((name) => path.join(dir, name));
  for (const fifo of made) {
    mkdirSync(path.dirname(fifo), { recursive: true });
    execFileSync('mkfifo', [fifo]);
  }
  return { dir, fifos: made };
}

/** `p7apps validate ...args` in `cwd`: it must end by itself within a generous bound, whatever it reads. */
async function validate(args: string[], cwd: string, fifos: string[]) {
  return runP7apps(['validate', ...args], cwd, fifos);
}

async function runP7apps(args: string[], cwd: string, fifos: string[]) {
  const cli = startCli(args, { cwd });
  const exitedAlone = await settlesWithin(cli.done, 20_000);
  const run = await releaseFifos(cli, fifos);
  expect(exitedAlone).toBe(true);
  expect(run.stderr).not.toMatch(STACK_LINE);
  return run;
}

describe('a package.json that is a FIFO in the folder p7apps runs in and the config sits in', () => {
  it.each([
    ['a JSON config found by the search', 'json', []],
    ['a JSON config named by --config', 'json', ['--config', CONFIGS.json[0]]],
    ['a YAML config found by the search', 'yaml', []],
    ['a YAML config named by --config', 'yaml', ['--config', CONFIGS.yaml[0]]],
    ['a TypeScript config found by the search', 'ts', []],
    ['a TypeScript config named by --config', 'ts', ['--config', CONFIGS.ts[0]]],
  ] as const)('%s: refused, naming it, exit 1', async (_name, kind, args) => {
    const [file, text] = CONFIGS[kind];
    const project = await projectWithFifos({ [file]: text }, ['package.json']);
    const run = await validate([...args], project.dir, project.fifos);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: package\.json: this is not a regular file \(a FIFO, socket or device\), .*; make it a regular file or remove it\n/);
  });
});

describe('the package.json p7apps reads as it starts (its command-line parser looks for a version there)', () => {
  it('a FIFO there: refused before any command, --help included, exit 1', async () => {
    const project = await projectWithFifos({}, ['package.json']);
    const run = await runP7apps(['--help'], project.dir, project.fifos);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('Error: package.json: this is not a regular file (a FIFO, socket or device), and p7apps reads it as it starts; make it a regular file or remove it\n');
  });

  it.each<[string, string, string, string | undefined]>([
    ['p7apps installed in a project: the project\'s', 'app/node_modules/p7apps/dist/bundle/p7apps.js', 'elsewhere', 'app/package.json'],
    ['p7apps run from a checkout: the one up from the working directory', 'checkout/dist/bundle/p7apps.js', 'app/src', 'app/package.json'],
    ['none up from the working directory', 'checkout/dist/bundle/p7apps.js', 'elsewhere', undefined],
  ])('which: %s', async (_name, moduleFile, cwd, found) => {
    const dir = await makeProject({ 'app/package.json': '{}', 'app/src/keep': '', 'elsewhere/keep': '' }, { git: false });
    expect(packageJsonYargsReads(path.join(dir, moduleFile), path.join(dir, cwd))).toBe(found === undefined ? undefined : path.join(dir, found));
  });
});

describe('a FIFO that loading a config from another folder (--config) would read', () => {
  const ts = CONFIGS.ts[1];
  it.each([
    ['package.json beside a TypeScript config', { 'ops/p7apps.config.ts': ts }, 'ops/package.json', 'ops/p7apps.config.ts', 'ops/package.json: this is not a regular file (a FIFO, socket or device), and loading ops/p7apps.config.ts reads it'],
    ['package.json in the folder above it', { 'ops/deep/p7apps.config.ts': ts }, 'ops/package.json', 'ops/deep/p7apps.config.ts', 'ops/package.json: this is not a regular file (a FIFO, socket or device), and loading ops/deep/p7apps.config.ts reads it'],
    ['tsconfig.json beside it', { 'ops/p7apps.config.ts': ts }, 'ops/tsconfig.json', 'ops/p7apps.config.ts', 'ops/tsconfig.json: this is not a regular file'],
    [
      'package.json of a folder whose module the config imports',
      { 'ops/lib/apps.ts': 'export const apps = [];\n', 'ops/p7apps.config.ts': "import { apps } from './lib/apps';\nexport default { apps };\n" },
      'ops/lib/package.json',
      'ops/p7apps.config.ts',
      'ops/p7apps.config.ts: ./lib/package.json is not a regular file (a FIFO, socket or device), and loading the config reads it',
    ],
    [
      'package.json of a package the config imports',
      { 'ops/node_modules/catalog/index.js': 'module.exports = { apps: [] };\n', 'ops/p7apps.config.ts': "import catalog from 'catalog';\nexport default catalog;\n" },
      'ops/node_modules/catalog/package.json',
      'ops/p7apps.config.ts',
      'ops/p7apps.config.ts: ./node_modules/catalog/package.json is not a regular file (a FIFO, socket or device), and loading the config reads it',
    ],
  ])('%s: refused, naming it, exit 1', async (_name, files, fifo, config, says) => {
    const project = await projectWithFifos(files, [fifo]);
    const run = await validate(['--config', config], project.dir, project.fifos);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: ${says}`);
  });

  it('package.json in a folder the search passes through, from a folder below: refused for its "p7apps" key', async () => {
    const project = await projectWithFifos({ 'p7apps.config.json': CONFIGS.json[1], 'sub/package.json': '{}' }, ['package.json']);
    const run = await runP7apps(['validate'], path.join(project.dir, 'sub'), project.fifos);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`Error: ${project.fifos[0]}: this is not a regular file (a FIFO, socket or device), and p7apps reads its "p7apps" key; make it a regular file or remove it\n`);
  });

  it("cosmiconfig's own settings files where p7apps runs, each a FIFO: nothing reads them, the config is valid", async () => {
    const project = await projectWithFifos({ 'ops/p7apps.config.json': CONFIGS.json[1], '.config/keep': '' }, ['.config/config.json', '.config/config.js', '.config/config.ts']);
    const run = await validate(['--config', 'ops/p7apps.config.json'], project.dir, project.fifos);
    expect(run).toMatchObject({ code: 0, stdout: 'Valid: 0 apps, 0 versions, 0 workspaces (ops/p7apps.config.json)\n' });
  });

  it('a JSON config beside a package.json that is a FIFO: nothing reads it, the config is valid', async () => {
    const project = await projectWithFifos({ 'ops/p7apps.config.json': CONFIGS.json[1] }, ['ops/package.json']);
    const run = await validate(['--config', 'ops/p7apps.config.json'], project.dir, project.fifos);
    expect(run).toMatchObject({ code: 0, stdout: 'Valid: 0 apps, 0 versions, 0 workspaces (ops/p7apps.config.json)\n' });
  });
});

describe('which files compiling a TypeScript config reads, judged without reading them', () => {
  it.each<[string, string[], string | undefined]>([
    ['none is a FIFO', [], undefined],
    ['package.json beside the config', ['ops/package.json'], 'ops/package.json'],
    ['package.json above it', ['package.json'], 'package.json'],
    ['jsconfig.json beside it', ['ops/jsconfig.json'], 'ops/jsconfig.json'],
    ['tsconfig.json where p7apps runs (tsx reads it from there)', ['run/tsconfig.json'], 'run/tsconfig.json'],
    ['package.json where p7apps runs: not read for the config', ['run/package.json'], undefined],
    ['package.json in a folder below the config: not read for it', ['ops/sub/package.json'], undefined],
  ])('%s', async (_name, fifos, found) => {
    const project = await projectWithFifos({ 'ops/p7apps.config.ts': CONFIGS.ts[1], 'ops/sub/keep': '', 'run/keep': '' }, fifos);
    expect(specialFileBesideCode(path.join(project.dir, 'ops/p7apps.config.ts'), path.join(project.dir, 'run'))).toBe(found === undefined ? undefined : path.join(project.dir, found));
  });

  it('the head start guesses no config whose compile would read a FIFO', async () => {
    const project = await projectWithFifos({ 'p7apps.config.ts': CONFIGS.ts[1] }, ['package.json']);
    expect(likelyModuleConfig(undefined, project.dir)).toBeUndefined();
    expect(likelyModuleConfig('p7apps.config.ts', project.dir)).toBeUndefined();
  });
});

describe('a FIFO under the name of a file apply or show reads', () => {
  const server = { P7APPS_URL: 'http://127.0.0.1:9', P7APPS_TOKEN: 'blocking-files-token' };
  it.each<[string, string[], string, string]>([
    ['a saved plan given to show', ['show', 'plan.json'], 'plan.json', 'cannot read the plan PROJECT/plan.json: it is not a regular file (a FIFO, socket or device)'],
    ['a saved plan given to apply', ['apply', 'plan.json'], 'plan.json', 'cannot read the plan PROJECT/plan.json: it is not a regular file (a FIFO, socket or device)'],
    ['the apply lock beside the config', ['apply', '--auto-approve'], '.p7apps.lock', 'cannot take the apply lock PROJECT/.p7apps.lock: it is not a regular file (a FIFO, socket or device)'],
  ])('%s: refused, naming it, exit 1', async (_name, args, fifo, says) => {
    const project = await projectWithFifos({ 'p7apps.config.json': CONFIGS.json[1] }, [fifo]);
    const cli = startCli(args, { cwd: project.dir, env: server });
    const exitedAlone = await settlesWithin(cli.done, 20_000);
    const run = await releaseFifos(cli, project.fifos);
    expect(exitedAlone).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: ${says.replace('PROJECT', project.dir)}\n`);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});
