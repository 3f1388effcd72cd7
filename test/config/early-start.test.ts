// The config worker started early (src/config/early-start.ts,
// src/config/sandbox-start.ts): the guess of which config a command will
// load agrees with the search, and a config loaded through a worker started
// early gives exactly what a worker started on demand gives, errors and
// their positions included, under the same time limit, running nothing of
// the config before the load asks for it.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { guessModuleConfig } from '../../src/config/early-start.js';
import { ConfigError } from '../../src/config/errors.js';
import { findConfig } from '../../src/config/find.js';
import { loadConfig } from '../../src/config/load.js';
import { startWorkerEarly } from '../../src/config/sandbox-start.js';
import { makeProject } from './project.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const APP = (name: string) => `{ name: ${name}, workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }`;
const APPS_TS = `import type { AppConfig } from 'p7apps';\nexport const apps: AppConfig[] = [${APP("'from-apps'")}];\n`;
const TS_CONFIG = (from: string) => `import { defineConfig } from 'p7apps';\nimport { apps } from '${from}';\n\nexport default defineConfig({ apps });\n`;

describe('the guess of the config a command loads', () => {
  it.each<[string, string[], Record<string, string>, string]>([
    ['a TypeScript config here', ['validate'], { 'p7apps.config.ts': '' }, 'p7apps.config.ts'],
    ['a JavaScript rc file here', ['plan', '--format', 'json'], { '.p7appsrc.mjs': '' }, '.p7appsrc.mjs'],
    ['one above, from a subdirectory', ['drift'], { 'p7apps.config.mts': '', 'sub/deeper/README': '' }, 'p7apps.config.mts'],
    ['the first in order of preference', ['check'], { 'p7apps.config.cjs': '', 'p7apps.config.js': '' }, 'p7apps.config.js'],
    ['above a package.json without the key', ['doctor'], { 'p7apps.config.ts': '', 'sub/deeper/package.json': '{"name": "x"}' }, 'p7apps.config.ts'],
    ['not above a package.json with the key', ['plan'], { 'p7apps.config.ts': '', 'sub/deeper/package.json': '{"p7apps": {"apps": []}}' }, ''],
    ['not above a repository root', ['plan'], { 'p7apps.config.ts': '', 'sub/deeper/.git/HEAD': '' }, ''],
    ['not a YAML config', ['validate'], { 'p7apps.config.yaml': 'apps: []', 'sub/deeper/README': '' }, ''],
    ['not a JSON config before a TypeScript one above', ['validate'], { 'p7apps.config.ts': '', 'sub/deeper/p7apps.config.json': '{}' }, ''],
    ['--config', ['validate', '--config', 'other/c.mts'], { 'p7apps.config.ts': '' }, 'sub/deeper/other/c.mts'],
    ['--config=', ['apply', '--config=../x.cjs'], {}, 'sub/x.cjs'],
    ['-c before the command', ['-c', 'plan.ts', 'plan'], {}, 'sub/deeper/plan.ts'],
    ['--config naming a YAML file', ['plan', '--config', 'p7apps.config.yaml'], { 'p7apps.config.ts': '' }, ''],
    ['a command that loads no config', ['emulator'], { 'p7apps.config.ts': '' }, ''],
    ['show, whose argument is a plan', ['show', 'plan'], { 'p7apps.config.ts': '' }, ''],
    ['no command', ['--help'], { 'p7apps.config.ts': '' }, ''],
  ])('%s', async (_name, argv, files, expected) => {
    const root = await makeProject({ ...files, 'sub/deeper/.keep': '' });
    const cwd = path.join(root, 'sub/deeper');
    expect(guessModuleConfig(argv, cwd)).toBe(expected === '' ? undefined : path.join(root, expected));
  });

  it.each<[string, Record<string, string>]>([
    ['TypeScript here', { 'p7apps.config.ts': 'export default { apps: [] };' }],
    ['JavaScript above a package.json without the key', { 'p7apps.config.mjs': 'export default { apps: [] };', 'sub/package.json': '{}' }],
    ['YAML above', { 'p7apps.config.yaml': 'apps: []' }],
    ['a package.json key', { 'package.json': '{"p7apps": {"apps": []}}', 'p7apps.config.ts': 'export default { apps: [] };', 'sub/package.json': '{"p7apps": {"apps": []}}' }],
  ])('agrees with the search: %s', async (_name, files) => {
    const root = await makeProject({ ...files, 'sub/.keep': '' });
    const cwd = path.join(root, 'sub');
    const found = await findConfig({ cwd, timeoutMs: 30_000 });
    const isModule = /\.[cm]?[jt]s$/.test(found.file);
    expect(guessModuleConfig(['validate'], cwd)).toBe(isModule ? found.file : undefined);
  });
});

type Outcome = { config: unknown } | { issues: unknown };

async function outcome(load: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { config: await load() };
  } catch (err) {
    if (err instanceof ConfigError) return { issues: err.issues };
    throw err;
  }
}

