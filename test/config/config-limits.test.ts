// A TypeScript/JavaScript config runs in a worker under a time limit, as a
// real `p7apps` process shows: a config that never settles, loops for ever
// or is interrupted ends the process with an error naming the file (exit 1,
// or 130/143 after SIGINT/SIGTERM), never with exit 0 and no output, and
// with nothing sent but the lists `plan` and `drift` read while a config
// loads (test/helpers/before-config.ts).

import { execFile } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { sentWithoutConfig } from '../helpers/before-config.js';
import { releaseFifos, runCliProcess, settlesWithin, startCli, waitUntil } from '../helpers/process.js';
import { makeProject } from './project.js';

const TOKEN = 'limits-token-3f9c1a';
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ token: TOKEN });
});

afterAll(async () => {
  await emulator.close();
});

const COMMANDS = [['validate'], ['plan'], ['drift'], ['apply', '--auto-approve']];
const env = () => ({ P7APPS_URL: emulator.url, P7APPS_TOKEN: TOKEN });
/** An ES module project, so that top-level await is allowed. */
const project = (config: string) => makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': config });

describe.each(COMMANDS)('p7apps %s', (...command) => {
  it.each([
    ['an async config function awaiting a promise that never settles', 'export default async () => await new Promise(() => {});\n', "the config function's promise never settles"],
    ['a top-level await that never settles', 'await new Promise(() => {});\nexport default { apps: [] };\n', 'loading the file never finished: a top-level await waits for a promise that nothing can settle'],
  ])('%s: exit 1 at once with the file and what to fix, nothing sent but the early lists', async (_name, config, says) => {
    const dir = await project(config);
    emulator.clearLog();
    // The default limit (30 s): nothing is left that could settle the promise, so p7apps need not wait for it.
    const run = await runCliProcess(command, { cwd: dir, env: env() });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain(`Error: p7apps.config.ts: ${says}`);
    expect(sentWithoutConfig(command[0]!, emulator.requestLog())).toEqual([]);
  });

  it.each([
    ['a config looping for ever', 'while (true) {}\nexport default { apps: [] };\n'],
    ['a config function looping for ever', 'export default () => { for (;;) {} };\n'],
  ])('%s: stopped at the time limit, exit 1 naming the file, the limit and how to raise it', async (_name, config) => {
    const dir = await project(config);
    emulator.clearLog();
    const run = await runCliProcess(command, { cwd: dir, env: { ...env(), P7APPS_CONFIG_TIMEOUT_MS: '300' } });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(/^Error: p7apps\.config\.ts: .* within 300 ms.*; if it really needs longer, raise the limit with P7APPS_CONFIG_TIMEOUT_MS \(milliseconds; now 300\)\n$/);
    expect(sentWithoutConfig(command[0]!, emulator.requestLog())).toEqual([]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while a config loops ends the process with %i and says so', async (signal, code) => {
    const dir = await project("import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./started', import.meta.url), '');\nwhile (true) {}\n");
    emulator.clearLog();
    const cli = startCli(command, { cwd: dir, env: env() });
    await waitUntil(() => existsSync(path.join(dir, 'started')), 'the config to start');
    cli.child.kill(signal);
    const run = await cli.done;
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(`${signal} received`);
    expect(run.stderr).toMatch(/loading the config was stopped: interrupted by SIG|Interrupted/);
    expect(sentWithoutConfig(command[0]!, emulator.requestLog())).toEqual([]);
  });
});

describe('a signal that comes as the config finishes loading', () => {
  // Found by an adversarial review: `validate` said "SIGTERM received", then "Valid", and exited 0 in about one
  // run of four, when the config had loaded before the signal stopped it. Several runs: it is a race.
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: validate exits %i, never 0', async (signal, code) => {
    const dir = await project(`process.kill(process.pid, '${signal}');\nexport default { apps: [] };\n`);
    for (let run = 0; run < 6; run++) {
      const result = await runCliProcess(['validate'], { cwd: dir });
      expect(result.code, `run ${run}: ${result.stdout}${result.stderr}`).toBe(code);
    }
  });
});

