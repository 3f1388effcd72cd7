// `p7apps validate`: offline, no credentials; a summary on stdout and exit 0,
// or every problem on stderr and exit 1, never a stack trace.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeProject } from './project.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const app = (name: string, workspace: unknown, versions = [1]) => ({ name, workspace, versions: versions.map((version) => ({ version, workflow: `/Users/1/${name}${version}.p7wf` })) });

describe('p7apps validate', () => {
  it('summarises a valid config', async () => {
    const result = await runCli(['validate', '--config', 'examples/catalog/p7apps.config.ts'], { cwd: REPO, env: {} });
    expect(result).toEqual({ code: 0, stdout: 'Valid: 5 apps, 11 versions, 3 workspaces (examples/catalog/p7apps.config.ts)\n', stderr: '' });
  });

  it('finds the config by itself and counts in the singular', async () => {
    const root = await makeProject({ 'p7apps.config.json': JSON.stringify({ apps: [app('Toy app', 'Toy apps')] }), 'sub/README': 'x' });
    expect(await runCli(['validate'], { cwd: root, env: {} })).toEqual({ code: 0, stdout: 'Valid: 1 app, 1 version, 1 workspace (p7apps.config.json)\n', stderr: '' });
  });

  it('counts a workspace once however it is referred to', async () => {
    const apps = [app('A', 'Toy apps'), app('B', { name: 'Toy apps', id: '7' }, [1, 2]), app('C', { id: '7' }), app('D', { id: '12' })];
    const root = await makeProject({ 'p7apps.config.json': JSON.stringify({ apps }) });
    expect((await runCli(['-c', 'p7apps.config.json', 'validate'], { cwd: root })).stdout).toBe('Valid: 4 apps, 5 versions, 2 workspaces (p7apps.config.json)\n');
  });

  it('lists every problem on stderr and exits 1, without a stack trace', async () => {
    const root = await makeProject({
      'p7apps.config.json': JSON.stringify({ server: { url: 'https://pseven.example.com', token: 'tok-secret-1234' }, apps: [app('Toy app', { id: 7 }), { ...app('Toy app', 'W'), alowCopy: true }] }),
    });
    const result = await runCli(['validate'], { cwd: root, env: { P7APPS_DEBUG: '1' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      [
        'Error: the config has 4 problems:',
        '  p7apps.config.json: server.token: credentials do not belong in the config file (the value is not shown); set P7APPS_TOKEN in the environment instead (or P7APPS_USERNAME and P7APPS_PASSWORD)',
        '  p7apps.config.json: apps[0].workspace.id: workspace ids are strings: write "7" in quotes',
        '  p7apps.config.json: apps[1].name: duplicate app name "Toy app": it is also declared at apps[0]',
        '  p7apps.config.json: apps[1].alowCopy: unknown key; did you mean "allowCopy"?',
        '',
      ].join('\n'),
    );
    expect(result.stderr).not.toContain('tok-secret-1234');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each<[string, string[], Record<string, string>, string]>([
    ['no config anywhere', ['validate'], {}, 'DIR: no p7apps config file here (the search stops at the root of the git repository); create p7apps.config.ts (or .yaml, .json, a "p7apps" key in package.json, ...) or pass --config PATH'],
    ['a --config that does not exist', ['validate', '--config', 'missing.yaml'], {}, 'missing.yaml: config file not found'],
    ['a syntax error', ['validate'], { 'p7apps.config.ts': 'export default {\n  apps: [\n' }, 'p7apps.config.ts:3:1: syntax error: Unexpected end of file'],
  ])('%s', async (_name, args, files, message) => {
    const root = await makeProject(files);
    const result = await runCli(args, { cwd: root, env: {} });
    expect(result).toEqual({ code: 1, stdout: '', stderr: `Error: ${message.replace('DIR', root)}\n` });
  });

  it('--help ends with examples', async () => {
    const { code, stdout } = await runCli(['validate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Examples:\n {2}p7apps validate {2,}Check the config found[\s\S]*p7apps validate && p7apps plan {2,}In CI: stop early on a broken config, before\s+reading the server\n$/);
  });
});

describe('the installed command', () => {
  it('validates a TypeScript config importing p7apps in a CommonJS project without p7apps installed', async () => {
    // Runs the compiled CLI (npm test builds dist/ first), as a user's shell would.
    expect(existsSync(path.join(REPO, 'dist/bundle/p7apps.js')), 'dist/bundle/ is missing: run "npm run build"').toBe(true);
    const root = await makeProject({
      'package.json': '{"name": "catalog", "private": true}',
      'p7apps.config.ts': [
        "import { defineConfig } from 'p7apps';",
        'export default defineConfig({',
        "  defaults: { workspace: 'Toy apps' },",
        "  apps: [{ name: 'Toy app', versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }] }],",
        '});',
        '',
      ].join('\n'),
    });
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(REPO, 'bin/p7apps.js'), 'validate'], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
    expect(stdout).toBe('Valid: 1 app, 1 version, 1 workspace (p7apps.config.ts)\n');
    expect(stderr).toBe('');
  });

  it('loads a YAML config through the bundled CLI, whose YAML parser is a chunk of its own', async () => {
    const root = await makeProject({ 'p7apps.config.yaml': 'apps:\n  - name: Toy app\n    workspace: Toy apps\n    versions:\n      - { version: 1, workflow: /Users/1/a.p7wf }\n' });
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(REPO, 'bin/p7apps.js'), 'validate'], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
    expect(stdout).toBe('Valid: 1 app, 1 version, 1 workspace (p7apps.config.yaml)\n');
    expect(stderr).toBe('');
  });

  it.each<[string, Record<string, string>, string[], { code: number; stdout: string; stderr: string }]>([
    [
      'a TypeScript config found by the search, importing its apps',
      {
        'apps.ts': "import type { AppConfig } from 'p7apps';\nexport const apps: AppConfig[] = [{ name: 'Toy app', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/a.p7wf' }] }];\n",
        'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nimport { apps } from './apps';\nexport default defineConfig({ apps });\n",
      },
      ['validate'],
      { code: 0, stdout: 'Valid: 1 app, 1 version, 1 workspace (p7apps.config.ts)\n', stderr: '' },
    ],
    ['a TypeScript config with a syntax error, named with --config', { 'c.mts': 'export default {\n  apps: [}\n' }, ['validate', '--config', 'c.mts'], { code: 1, stdout: '', stderr: 'Error: c.mts:2:10: syntax error: Unexpected "}"\n' }],
  ])('loads through the bundled CLI: %s', async (_name, files, args, expected) => {
    const root = await makeProject(files);
    const run = await promisify(execFile)(process.execPath, [path.join(REPO, 'bin/p7apps.js'), ...args], { cwd: root, env: { PATH: process.env.PATH ?? '' } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );
    expect(run).toEqual(expected);
  });

  it("prints p7apps' own version, not that of the project it runs in", async () => {
    const root = await makeProject({ 'package.json': '{"name": "catalog", "version": "9.9.9"}' });
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO, 'bin/p7apps.js'), '--version'], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
    const own = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(stdout).toBe(`${own.version}\n`);
  });
});
