// Finding and loading the config: every supported file, the search and its
// limits, --config, TypeScript configs (functions, failures, fresh contents
// on every load, read-only checkouts) and `import ... from 'p7apps'`.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigIssue } from '../../src/config/errors.js';
import { SEARCH_PLACES } from '../../src/config/find.js';
import { configTimeoutFromEnv, DEFAULT_CONFIG_TIMEOUT_MS, loadConfig } from '../../src/config/load.js';
import { configError, listTree, makeProject } from './project.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const APP = { name: 'Toy app', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }] };
const APP_JSON = JSON.stringify(APP);
const APP_YAML = 'apps:\n  - name: Toy app\n    workspace: Toy apps\n    versions:\n      - { version: 1, workflow: /Users/1/ToyWorkflow.p7wf }\n';
const APP_TS = `const workspace: string = 'Toy apps';\nexport default { apps: [{ ...${APP_JSON}, workspace }] };\n`;

/** A file of each kind, in a directory without package.json, so .js and .ts are CommonJS there. */
function contentFor(place: string): string {
  if (place === 'package.json') return JSON.stringify({ name: 'catalog', private: true, p7apps: { apps: [APP] } });
  if (/\.m?ts$/.test(place)) return APP_TS;
  if (place.endsWith('.mjs')) return `export default { apps: [${APP_JSON}] };\n`;
  if (/\.c?js$/.test(place)) return `module.exports = { apps: [${APP_JSON}] };\n`;
  if (place.endsWith('.json')) return JSON.stringify({ apps: [APP] });
  return APP_YAML;
}

describe('the search finds every kind of config file', () => {
  it.each(SEARCH_PLACES)('%s, from a subdirectory', async (place) => {
    const root = await makeProject({ [place]: contentFor(place), 'workflows/notes/README': 'x' });
    const desired = await loadConfig({ cwd: path.join(root, 'workflows/notes') });
    expect(desired.configPath).toBe(path.join(root, place));
    expect(desired.apps).toEqual([{ name: 'Toy app', workspace: { name: 'Toy apps' }, versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }] }]);
  });

  it('places problems in package.json under its "p7apps" key', async () => {
    const root = await makeProject({ 'package.json': JSON.stringify({ name: 'catalog', p7apps: { apps: [{ ...APP, allowcopy: true }] } }) });
    const err = await configError({ cwd: root });
    expect(err.message).toBe('package.json: p7apps.apps["Toy app"].allowcopy: unknown key; did you mean "allowCopy"?');
  });

  it('passes over a package.json without a "p7apps" key', async () => {
    const root = await makeProject({ 'p7apps.config.yaml': APP_YAML, 'tools/package.json': '{"name": "tools"}' });
    expect((await loadConfig({ cwd: path.join(root, 'tools') })).configPath).toBe(path.join(root, 'p7apps.config.yaml'));
  });

  it('stops at the root of the git repository', async () => {
    const outer = await makeProject({ 'p7apps.config.yaml': APP_YAML, 'repo/src/README': 'x' }, { git: false });
    await mkdir(path.join(outer, 'repo/.git'));
    const err = await configError({ cwd: path.join(outer, 'repo/src') });
    expect(err.issues).toEqual([
      {
        file: path.join(outer, 'repo/src'),
        path: '',
        message: `no p7apps config file here or in the directories above up to ${path.join(outer, 'repo')} (the root of the git repository, where the search stops); create p7apps.config.ts (or .yaml, .json, a "p7apps" key in package.json, ...) or pass --config PATH`,
      },
    ]);
  });

  it('stops at the home directory', async () => {
    const home = await makeProject({ 'projects/catalog/README': 'x' }, { git: false });
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const err = await configError({ cwd: path.join(home, 'projects/catalog') });
      expect(err.issues[0]?.message).toMatch(new RegExp(`^no p7apps config file here or in the directories above up to ${home} \\(the home directory, where the search stops\\);`));
    } finally {
      process.env.HOME = saved;
    }
  });

  it('refuses to guess between two config files in one directory', async () => {
    const root = await makeProject({ 'p7apps.config.ts': APP_TS, '.p7appsrc.yaml': APP_YAML });
    const err = await configError({ cwd: root });
    expect(err.message).toBe(`p7apps.config.ts: more than one config file in ${root} (p7apps.config.ts, .p7appsrc.yaml); keep one, or choose with --config PATH`);
  });
});

