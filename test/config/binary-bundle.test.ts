// A config compiled by esbuild's executable (src/config/binary-bundle.ts),
// which the config worker started ahead of need uses: the same config as
// the plugin's bundle (src/config/config-bundle.ts) gives, every file it
// holds as read, and each case it cannot run as the plugin's would declined,
// before any of the config runs. The process never outlives its build.

import { execFileSync } from 'node:child_process';
import { chmod, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BinaryDeclined, bundleFromOutput, esbuildExecutable, isNativeExecutable, startBinaryBundle } from '../../src/config/binary-bundle.js';
import { bundleConfig, importBundle, type ConfigBundle } from '../../src/config/config-bundle.js';
import { bundleTokens } from '../../src/config/sandbox.js';
import { makeProject } from './project.js';

const APP = (name: string) => `{ name: ${name}, workspace: 'W', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }`;
const SELF = 'export const defineConfig = (config) => ({ ...config, self: true });\n';

/** The config `bundle` exports, run from memory with `self.mjs` of `root` as p7apps. */
async function run(bundle: ConfigBundle, root: string): Promise<unknown> {
  const self = pathToFileURL(path.join(root, 'self.mjs')).href;
  return ((await importBundle(bundle, self, self)) as { default: unknown }).default;
}

async function binaryBundle(file: string): Promise<ConfigBundle | BinaryDeclined> {
  return startBinaryBundle(file, bundleTokens()).result;
}

describe("esbuild's executable", () => {
  it('is found beside the esbuild installed with tsx, as a native executable', () => {
    const executable = esbuildExecutable({});
    expect(executable).toBeDefined();
    expect(isNativeExecutable(executable!)).toBe(true);
  });

  it('is not used when ESBUILD_BINARY_PATH chooses another', () => {
    expect(esbuildExecutable({ ESBUILD_BINARY_PATH: '/opt/esbuild' })).toBeUndefined();
  });

  it.each<[string, string | Buffer, boolean]>([
    ['a JavaScript launcher', '#!/usr/bin/env node\nrequire("./main");\n', false],
    ['an empty file', '', false],
    ['an ELF executable', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), true],
    ['a Mach-O executable', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), true],
  ])('%s: native %s', async (_name, content, native) => {
    const dir = await makeProject({});
    const file = path.join(dir, 'esbuild');
    await writeFile(file, content);
    await chmod(file, 0o755);
    expect(isNativeExecutable(file)).toBe(native);
  });

  it('a FIFO is never opened for a blocking read, and is no executable', async () => {
    const dir = await makeProject({});
    const fifo = path.join(dir, 'esbuild');
    execFileSync('mkfifo', [fifo]);
    expect(isNativeExecutable(fifo)).toBe(false);
  });
});