describe('a config loaded through a worker started early', () => {
  const named = (name: string) => ({ config: { apps: [{ name }] } });
  const issue = (fields: object) => ({ issues: [{ file: 'p7apps.config.ts', ...fields }] });
  it.each<[string, Record<string, string>, string, object]>([
    ['ES module project, a local import without extension, import type', { 'package.json': '{"type": "module"}', 'apps.ts': APPS_TS, 'p7apps.config.ts': TS_CONFIG('./apps') }, 'p7apps.config.ts', named('from-apps')],
    ['CommonJS project, a local import without extension', { 'apps.ts': APPS_TS, 'p7apps.config.ts': TS_CONFIG('./apps') }, 'p7apps.config.ts', named('from-apps')],
    ['./apps.js meaning apps.ts', { 'package.json': '{"type": "module"}', 'apps.ts': APPS_TS, 'p7apps.config.ts': TS_CONFIG('./apps.js') }, 'p7apps.config.ts', named('from-apps')],
    ['an .mts config importing an .mts module', { 'apps.mts': APPS_TS, 'p7apps.config.mts': TS_CONFIG('./apps.mts') }, 'p7apps.config.mts', named('from-apps')],
    ['a .cts module', { 'apps.cts': APPS_TS, 'p7apps.config.ts': TS_CONFIG('./apps.cts') }, 'p7apps.config.ts', named('from-apps')],
    ['an async config function', { 'p7apps.config.ts': `export default async () => ({ apps: [${APP("'async'")}] });\n` }, 'p7apps.config.ts', named('async')],
    ["require('p7apps') in a CommonJS config", { 'p7apps.config.cjs': `const { defineConfig } = require('p7apps');\nmodule.exports = defineConfig({ apps: [${APP("'cjs'")}] });\n` }, 'p7apps.config.cjs', named('cjs')],
    ['one the bundle declines (tsx runs it)', { 'package.json': '{"type": "module"}', 'p7apps.config.ts': `export default { apps: [${APP('typeof import.meta.resolve')}] };\n` }, 'p7apps.config.ts', named('function')],
    ['a syntax error, with its line and column', { 'p7apps.config.ts': 'export default {\n  apps: [}\n' }, 'p7apps.config.ts', issue({ message: 'syntax error: Unexpected "}"', line: 2, column: 10 })],
    ['a syntax error in a module it imports', { 'apps.ts': 'export const apps = [\n', 'p7apps.config.ts': TS_CONFIG('./apps') }, 'p7apps.config.ts', issue({ message: expect.stringMatching(/^a module it imports does not compile: .*apps\.ts:2:1: Unexpected end of file$/) })],
    ['an import that is not there', { 'p7apps.config.ts': TS_CONFIG('./missing') }, 'p7apps.config.ts', issue({ message: expect.stringMatching(/^an import cannot be found: \.\/missing;/) })],
    ['a config that throws', { 'p7apps.config.ts': "throw new Error('no catalog today');\n" }, 'p7apps.config.ts', issue({ message: 'the file threw an error while loading: no catalog today' })],
    ['what it exports is not plain data', { 'p7apps.config.ts': `export default { apps: [{ ...${APP("'fn'")}, onPublish: () => 1 }] };\n` }, 'p7apps.config.ts', issue({ path: 'apps["fn"].onPublish' })],
  ])('gives what a new worker gives: %s', async (_name, files, config, gives) => {
    const root = await makeProject(files);
    const onDemand = await outcome(() => loadConfig({ cwd: root }));
    startWorkerEarly(path.join(root, config));
    const early = await outcome(() => loadConfig({ cwd: root }));
    expect(early).toEqual(onDemand);
    expect(early).toMatchObject(gives);
  });

  it('compiles the file as it is when asked for, not as it was when the worker started', async () => {
    const root = await makeProject({ 'p7apps.config.ts': `export default { apps: [${APP("'before'")}] };\n` });
    startWorkerEarly(path.join(root, 'p7apps.config.ts'));
    await writeFile(path.join(root, 'p7apps.config.ts'), `export default { apps: [${APP("'after'")}] };\n`);
    expect((await loadConfig({ cwd: root })).apps.map((app) => app.name)).toEqual(['after']);
  });

  it('loads the config asked for when it was started for another', async () => {
    const root = await makeProject({ 'p7apps.config.ts': `export default { apps: [${APP("'asked'")}] };\n`, 'other/p7apps.config.ts': `export default { apps: [${APP("'guessed'")}] };\n` });
    startWorkerEarly(path.join(root, 'other/p7apps.config.ts'));
    expect((await loadConfig({ cwd: root })).apps.map((app) => app.name)).toEqual(['asked']);
  });

  it('runs nothing of the config before the load asks for it, and then runs it once', async () => {
    const root = await makeProject({
      'package.json': '{"type": "module"}',
      'p7apps.config.ts': `import { appendFileSync } from 'node:fs';\nappendFileSync(import.meta.dirname + '/runs.log', 'ran\\n');\nexport default { apps: [${APP("'once'")}] };\n`,
    });
    startWorkerEarly(path.join(root, 'p7apps.config.ts'));
    // Time for the worker to start and compile, generously: it must still have run nothing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(existsSync(path.join(root, 'runs.log'))).toBe(false);
    await loadConfig({ cwd: root });
    expect(await readFile(path.join(root, 'runs.log'), 'utf8')).toBe('ran\n');
  });

  it('is stopped at the time limit like any config worker', async () => {
    const root = await makeProject({ 'p7apps.config.ts': 'while (true) {}\nexport default {};\n' });
    startWorkerEarly(path.join(root, 'p7apps.config.ts'));
    const failed = await outcome(() => loadConfig({ cwd: root, timeoutMs: 300 }));
    expect(failed).toEqual({ issues: [expect.objectContaining({ file: 'p7apps.config.ts', message: expect.stringMatching(/^loading the file did not finish within 300 ms/) })] });
  });

  it('keeps no process alive while nobody takes it over', async () => {
    const root = await makeProject({ 'p7apps.config.ts': 'export default { apps: [] };\n' });
    const script = `import(${JSON.stringify(path.join(REPO, 'dist/config/sandbox-start.js'))}).then((m) => m.startWorkerEarly(${JSON.stringify(path.join(root, 'p7apps.config.ts'))}));`;
    const ended = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 20_000 });
    expect(ended.stderr).toBe('');
  });
});