describe('--config names the file', () => {
  it.each(['elsewhere/catalog.yaml', 'ELSEWHERE'])('relative to the working directory or absolute: %s', async (given) => {
    const root = await makeProject({ 'elsewhere/catalog.yaml': APP_YAML, 'p7apps.config.json': '{"apps": []}' });
    const configPath = given === 'ELSEWHERE' ? path.join(root, 'elsewhere/catalog.yaml') : given;
    const desired = await loadConfig({ cwd: root, configPath });
    expect(desired.configPath).toBe(path.join(root, 'elsewhere/catalog.yaml'));
    expect(desired.apps).toHaveLength(1);
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['a missing file', {}, 'nope.ts', 'nope.ts: config file not found'],
    ['a directory', { 'catalog/p7apps.config.yaml': APP_YAML }, 'catalog', 'catalog: this is a directory; --config takes the path of the config file'],
    ['an unsupported kind of file', { 'catalog.toml': 'apps = []' }, 'catalog.toml', 'catalog.toml: unsupported config file type ".toml"; use one of .ts, .mts, .js, .mjs, .cjs, .json, .yaml, .yml'],
    ['a package.json without the key', { 'package.json': '{"name": "x"}' }, 'package.json', 'package.json: package.json has no "p7apps" key'],
  ])('%s is a clear error', async (_name, files, configPath, message) => {
    const root = await makeProject(files);
    expect((await configError({ cwd: root, configPath })).message).toBe(message);
  });
});

