// The config worker started ahead of need (src/cli/head-start.ts,
// src/config/search-places.ts, prepareConfigWorker in src/config/sandbox.ts):
// the guess from the command line and the file names around, and that a
// worker started on a guess gives exactly what a fresh worker gives: the
// file the CLI found, as it reads now, never the guessed one; and that a
// wrong guess costs nothing but the thread.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { guessCommand, headStart } from '../../src/cli/head-start.js';
import { findConfig } from '../../src/config/find.js';
import { BundleDeclined, bundleConfig, compiledFromCurrent } from '../../src/config/config-bundle.js';
import { bundleTokens, configWorkerStandingBy, discardConfigWorker, evaluateConfigFile, prepareConfigWorker } from '../../src/config/sandbox.js';
import { likelyModuleConfig } from '../../src/config/search-places.js';
import { MAX_CONFIG_FILE_BYTES } from '../../src/config/limits.js';
import { releaseFifos, runCliProcess, settlesWithin, startCli } from '../helpers/process.js';
import { makeProject } from './project.js';

afterEach(() => discardConfigWorker());

const APPS = (name: string) => `[{ name: '${name}', workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }]`;
const TS_CONFIG = (name: string) => `import { defineConfig } from 'p7apps';\nconst apps: unknown[] = ${APPS(name)};\nexport default defineConfig({ apps } as never);\n`;

describe('reading the command line for a guess', () => {
  it.each<[string[], { command?: string; configPath?: string }]>([
    [['plan'], { command: 'plan' }],
    [['plan', '--config', 'ops/p7apps.config.ts'], { command: 'plan', configPath: 'ops/p7apps.config.ts' }],
    [['validate', '-c', 'a.mts'], { command: 'validate', configPath: 'a.mts' }],
    [['apply', '--config=x.js', '--auto-approve'], { command: 'apply', configPath: 'x.js' }],
    [['--config', 'x.ts', 'drift'], { command: 'drift', configPath: 'x.ts' }],
    [['apply', 'saved.plan.json'], { command: 'apply' }],
    [['plan', '--', '--config', 'x.ts'], { command: 'plan' }],
    [['--version'], {}],
    [[], {}],
    [['plan', '--config'], { command: 'plan' }],
  ])('%j', (argv, guess) => {
    expect(guessCommand(argv)).toEqual(guess);
  });
});

describe('guessing the config file from the names around', () => {
  it.each<[string, Record<string, string>, string, string | undefined]>([
    ['a TypeScript config here', { 'p7apps.config.ts': '' }, '.', 'p7apps.config.ts'],
    ['a JSON config here', { 'p7apps.config.json': '{}' }, '.', undefined],
    ['the first name in the search order decides (JSON before .p7appsrc.ts)', { 'p7apps.config.json': '{}', '.p7appsrc.ts': '' }, '.', undefined],
    ['.p7appsrc without an extension is YAML', { '.p7appsrc': '' }, '.', undefined],
    ['a .mjs config', { '.p7appsrc.mjs': '' }, '.', '.p7appsrc.mjs'],
    ['found from a subdirectory, below the repository root', { 'p7apps.config.ts': '', 'deep/er/keep': '' }, 'deep/er', 'p7apps.config.ts'],
    ['package.json is passed over (its key is not read)', { 'p7apps.config.ts': '', 'sub/package.json': '{"p7apps": {}}' }, 'sub', 'p7apps.config.ts'],
    ['nothing: no guess', { 'src/keep': '' }, 'src', undefined],
  ])('%s', async (_name, files, cwd, guess) => {
    const dir = await makeProject(files);
    expect(likelyModuleConfig(undefined, path.join(dir, cwd))).toBe(guess === undefined ? undefined : path.join(dir, guess));
  });

  it('stops at the repository root, as the search does', async () => {
    const outer = await makeProject({ 'p7apps.config.ts': '', 'nested/.git/HEAD': '' });
    expect(likelyModuleConfig(undefined, path.join(outer, 'nested'))).toBeUndefined();
  });

  it.each<[string, string, string | undefined]>([
    ['a TypeScript file', 'ops/p7apps.config.ts', 'ops/p7apps.config.ts'],
    ['a JSON file', 'ops/p7apps.config.json', undefined],
    ['a file that is not there', 'ops/missing.ts', undefined],
    ['a directory with a config name', 'dir.ts', undefined],
  ])('--config naming %s', async (_name, configPath, guess) => {
    const dir = await makeProject({ 'ops/p7apps.config.ts': '', 'ops/p7apps.config.json': '{}', 'dir.ts/keep': '' });
    expect(likelyModuleConfig(configPath, dir)).toBe(guess === undefined ? undefined : path.join(dir, guess));
  });

  it('a FIFO under a config name is no guess: nothing may read it before the search refuses it', async () => {
    const dir = await makeProject({});
    execFileSync('mkfifo', [path.join(dir, 'p7apps.config.ts')]);
    expect(likelyModuleConfig(undefined, dir)).toBeUndefined();
    expect(likelyModuleConfig('p7apps.config.ts', dir)).toBeUndefined();
  });

  it('a file over the config size limit is no guess', async () => {
    const dir = await makeProject({ 'p7apps.config.ts': '' });
    await truncate(path.join(dir, 'p7apps.config.ts'), MAX_CONFIG_FILE_BYTES + 1);
    expect(likelyModuleConfig(undefined, dir)).toBeUndefined();
  });
});