describe('a config compiled by the executable gives what the plugin bundle gives', () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'TypeScript importing a local module without its extension, and JSON',
      {
        'lib/apps.ts': `import extra from './extra.json';\nexport type Name = string;\nexport const first: Name = extra.first;\n`,
        'lib/extra.json': '{"first": "from-json"}',
        'p7apps.config.ts': `import { defineConfig } from 'p7apps';\nimport { first, type Name } from './lib/apps';\nconst name: Name = first;\nexport default defineConfig({ apps: [${APP('name')}] });\n`,
      },
      'p7apps.config.ts',
    ],
    [
      "the config's own import.meta.url, dirname and filename, __dirname and __filename",
      {
        'package.json': '{"type": "module"}',
        'p7apps.config.ts': `import { fileURLToPath } from 'node:url';\nexport default { apps: [${APP("[fileURLToPath(import.meta.url), import.meta.dirname, import.meta.filename, __dirname, __filename].join('|')")}] };\n`,
      },
      'p7apps.config.ts',
    ],
    [
      'a CommonJS module of its own, required',
      { 'lib/names.cjs': 'exports.first = "from-cjs";\n', 'p7apps.config.ts': `const { first } = require('./lib/names.cjs');\nexport default { apps: [${APP('first')}] };\n` },
      'p7apps.config.ts',
    ],
    [
      'the ES module idiom for __dirname, a binding of its own',
      {
        'package.json': '{"type": "module"}',
        'p7apps.config.ts': `import { dirname } from 'node:path';\nimport { fileURLToPath } from 'node:url';\nconst __dirname = dirname(fileURLToPath(import.meta.url));\nexport default { apps: [${APP('__dirname')}] };\n`,
      },
      'p7apps.config.ts',
    ],
    ['a top-level await', { 'p7apps.config.mts': `const name = await Promise.resolve('awaited');\nexport default { apps: [${APP('name')}] };\n` }, 'p7apps.config.mts'],
    [
      "Node's built-ins, with and without node:",
      { 'p7apps.config.ts': `import path from 'path';\nimport { sep } from 'node:path';\nexport default { apps: [${APP("path.join('a', 'b') + sep")}] };\n` },
      'p7apps.config.ts',
    ],
    ['an async config function', { 'p7apps.config.mjs': `import { defineConfig } from 'p7apps';\nexport default async () => defineConfig({ apps: [${APP("'async'")}] });\n` }, 'p7apps.config.mjs'],
    // The bundle's own first lines go after the hashbang, which must stay first.
    ['a hashbang line', { 'p7apps.config.mjs': `#!/usr/bin/env node\nimport { defineConfig } from 'p7apps';\nexport default defineConfig({ apps: [${APP("'hashbang'")}] });\n` }, 'p7apps.config.mjs'],
  ])('%s', async (_name, files, config) => {
    const root = await makeProject({ ...files, 'self.mjs': SELF });
    const file = path.join(root, config);
    const binary = await binaryBundle(file);
    expect(binary).not.toBeInstanceOf(BinaryDeclined);
    const plugin = await bundleConfig(file, bundleTokens());
    const [fromBinary, fromPlugin] = [await run(binary as ConfigBundle, root), await run(plugin, root)];
    const value = typeof fromBinary === 'function' ? await (fromBinary as () => Promise<unknown>)() : fromBinary;
    const expected = typeof fromPlugin === 'function' ? await (fromPlugin as () => Promise<unknown>)() : fromPlugin;
    expect(value).toEqual(expected);
    expect(JSON.stringify(value)).not.toContain('undefined');
  });

  it('holds every file compiled into it, exactly as read', async () => {
    const files = {
      'lib/apps.ts': "import extra from './extra.json';\nexport const apps = [extra];\n",
      'lib/extra.json': '{"name": "é"}',
      'p7apps.config.ts': "import { apps } from './lib/apps';\nexport default { apps };\n",
    };
    const root = await makeProject(files);
    const binary = (await binaryBundle(path.join(root, 'p7apps.config.ts'))) as ConfigBundle;
    expect(Object.fromEntries([...binary.inputs!].map(([file, bytes]) => [path.relative(root, file), bytes.toString('utf8')]))).toEqual(files);
  });
});

