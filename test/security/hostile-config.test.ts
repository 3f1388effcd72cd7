// Broken and hostile configs against a live emulator: a generated corpus of
// wrong types, huge values, deep nesting, bad names, empty, binary and
// throwing files. Each must end in a clear error that names the file (and
// the place in it), exit 1, print no stack trace, and send nothing beyond
// what test/helpers/before-config.ts allows (the emulator's request log
// proves it): `plan` may have read the two lists while the config loaded,
// `apply --auto-approve` sends nothing. The run ends with a sweep of every
// captured byte for the token.

import { execFile } from 'node:child_process';
import { constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { makeProject, PNG_BYTES, type ProjectFile } from '../config/project.js';
import { sentWithoutConfig } from '../helpers/before-config.js';
import { runCli } from '../helpers/cli.js';
import { SECRET_PASSWORD, SECRET_TOKEN, STACK_LINE, Sweep } from './sweep.js';

let emulator: RunningEmulator;
const sweep = new Sweep();
/** A directory beside the projects, holding a real image a hostile config would like to upload. */
const OUTSIDE = mkdtempSync(path.join(tmpdir(), 'p7apps-outside-'));
writeFileSync(path.join(OUTSIDE, 'secret.png'), PNG_BYTES);

beforeAll(async () => {
  emulator = await startEmulator({ token: SECRET_TOKEN, readyAfterMs: 20 });
});

afterAll(async () => {
  await emulator.close();
  rmSync(OUTSIDE, { recursive: true, force: true });
});

const TOY = { name: 'Toy', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }] };

/** The valid one-app config with `change` applied to its first app (or, with `root`, to the whole config). */
function json(change: (app: Record<string, unknown>, root: Record<string, unknown>) => unknown = () => {}): string {
  const app: Record<string, unknown> = structuredClone(TOY);
  const root: Record<string, unknown> = { apps: [app] };
  const replaced = change(app, root);
  return JSON.stringify(replaced === undefined ? root : replaced);
}

const nested = (depth: number, open: string, close: string, inner = '') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const manyApps = (n: number) => Array.from({ length: n }, (_, i) => ({ ...TOY, name: `App ${i}` }));

interface Case {
  name: string;
  files: Record<string, ProjectFile>;
  /** What stderr must say, besides the file name: usually the place in the file. */
  says: (string | RegExp)[];
  /** The file (or directory) the error must name, when not the config file itself. */
  names?: string;
}

const JSON_FILE = 'p7apps.config.json';
const onJson = (name: string, text: string, ...says: (string | RegExp)[]): Case => ({ name, files: { [JSON_FILE]: text }, says });