describe('the head start', () => {
  it.each<[string, string[], boolean]>([
    ['plan with a TypeScript config', ['plan'], true],
    ['validate --config naming it', ['validate', '--config', 'p7apps.config.ts'], true],
    ['validate --config naming a JSON file', ['validate', '--config', 'other.json'], false],
    ['a command that reads no config', ['emulator'], false],
    ['help', ['plan', '--help'], false],
    ['the version, asked after a command', ['plan', '--version'], false],
    ['shell completions', ['--get-yargs-completions', 'plan', '--c'], false],
    ['no command', ['--version'], false],
  ])('%s: worker started = %s', async (_name, argv, started) => {
    const dir = await makeProject({ 'p7apps.config.ts': TS_CONFIG('A'), 'other.json': '{"apps": []}' });
    headStart(argv, dir, 2);
    expect(configWorkerStandingBy()).toBe(started);
  });

  it('not on a machine with one CPU, where nothing runs beside the CLI', async () => {
    const dir = await makeProject({ 'p7apps.config.ts': TS_CONFIG('A') });
    headStart(['plan'], dir, 1);
    expect(configWorkerStandingBy()).toBe(false);
  });
});

describe('a config loaded by a worker started on a guess', () => {
  it.each<[string, Record<string, string>]>([
    ['TypeScript importing a local module (ES module project)', { 'package.json': '{"type": "module"}', 'apps.ts': `export const apps: unknown[] = ${APPS('Local')};\n`, 'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nimport { apps } from './apps.js';\nexport default defineConfig({ apps } as never);\n" }],
    ['TypeScript in a CommonJS project', { 'package.json': '{}', 'apps.ts': `export const apps: unknown[] = ${APPS('Local')};\n`, 'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nimport { apps } from './apps';\nexport default defineConfig({ apps } as never);\n" }],
    ['CommonJS requiring p7apps', { 'p7apps.config.cjs': `const { defineConfig } = require('p7apps');\nmodule.exports = defineConfig({ apps: ${APPS('Local')} });\n` }],
    ['an async config function', { 'p7apps.config.mjs': `export default async () => ({ apps: ${APPS('Local')} });\n` }],
  ])('%s: the same config as a fresh worker gives', async (_name, files) => {
    const dir = await makeProject(files);
    const fresh = await findConfig({ cwd: dir, timeoutMs: 30_000 });
    const file = likelyModuleConfig(undefined, dir)!;
    expect(file).toBeDefined();
    prepareConfigWorker(file);
    expect(configWorkerStandingBy()).toBe(true);
    const ahead = await findConfig({ cwd: dir, timeoutMs: 30_000 });
    expect(configWorkerStandingBy()).toBe(false);
    expect(ahead.value).toEqual(fresh.value);
    expect(ahead.value).toMatchObject({ apps: [{ name: 'Local' }] });
  });

  it('a guess that was wrong: the file found is the one loaded', async () => {
    const dir = await makeProject({ 'guessed.ts': TS_CONFIG('Guessed'), 'p7apps.config.ts': TS_CONFIG('Found') });
    prepareConfigWorker(path.join(dir, 'guessed.ts'));
    const loaded = await findConfig({ cwd: dir, timeoutMs: 30_000 });
    expect(loaded.value).toMatchObject({ apps: [{ name: 'Found' }] });
  });

  it('a wrong guess still compiling when the config found is loaded: every load ends with that config', async () => {
    // The worker stops esbuild once the config found is compiled, which cuts the guess's compile short; a
    // thread that then let its loop run dry would end before the load. How the two meet varies: tried often,
    // with the built modules in a process of their own (npm run build), as the CLI runs them.
    const dir = await makeProject({ 'guessed.ts': TS_CONFIG('Guessed'), 'p7apps.config.ts': TS_CONFIG('Found') });
    const sandbox = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/config/sandbox.js')).href;
    const file = path.join(dir, 'p7apps.config.ts');
    const script = [
      `const { prepareConfigWorker, evaluateConfigFile } = await import(${JSON.stringify(sandbox)});`,
      'const names = [];',
      'for (let i = 0; i < 30; i += 1) {',
      `  prepareConfigWorker(${JSON.stringify(path.join(dir, 'guessed.ts'))});`,
      `  const config = await evaluateConfigFile(${JSON.stringify(file)}, ${JSON.stringify(TS_CONFIG('Found'))}, { timeoutMs: 30000 }).catch((err) => ({ error: err.message }));`,
      '  names.push(config.apps?.[0]?.name ?? config.error);',
      '}',
      'process.stdout.write(JSON.stringify(names));',
      'process.exit(0);',
    ].join('\n');
    await writeFile(path.join(dir, 'loads.mjs'), script);
    const names = JSON.parse(execFileSync(process.execPath, [path.join(dir, 'loads.mjs')], { encoding: 'utf8' })) as string[];
    expect(names).toEqual(Array.from({ length: 30 }, () => 'Found'));
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['the config itself', { 'p7apps.config.ts': TS_CONFIG('Before') }, 'p7apps.config.ts', TS_CONFIG('After')],
    [
      'a module it imports',
      { 'apps.ts': `export const apps = ${APPS('Before')};\n`, 'p7apps.config.ts': "import { apps } from './apps';\nexport default { apps };\n" },
      'apps.ts',
      `export const apps = ${APPS('After')};\n`,
    ],
    [
      'a JSON file it imports',
      { 'apps.json': JSON.stringify([{ name: 'Before', workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }]), 'p7apps.config.ts': "import apps from './apps.json';\nexport default { apps };\n" },
      'apps.json',
      JSON.stringify([{ name: 'After', workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }]),
    ],
  ])('%s changed after the guess was compiled: what it says now is loaded', async (_name, files, changed, text) => {
    const dir = await makeProject(files);
    prepareConfigWorker(path.join(dir, 'p7apps.config.ts'));
    // Long enough for the early compile to have read the old text on any machine that runs this suite;
    // the outcome is the same if it has not.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await writeFile(path.join(dir, changed), text);
    const loaded = await findConfig({ cwd: dir, timeoutMs: 30_000 });
    expect(loaded.value).toMatchObject({ apps: [{ name: 'After' }] });
  });

  it('a syntax error is named with file and line, as without the head start', async () => {
    const source = "export default {\n  apps: [\n    { name: 'A' workspace: 'W' },\n  ],\n};\n";
    const dir = await makeProject({ 'p7apps.config.ts': source });
    const file = path.join(dir, 'p7apps.config.ts');
    const fresh = await evaluateConfigFile(file, source, { timeoutMs: 30_000 }).then(() => undefined, (err: unknown) => err);
    prepareConfigWorker(file);
    const ahead = await evaluateConfigFile(file, source, { timeoutMs: 30_000 }).then(() => undefined, (err: unknown) => err);
    expect(ahead).toMatchObject({ line: 3 });
    expect(ahead).toEqual(fresh);
  });

  it('the time limit holds for a config that loops', async () => {
    const dir = await makeProject({ 'p7apps.config.ts': 'while (true) {}\nexport default { apps: [] };\n' });
    const file = path.join(dir, 'p7apps.config.ts');
    prepareConfigWorker(file);
    await expect(evaluateConfigFile(file, 'while (true) {}\nexport default { apps: [] };\n', { timeoutMs: 300 })).rejects.toThrow(/loading the file did not finish within 300 ms/);
  });

  it('a config found that is not code stops the worker unused', async () => {
    const dir = await makeProject({ 'p7apps.config.json': '{"apps": []}', 'guess.ts': TS_CONFIG('Guess') });
    prepareConfigWorker(path.join(dir, 'guess.ts'));
    await findConfig({ cwd: dir, timeoutMs: 30_000 });
    expect(configWorkerStandingBy()).toBe(false);
  });
});

describe('whether a bundle made ahead of need is still the config', () => {
  const CONFIG = "import { apps } from './apps';\nimport extra from './extra.json';\nexport default { apps, extra };\n";
  it.each<[string, (dir: string) => Promise<unknown>, string, boolean]>([
    ['nothing changed', async () => undefined, CONFIG, true],
    ['the CLI read other text', async () => undefined, `${CONFIG}// edited\n`, false],
    ['an imported module changed', (dir) => writeFile(path.join(dir, 'apps.ts'), 'export const apps = [2];\n'), CONFIG, false],
    ['an imported JSON file changed', (dir) => writeFile(path.join(dir, 'extra.json'), '{"b": 2}'), CONFIG, false],
    ['an imported module is gone', (dir) => rm(path.join(dir, 'apps.ts')), CONFIG, false],
    // Read in the worker's own thread: a FIFO in a module's place must be refused from its metadata, never read.
    ['an imported module is now a FIFO', async (dir) => { await rm(path.join(dir, 'apps.ts')); execFileSync('mkfifo', [path.join(dir, 'apps.ts')]); }, CONFIG, false],
    ['an imported module is now a folder', async (dir) => { await rm(path.join(dir, 'apps.ts')); await mkdir(path.join(dir, 'apps.ts')); }, CONFIG, false],
  ])('%s: %s', async (_name, change, source, current) => {
    const dir = await makeProject({ 'p7apps.config.ts': CONFIG, 'apps.ts': 'export const apps = [1];\n', 'extra.json': '{"a": 1}' });
    const file = path.join(dir, 'p7apps.config.ts');
    const bundle = await bundleConfig(file, bundleTokens());
    await change(dir);
    expect(compiledFromCurrent(bundle, file, source)).toBe(current);
  });

  it('an import from a data: URL is compiled, not read as a file', async () => {
    const config = "import extra from 'data:application/json,{\"a\":1}';\nexport default { extra };\n";
    const dir = await makeProject({ 'p7apps.config.ts': config });
    const file = path.join(dir, 'p7apps.config.ts');
    const bundle = await bundleConfig(file, bundleTokens());
    expect([...bundle.inputs!.keys()]).toEqual([file]);
    expect(compiledFromCurrent(bundle, file, config)).toBe(true);
  });

  it('the stand-ins for p7apps in a bundle are 96 random bits each, never the same twice', () => {
    const made = Array.from({ length: 200 }, () => bundleTokens());
    for (const { selfToken, wholeToken } of made) {
      expect(selfToken).toMatch(/^p7apps-self-[0-9a-f]{24}$/);
      expect(wholeToken).toMatch(/^p7apps-whole-[0-9a-f]{24}$/);
    }
    expect(new Set(made.flatMap((t) => [t.selfToken.slice(12), t.wholeToken.slice(13)])).size).toBe(400);
  });

  it('another file than the one compiled is not it', async () => {
    const dir = await makeProject({ 'p7apps.config.ts': TS_CONFIG('A'), 'other.ts': TS_CONFIG('A') });
    const bundle = await bundleConfig(path.join(dir, 'p7apps.config.ts'), bundleTokens());
    expect(compiledFromCurrent(bundle, path.join(dir, 'other.ts'), TS_CONFIG('A'))).toBe(false);
  });
});

describe("esbuild's process, started by a worker on a guess", () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['the config taken and loaded', {}, undefined],
    ['the worker discarded unused (the config found is JSON)', { 'p7apps.config.json': '{"apps": []}' }, 'p7apps.config.json'],
  ])('%s: ended and reaped, not left a zombie for as long as p7apps runs', async (_name, files, configPath) => {
    const dir = await makeProject({ 'p7apps.config.ts': TS_CONFIG('A'), ...files });
    // The built modules, in a process of their own (npm run build), as the CLI runs them: its zombie children are its own.
    const built = (module: string) => JSON.stringify(pathToFileURL(path.resolve(import.meta.dirname, '../../dist/config', module)).href);
    const script = [
      `const { prepareConfigWorker } = await import(${built('sandbox.js')});`,
      `const { findConfig } = await import(${built('find.js')});`,
      "const { spawnSync } = await import('node:child_process');",
      'const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));',
      "const zombies = () => spawnSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout.split('\\n').map((line) => line.trim().split(/\\s+/)).filter(([, stat, command]) => stat?.startsWith('Z') && command?.includes('esbuild')).map(([pid]) => pid);",
      `prepareConfigWorker(${JSON.stringify(path.join(dir, 'p7apps.config.ts'))});`,
      // Long enough for the worker to have started esbuild on any machine that runs this suite.
      'await sleep(1000);',
      `await findConfig({ cwd: ${JSON.stringify(dir)}, timeoutMs: 30000${configPath === undefined ? '' : `, configPath: ${JSON.stringify(configPath)}`} });`,
      // A process left behind ends within moments of its thread: watched for a second.
      'const seen = new Set();',
      'for (let i = 0; i < 20; i += 1) { for (const pid of zombies()) seen.add(pid); await sleep(50); }',
      'process.stdout.write(JSON.stringify([...seen]));',
      'process.exit(0);',
    ].join('\n');
    await writeFile(path.join(dir, 'zombies.mjs'), script);
    expect(JSON.parse(execFileSync(process.execPath, [path.join(dir, 'zombies.mjs')], { encoding: 'utf8' }))).toEqual([]);
  });
});

describe("esbuild's process, when a signal ends p7apps before the CLI handles signals", () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s: the process blocked on a FIFO is killed, and p7apps still ends by the signal', async (signal) => {
    const dir = await makeProject({ 'p7apps.config.ts': "import { apps } from './mod';\nexport default { apps };\n" });
    const fifo = path.join(dir, 'mod.ts');
    execFileSync('mkfifo', [fifo]);
    // The built module, in a process of its own (npm run build), with no signal handler of its own, as bin/p7apps.js is before the CLI loads.
    const sandbox = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/config/sandbox.js')).href;
    const script = [
      `const { prepareConfigWorker } = await import(${JSON.stringify(sandbox)});`,
      "const { spawnSync } = await import('node:child_process');",
      'const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));',
      "const esbuild = () => spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout.split('\\n').map((line) => line.trim().split(/\\s+/)).filter(([, command]) => command?.includes('esbuild')).map(([pid]) => pid);",
      `prepareConfigWorker(${JSON.stringify(path.join(dir, 'p7apps.config.ts'))});`,
      'let pids = [];',
      'for (let i = 0; i < 200 && pids.length === 0; i += 1) { await sleep(50); pids = esbuild(); }',
      // A moment for the worker's word of the process to reach this thread.
      'await sleep(300);',
      'process.stdout.write(JSON.stringify(pids));',
      `process.kill(process.pid, ${JSON.stringify(signal)});`,
      'await sleep(30000);',
    ].join('\n');
    await writeFile(path.join(dir, 'signalled.mjs'), script);
    const child = spawn(process.execPath, [path.join(dir, 'signalled.mjs')], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, how) => resolve(how)));
    let pids: number[] = [];
    try {
      expect(await ended).toBe(signal);
      pids = (JSON.parse(out) as string[]).map(Number);
      expect(pids).toHaveLength(1);
      // Killed with SIGKILL as p7apps ended; reaped by init within moments.
      const alive = (pid: number) => spawnSync('ps', ['-o', 'pid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim() !== '';
      for (let i = 0; i < 100 && pids.some(alive); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone, as it should be.
        }
      }
    }
  });
});