describe('a second signal', () => {
  // The config blocks its thread in a system call (opening a FIFO nobody writes to), which no
  // time limit can interrupt: the first Ctrl-C cannot finish an orderly stop, the second ends it.
  it.each([['validate'], ['plan']])('ends p7apps %s at once, even while the config is stuck', async (command) => {
    const dir = await project(
      "import { readFileSync, writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./started', import.meta.url), '');\nreadFileSync(new URL('./fifo', import.meta.url));\nexport default {};\n",
    );
    const fifo = path.join(dir, 'fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    const cli = startCli([command], { cwd: dir, env: env() });
    // Stuck before the first signal: a writer can open the FIFO only once the config holds it open for
    // reading, and a writer that never writes leaves that read blocked.
    let writer: number | undefined;
    await waitUntil(() => {
      try {
        writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        return true;
      } catch {
        return false;
      }
    }, 'the config to block on its read');
    let ended = false;
    void cli.done.then(() => (ended = true));
    try {
      cli.child.kill('SIGINT');
      await waitUntil(() => cli.stderr().includes('SIGINT received'), 'the first signal to be seen');
      // The kernel may hand the signal to the config's thread, whose read then ends and lets the orderly stop
      // finish; when it does not, the thread stays stuck and only the second signal can end the process.
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!ended) cli.child.kill('SIGINT');
    } finally {
      // Closed once the process is gone: before, it would end the read with end-of-file.
      await cli.done;
      closeSync(writer!);
    }
    const run = await cli.done;
    // Ended by the signal itself (process.exit() would wait for the stuck thread): a shell reports 130.
    expect(run.code === 130 || run.signal === 'SIGINT').toBe(true);
    if (!run.stderr.includes('SIGINT received again: stopping at once.')) {
      expect(run.stderr).toContain('SIGINT received: finishing requests already in flight.');
      expect(run.code).toBe(130);
    }
  });
});