const CORPUS: Case[] = [
  // Wrong types, at every level.
  onJson('a config that is a list', '[]', 'expected the config to be an object'),
  onJson('a config that is a string', '"apps"', 'expected the config to be an object'),
  onJson('a config that is null', 'null', 'expected the config to be an object'),
  onJson('apps as a string', json((_, root) => ({ ...root, apps: 'all of them' })), 'apps:'),
  onJson('apps as an object', json((_, root) => ({ ...root, apps: { Toy: TOY } })), 'apps:'),
  onJson('a name that is a number', json((app) => void (app.name = 42)), 'apps[0].name'),
  onJson('versions as a string', json((app) => void (app.versions = '1')), 'apps["Toy"].versions'),
  onJson('a version number as a string', json((app) => void (app.versions = [{ version: '1', workflow: TOY.versions[0]!.workflow }])), 'apps["Toy"].versions[0].version'),
  onJson('a workflow that is null', json((app) => void (app.versions = [{ version: 1, workflow: null }])), 'apps["Toy"].versions[0].workflow'),
  onJson('allowCopy as "yes"', json((app) => void (app.allowCopy = 'yes')), 'apps["Toy"].allowCopy'),
  onJson('a fractional default version', json((app) => void (app.defaultVersion = 1.5)), 'apps["Toy"].defaultVersion'),
  onJson('a workspace as a number', json((app) => void (app.workspace = 7)), 'apps["Toy"].workspace'),
  onJson('defaults as a list', json((_, root) => ({ ...root, defaults: [] })), 'defaults'),
  onJson('server as a string', json((_, root) => ({ ...root, server: 'https://p7.example.com' })), 'server'),
  onJson('an ftp server URL', json((_, root) => ({ ...root, server: { url: 'ftp://p7.example.com' } })), 'server.url'),
  // Huge values.
  onJson('a version number beyond 2^53', json((app) => void (app.versions = [{ version: 2 ** 60, workflow: TOY.versions[0]!.workflow }])), 'apps["Toy"].versions[0].version'),
  onJson('a version number that overflows to Infinity', json().replace('"version":1', '"version":1e400'), 'apps["Toy"].versions[0].version'),
  onJson('a description of 70,000 characters', json((app) => void (app.description = 'd'.repeat(70_000))), 'apps["Toy"].description', 'too long'),
  onJson('6,000 apps', JSON.stringify({ apps: manyApps(6000) }), 'apps:', 'too many apps'),
  onJson('1,001 versions', json((app) => void (app.versions = Array.from({ length: 1001 }, (_, i) => ({ version: i + 1, workflow: `/Users/1/F${i}.p7wf` })))), 'apps["Toy"].versions', 'too many versions'),
  onJson('an 11 MiB file', JSON.stringify({ apps: [], padding: 'x'.repeat(11 * 1024 * 1024) }), 'too large'),
  // Deep nesting.
  onJson('a description nested 100,000 lists deep', json().replace('"name":"Toy"', `"name":"Toy","description":${nested(100_000, '[', ']')}`), 'apps["Toy"].description'),
  onJson('an unknown key nested 100,000 objects deep', json().replace('"name":"Toy"', `"name":"Toy","extra":${nested(100_000, '{"a":', '}', '1')}`), 'apps["Toy"].extra', 'unknown key'),
  { name: 'YAML nested 100,000 lists deep', files: { 'p7apps.config.yaml': `apps: ${nested(100_000, '[', ']')}\n` }, says: ['p7apps.config.yaml'] },
  // Names and paths that try to get somewhere.
  // Named as JSON writes them, so a control character reaches the terminal only as an escape.
  onJson('a name with a NUL byte', json((app) => void (app.name = 'Toy\u0000app')), 'apps["Toy\\u0000app"].name', 'control characters'),
  onJson('a name with an escape sequence', json((app) => void (app.name = 'Toy\u001b[31mred')), 'apps["Toy\\u001b[31mred"].name', 'control characters'),
  onJson('a name of only spaces', json((app) => void (app.name = '   ')), 'apps["   "].name', 'whitespace'),
  onJson('a workflow path climbing with ..', json((app) => void (app.versions = [{ version: 1, workflow: '/Users/1/../../etc/passwd.p7wf' }])), 'apps["Toy"].versions[0].workflow', '".."'),
  onJson('a relative workflow path', json((app) => void (app.versions = [{ version: 1, workflow: 'Users/1/Toy.p7wf' }])), 'apps["Toy"].versions[0].workflow'),
  onJson('two apps with one name', json((_, root) => ({ ...root, apps: [TOY, TOY] })), 'apps[1].name'),
  // Empty, binary, not a config at all.
  onJson('an empty JSON file', '', 'empty'),
  onJson('a file of blanks', ' \n\t\n', 'empty'),
  { name: 'an empty YAML file', files: { 'p7apps.config.yaml': '' }, says: ['empty'] },
  { name: 'an empty TypeScript file', files: { 'p7apps.config.ts': '' }, says: ['empty'] },
  onJson('random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString('latin1'), 'not a text file'),
  { name: 'a PNG named as the config', files: { [JSON_FILE]: PNG_BYTES }, says: ['not a text file'] },
  onJson('JSON with a syntax error', '{"apps": [ {"name": "Toy",, } ]}', /p7apps\.config\.json:1:\d+/),
  onJson('a JSON file cut short', json().slice(0, 40), /p7apps\.config\.json:1:\d+/),
  { name: 'package.json whose p7apps key is a number', files: { 'package.json': '{"name": "x", "p7apps": 5}' }, says: ['package.json', 'p7apps'] },
  { name: 'a directory named as the config', files: { 'p7apps.config.json/inner.txt': 'x' }, says: ['no p7apps config file here'], names: 'p7apps-config-' },
  { name: 'two configs in one directory', files: { [JSON_FILE]: json(), 'p7apps.config.yaml': 'apps: []\n' }, says: ['p7apps.config.yaml'] },
  // TypeScript that misbehaves.
  { name: 'a TS file that throws while loading', files: { 'p7apps.config.ts': 'throw new Error("boom while loading")\n' }, says: ['p7apps.config.ts', 'boom while loading'] },
  { name: 'a config function that throws', files: { 'p7apps.config.ts': 'export default () => { throw new Error("boom in the function") }\n' }, says: ['boom in the function'] },
  { name: 'an async config function that rejects', files: { 'p7apps.config.ts': 'export default async () => { throw new Error("async boom") }\n' }, says: ['async boom'] },
  { name: 'a TS syntax error', files: { 'p7apps.config.ts': 'const x: number = ;\nexport default {}\n' }, says: [/p7apps\.config\.ts:1:\d+/, 'syntax error'] },
  { name: 'a TS import that does not exist', files: { 'p7apps.config.ts': 'import x from "./nowhere.js";\nexport default x;\n' }, says: ['p7apps.config.ts', 'import'] },
  { name: 'a TS file that exports no default', files: { 'p7apps.config.ts': 'export const apps = [];\n' }, says: ['exports no config'] },
  {
    name: 'a config holding itself (a cycle)',
    files: { 'p7apps.config.ts': `const app: any = ${JSON.stringify(TOY)};\napp.self = app;\nexport default { apps: [app] };\n` },
    says: ['apps["Toy"].self', 'unknown key'],
  },
  {
    name: 'a config whose getter throws',
    files: { 'p7apps.config.ts': `export default { get apps() { throw new Error("getter boom"); } };\n` },
    says: ['getter boom'],
  },
  // Files a config points at: only regular image files inside its own directory tree, read before any request.
  onJson('a thumbnail outside the config directory', json((app) => void (app.thumbnail = `../${path.basename(OUTSIDE)}/secret.png`)), 'apps["Toy"].thumbnail', 'outside the config file'),
  onJson('a thumbnail at an absolute path', json((app) => void (app.thumbnail = `${OUTSIDE}/secret.png`)), 'apps["Toy"].thumbnail', 'outside the config file'),
  onJson('a default thumbnail outside', json((_, root) => ({ ...root, defaults: { thumbnail: '/etc/passwd' } })), 'defaults.thumbnail', 'outside the config file'),
  onJson('a description file outside', json((app) => void (app.descriptionFile = '../../../../../../etc/passwd')), 'apps["Toy"].descriptionFile', 'outside the config file'),
  {
    name: 'a thumbnail that is a symbolic link out of the tree',
    files: { [JSON_FILE]: json((app) => void (app.thumbnail = 'icon.png')), 'icon.png': { symlink: `${OUTSIDE}/secret.png` } },
    says: ['apps["Toy"].thumbnail', 'symbolic link'],
  },
  {
    name: 'a thumbnail under a directory that links out of the tree',
    files: { [JSON_FILE]: json((app) => void (app.thumbnail = 'images/secret.png')), images: { symlink: OUTSIDE } },
    says: ['apps["Toy"].thumbnail', 'symbolic link'],
  },
  {
    name: 'a description file linking to /etc/passwd',
    files: { [JSON_FILE]: json((app) => void (app.descriptionFile = 'APP.md')), 'APP.md': { symlink: '/etc/passwd' } },
    says: ['apps["Toy"].descriptionFile', 'symbolic link'],
  },
  {
    name: 'a thumbnail that is text',
    files: { [JSON_FILE]: json((app) => void (app.thumbnail = 'icon.png')), 'icon.png': 'I am not an image\n' },
    says: ['apps["Toy"].thumbnail', 'not an image'],
  },
  { name: 'an empty thumbnail', files: { [JSON_FILE]: json((app) => void (app.thumbnail = 'icon.png')), 'icon.png': '' }, says: ['apps["Toy"].thumbnail', 'empty'] },
  {
    name: 'a thumbnail over 1 MiB',
    files: { [JSON_FILE]: json((app) => void (app.thumbnail = 'big.png')), 'big.png': Buffer.concat([PNG_BYTES, Buffer.alloc(1024 * 1024)]) },
    says: ['apps["Toy"].thumbnail', 'at most 1 MiB'],
  },
  { name: 'a thumbnail that is a directory', files: { [JSON_FILE]: json((app) => void (app.thumbnail = 'icons')), 'icons/a.txt': 'x' }, says: ['apps["Toy"].thumbnail', 'not a regular file'] },
  { name: 'a thumbnail that does not exist', files: { [JSON_FILE]: json((app) => void (app.thumbnail = 'gone.png')) }, says: ['apps["Toy"].thumbnail', 'no such file'] },
  // Secrets where they must not be: refused, and not shown.
  onJson('a token in the server section', json((_, root) => ({ ...root, server: { url: 'https://p7.example.com', token: SECRET_TOKEN } })), 'server.token', 'credentials do not belong'),
  onJson('a password in an app', json((app) => void (app.password = SECRET_PASSWORD)), 'apps["Toy"].password', 'credentials do not belong'),
  onJson('a password in the server URL', json((_, root) => ({ ...root, server: { url: `https://admin:${encodeURIComponent(SECRET_PASSWORD)}@p7.example.com` } })), 'server.url', 'not shown'),
  onJson('a token in the server URL query', json((_, root) => ({ ...root, server: { url: `https://p7.example.com/?token=${SECRET_TOKEN}` } })), 'server.url', 'not shown'),
];

const named = (c: Case) => c.names ?? Object.keys(c.files).find((f) => f.startsWith('p7apps.config') || f === 'package.json')!;

describe.each([['plan'], ['apply', '--auto-approve']])('p7apps %s with a broken config', (...command) => {
  it.each(CORPUS)('$name: a clear error, exit 1, no stack, no request but the early lists', async (c) => {
    const { name, files, says } = c;
    const dir = await makeProject(files);
    emulator.clearLog();
    const run = sweep.addRun(`${command[0]} ${name}`, await runCli(command, { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: SECRET_TOKEN } }));

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Error: /);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).not.toContain('This is a bug');
    expect(run.stderr).toContain(named(c));
    for (const expected of says) expect(run.stderr).toMatch(typeof expected === 'string' ? new RegExp(escape(expected)) : expected);
    // A clear error is a short one, whatever the file held.
    expect(run.stderr.length).toBeLessThan(2000);
    expect(sentWithoutConfig(command[0]!, emulator.requestLog())).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('configs that never finish loading', () => {
  // In-process here; test/config/config-limits.test.ts runs the same against real p7apps processes.
  it.each([
    // Nothing is left that could settle them: said without waiting for the (default) limit.
    ['a config function whose promise never settles', 'export default () => new Promise(() => {});\n', "the config function's promise never settles", undefined],
    ['top-level await that never resolves', 'await new Promise(() => {});\nexport default { apps: [] };\n', 'loading the file never finished', undefined],
    ['a loop that never ends', 'while (true) {}\nexport default { apps: [] };\n', 'within 300 ms', 300],
  ])('%s ends in a ConfigError', async (_name, source, says, timeoutMs) => {
    // An ES module project: top-level await needs one.
    const dir = await makeProject({ 'p7apps.config.ts': source, 'package.json': '{"type": "module"}' });
    const err = await loadConfig({ cwd: dir, ...(timeoutMs === undefined ? {} : { timeoutMs }) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    sweep.addError(`timeout ${_name}`, err);
    expect((err as ConfigError).message).toContain('p7apps.config.ts');
    expect((err as ConfigError).message).toContain(says);
  });
});

describe('configs holding what cannot leave the config worker', () => {
  const APP_SOURCE = '{ name: "Toy", workspace: "W", versions: [{ version: 1, workflow: "/Users/1/T.p7wf" }] }';
  it.each([
    ['a function inside the data', 'export default { apps: [{ name: "Toy", workspace: "W", versions: [{ version: 1, workflow: "/Users/1/T.p7wf", onPublish() {} }] }] };\n', 'apps["Toy"].versions[0].onPublish', 'a function cannot be part of the config'],
    ['a class instance with methods', 'class App { name = "Toy"; label() { return this.name; } }\nexport default { apps: [new App()] };\n', 'apps["Toy"]', 'an instance of App cannot be part of the config'],
    ['a promise nobody awaited', 'export default { apps: Promise.resolve([]) };\n', 'apps', 'a promise cannot be part of the config: await it'],
    ['a symbol', 'export default { apps: [], server: Symbol("x") };\n', 'server', 'a symbol cannot be part of the config'],
    // Found by an adversarial review: built-ins were copied, and the schema read a Map or a Date as an object with no
    // keys, so safety limits given as a Map were silently dropped (the defaults applied) and holes vanished.
    ['a Map as the safety limits', 'export default { apps: [], safety: new Map([["maxRepublishApps", 0]]) };\n', 'safety', 'a Map cannot be part of the config: the config must be plain data (objects, arrays, strings, numbers, booleans); use a plain object (Object.fromEntries(map))'],
    ['a Set', 'export default { apps: new Set() };\n', 'apps', 'a Set cannot be part of the config'],
    ['a Date as the defaults', 'export default { apps: [], defaults: new Date(0) };\n', 'defaults', 'a Date cannot be part of the config'],
    ['a RegExp', 'export default { apps: [], defaults: /W/ };\n', 'defaults', 'a RegExp cannot be part of the config'],
    ['a typed array', 'export default { apps: [], defaults: new Uint8Array(2) };\n', 'defaults', 'a Uint8Array cannot be part of the config'],
    ['an Error', 'export default { apps: [], defaults: new Error("x") };\n', 'defaults', 'an Error cannot be part of the config'],
    ['a boxed number', 'export default { apps: [], defaults: { allowCopy: new Boolean(true) } };\n', 'defaults.allowCopy', 'a Boolean cannot be part of the config'],
    ['the whole config as a Map', 'export default new Map([["apps", []]]);\n', '', 'a Map cannot be part of the config'],
    ['a hole in an array', `export default { apps: [${APP_SOURCE}, , ] };\n`, 'apps[1]', 'an empty slot (a hole in the array) cannot be part of the config'],
    ['an array claiming a billion slots', `export default { apps: Object.assign([${APP_SOURCE}], { length: 1e9 }) };\n`, 'apps[1]', 'an empty slot (a hole in the array)'],
    [
      'an own "__proto__" key',
      `export default { apps: [JSON.parse('{"__proto__": {"x": 1}, "name": "Toy", "workspace": "W", "versions": [{"version": 1, "workflow": "/Users/1/T.p7wf"}]}')] };\n`,
      'apps["Toy"].__proto__',
      'unknown key',
    ],
  ])('%s: a clear error naming the place', async (_name, source, place, says) => {
    const dir = await makeProject({ 'p7apps.config.ts': source });
    const err = await loadConfig({ cwd: dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([{ file: 'p7apps.config.ts', path: place, message: expect.stringContaining(says) as string }]);
  });
});

describe('names the server must take as data', () => {
  it('publishes apps named with /, @, .., %2F and non-Latin text under exactly those names, addressing them only by id', async () => {
    const names = ['a/b', 'x@2', '..', '../apps', 'a%2F..%2Fb', 'Ünïcødé 🚀 приложение', 'tab?query=1#frag'];
    const dir = await makeProject({
      [JSON_FILE]: JSON.stringify({ defaults: { workspace: 'Toy apps' }, apps: names.map((name) => ({ name, versions: TOY.versions })) }),
    });
    emulator.reset();
    const env = { P7APPS_URL: emulator.url, P7APPS_TOKEN: SECRET_TOKEN };
    const applied = sweep.addRun('apply odd names', await runCli(['apply', '--auto-approve', '--force'], { cwd: dir, env }));
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(emulator.snapshot().apps.map((a) => a.name).sort()).toEqual([...names].sort());
    const paths = emulator.requestLog().map((r) => r.path);
    for (const path of paths) expect(path).toMatch(/^\/(appshub|pseven)\/\.rest\/v2\/(apps|workflows)\/([0-9a-f]{32}(@\d+)?\/(thumbnail\/)?)?$/);
    const again = sweep.addRun('plan odd names', await runCli(['plan'], { cwd: dir, env }));
    expect(again.code).toBe(0);
  });
});

describe('names that would read as other names', () => {
  // Names may not hold text-direction overrides or invisible characters
  // (U+202E, U+200B...): a plan under review would show a name other than
  // the one it publishes ("Trojan Source"), or two apps that look the same.
  it.each([
    ['a right-to-left override', 'Toy\u202eppa'],
    ['a zero-width space', 'To\u200by'],
  ])('an app name with %s is refused', async (_what, name) => {
    const dir = await makeProject({ [JSON_FILE]: json((app) => void (app.name = name)) });
    const run = sweep.addRun(`validate ${_what}`, await runCli(['validate'], { cwd: dir }));
    expect(run.code).toBe(1);
  });

  // An app is named in messages by its name cut to 64 characters, as keys
  // are, so a 100,000-character name does not make every message 100 KB long.
  it('an overlong app name is not echoed whole in the error', async () => {
    const dir = await makeProject({ [JSON_FILE]: json((app) => void (app.name = 'n'.repeat(100_000))) });
    const run = sweep.addRun('validate overlong name', await runCli(['validate'], { cwd: dir }));
    expect(run.code).toBe(1);
    expect(run.stderr.length).toBeLessThan(2000);
  });
});

describe('special files where a config is expected', () => {
  // A FIFO would block p7apps for ever (and `--config /dev/zero` would read
  // until memory runs out): what is not a regular file is refused from its
  // metadata. A writer answers here, so the test ends even if it were read.
  it('a FIFO named as the config is refused without being read', async () => {
    const dir = await makeProject({});
    const fifo = path.join(dir, JSON_FILE);
    await promisify(execFile)('mkfifo', [fifo]);
    emulator.clearLog();
    const pending = runCli(['plan'], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: SECRET_TOKEN } });
    // Blocks until a reader opens the FIFO; released below if p7apps never does.
    const writer = writeFile(fifo, '{"apps": "written into the FIFO"}').catch(() => undefined);
    const run = sweep.addRun('plan fifo', await pending);
    const release = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    await writer;
    await release.close();
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(sentWithoutConfig('plan', emulator.requestLog())).toEqual([]);
    expect(run.stderr).toContain('not a regular file');
  });
});

it('leaves the token and the password in no byte captured above', () => {
  expect(sweep.size.items).toBeGreaterThan(2 * CORPUS.length);
  expect(sweep.leaks([SECRET_TOKEN, SECRET_PASSWORD])).toEqual([]);
});

describe('line breaks from outside in an error (found by an adversarial review: each wrote a line of its own)', () => {
  it.each<[string, Record<string, ProjectFile>, string[]]>([
    ['an import specifier', { 'p7apps.config.ts': "import apps from './no\\nApply complete';\nexport default { apps };\n" }, ['validate']],
    ['a config file name', { 'bad\nApply complete.json': '{"apps": [' }, ['validate', '--config', 'bad\nApply complete.json']],
    ['a saved plan that is not JSON, quoted by the parser', { 'p7apps.config.json': '{"apps": []}', 'forged.json': 'x\nApply complete\n' }, ['show', 'forged.json']],
  ])('%s: one line, the break shown escaped', async (_name, files, command) => {
    const dir = await makeProject(files);
    const run = sweep.addRun(`line break in ${_name}`, await runCli(command, { cwd: dir, env: {} }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: .*\\nApply complete/);
    expect(run.stderr.split('\n').some((line) => line.startsWith('Apply complete'))).toBe(false);
  });
});