describe('a FIFO among the files a guess imports', () => {
  /** Ends a read a FIFO holds (without the fix, a thread of the pool would wait there for good). */
  const release = (fifo: string) => {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waits: nothing to end.
    }
  };

  it.each<[string, string, string]>([
    ['a module', 'mod.ts', "import { apps } from './mod';\nexport default { apps };\n"],
    ['a JSON file', 'apps.json', "import apps from './apps.json';\nexport default { apps };\n"],
  ])('%s: the compile declines it without opening it for a blocking read', async (_name, fifoName, config) => {
    const dir = await makeProject({ 'p7apps.config.ts': config });
    const fifo = path.join(dir, fifoName);
    execFileSync('mkfifo', [fifo]);
    try {
      const declined = await bundleConfig(path.join(dir, 'p7apps.config.ts'), bundleTokens()).then(() => undefined, (err: unknown) => err);
      expect(declined).toBeInstanceOf(BundleDeclined);
      expect((declined as Error).message).toMatch(/not a regular file/);
    } finally {
      release(fifo);
    }
  });

  it("the config taken while esbuild's executable waits on the FIFO: stopped after its grace, the load ends at the time limit, no esbuild left", async () => {
    const dir = await makeProject({ 'p7apps.config.ts': "import { apps } from './mod';\nexport default { apps };\n" });
    const fifo = path.join(dir, 'mod.ts');
    execFileSync('mkfifo', [fifo]);
    const cli = startCli(['validate'], { cwd: dir, env: { P7APPS_CONFIG_TIMEOUT_MS: '1000' } });
    const exitedAlone = await settlesWithin(cli.done, 20_000);
    const run = await releaseFifos(cli, [fifo]);
    expect(exitedAlone).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: p7apps.config.ts: loading the file did not finish within 1 s');
    const left = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout.split('\n').filter((line) => line.includes('esbuild') && line.includes(dir));
    expect(left).toEqual([]);
  });

  it('a guess that no config took: the process still ends (no thread of its pool is left waiting on the FIFO)', async () => {
    const dir = await makeProject({ 'p7apps.config.ts': "import { apps } from './mod';\nexport default { apps };\n" });
    const fifo = path.join(dir, 'mod.ts');
    execFileSync('mkfifo', [fifo]);
    // The built module, in a process of its own (npm run build): what matters is whether that process can exit.
    const sandbox = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/config/sandbox.js')).href;
    const script = [
      `const { prepareConfigWorker, discardConfigWorker } = await import(${JSON.stringify(sandbox)});`,
      `prepareConfigWorker(${JSON.stringify(path.join(dir, 'p7apps.config.ts'))});`,
      // Long enough for the early compile to have reached the FIFO on any machine that runs this suite.
      'await new Promise((resolve) => setTimeout(resolve, 1500));',
      'discardConfigWorker();',
      'process.exit(0);',
    ].join('\n');
    await writeFile(path.join(dir, 'guess-unused.mjs'), script);
    const child = spawn(process.execPath, [path.join(dir, 'guess-unused.mjs')], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      release(fifo);
    }
  });
});

describe('the CLI with a wrong guess', () => {
  it('a package.json config below a TypeScript one: the package.json config is used, and the command ends at once', async () => {
    const dir = await makeProject({
      'p7apps.config.ts': TS_CONFIG('Outer'),
      'inner/package.json': JSON.stringify({ name: 'inner', p7apps: { apps: [{ name: 'Inner', workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }] } }),
    });
    const run = await runCliProcess(['validate'], { cwd: path.join(dir, 'inner') });
    expect(run).toMatchObject({ code: 0, signal: null });
    expect(run.stdout).toBe('Valid: 1 app, 1 version, 1 workspace (package.json)\n');
  });
});
