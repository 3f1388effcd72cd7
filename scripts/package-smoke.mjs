#!/usr/bin/env node
// The installed-package smoke test: what a user gets from `npm install` of a
// p7apps tarball, on each Node.js version we support. It installs the
// tarball into a new CommonJS project and a new ES module project (once; the
// installs are pure JavaScript), then, with each Node binary given:
//   - `require('p7apps')` and `import('p7apps')` both give `defineConfig`;
//   - a `.cjs` config (with require) and a `.ts` config (with import) validate;
//   - against the packaged emulator (`--seed toy`, a built-in seed name):
//     import -> plan (no changes) -> an edit -> plan (changes) -> apply ->
//     plan (no changes) -> drift (in sync);
//   - the CI loop's plan step (p7apps-ci github plan) from the installed
//     package, which ships action.yml;
//   - every `--help` example of every command the top-level --help lists, as
//     written, in that project.
// Each check prints `ok - ...` or `not ok - ...`; the last line is
// `N passed, N failed`. Exit code 0 when every check passed.
//
//   node scripts/package-smoke.mjs --tarball p7apps-0.1.0.tgz [--node /path/to/node ...]
//
// .ci/run runs it on Node 20 and on Node 22, 24 and 26 fetched from the npm
// registry; test/package/help-examples.test.ts checks that its list of
// commands and their examples fit the project it runs them in.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command to completion; resolves with its exit code and output. Never rejects on a non-zero exit. */
export function run(command, args, { cwd, env = process.env, input, timeoutMs = 120_000, shell = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, shell, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a command that exits without reading its input
    child.stdin.end(input ?? '');
  });
}

/**
 * npm notices that are not about p7apps' own manifest: this machine's npm
 * settings (nodedir), and npm 11's list of dependencies whose install scripts
 * it did not run. That list names esbuild (through tsx): its postinstall only
 * checks the binary that its optional platform package already ships, so
 * TypeScript configs load without it (the checks below prove it). p7apps
 * itself has no install script to list.
 */
const MACHINE_NPM_NOISE = [
  /npm warn config/i,
  /nodedir/i,
  /^npm warn install-scripts\s+(esbuild@|1 package has install scripts|Run `npm install-scripts ls`)/i,
  /^npm warn( install-scripts)?\s*$/i,
];

/** Creates a project of the given module type and installs the tarball into it; returns its directory and any npm warnings. */
export async function installProject(tarball, workdir, type) {
  const dir = path.join(workdir, type);
  const manifest = { name: `p7apps-smoke-${type}`, version: '1.0.0', private: true, ...(type === 'esm' ? { type: 'module' } : {}) };
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const result = await run(NPM, ['install', '--no-audit', '--no-fund', '--save-dev', tarball], { cwd: dir, timeoutMs: 300_000 });
  const warnings = result.stderr
    .split('\n')
    .filter((line) => /^npm (warn|WARN)/.test(line))
    .filter((line) => !MACHINE_NPM_NOISE.some((noise) => noise.test(line)));
  return { dir, ok: result.code === 0, warnings, output: `${result.stdout}${result.stderr}` };
}

/** The lines of a `--help` text's section under `heading` ("Commands:", "Examples:"), up to the blank line that ends it. */
function helpSection(helpText, heading) {
  const lines = helpText.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.trim() === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The commands a top-level `--help` lists ("  p7apps plan   ..."), by name, in its order. */
export function helpCommands(helpText) {
  return helpSection(helpText, 'Commands:').flatMap((line) => /^ {2}\S+ ([a-z][a-z-]*)\b/.exec(line)?.slice(1) ?? []);
}

/** The `Examples:` lines of a `--help` text, with `p7apps` in place of the program name. */
export function helpExamples(helpText) {
  // yargs lays an example out as "  COMMAND   DESCRIPTION", columns at least
  // two spaces apart; a description's continuation is indented further.
  return helpSection(helpText, 'Examples:')
    .filter((line) => /^ {2}\S/.test(line))
    .map((line) => line.trim().split(/\s{2,}/)[0]);
}

/**
 * The p7apps commands of the README's shell blocks, in order, without their
 * trailing comments: what a newcomer types. (Lines that install or export
 * the server's address are the smoke test's own setup.)
 */
export function readmeCommands(readme) {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => /^npx p7apps\b/.test(line));
}