describe('what the executable declines, the plugin compiles', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a package import',
      {
        'node_modules/catalog-names/package.json': '{"name": "catalog-names", "main": "index.js"}',
        'node_modules/catalog-names/index.js': 'exports.first = "from-package";\n',
        'p7apps.config.ts': `import { first } from 'catalog-names';\nexport default { apps: [${APP('first')}] };\n`,
      },
      /the package import "catalog-names"/,
    ],
    ['a subpath of p7apps', { 'p7apps.config.ts': "import { defineConfig } from 'p7apps/config';\nexport default defineConfig({ apps: [] });\n" }, /the package import "p7apps-self-[0-9a-f]+\/config"/],
    ["a subpath of p7apps, required", { 'p7apps.config.ts': "const { defineConfig } = require('p7apps/config');\nexport default defineConfig({ apps: [] });\n" }, /the package import "p7apps-self-[0-9a-f]+\/config"/],
    [
      'a package required by a module of its own, from a node_modules of its folder',
      {
        'lib/node_modules/catalog-names/package.json': '{"name": "catalog-names", "main": "index.js"}',
        'lib/node_modules/catalog-names/index.js': 'exports.first = "from-package";\n',
        'lib/names.cjs': "exports.first = require('catalog-names').first;\n",
        'p7apps.config.ts': `const { first } = require('./lib/names.cjs');\nexport default { apps: [${APP('first')}] };\n`,
      },
      /the package import "catalog-names"/,
    ],
    ["require('p7apps')", { 'p7apps.config.cts': "const { defineConfig } = require('p7apps');\nmodule.exports = defineConfig({ apps: [] });\n" }, /require\('p7apps'\)/],
    ['import.meta beyond url, dirname and filename', { 'p7apps.config.mts': 'export default { apps: [], resolves: typeof import.meta.resolve };\n' }, /import\.meta beyond/],
    [
      'import.meta.url in a module of its own',
      { 'lib/where.ts': 'export const where = import.meta.url;\n', 'p7apps.config.ts': "import { where } from './lib/where';\nexport default { apps: [], where };\n" },
      /lib\/where\.ts uses import\.meta, __dirname or __filename/,
    ],
    [
      'import.meta.url in a module of its own, written with a space inside',
      { 'lib/where.ts': 'export const where = import\n  .meta.url;\n', 'p7apps.config.ts': "import { where } from './lib/where';\nexport default { apps: [], where };\n" },
      /lib\/where\.ts uses import\.meta, __dirname or __filename/,
    ],
    ['__dirname in a module of its own', { 'lib/where.cjs': 'exports.where = __dirname;\n', 'p7apps.config.ts': "const { where } = require('./lib/where.cjs');\nexport default { apps: [], where };\n" }, /lib\/where\.cjs uses/],
    ['an import() of a computed name', { 'p7apps.config.ts': "const load = (name: string) => import(name);\nexport default async () => ({ apps: (await load('./more.js')).apps });\n" }, /the config imports a module whose name is computed/],
    ['a syntax error', { 'p7apps.config.ts': 'export default {\n  apps: [}\n' }, /esbuild reported an error/],
    ['a local module that is missing', { 'p7apps.config.ts': "import { apps } from './missing';\nexport default { apps };\n" }, /esbuild reported an error/],
    ['a path the command line would read as an output name', { 'a=b/p7apps.config.ts': 'export default { apps: [] };\n' }, /command line would not read this path/],
    ['a path the command line would expand as a pattern', { 'a*b/p7apps.config.ts': 'export default { apps: [] };\n' }, /command line would not read this path/],
  ])('%s', async (_name, files, why) => {
    const root = await makeProject(files);
    const config = Object.keys(files).find((name) => /p7apps\.config\.[cm]?ts$/.test(name))!;
    const declined = await binaryBundle(path.join(root, config));
    expect(declined).toBeInstanceOf(BinaryDeclined);
    expect((declined as BinaryDeclined).reason).toMatch(why);
  });

  it.each<[string, string]>([
    ['a folder that is a symbolic link', 'linked/p7apps.config.ts'],
    ['a config that is a symbolic link', 'elsewhere/p7apps.config.ts'],
  ])('a path through %s: declined (Node, and the plugin, give each module its real path)', async (_name, config) => {
    const root = await makeProject({
      'real/lib/names.ts': "export const first = 'A';\n",
      'real/p7apps.config.ts': `import { first } from './lib/names';\nexport default { apps: [${APP('first')}], where: __dirname };\n`,
      'elsewhere/keep': '',
    });
    await symlink(path.join(root, 'real'), path.join(root, 'linked'));
    await symlink(path.join(root, 'real/p7apps.config.ts'), path.join(root, 'elsewhere/p7apps.config.ts'));
    const declined = await binaryBundle(path.join(root, config));
    expect(declined).toBeInstanceOf(BinaryDeclined);
    expect((declined as BinaryDeclined).reason).toMatch(/symbolic link/);
  });

  it('a tsconfig.json beside the config that is a FIFO: declined without starting esbuild', async () => {
    const root = await makeProject({ 'p7apps.config.ts': 'export default { apps: [] };\n' });
    execFileSync('mkfifo', [path.join(root, 'tsconfig.json')]);
    const build = startBinaryBundle(path.join(root, 'p7apps.config.ts'), bundleTokens());
    expect(build.pid).toBeUndefined();
    expect(await build.result).toMatchObject({ reason: /beside the config is not a regular file/ });
  });

  it('a FIFO among the modules it imports: stopped at the deadline, the process gone', async () => {
    const root = await makeProject({ 'p7apps.config.ts': "import { apps } from './apps';\nexport default { apps };\n" });
    execFileSync('mkfifo', [path.join(root, 'apps.ts')]);
    const build = startBinaryBundle(path.join(root, 'p7apps.config.ts'), bundleTokens(), { deadlineMs: 300 });
    expect(build.pid).toBeDefined();
    expect(await build.result).toMatchObject({ reason: 'esbuild did not finish in time' });
    expect(() => process.kill(build.pid!, 0)).toThrow();
  });

  it('stop() ends a build still running', async () => {
    const root = await makeProject({ 'p7apps.config.ts': "import { apps } from './apps';\nexport default { apps };\n" });
    execFileSync('mkfifo', [path.join(root, 'apps.ts')]);
    const build = startBinaryBundle(path.join(root, 'p7apps.config.ts'), bundleTokens());
    await build.stop();
    expect(await build.result).toMatchObject({ reason: 'stopped' });
    expect(() => process.kill(build.pid!, 0)).toThrow();
  });

  it.each<[string, string]>([
    ['no source map', 'export default {};\n'],
    ['a source map that is not JSON', 'export default {};\n//# sourceMappingURL=data:application/json;base64,bm90IGpzb24=\n'],
    ['a source map without the contents', `export default {};\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ sources: ['p7apps.config.ts'] })).toString('base64')}\n`],
    ['a source map without the config', `export default {};\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ sources: ['other.ts'], sourcesContent: ['x'] })).toString('base64')}\n`],
  ])('output with %s: declined', (_name, output) => {
    expect(bundleFromOutput(output, '/p/p7apps.config.ts', bundleTokens())).toBeInstanceOf(BinaryDeclined);
  });
});