describe('a file that is not a config says so, with the line where it can', () => {
  it.each<[string, string, string, { line?: number; column?: number; path?: string; message: string }]>([
    // The example is in the file's own format.
    ['an empty file', 'p7apps.config.ts', '', { message: "the file is empty; declare the config in it, e.g. `import { defineConfig } from 'p7apps'` and `export default defineConfig({ apps: [] })`" }],
    ['an empty ES module', 'p7apps.config.mjs', '', { message: "the file is empty; declare the config in it, e.g. `import { defineConfig } from 'p7apps'` and `export default defineConfig({ apps: [] })`" }],
    ['an empty CommonJS file', 'p7apps.config.cjs', '\n', { message: 'the file is empty; declare the config in it, e.g. `module.exports = { apps: [] }`' }],
    ['an empty JSON file', 'p7apps.config.json', '', { message: 'the file is empty; declare the config in it, e.g. `{ "apps": [] }`' }],
    ['a file of blanks', 'p7apps.config.yaml', '\n  \n', { message: 'the file is empty; declare the config in it, e.g. `apps: []`' }],
    ['an empty rc file (YAML)', '.p7appsrc', '', { message: 'the file is empty; declare the config in it, e.g. `apps: []`' }],
    ['a YAML file of comments only', 'p7apps.config.yaml', '# nothing yet\n', { message: 'expected the config to be an object with an "apps" list, got null' }],
    ['a binary file', 'p7apps.config.json', '\u0000\u0001\u0002PNG', { message: 'this is not a text file (binary content or invalid UTF-8)' }],
    ['a YAML syntax error', 'p7apps.config.yaml', 'apps:\n  - name: Toy app\n    versions: [1, 2\n', { line: 4, column: 1, message: 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]' }],
    ['a YAML key given twice', 'p7apps.config.yaml', 'apps: []\napps: []\n', { line: 2, column: 1, message: 'invalid YAML: Map keys must be unique' }],
    ['a JSON syntax error', 'p7apps.config.json', '{\n  "apps": [\n    { "name": "Toy app", }\n  ]\n}\n', { line: 3, column: 24, message: "invalid JSON: a trailing comma before '}' is not allowed in JSON" }],
    ['JSON with a bare key', 'p7apps.config.json', '{\n  apps: []\n}\n', { line: 2, column: 3, message: 'invalid JSON: expected a property name in double quotes' }],
    ['JSON cut short', 'p7apps.config.json', '{"apps": [', { line: 1, column: 11, message: 'invalid JSON: unexpected end of file' }],
    // Found by an adversarial review: JSON.parse kept the last, and the second "apps" of a diff emptied the catalog.
    [
      'a JSON key given twice',
      'p7apps.config.json',
      '{\n  "apps": [{ "name": "Toy app" }],\n  "apps": []\n}\n',
      { line: 3, column: 3, message: 'the key "apps" is given twice in one object (first at line 2); JSON keeps only the last, so remove one' },
    ],
    [
      'a JSON key given twice inside the "p7apps" key of package.json',
      'package.json',
      '{\n  "name": "catalog",\n  "p7apps": {\n    "apps": [{ "name": "Toy app" }],\n    "apps": []\n  }\n}\n',
      { line: 5, column: 5, message: 'the key "apps" is given twice in one object (first at line 4); JSON keeps only the last, so remove one' },
    ],
    [
      'a JSON key given twice, once escaped',
      'p7apps.config.json',
      '{"apps": [{"name": "A", "n\\u0061me": "B"}]}',
      { line: 1, column: 25, message: 'the key "name" is given twice in one object (first at line 1); JSON keeps only the last, so remove one' },
    ],
    ['a TypeScript syntax error', 'p7apps.config.ts', 'const apps = [];\nexport default {\n  apps: [ , apps;\n};\n', { line: 3, column: 17, message: 'syntax error: Expected "]" but found ";"' }],
    ['a JavaScript syntax error in an ES module', 'p7apps.config.mjs', 'export default {\n  apps: [}\n', { line: 2, column: 10, message: 'syntax error: Unexpected "}"' }],
    ['a syntax error in an .mts config (tsx names it as its .ts twin)', 'p7apps.config.mts', 'export default {\n  apps: [}\n', { line: 2, column: 10, message: 'syntax error: Unexpected "}"' }],
    ['a TypeScript file that throws', 'p7apps.config.ts', 'const apps: unknown[] = [];\nif (apps.length === 0) throw new Error("no apps listed in catalog.csv");\nexport default { apps };\n', { message: 'the file threw an error while loading: no apps listed in catalog.csv' }],
    ['a TypeScript file without a default export', 'p7apps.config.ts', 'export const apps = [];\n', { message: 'the file exports no config: write `export default defineConfig({ apps: [...] })`' }],
    ['a config whose values throw when read', 'p7apps.config.ts', 'export default { get apps(): unknown[] { throw new Error("catalog.csv is locked"); } };\n', { path: 'apps', message: 'reading this value failed: catalog.csv is locked' }],
    ['an import that does not exist', 'p7apps.config.ts', 'import { apps } from "./apps.js";\nexport default { apps };\n', { message: 'an import cannot be found: ./apps.js; check the path, relative to the file that imports it, and its extension' }],
    ['an ES module importing a file that does not exist', 'p7apps.config.mjs', 'import { apps } from "./lib/apps.mjs";\nexport default { apps };\n', { message: 'an import cannot be found: ./lib/apps.mjs; check the path, relative to the file that imports it, and its extension' }],
    ['a package that is not installed', 'p7apps.config.ts', 'import { apps } from "@acme/catalog/apps";\nexport default { apps };\n', { message: 'an import cannot be found: the package "@acme/catalog" is not installed where the config is; install it there (npm install @acme/catalog)' }],
  ])('%s', async (_name, file, content, expected) => {
    const root = await makeProject({ [file]: content });
    const err = await configError({ cwd: root });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues).toEqual([{ file, path: '', ...expected }]);
  });

  it('says a YAML file nested thousands deep is nested too deeply, not that the stack overflowed', async () => {
    const root = await makeProject({ 'p7apps.config.yaml': `apps: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n` });
    const [issue, ...more] = (await configError({ cwd: root })).issues;
    expect(more).toEqual([]);
    expect(issue).toMatchObject({ file: 'p7apps.config.yaml', path: '', message: 'invalid YAML: nested too deeply to read; no config needs more than a few levels', line: 1 });
  });

  it('shows file:line:column in the message', async () => {
    const root = await makeProject({ 'p7apps.config.ts': 'export default {\n  apps: [}\n' });
    expect((await configError({ cwd: root })).message).toBe('p7apps.config.ts:2:10: syntax error: Unexpected "}"');
    expect(formatConfigIssue({ file: 'a.yaml', path: 'apps[0]', message: 'm', line: 3 })).toBe('a.yaml:3: apps[0]: m');
  });
});

