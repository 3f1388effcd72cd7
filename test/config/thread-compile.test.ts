// The config compiled in the calling thread (src/config/thread-compile.ts):
// what it takes gives the value esbuild's bundle gives, what it cannot
// compile as esbuild would it declines before any of the config runs, what
// Node rejects before the config runs is left to esbuild with nothing run
// twice, and the CLI loads such a config without starting esbuild at all.

import { execFileSync, spawnSync } from 'node:child_process';
import Module from 'node:module';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startBinaryBundle } from '../../src/config/binary-bundle.js';
import { importBundle, type ConfigBundle } from '../../src/config/config-bundle.js';
import { bundleTokens } from '../../src/config/sandbox.js';
import { compileInThread, importModules, ThreadCompileDeclined, type ConfigModules } from '../../src/config/thread-compile.js';
import { emitSettingsFor, parseJsonWithComments, UnreadableSettings } from '../../src/config/tsconfig-emit.js';
import { loadConfig } from '../../src/config/load.js';
import { configError, makeProject } from './project.js';

const SELF = 'export const defineConfig = (config) => ({ ...config, self: true });\n';
const APP = (name: string) => `{ name: ${name}, workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }`;
const CLI = path.resolve('bin/p7apps.js');

function compiled(file: string): ConfigModules {
  const result = compileInThread(file);
  if (result instanceof ThreadCompileDeclined) throw new Error(`declined: ${result.message}`);
  return result;
}

/** The config's default export, run from memory with `self.mjs` of `root` as p7apps. */
async function runModules(modules: ConfigModules, root: string): Promise<unknown> {
  const { namespace } = importModules(modules, pathToFileURL(path.join(root, 'self.mjs')).href);
  return ((await namespace) as { default: unknown }).default;
}

async function runEsbuild(file: string, root: string): Promise<unknown> {
  const bundle = await startBinaryBundle(file, bundleTokens()).result;
  if (!('code' in bundle)) throw new Error(`esbuild declined: ${bundle.reason}`);
  const self = pathToFileURL(path.join(root, 'self.mjs')).href;
  return ((await importBundle(bundle as ConfigBundle, self, self)) as { default: unknown }).default;
}