/** Starts `p7apps emulator --seed toy` from the installed package; resolves with its URL and a stop function. */
async function startPackagedEmulator(node, dir, token) {
  const child = spawn(node, [path.join(dir, 'node_modules/p7apps/bin/p7apps.js'), 'emulator', '--seed', 'toy', '--port', '0', '--token', token, '--ready-after-ms', '200'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const match = /Sign-in URL:\s+(\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', () => reject(new Error(`the emulator exited: ${out}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** Runs every check with one Node binary; calls `report(ok, name, detail)` for each. */
export async function smokeWithNode(node, projects, report) {
  const version = (await run(node, ['--version'])).stdout.trim();
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      report(detail === true || detail === undefined, `${version}: ${name}`, typeof detail === 'string' ? detail : '');
    } catch (err) {
      report(false, `${version}: ${name}`, err instanceof Error ? err.message : String(err));
    }
  };
  const expectExit = (result, expected, what) =>
    result.code === expected ? true : `${what} exited ${result.code}, expected ${expected}\n${result.stdout}${result.stderr}`.slice(0, 4000);

  const cjs = projects.cjs;
  const esm = projects.esm;
  await check('require("p7apps") in a CommonJS project', async () =>
    expectExit(await run(node, ['-e', "const p = require('p7apps'); if (typeof p.defineConfig !== 'function') process.exit(3)"], { cwd: cjs }), 0, 'require'),
  );
  await check('import("p7apps") in an ES module project', async () =>
    expectExit(await run(node, ['--input-type=module', '-e', "const p = await import('p7apps'); if (typeof p.defineConfig !== 'function') process.exit(3)"], { cwd: esm }), 0, 'import'),
  );

  const p7apps = (dir) => (args, options = {}) => run(node, [path.join(dir, 'node_modules/p7apps/bin/p7apps.js'), ...args], { cwd: dir, ...options });
  const token = 'smoke-token-0123456789';
  const emulator = await startPackagedEmulator(node, cjs, token);
  const env = { ...process.env, P7APPS_URL: emulator.url, P7APPS_TOKEN: token, P7APPS_USERNAME: '', P7APPS_PASSWORD: '', NO_COLOR: '1' };
  try {
    for (const [type, dir] of Object.entries(projects)) {
      const cli = p7apps(dir);
      rmSync(path.join(dir, 'p7apps.config.ts'), { force: true });
      rmSync(path.join(dir, 'apps'), { recursive: true, force: true });
      await check(`${type}: import writes p7apps.config.ts`, async () => expectExit(await cli(['import'], { env }), 0, 'p7apps import'));
      await check(`${type}: the imported .ts config validates`, async () => expectExit(await cli(['validate'], { env }), 0, 'p7apps validate'));
      // The toy seed has a version that FAILED to publish: plan proposes republishing it (exit 2), and nothing else may fail.
      await check(`${type}: plan right after import runs`, async () => {
        const result = await cli(['plan'], { env });
        return result.code === 0 || result.code === 2 ? true : expectExit(result, 2, 'p7apps plan');
      });
    }

    const cli = p7apps(esm);
    await check('apply --auto-approve after import converges (exit 0)', async () => expectExit(await cli(['apply', '--auto-approve'], { env }), 0, 'p7apps apply'));
    await check('plan after that apply has no changes (exit 0)', async () => expectExit(await cli(['plan'], { env }), 0, 'p7apps plan'));
    const configFile = path.join(esm, 'p7apps.config.ts');
    const config = readFileSync(configFile, 'utf8');
    const edited = config.replace(/(description(?:File)?:\s*)("[^"]*"|'[^']*')/, '$1"Edited by the smoke test."');
    await check('an edited config plans changes (exit 2)', async () => {
      if (edited === config) return 'the imported config has no description to edit';
      writeFileSync(configFile, edited.replace('descriptionFile:', 'description:'));
      return expectExit(await cli(['plan'], { env }), 2, 'p7apps plan');
    });
    await check('apply --auto-approve converges (exit 0)', async () => expectExit(await cli(['apply', '--auto-approve'], { env }), 0, 'p7apps apply'));
    await check('plan after apply has no changes (exit 0)', async () => expectExit(await cli(['plan'], { env }), 0, 'p7apps plan'));
    await check('drift after apply is clean (exit 0)', async () => expectExit(await cli(['drift'], { env }), 0, 'p7apps drift'));

    // The CI loop as action.yml runs it from the installed package: its plan step needs no GitHub API.
    await check('the package ships action.yml, and p7apps-ci github plan saves a plan', async () => {
      if (!existsSync(path.join(esm, 'node_modules/p7apps/action.yml'))) return 'node_modules/p7apps/action.yml is missing';
      const temp = path.join(esm, 'ci-temp');
      rmSync(temp, { recursive: true, force: true });
      spawnSync('mkdir', ['-p', temp]);
      writeFileSync(path.join(temp, 'event.json'), JSON.stringify({ pull_request: { number: 1, head: { sha: '0123456789abcdef0123456789abcdef01234567' } } }));
      const ciEnv = { ...env, GITHUB_REPOSITORY: 'smoke/test', GITHUB_RUN_ID: '1', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path.join(temp, 'event.json'), RUNNER_TEMP: temp };
      const result = await run(node, [path.join(esm, 'node_modules/p7apps/bin/p7apps-ci.js'), 'github', 'plan'], { cwd: esm, env: ciEnv });
      if (result.code !== 0) return expectExit(result, 0, 'p7apps-ci github plan');
      return existsSync(path.join(temp, 'p7apps-ci/plan.json')) && existsSync(path.join(temp, 'p7apps-ci/plan.md')) ? true : `no plan saved\n${result.stderr}`.slice(0, 4000);
    });

    await check('a .cjs config using require("p7apps") validates', async () => {
      writeFileSync(
        path.join(cjs, 'smoke.config.cjs'),
        "const { defineConfig } = require('p7apps');\nmodule.exports = defineConfig({ apps: [{ name: 'Smoke', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }] }] });\n",
      );
      return expectExit(await p7apps(cjs)(['validate', '--config', 'smoke.config.cjs'], { env }), 0, 'p7apps validate --config smoke.config.cjs');
    });

    // How a TypeScript config is run from memory differs by Node (in-thread module hooks from Node 22.15,
    // a data: URL before): the paths through it, each in a folder of its own in the ES module project.
    const APP = "{ name: 'Smoke', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }] }";
    const tsConfigs = [
      ['imports more of p7apps than defineConfig (the whole entry)', { 'p7apps.config.ts': `import { defineConfig, MAX_APP_NAME_LENGTH, P7appsError } from 'p7apps';\nif (typeof P7appsError !== 'function' || MAX_APP_NAME_LENGTH < 1) throw new Error('no');\nexport default defineConfig({ apps: [${APP}] });\n` }, 0, /Valid: 1 app/],
      ['imports a module of its own and awaits at the top level', { 'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nimport { apps } from './apps';\nexport default defineConfig({ apps: await Promise.resolve(apps) });\n", 'apps.ts': `import type { AppConfig } from 'p7apps';\nexport const apps: AppConfig[] = [${APP}];\n` }, 0, /Valid: 1 app/],
      // Linked from memory, then rejected by Node before any module runs: left to esbuild's compile, which in an
      // ES module project refuses it too, so tsx's load reports it, as it did before the compile in the thread.
      ['imports a name its own module does not export', { 'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nimport { apps, missing } from './apps';\nexport default defineConfig({ apps: missing === undefined ? apps : [] });\n", 'apps.ts': `import type { AppConfig } from 'p7apps';\nexport const apps: AppConfig[] = [${APP}];\n` }, 1, /an import does not match: .*does not provide an export named 'missing'/],
      ['throws while loading', { 'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nthrow new Error('smoke config broke');\nexport default defineConfig({ apps: [] });\n" }, 1, /the file threw an error while loading: smoke config broke/],
      // Loaded through tsx, which registers Node's off-thread module hooks (deprecated on Node 26).
      ['has a syntax error', { 'p7apps.config.ts': "import { defineConfig } from 'p7apps';\nexport default defineConfig({ apps: [ };\n" }, 1, /p7apps\.config\.ts:2:\d+: syntax error/],
    ];
    for (const [name, files, code, output] of tsConfigs) {
      await check(`a .ts config that ${name}: exit ${code}`, async () => {
        const dir = path.join(esm, `ts-config-${tsConfigs.findIndex(([other]) => other === name)}`);
        rmSync(dir, { recursive: true, force: true });
        spawnSync('mkdir', ['-p', dir]);
        for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
        const result = await run(node, [path.join(esm, 'node_modules/p7apps/bin/p7apps.js'), 'validate'], { cwd: dir, env });
        const text = `${result.stdout}${result.stderr}`;
        if (result.code !== code) return expectExit(result, code, 'p7apps validate');
        if (/^\s+at .+:\d+:\d+\)?$/m.test(text)) return `a stack trace was printed:\n${text}`.slice(0, 4000);
        if (/^\(node:\d+\) \[?\w*\]? ?\w*Warning/m.test(text)) return `Node printed a warning:\n${text}`.slice(0, 4000);
        return output.test(text) ? true : `expected ${output} in:\n${text}`.slice(0, 4000);
      });
    }

    // The installed oxc transform compiles a plain config in p7apps' own thread: esbuild's module, which
    // reads ESBUILD_BINARY_PATH as it loads and says it ignores a path that is not there, never loads.
    await check('a .ts config importing a module of its own is compiled without esbuild', async () => {
      const dir = path.join(esm, 'ts-config-in-thread');
      rmSync(dir, { recursive: true, force: true });
      spawnSync('mkdir', ['-p', dir]);
      writeFileSync(path.join(dir, 'apps.ts'), `import type { AppConfig } from 'p7apps';\nexport const apps: AppConfig[] = [${APP}];\n`);
      writeFileSync(path.join(dir, 'p7apps.config.ts'), "import { defineConfig } from 'p7apps';\nimport { apps } from './apps.js';\nexport default defineConfig({ apps });\n");
      const result = await run(node, [path.join(esm, 'node_modules/p7apps/bin/p7apps.js'), 'validate'], { cwd: dir, env: { ...env, ESBUILD_BINARY_PATH: path.join(dir, 'no-esbuild') } });
      if (result.code !== 0) return expectExit(result, 0, 'p7apps validate');
      return result.stderr === '' && /Valid: 1 app/.test(result.stdout) ? true : `expected only "Valid: 1 app", got:\n${result.stdout}${result.stderr}`.slice(0, 4000);
    });

    // The README's commands, in order, in a new folder of the ES module project (as a newcomer would).
    const readme = path.join(esm, 'readme');
    rmSync(readme, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', readme]);
    for (const command of readmeCommands(readFileSync(path.join(esm, 'node_modules/p7apps/README.md'), 'utf8'))) {
      await check(`README: ${command}`, async () => runExample(command.replace(/^npx /, ''), node, readme, env, esm));
    }

    // Every --help example of every command the top-level --help lists, as written, in the CommonJS
    // project (which has a config imported from the toy seed, and the emulator's env).
    const commands = helpCommands((await p7apps(cjs)(['--help'], { env })).stdout);
    await check('--help lists the commands, check among them', async () => (commands.includes('check') && commands.includes('plan') ? true : `commands found: ${commands.join(', ')}`));
    for (const command of commands) {
      const help = await p7apps(cjs)([command, '--help'], { env });
      for (const example of helpExamples(help.stdout)) {
        await check(`example: ${example}`, async () => runExample(example, node, cjs, env));
      }
    }
  } finally {
    emulator.stop();
  }
}

/**
 * Runs one `--help` example in a shell, `p7apps` being the installed CLI on
 * the given Node. Commands that would run until stopped (the emulator) are
 * stopped once they print that they are running; exit codes 0 and 2 (changes,
 * drift) both mean the example ran as written.
 */
async function runExample(example, node, dir, env, project = dir) {
  const bin = path.join(dir, 'smoke-bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(path.join(bin, 'p7apps'), `#!/bin/sh\nexec "${node}" "${path.join(project, 'node_modules/p7apps/bin/p7apps.js')}" "$@"\n`, { mode: 0o755 });
  const shellEnv = { ...env, PATH: `${bin}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: path.join(dir, 'step-summary.md') };
  const long = /^p7apps emulator\b/.test(example);
  // `p7apps apply` without --auto-approve or a saved plan asks a person: answer
  // "yes" on a terminal, as the person reading the example would.
  const asks = /^p7apps apply\b(?!.*--auto-approve)(?!\s+\S+\.json)/.test(example);
  if (long) return runUntilRunning(`exec ${example.replace(/--port \d+/, '')} --port 0`, dir, shellEnv);
  const line = example;
  const result = asks
    ? await run('script', ['-qec', line, '/dev/null'], { cwd: dir, env: shellEnv, timeoutMs: 120_000, input: 'yes\n' })
    : await run('sh', ['-c', line], { cwd: dir, env: shellEnv, timeoutMs: 120_000 });
  if (/^p7apps import\b/.test(example) && result.code === 1 && /already exists|--force/.test(result.stderr)) return true;
  return result.code === 0 || result.code === 2 ? true : `exited ${result.code}\n${result.stdout}${result.stderr}`.slice(0, 4000);
}

/** Runs a command that serves until stopped; true once it says it is running (within 60 s), then stops it. */
function runUntilRunning(line, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const finish = (verdict) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      resolve(verdict);
    };
    const timer = setTimeout(() => finish(`did not say it is running within 60 s:\n${out}`), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/emulator is running/.test(out)) finish(true);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => finish(`exited ${code} before it was running:\n${out}`));
  });
}

async function main() {
  const { values } = parseArgs({ options: { tarball: { type: 'string' }, node: { type: 'string', multiple: true }, keep: { type: 'boolean' } } });
  if (!values.tarball) {
    process.stderr.write('usage: node scripts/package-smoke.mjs --tarball FILE [--node BIN ...]\n');
    process.exit(1);
  }
  const nodes = values.node?.length ? values.node : [process.execPath];
  const workdir = mkdtempSync(path.join(tmpdir(), 'p7apps-smoke-'));
  let passed = 0;
  let failed = 0;
  const report = (ok, name, detail) => {
    if (ok) passed += 1;
    else failed += 1;
    process.stdout.write(`${ok ? 'ok' : 'not ok'} - ${name}\n`);
    if (!ok && detail) process.stdout.write(`${detail.replace(/^/gm, '    ')}\n`);
  };
  try {
    const projects = {};
    for (const type of ['cjs', 'esm']) {
      const installed = await installProject(path.resolve(values.tarball), workdir, type);
      report(installed.ok && installed.warnings.length === 0, `npm install of the tarball into a new ${type} project, without warnings`, installed.ok ? installed.warnings.join('\n') : installed.output);
      projects[type] = installed.dir;
    }
    for (const node of nodes) await smokeWithNode(node, projects, report);
  } finally {
    if (!values.keep) rmSync(workdir, { recursive: true, force: true });
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(failed === 0 ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