describe('a config may be a function', () => {
  const apps = `[{ name: 'Toy app', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/F.p7wf' }] }]`;
  it.each([
    ['a function', `export default () => ({ apps: ${apps} });`],
    ['an async function', `export default async () => { await new Promise((r) => setTimeout(r, 5)); return { apps: ${apps} }; };`],
    ['a promise', `export default Promise.resolve({ apps: ${apps} });`],
    ['a CommonJS function', `module.exports = async () => ({ apps: ${apps} });`],
  ])('%s', async (_name, source) => {
    const file = source.startsWith('module') ? 'p7apps.config.cjs' : 'p7apps.config.mts';
    const root = await makeProject({ [file]: source });
    expect((await loadConfig({ cwd: root })).apps.map((app) => app.name)).toEqual(['Toy app']);
  });

  it.each([
    ['throws', 'export default () => { throw new Error("catalog.csv is missing"); };', 'the config function threw an error: catalog.csv is missing'],
    ['rejects', 'export default async () => { throw new Error("catalog.csv is missing"); };', 'the config function failed: catalog.csv is missing'],
    // Nothing is left that could settle the promise: said at once, without waiting for the time limit.
    ['never settles', 'export default () => new Promise(() => {});', "the config function's promise never settles: nothing is left running that could settle it; return the config object or a promise that resolves to it"],
    ['awaits, in an async function, what never settles', 'export default async () => await new Promise(() => {});', "the config function's promise never settles: nothing is left running that could settle it; return the config object or a promise that resolves to it"],
    ['returns nothing', 'export default () => {};', 'the file exports no config: write `export default defineConfig({ apps: [...] })`'],
    ['hangs at the top level', 'await new Promise(() => {});\nexport default {};', 'loading the file never finished: a top-level await waits for a promise that nothing can settle; make every promise it awaits resolve or reject'],
    ['calls process.exit', 'process.exit(3);\nexport default {};', 'the config stopped its own loading (process.exit(3)) before returning the config; a config must not call process.exit'],
  ])('that %s is a clear error', async (_name, source, message) => {
    const root = await makeProject({ 'p7apps.config.mts': source });
    // The default limit: none of these waits for it.
    expect((await configError({ cwd: root })).message).toBe(`p7apps.config.mts: ${message}`);
  });

  // Whether the limit strikes while the file compiles or once its function runs depends on the machine's speed.
  it.each([
    ['loops at the top level', 'while (true) {}\nexport default {};'],
    ['loops in the function', 'export default () => { for (;;) {} };'],
    ['waits longer than the limit', 'export default () => new Promise((resolve) => setTimeout(resolve, 600_000));'],
  ])('that %s is stopped at the time limit', async (_name, source) => {
    const root = await makeProject({ 'p7apps.config.mts': source });
    expect((await configError({ cwd: root, timeoutMs: 300 })).message).toMatch(
      /^p7apps\.config\.mts: .* within 300 ms.*; if it really needs longer, raise the limit with P7APPS_CONFIG_TIMEOUT_MS \(milliseconds; now 300\)$/,
    );
  });
});

it('leaves the keys of package.json outside "p7apps" to npm, given twice or not', async () => {
  const root = await makeProject({ 'package.json': '{"scripts": {"t": "a"}, "scripts": {"t": "b"}, "p7apps": {"apps": []}}' });
  expect((await loadConfig({ cwd: root })).apps).toEqual([]);
});

// Found by an adversarial review: reported as "the file threw an error while loading: Error parsing: …/package.json".
it.each([
  ['beside the config', { 'package.json': '{"type": "module",', 'p7apps.config.ts': 'export default { apps: [] };\n' }, './package.json'],
  [
    'beside a module it imports',
    { 'package.json': '{"type": "module"}', 'sub/package.json': '{"type": ', 'sub/apps.ts': 'export const apps = [];\n', 'p7apps.config.ts': "import { apps } from './sub/apps.ts';\nexport default { apps };\n" },
    './sub/package.json',
  ],
])('a package.json that is not JSON %s is named as the problem, not the config', async (_name, files, shown) => {
  const root = await makeProject(files);
  expect((await configError({ cwd: root })).message).toBe(`p7apps.config.ts: ${shown}, which Node reads to tell how to load the config, is not valid JSON; fix it`);
});