describe('a config compiled in the thread', () => {
  it.each<[string, Record<string, string>]>([
    [
      'a module imported as ./apps.js (apps.ts), extensionless and from a parent folder',
      {
        'lib/apps.ts': "import type { X } from 'p7apps';\nimport { suffix } from '../shared/suffix';\nexport const name: string = 'a' + suffix;\n",
        'shared/suffix.ts': "export const suffix = '-b';\n",
        'p7apps.config.ts': `import { defineConfig } from 'p7apps';\nimport { name } from './lib/apps.js';\nexport default defineConfig({ apps: [${APP('name')}] });\n`,
      },
    ],
    [
      'modules run in import order, each once, a module imported twice being one module',
      {
        'order.mjs': 'export const seen = [];\n',
        'a.ts': "import { seen } from './order.mjs';\nseen.push('a');\nexport const a = 1;\n",
        'b.ts': "import { seen } from './order.mjs';\nimport './a';\nseen.push('b');\nexport const b = 2;\n",
        'p7apps.config.ts': `import './b';\nimport { a } from './a.js';\nimport { seen } from './order.mjs';\nexport default { apps: [${APP("seen.join('') + a")}] };\n`,
      },
    ],
    [
      "re-exports, Node's built-ins by either name, top-level await and an enum",
      {
        'names.ts': "export enum Kind { Solver = 'solver' }\nexport const Names = { prefix: 'n-' };\n",
        'again.ts': "export * from './names';\nexport { Kind as Sort } from './names';\n",
        'p7apps.config.ts': `import path from 'node:path';\nimport { sep } from 'path';\nimport { Kind, Names, Sort } from './again';\nconst late = await Promise.resolve(Kind.Solver);\nexport default { apps: [${APP("Names.prefix + late + path.basename('/x/y') + sep + Sort.Solver")}] };\n`,
      },
    ],
    [
      'a type-only import elided, with no tsconfig asking to keep it, and class fields under a tsconfig targeting ES2022',
      {
        'tsconfig.json': '{\n  // comments and trailing commas, as TypeScript allows\n  "compilerOptions": { "target": "ES2022", "strict": true, },\n}\n',
        'types.ts': 'export interface Shape { name: string }\nexport const unused = 1;\n',
        'p7apps.config.ts': `import { Shape } from './types';\nclass Box { name: string; constructor() { this.name = 'boxed'; } }\nconst shape: Shape = new Box();\nexport default { apps: [${APP('shape.name')}] };\n`,
      },
    ],
    [
      'a config function, and a JavaScript module beside the TypeScript one',
      {
        'lib/more.mjs': "export const more = (x) => x + '-more';\n",
        'p7apps.config.ts': `import { more } from './lib/more.mjs';\nexport default async () => ({ apps: [${APP("more('fn')")}] });\n`,
      },
    ],
  ])('%s: the value esbuild gives', async (_name, files) => {
    const root = await makeProject({ 'self.mjs': SELF, ...files });
    const file = path.join(root, 'p7apps.config.ts');
    const modules = compiled(file);
    const called = async (value: unknown) => (typeof value === 'function' ? await (value as () => unknown)() : value);
    expect(await called(await runModules(modules, root))).toEqual(await called(await runEsbuild(file, root)));
    // Every module run is among the files kept to check a compile made ahead of need against.
    for (const module of modules.modules) expect(modules.inputs!.get(module.file)?.toString('utf8')).toBe(files[path.relative(root, module.file)]);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['import.meta', { 'p7apps.config.ts': `export default { apps: [${APP('import.meta.url')}] };\n` }, /import\(\) or import\.meta/],
    ['import()', { 'p7apps.config.ts': `const { x } = await import('./x.js');\nexport default { apps: [] };\n`, 'x.ts': 'export const x = 1;\n' }, /import\(\)/],
    ['require', { 'p7apps.config.ts': `const x = require('./x.js');\nexport default { apps: [] };\n` }, /require, module/],
    ['__dirname', { 'p7apps.config.ts': `export default { apps: [${APP('__dirname')}] };\n` }, /__dirname/],
    ['a package', { 'p7apps.config.ts': `import { z } from 'zod';\nexport default { apps: [], z };\n` }, /"zod" is resolved by esbuild/],
    ['a JSON module', { 'p7apps.config.ts': `import data from './data.json' with { type: 'json' };\nexport default { apps: [], data };\n`, 'data.json': '{}' }, /attributes/],
    ['a .tsx module', { 'p7apps.config.ts': `import { x } from './x';\nexport default { apps: [], x };\n`, 'x.tsx': 'export const x = 1;\n' }, /\.tsx module/],
    ['a CommonJS module', { 'p7apps.config.ts': `import { x } from './x.cjs';\nexport default { apps: [], x };\n`, 'x.cjs': 'exports.x = 1;\n' }, /\.cjs module/],
    ['a folder imported (its index file)', { 'p7apps.config.ts': `import { x } from './lib';\nexport default { apps: [], x };\n`, 'lib/index.ts': 'export const x = 1;\n' }, /names no file/],
    ['an import cycle', { 'p7apps.config.ts': `import { a } from './a';\nexport default { apps: [], a };\n`, 'a.ts': "import { b } from './b';\nexport const a = () => b;\n", 'b.ts': "import { a } from './a';\nexport const b = () => a;\n" }, /cycle/],
    ['decorators', { 'p7apps.config.ts': `function d(x: unknown) { return x; }\n@d class C {}\nexport default { apps: [], c: C };\n` }, /decorators/],
    ['a script without import or export', { 'p7apps.config.ts': `import './side.js';\nexport default { apps: [] };\n`, 'side.js': 'globalThis.x = 1;\n' }, /no import or export/],
    ['a syntax error', { 'p7apps.config.ts': `export default { apps: [ };\n` }, /oxc reports an error/],
    [
      'an import TypeScript elides, under verbatimModuleSyntax',
      { 'tsconfig.json': '{"compilerOptions": {"verbatimModuleSyntax": true}}', 'p7apps.config.ts': `import { Shape } from './types';\nconst s: Shape = { n: 1 };\nexport default { apps: [] };\n`, 'types.ts': 'export interface Shape { n: number }\nexport {};\n' },
      /keeps imports/,
    ],
    [
      'a class field, under a tsconfig extending one that targets ES2020',
      { 'tsconfig.json': '{"extends": "./base"}', 'base.json': '{"compilerOptions": {"target": "ES2020"}}', 'p7apps.config.ts': `class C { x = 1; }\nexport default { apps: [], c: new C().x };\n` },
      /class fields assigned/,
    ],
    ['a TypeScript namespace', { 'p7apps.config.ts': `namespace Cfg { export const ws = 'W'; }\nnamespace Cfg { export const app = ws; }\nexport default { apps: [], app: Cfg.app };\n` }, /namespace/],
    ['`import {} from`, which esbuild drops', { 'p7apps.config.ts': `import { /* nothing */ } from './register';\nexport default { apps: [] };\n`, 'register.ts': 'globalThis.registered = true;\nexport type R = true;\n' }, /import \{\} from/],
    ['a tsconfig giving a key twice', { 'tsconfig.json': '{"compilerOptions": {"target": "ES2020"}, "compilerOptions": {"strict": true}}', 'p7apps.config.ts': 'class C { x = 1; }\nexport default { apps: [], x: new C().x };\n' }, /twice/],
    ['paths in a tsconfig', { 'tsconfig.json': '{"compilerOptions": {"paths": {"p7apps": ["./fake.ts"]}}}', 'p7apps.config.ts': `import { defineConfig } from 'p7apps';\nexport default defineConfig({ apps: [] });\n` }, /resolves imports/],
    ['a tsconfig extending a package by its name alone', { 'tsconfig.json': '{"extends": "@tsconfig/node20"}', 'p7apps.config.ts': 'export default { apps: [] };\n' }, /left to esbuild to find/],
    ['a tsconfig that is not JSON', { 'tsconfig.json': '{"compilerOptions": ', 'p7apps.config.ts': 'export default { apps: [] };\n' }, /not JSON/],
    ['a package.json with "sideEffects"', { 'package.json': '{"sideEffects": false}', 'p7apps.config.ts': 'export default { apps: [] };\n' }, /sideEffects/],
  ])('declines %s, before anything runs', async (_name, files, reason) => {
    const root = await makeProject(files);
    const result = compileInThread(path.join(root, 'p7apps.config.ts'));
    expect(result).toBeInstanceOf(ThreadCompileDeclined);
    expect((result as ThreadCompileDeclined).message).toMatch(reason);
  });

  it('declines a module reached through a symbolic link, and a module inside node_modules', async () => {
    const root = await makeProject({ 'real.ts': 'export const x = 1;\n', 'node_modules/dep/x.ts': 'export const y = 2;\n' });
    await symlink(path.join(root, 'real.ts'), path.join(root, 'linked.ts'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(root, 'p7apps.config.ts'), "import { x } from './linked';\nexport default { apps: [], x };\n");
    expect((compileInThread(path.join(root, 'p7apps.config.ts')) as Error).message).toMatch(/symbolic link/);
    await writeFile(path.join(root, 'p7apps.config.ts'), "import { y } from './node_modules/dep/x';\nexport default { apps: [], y };\n");
    expect((compileInThread(path.join(root, 'p7apps.config.ts')) as Error).message).toMatch(/inside node_modules/);
  });

  it('declines a module reached through a symbolic link to its folder (Node and esbuild name it by its real path)', async () => {
    const root = await makeProject({ 'real/counter.ts': 'export const state = { n: 0 };\n', 'p7apps.config.ts': "import { state } from './link/counter';\nexport default { apps: [], state };\n" });
    await symlink(path.join(root, 'real'), path.join(root, 'link'));
    expect((compileInThread(path.join(root, 'p7apps.config.ts')) as Error).message).toMatch(/symbolic link/);
  });

  it.runIf(typeof (Module as { registerHooks?: unknown }).registerHooks !== 'function')('declines, where each data: URL holds those it imports, a graph whose URLs would grow far past its code', async () => {
    // Each module imports the two before it: the text of the first is copied once per path to it.
    const files: Record<string, string> = { 'm0.ts': 'export const v0 = 0;\n', 'm1.ts': "import { v0 } from './m0';\nexport const v1 = v0 + 1;\n" };
    for (let n = 2; n <= 20; n += 1) files[`m${n}.ts`] = `import { v${n - 1} } from './m${n - 1}';\nimport { v${n - 2} } from './m${n - 2}';\nexport const v${n} = v${n - 1} + v${n - 2};\n`;
    const root = await makeProject({ ...files, 'p7apps.config.ts': "import { v20 } from './m20';\nexport default { apps: [], v20 };\n" });
    expect((compileInThread(path.join(root, 'p7apps.config.ts')) as Error).message).toMatch(/too deeply/);
    // A short chain is taken.
    const short = await makeProject({ 'm0.ts': files['m0.ts']!, 'm1.ts': files['m1.ts']!, 'p7apps.config.ts': "import { v1 } from './m1';\nexport default { apps: [], v1 };\n" });
    expect(compileInThread(path.join(short, 'p7apps.config.ts'))).not.toBeInstanceOf(ThreadCompileDeclined);
  });

  it("keeps what oxc's define would drop as having no effect: the same value as esbuild's", async () => {
    const root = await makeProject({
      'self.mjs': SELF,
      'p7apps.config.ts': `const apps: unknown[] = [];\nconst register = { toString() { apps.push(${APP("'registered'")}); return 'r'; } };\nconst label = String(register);\nexport default { apps };\n`,
    });
    const file = path.join(root, 'p7apps.config.ts');
    const value = await runModules(compiled(file), root);
    expect(value).toEqual(await runEsbuild(file, root));
    expect((value as { apps: unknown[] }).apps).toHaveLength(1);
  });

  it('does not take a free name for a property, a string or a binding of its own', async () => {
    const root = await makeProject({
      'self.mjs': SELF,
      'p7apps.config.ts': `const module = { exports: 'mine' };\nconst text = 'this module requires nothing (__dirname)';\nexport default { apps: [${APP("module.exports + ({ require: 1 }).require + text.length")}] };\n`,
    });
    const file = path.join(root, 'p7apps.config.ts');
    expect(await runModules(compiled(file), root)).toEqual(await runEsbuild(file, root));
  });
});

describe("a tsconfig's settings that change esbuild's output", () => {
  it.each<[string, string, unknown]>([
    ['comments of both kinds and trailing commas', '{ // a\n "a": [1, 2, /* b */], "c": "/* kept */ // kept",\n}', { a: [1, 2], c: '/* kept */ // kept' }],
    ['a byte order mark and an escaped quote', '\uFEFF{"a": "x\\"y//z"}', { a: 'x"y//z' }],
    ['a lone slash', '{"a": 1 / 2}', UnreadableSettings],
    ['a comment never closed', '{"a": 1 /* open', UnreadableSettings],
  ])('JSON with comments: %s', (_name, text, expected) => {
    if (expected === UnreadableSettings) expect(() => parseJsonWithComments(text)).toThrow(UnreadableSettings);
    else expect(parseJsonWithComments(text)).toEqual(expected);
  });

  it.each<[string, Record<string, string>, object]>([
    ['no tsconfig: esbuild defaults', {}, { keepsImports: false, assignsClassFields: false, resolvesImports: false }],
    ['verbatimModuleSyntax', { 'tsconfig.json': '{"compilerOptions": {"verbatimModuleSyntax": true}}' }, { keepsImports: true }],
    ['importsNotUsedAsValues "remove" keeps nothing', { 'tsconfig.json': '{"compilerOptions": {"importsNotUsedAsValues": "remove"}}' }, { keepsImports: false }],
    ['a target before ES2022', { 'tsconfig.json': '{"compilerOptions": {"target": "es2021"}}' }, { assignsClassFields: true }],
    ['a target before ES2022 with useDefineForClassFields', { 'tsconfig.json': '{"compilerOptions": {"target": "es2019", "useDefineForClassFields": true}}' }, { assignsClassFields: false }],
    ['ESNext', { 'tsconfig.json': '{"compilerOptions": {"target": "ESNext"}}' }, { assignsClassFields: false }],
    ['a jsconfig.json', { 'jsconfig.json': '{"compilerOptions": {"baseUrl": "."}}' }, { resolvesImports: true }],
    ['a package file extended, overridden by the extending file', { 'tsconfig.json': '{"extends": ["@scope/base/tsconfig.json"], "compilerOptions": {"target": "es2022"}}', 'node_modules/@scope/base/tsconfig.json': '{"compilerOptions": {"target": "es2017", "moduleSuffixes": [".ios", ""]}}' }, { assignsClassFields: false, resolvesImports: true }],
  ])('%s', async (_name, files, expected) => {
    const root = await makeProject({ 'sub/.keep': '', ...files });
    const read = new Map<string, Buffer>();
    expect(emitSettingsFor(path.join(root, 'sub'), read)).toMatchObject(expected);
    for (const name of Object.keys(files)) expect(read.has(path.join(root, name))).toBe(true);
  });

  it('an extends cycle and a FIFO are unreadable, not followed', async () => {
    const root = await makeProject({ 'tsconfig.json': '{"extends": "./a.json"}', 'a.json': '{"extends": "./tsconfig.json"}' });
    expect(() => emitSettingsFor(root, new Map())).toThrow(/too many/);
    const fifoRoot = await makeProject({});
    execFileSync('mkfifo', [path.join(fifoRoot, 'tsconfig.json')]);
    expect(() => emitSettingsFor(fifoRoot, new Map())).toThrow(/not a regular file/);
  });
});

describe('loading a config compiled in the thread', () => {
  it('leaves modules Node rejects before they run (an import no module exports) to esbuild, each module running once', async () => {
    const root = await makeProject({
      'apps.ts': "globalThis.appsRuns = (globalThis.appsRuns ?? 0) + 1;\nif (globalThis.appsRuns > 1) throw new Error('apps ran twice');\nexport const name = 'linked';\n",
      'p7apps.config.ts': `import { name, missing } from './apps';\nexport default { apps: [${APP('name + String(missing)')}] };\n`,
    });
    expect(compileInThread(path.join(root, 'p7apps.config.ts'))).not.toBeInstanceOf(ThreadCompileDeclined);
    const desired = await loadConfig({ cwd: root });
    // esbuild's bundle gives an import no module exports as undefined, as it did before this compile.
    expect(desired.apps[0]?.name).toBe('linkedundefined');
  });

  it('runs a config that fails while running once, and reports its error', async () => {
    const root = await makeProject({ 'p7apps.config.ts': "globalThis.__runs = (globalThis.__runs ?? 0) + 1;\nif (globalThis.__runs > 1) throw new Error('ran twice');\nJSON.parse('{');\nexport default { apps: [] };\n" });
    const error = await configError({ cwd: root });
    expect(error.message).not.toMatch(/ran twice/);
    // Thrown by the config, not a syntax error of a module.
    expect(error.message).toMatch(/the file threw an error while loading: .*JSON/);
  });

  it('takes the whole p7apps entry for a name only it exports', async () => {
    const root = await makeProject({ 'p7apps.config.ts': `import { defineConfig, isRunEnded } from 'p7apps';\nexport default defineConfig({ apps: [${APP("typeof isRunEnded")}] });\n` });
    expect((await loadConfig({ cwd: root })).apps[0]?.name).toBe('function');
  });

  it("the CLI loads it without esbuild: esbuild's module, which reads ESBUILD_BINARY_PATH as it loads, is never loaded", async () => {
    const root = await makeProject({
      'apps.ts': "import type { AppConfig } from 'p7apps';\nexport const apps: AppConfig[] = [{ name: 'one', workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }];\n",
      'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nimport { apps } from './apps.js';\nexport default defineConfig({ apps });\n",
    });
    const run = spawnSync(process.execPath, [CLI, 'validate'], { cwd: root, encoding: 'utf8', env: { ...process.env, ESBUILD_BINARY_PATH: path.join(root, 'no-esbuild'), NO_COLOR: '1' } });
    expect(run.stdout).toMatch(/^Valid: 1 app, 1 version/);
    expect(run.status).toBe(0);
    // esbuild's module, loaded, says it ignores the path (and then uses its own executable).
    expect(run.stderr).toBe('');
  });
});
