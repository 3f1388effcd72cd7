// When the CLI asks V8 to optimise later (src/cli/v8-tiering.ts): which V8
// versions, which user flags make it step back, and, on the built CLI in a
// process of its own, that only commands reading the server ask, once, and
// never an in-process caller.

import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laterOptimisationFlag } from '../../src/cli/v8-tiering.js';
import { runCli } from '../helpers/cli.js';

describe('the flag for each V8', () => {
  it.each([
    ['11.3.244.8-node.38', [], '--interrupt-budget=1000000'],
    // Node 22 (V8 12.4): Node's compile cache would be refused between commands run with and without the flag.
    ['12.4.254.21-node.57', [], undefined],
    // Node 23 (V8 12.9), 24 and later tier through Maglev first: left as they are.
    ['12.9.202.28-node.14', [], undefined],
    ['13.6.233.17-node.53', [], undefined],
    ['14.6.202.34-node.34', [], undefined],
    ['10.2.154.26-node.26', [], undefined],
    ['not a version', [], undefined],
    // The user's own tiering flags win, however spelt (each a flag some V8 takes).
    ['11.3.244.8-node.38', ['--interrupt-budget=70000'], undefined],
    ['11.3.244.8-node.38', ['--interrupt_budget=70000'], undefined],
    ['11.3.244.8-node.38', ['--invocation-count-for-turbofan=100'], undefined],
    ['11.3.244.8-node.38', ['--no-opt'], undefined],
    ['11.3.244.8-node.38', ['--maglev'], undefined],
    ['11.3.244.8-node.38', ['--turbofan'], undefined],
    ['11.3.244.8-node.38', ['--always-sparkplug'], undefined],
    // As V8 reads them: one dash, `no` without a dash, and the other flags that choose the tiers.
    ['11.3.244.8-node.38', ['-interrupt-budget=70000'], undefined],
    ['11.3.244.8-node.38', ['--noopt'], undefined],
    ['11.3.244.8-node.38', ['-no-turbofan'], undefined],
    ['11.3.244.8-node.38', ['--max-opt=2'], undefined],
    ['11.3.244.8-node.38', ['--max_opt=1'], undefined],
    ['11.3.244.8-node.38', ['--jitless'], undefined],
    ['11.3.244.8-node.38', ['--lite-mode'], undefined],
    ['11.3.244.8-node.38', ['--efficiency-mode'], undefined],
    ['11.3.244.8-node.38', ['--minimum-invocations-after-ic-update=1'], undefined],
    // Other Node options are not tiering.
    ['11.3.244.8-node.38', ['--enable-source-maps', '--max-old-space-size=4096'], '--interrupt-budget=1000000'],
    ['11.3.244.8-node.38', ['--no-warnings', '--no-deprecation', '-r', './hook.cjs', '--openssl-legacy-provider'], '--interrupt-budget=1000000'],
  ])('V8 %s with %j: %s', (version, execArgv, flag) => {
    expect(laterOptimisationFlag(version, execArgv)).toBe(flag);
  });
});

describe('the built CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'p7apps-tiering-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'p7apps.config.json'), JSON.stringify({ apps: [{ name: 'a', workspace: 'W', versions: [{ version: 1, workflow: '/w.p7wf' }] }] }));
  // Records every call of v8.setFlagsFromString the CLI makes, and lets it through.
  const probe = path.join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    `import v8 from 'node:v8'; import { appendFileSync } from 'node:fs';
const set = v8.setFlagsFromString;
v8.setFlagsFromString = (flag) => { appendFileSync(process.env.TIERING_PROBE_FILE, flag + '\\n'); return set.call(v8, flag); };\n`,
  );
  const BIN = path.resolve(import.meta.dirname, '../../bin/p7apps.js');
  // A server that refuses the token: a command reading the server ends at its first answer, with exit code 1.
  const server = http.createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Invalid token."}'));
  let url = '';
  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const env = () => ({ P7APPS_URL: url, P7APPS_TOKEN: 'tiering-test-token-0123456789' });

  async function flagsSet(nodeArgs: string[], args: string[]): Promise<{ flags: string[]; status: number | null; stderr: string }> {
    const file = path.join(dir, `calls-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(file, '');
    const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [...nodeArgs, '--import', pathToFileURL(probe).href, BIN, ...args],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TIERING_PROBE_FILE: file, ...env() }, encoding: 'utf8', timeout: 60_000 },
        (_err, _stdout, stderr) => resolve({ status: child.exitCode, stderr }),
      );
    });
    return { flags: readFileSync(file, 'utf8').split('\n').filter(Boolean), ...run };
  }

  const expected = laterOptimisationFlag(process.versions.v8, []);

  it.each([
    ['plan', ['plan'], 1, true],
    ['drift', ['drift'], 1, true],
    ['check', ['check'], 1, true],
    ['import', ['import', '--workspace', 'W'], 1, true],
    // apply waits on the server's publishing, and measured slower with the delay: it keeps V8's default.
    ['apply', ['apply', '--auto-approve'], 1, false],
    ['validate', ['validate'], 0, false],
    ['--version', ['--version'], 0, false],
  ])('%s %j: asks for it at most once (exit code %s, asks: %s)', async (_name, args, status, asks) => {
    const run = await flagsSet([], args);
    expect(run.status, run.stderr).toBe(status);
    expect(run.flags).toEqual(asks && expected !== undefined ? [expected] : []);
    // Nothing about V8 reaches the user.
    expect(run.stderr).not.toMatch(/flag|v8/i);
  });

  it('leaves V8 alone when the user passes a tiering flag of their own', async () => {
    // A flag each Node takes: Node 22 and later refuse --interrupt-budget (`bad option`, exit code 9).
    const run = await flagsSet([process.versions.v8.startsWith('11.') ? '--interrupt-budget=70000' : '--invocation-count-for-turbofan=100'], ['plan']);
    expect(run.status, run.stderr).toBe(1);
    expect(run.flags).toEqual([]);
  });

  it('never retunes the V8 of an in-process caller', async () => {
    const calls: string[] = [];
    const v8 = process.getBuiltinModule('node:v8');
    const set = v8.setFlagsFromString;
    v8.setFlagsFromString = (flag: string) => void calls.push(flag);
    try {
      const result = await runCli(['plan', '--config', path.join(dir, 'p7apps.config.json')], { cwd: dir, env: env() });
      expect(result.code, result.stderr).toBe(1);
    } finally {
      v8.setFlagsFromString = set;
    }
    expect(calls).toEqual([]);
  });
});