describe('every load sees the files as they are now', () => {
  it.each([
    ['p7apps.config.ts', (n: number) => `export default { apps: [], $schema: "v${n}" };`],
    ['p7apps.config.mjs', (n: number) => `export default { apps: [], $schema: "v${n}" };`],
    ['p7apps.config.cjs', (n: number) => `module.exports = { apps: [], $schema: "v${n}" };`],
    ['p7apps.config.js', (n: number) => `module.exports = { apps: [], $schema: "v${n}" };`],
  ])('%s edited between two loads', async (file, source) => {
    const root = await makeProject({ [file]: source(1) });
    const loadValue = async () => (await import('../../src/config/find.js')).findConfig({ cwd: root, timeoutMs: 30_000 });
    expect(((await loadValue()).value as { $schema: string }).$schema).toBe('v1');
    await writeFile(path.join(root, file), source(2));
    expect(((await loadValue()).value as { $schema: string }).$schema).toBe('v2');
  });

  it.each([
    ['an ES module project', { 'package.json': '{"type": "module"}', 'apps.ts': 'export const name = "v1";' }, 'apps.ts', 'import { name } from "./apps.js";'],
    ['a CommonJS project', { 'apps.cjs': 'exports.name = "v1";' }, 'apps.cjs', 'const { name } = require("./apps.cjs");'],
  ])('a module the config imports, in %s', async (_name, files, helper, importLine) => {
    const config = `${importLine}\nexport default { apps: [{ name, workspace: "W", versions: [{ version: 1, workflow: "/Users/1/F.p7wf" }] }] };\n`;
    const root = await makeProject({ ...files, 'p7apps.config.ts': config });
    expect((await loadConfig({ cwd: root })).apps[0]?.name).toBe('v1');
    const next = helper.endsWith('.cjs') ? 'exports.name = "v2";' : 'export const name = "v2";';
    await writeFile(path.join(root, helper), next);
    expect((await loadConfig({ cwd: root })).apps[0]?.name).toBe('v2');
  });
});

describe('loading writes nothing', () => {
  it.each([
    ['a TypeScript config in an ES module project', { 'package.json': '{"type": "module", "name": "catalog"}', 'p7apps.config.ts': `import { defineConfig } from 'p7apps';\n${APP_TS.replace('export default {', 'export default defineConfig({').replace(/};\n$/, '});\n')}` }],
    ['a TypeScript config in a CommonJS project', { 'p7apps.config.ts': APP_TS }],
    ['a .mts config with a helper', { 'apps.mts': `export const apps = [${APP_JSON}];`, 'p7apps.config.mts': 'import { apps } from "./apps.mjs";\nexport default { apps };' }],
    ['a YAML config', { 'p7apps.config.yaml': APP_YAML }],
  ])('%s, from a read-only directory', async (_name, files) => {
    const root = await makeProject(files);
    const before = await listTree(root);
    await chmod(path.join(root, '.git'), 0o555);
    await chmod(root, 0o555);
    try {
      // Running as root, the mode does not stop writes: the listing shows any.
      const desired = await loadConfig({ cwd: root });
      expect(desired.apps.map((app) => app.name)).toEqual(['Toy app']);
    } finally {
      await chmod(root, 0o755);
    }
    expect(await listTree(root)).toEqual(before);
  });
});