describe('a config stuck in a system call at the time limit', () => {
  // The config's thread waits to open a FIFO nobody writes to: terminating it waits for the call to
  // return, and so would process.exit(). The error is reported at the limit, and p7apps exits with it.
  it.each([['validate'], ['plan']])('p7apps %s reports the limit and exits 1, without waiting for the stuck thread', async (command) => {
    const dir = await project("import { readFileSync } from 'node:fs';\nreadFileSync(new URL('./fifo', import.meta.url));\nexport default { apps: [] };\n");
    const fifo = path.join(dir, 'fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    const cli = startCli([command], { cwd: dir, env: { ...env(), P7APPS_CONFIG_TIMEOUT_MS: '300' } });
    const exitedAlone = await settlesWithin(cli.done, 20_000);
    const run = await releaseFifos(cli, [fifo]);
    expect(exitedAlone).toBe(true);
    expect(run).toMatchObject({ code: 1, signal: null, stdout: '' });
    expect(run.stderr).toMatch(/^Error: p7apps\.config\.ts: loading the file did not finish within 300 ms.*\n$/);
  });
});

describe('secrets in what a config throws', () => {
  const SECRET = 'p7sec-limits-TOKEN-77d1e0';
  const PASSWORD = 'p7sec-limits-PASSWORD-c4 2';
  it.each([
    ['thrown while loading', "throw new Error('bad ' + process.env.P7APPS_TOKEN);\n", 'the file threw an error while loading: bad [REDACTED]'],
    ['thrown by the config function', "export default () => { throw new Error('token=' + process.env.P7APPS_TOKEN); };\n", 'the config function threw an error: token=[REDACTED]'],
    ['rejected by the config function', "export default async () => { throw new Error(`login ${encodeURIComponent(process.env.P7APPS_TOKEN!)}`); };\n", 'the config function failed: login [REDACTED]'],
  ])('a token %s is masked', async (_name, config, says) => {
    const dir = await project(config);
    const run = await runCliProcess(['validate'], { cwd: dir, env: { P7APPS_TOKEN: SECRET } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(says);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('a password in a thrown error is masked', async () => {
    const dir = await project("throw new Error(`cannot sign in as ${process.env.P7APPS_USERNAME} with ${process.env.P7APPS_PASSWORD}`);\n");
    const run = await runCliProcess(['plan'], { cwd: dir, env: { P7APPS_URL: emulator.url, P7APPS_USERNAME: 'alice', P7APPS_PASSWORD: PASSWORD } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot sign in as alice with [REDACTED]');
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });
});

describe("what a config posts on worker_threads' parentPort (the port of p7apps' own answers)", () => {
  const posting = (message: string) =>
    `import { parentPort } from 'node:worker_threads';\nparentPort?.postMessage(${message});\nexport default { apps: [] };\n`;

  it.each([
    ['null', 'null'],
    ['text', "'config'"],
    ['an unknown kind', "{ kind: 'request' }"],
    ['a failure whose message is a number', "{ kind: 'failed', message: 42 }"],
    ['a failure whose line is text', "{ kind: 'failed', message: 'broken', line: '1; rm -rf' }"],
  ])('%s: exit 1 naming the file and what to fix, no stack trace', async (_name, message) => {
    const dir = await project(posting(message));
    const run = await runCliProcess(['validate'], { cwd: dir });
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "Error: p7apps.config.ts: the config's thread sent p7apps a message it does not understand; a config must not post messages on worker_threads' parentPort\n",
    });
  });

  it.each([
    ['closes it', "import { parentPort } from 'node:worker_threads';\nparentPort?.close();\nexport default { apps: [] };\n"],
    ['replaces its postMessage', "import { parentPort } from 'node:worker_threads';\nif (parentPort) parentPort.postMessage = () => {};\nexport default { apps: [] };\n"],
  ])('a config that %s: exit 1 saying so (not that it called process.exit)', async (_name, config) => {
    const run = await runCliProcess(['validate'], { cwd: await project(config) });
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "Error: p7apps.config.ts: the config's thread answered, but the answer never reached p7apps; a config must not close or replace worker_threads' parentPort\n",
    });
  });

  it('a note of a process p7apps did not start: p7apps does not kill that process when it is stopped', async () => {
    // p7apps kills the esbuild processes its worker said it started and not ended, when it exits and when a
    // signal stops it; a config's own process, named in a note once the config runs, is not one of them.
    const dir = await project(
      "import { spawn } from 'node:child_process';\nimport { writeFileSync } from 'node:fs';\nimport { parentPort } from 'node:worker_threads';\n" +
        "const child = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });\nchild.unref();\n" +
        "parentPort?.postMessage({ kind: 'esbuild-process', pid: child.pid, ended: false });\n" +
        // Time for the CLI's thread to take the note, then the pid, and a loop that keeps the load going.
        "await new Promise((resolve) => setTimeout(resolve, 300));\nwriteFileSync(new URL('./pid', import.meta.url), String(child.pid));\nwhile (true) {}\n",
    );
    const cli = startCli(['validate'], { cwd: dir });
    const pidFile = path.join(dir, 'pid');
    await waitUntil(() => existsSync(pidFile), 'the config to note its process');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      cli.child.kill('SIGTERM');
      expect((await cli.done).code).toBe(143);
      // Still running: a process killed stays a zombie here (its parent, p7apps, is gone), which kill(pid, 0) would pass.
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0]).toMatch(/^[RSD]$/);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
});

describe('what a config prints', () => {
  it('goes to standard error, so that it cannot corrupt JSON on standard output', async () => {
    const dir = await makeProject({ 'p7apps.config.mjs': "console.log('computing the catalog');\nexport default { apps: [] };\n" });
    const run = await runCliProcess(['validate'], { cwd: dir });
    expect(run).toMatchObject({ code: 0, stdout: 'Valid: 0 apps, 0 versions, 0 workspaces (p7apps.config.mjs)\n' });
    expect(run.stderr).toContain('computing the catalog');
  });

  const printsLines = (then: string) =>
    `for (let i = 0; i < 400; i++) console.error(\`err line \${i}\`);\nfor (let i = 0; i < 400; i++) console.log(\`out line \${i}\`);\n${then}\n`;

  it.each([
    ['returns its config', printsLines('export default { apps: [] };'), 0, /^Valid: 0 apps/],
    ['then throws', printsLines("throw new Error('no catalog today');"), 1, /^$/],
  ])('reaches standard error in full when the config %s (the config thread is stopped on its answer)', async (_, text, code, stdout) => {
    const dir = await makeProject({ 'p7apps.config.mjs': text });
    // The output was cut short in about one run of three before the worker waited for it; five runs.
    for (let run = 0; run < 5; run++) {
      const result = await runCliProcess(['validate'], { cwd: dir });
      expect(result.code, result.stderr.slice(-500)).toBe(code);
      expect(result.stdout).toMatch(stdout);
      for (const stream of ['err', 'out']) {
        const lines = result.stderr.split('\n').filter((line) => line.startsWith(`${stream} line `));
        expect(lines, `${stream} lines of run ${run}`).toEqual(Array.from({ length: 400 }, (_, i) => `${stream} line ${i}`));
      }
    }
  });

  it.each([
    ['ends its standard output', "process.stdout.end();\nexport default { apps: [] };\n"],
    ['destroys its standard error', "process.stderr.destroy();\nexport default { apps: [] };\n"],
    ['replaces the writes of both with ones that never finish', "process.stdout.write = () => true;\nprocess.stderr.write = () => true;\nexport default { apps: [] };\n"],
  ])('does not stop the config from loading when the config %s', async (_, text) => {
    const dir = await makeProject({ 'p7apps.config.mjs': text });
    const run = await runCliProcess(['validate'], { cwd: dir });
    expect(run, run.stderr).toMatchObject({ code: 0, stdout: 'Valid: 0 apps, 0 versions, 0 workspaces (p7apps.config.mjs)\n' });
  });
});