describe("a config's `import ... from 'p7apps'`", () => {
  const CONFIG = [
    "import { defineConfig, type AppConfig } from 'p7apps';",
    `const app: AppConfig = ${APP_JSON};`,
    'export default defineConfig({ apps: [app] });',
    '',
  ].join('\n');

  it('works in a project that has p7apps installed', async () => {
    const root = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': CONFIG, 'node_modules/p7apps': { symlink: REPO } });
    expect((await loadConfig({ cwd: root })).apps.map((app) => app.name)).toEqual(['Toy app']);
  });

  it('works where p7apps is not installed: the running p7apps is used', async () => {
    const root = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': CONFIG });
    expect((await loadConfig({ cwd: root })).apps.map((app) => app.name)).toEqual(['Toy app']);
  });

  it('gives the whole package to a config importing more than defineConfig and the limits', async () => {
    const config = [
      "import { defineConfig, MAX_APP_NAME_LENGTH, UsageError } from 'p7apps';",
      `const app = { ...${APP_JSON}, description: \`\${typeof UsageError} \${MAX_APP_NAME_LENGTH}\` };`,
      'export default defineConfig({ apps: [app] });',
      '',
    ].join('\n');
    const root = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': config });
    expect((await loadConfig({ cwd: root })).apps[0]?.description).toBe('function 200');
  });

  it('works inside the p7apps repository itself, for its examples', async () => {
    const desired = await loadConfig({ cwd: REPO, configPath: 'examples/catalog/p7apps.config.ts' });
    expect(desired.apps).toHaveLength(5);
  });
});

describe('a config split into modules', () => {
  const APPS_TS = `export const apps: unknown[] = [${APP_JSON}];\n`;
  it.each<[string, Record<string, string>]>([
    ['CommonJS project, import without an extension', { 'p7apps.config.ts': "import { apps } from './lib/apps';\nexport default { apps };\n", 'lib/apps.ts': APPS_TS }],
    ['CommonJS project, import with .js for a .ts file', { 'p7apps.config.ts': "import { apps } from './lib/apps.js';\nexport default { apps };\n", 'lib/apps.ts': APPS_TS }],
    ['CommonJS project, import with .cjs for a .cts file', { 'p7apps.config.ts': "import { apps } from './lib/apps.cjs';\nexport default { apps };\n", 'lib/apps.cts': APPS_TS }],
    ['CommonJS project, import naming the .ts file', { 'p7apps.config.ts': "import { apps } from './lib/apps.ts';\nexport default { apps };\n", 'lib/apps.ts': APPS_TS }],
    ['CommonJS project, a module importing another', { 'p7apps.config.ts': "import { apps } from './lib/index';\nexport default { apps };\n", 'lib/index.ts': "export { apps } from './apps';\n", 'lib/apps.ts': APPS_TS }],
    ['ES module project, import with .js for a .ts file', { 'package.json': '{"type": "module"}', 'p7apps.config.ts': "import { apps } from './lib/apps.js';\nexport default { apps };\n", 'lib/apps.ts': APPS_TS }],
    ['ES module project, import without an extension', { 'package.json': '{"type": "module"}', 'p7apps.config.ts': "import { apps } from './lib/apps';\nexport default { apps };\n", 'lib/apps.ts': APPS_TS }],
  ])('%s', async (_name, files) => {
    const root = await makeProject(files);
    expect((await loadConfig({ cwd: root })).apps.map((app) => app.name)).toEqual(['Toy app']);
  });

  it('names the module whose import is missing, relative to the config', async () => {
    const root = await makeProject({ 'p7apps.config.ts': "import { apps } from './lib/index';\nexport default { apps };\n", 'lib/index.ts': "export { apps } from './gone';\n" });
    const err = await configError({ cwd: root });
    expect(err.issues).toEqual([
      { file: 'p7apps.config.ts', path: '', message: 'an import cannot be found: ./lib/gone (imported by ./lib/index.ts); check the path, relative to the file that imports it, and its extension' },
    ]);
  });
});

describe('the time limit from P7APPS_CONFIG_TIMEOUT_MS', () => {
  it.each([
    [undefined, DEFAULT_CONFIG_TIMEOUT_MS],
    ['', DEFAULT_CONFIG_TIMEOUT_MS],
    ['120000', 120_000],
    [' 500 ', 500],
  ])('%j gives %i ms', (given, ms) => {
    expect(configTimeoutFromEnv(given === undefined ? {} : { P7APPS_CONFIG_TIMEOUT_MS: given })).toBe(ms);
  });

  it.each(['0', '-5', '1.5', 'soon', '1e400'])('%j is refused, naming the variable and an example', (given) => {
    expect(() => configTimeoutFromEnv({ P7APPS_CONFIG_TIMEOUT_MS: given })).toThrow(
      `P7APPS_CONFIG_TIMEOUT_MS must be a whole number of milliseconds greater than 0 (got ${JSON.stringify(given)})`,
    );
  });
});
