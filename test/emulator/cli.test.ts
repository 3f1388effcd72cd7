// `p7apps emulator`: prints where it listens and the tokens it accepts,
// serves until its signal aborts, then returns 0; bad flags are exit 1
// with a message naming the flag.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { emulator, until } from './helpers.js';

const run = promisify(execFile);

/** Start the command in-process and hand back what it printed once it is ready, and a way to stop it. */
async function startCommand(args: string[], cwd = process.cwd()) {
  const controller = new AbortController();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c.toString()));
  stderr.on('data', (c) => (err += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const exit = main(['emulator', ...args], { stdout, stderr, stdin, env: { NO_COLOR: '1' }, cwd, signal: controller.signal });
  let exited = false;
  void exit.then(() => (exited = true));
  await until(() => out.includes('Press Ctrl-C to stop.') || exited);
  const field = (label: string) => new RegExp(`^  ${label}:\\s+(\\S+)`, 'm').exec(out)?.[1];
  return {
    url: field('Sign-in URL')!,
    token: field('Token')!,
    output: () => out,
    errors: () => err,
    stop: async () => {
      controller.abort(new Error('test stops the emulator'));
      return exit;
    },
  };
}

describe('p7apps emulator', () => {
  it('prints the sign-in URL, the token and the export lines, and returns 0 when its signal aborts', async () => {
    const { code, stdout, stderr } = await runCli(['emulator', '--port', '0', '--token', 'the-token'], { signal: AbortSignal.abort() });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const url = /Sign-in URL:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
    expect(stdout).toContain('  Token:         the-token\n');
    expect(stdout).toContain(`  export P7APPS_URL=${url}\n  export P7APPS_TOKEN=the-token\n`);
    expect(stdout).toContain(`  export DA__P7__REST_BASEURL=${url}/pseven/.rest/v2/\n`);
    expect(stdout).toContain(`  export DA__P7__REST_BASEURL_APPSHUB=${url}/appshub/.rest/v2/\n`);
    expect(stdout).toContain('  User:          user@work.org (password "secret")\n');
    expect(stdout).toMatch(/Control API:\s+http:\/\/127\.0\.0\.1:\d+\/_emulator\/ \(admin token: [0-9a-f]{40}\)/);
    expect(stdout.trimEnd().endsWith('AppsHub emulator stopped.')).toBe(true);
  });

  it('serves the guide world until stopped', async () => {
    const cmd = await startCommand(['--port', '0', '--ready-after-ms', '0', '--run-time-ms', '250']);
    expect(cmd.output()).toContain("  Runs:          RUNNING for 250 ms unless the workflow's seed says otherwise\n");
    const res = await fetch(`${cmd.url}/pseven/.rest/v2/workflows/`, { headers: { Authorization: `Token ${cmd.token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }[])[0]!.name).toBe('ToyWorkflow');
    expect(await cmd.stop()).toBe(0);
    await expect(fetch(`${cmd.url}/pseven/.rest/v2/workflows/`)).rejects.toThrow();
  });

  it('serves a seed file, relative to the current directory, and logs requests without the token', async () => {
    const cmd = await startCommand(['--port', '0', '--seed', 'examples/seeds/toy.yaml', '--token', 'alice-token-1', '--log-requests']);
    expect(cmd.output()).toContain(`World:         seed file ${resolve('examples/seeds/toy.yaml')}`);
    expect(cmd.output()).toContain('User:          alice@work.org\n');
    const res = await fetch(`${cmd.url}/appshub/.rest/v2/apps/`, { headers: { Authorization: 'Token alice-token-1' } });
    expect(((await res.json()) as { name: string }[]).map((a) => a.name)).toEqual(['Beam calculator', 'Heat exchanger']);
    expect(await cmd.stop()).toBe(0);
    expect(cmd.errors()).toContain('GET /appshub/.rest/v2/apps/ -> 200\n');
    expect(cmd.errors()).not.toContain('alice-token-1');
  });

  it('applies --faults and --latency-ms', async () => {
    const cmd = await startCommand(['--port', '0', '--faults', 'rate503=1,retryAfter=2', '--latency-ms', '1']);
    expect(cmd.output()).toContain('Faults:        rate503=1,retryAfter=2, latency 1 ms');
    const res = await fetch(`${cmd.url}/appshub/.rest/v2/apps/`, { headers: { Authorization: `Token ${cmd.token}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await cmd.stop()).toBe(0);
  });

  it('serves HTTPS with --tls-cert and --tls-key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p7apps-tls-'));
    try {
      await run('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ]);
      const cmd = await startCommand(['--port', '0', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem'], dir);
      expect(cmd.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { stdout } = await run('curl', ['-s', '--cacert', join(dir, 'cert.pem'), '-H', `Authorization: Token ${cmd.token}`, `${cmd.url}/appshub/.rest/v2/apps/`]);
      expect(JSON.parse(stdout)).toEqual([]);
      expect(await cmd.stop()).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['--port', '70000'], 'Error: --port must be a whole number from 0 to 65535 (got "70000")'],
    [['--seed', 'a.yaml', '--seed', 'b.yaml'], 'Error: --seed is given more than once'],
    [['--ready-after-ms', '-1'], 'Error: --ready-after-ms must be a whole number from 0 to 3600000 (got "-1")'],
    [['--run-time-ms', '1.5'], 'Error: --run-time-ms must be a whole number from 0 to 3600000 (got "1.5")'],
    [['--page-size', '0'], 'Error: --page-size must be a whole number from 1 to 10000 (got "0")'],
    // Named as typed: yargs' numbers made these NaN, or took them.
    [['--port', 'abc'], 'Error: --port must be a whole number from 0 to 65535 (got "abc")'],
    [['--latency-ms', '1e3'], 'Error: --latency-ms must be a whole number from 0 to 3600000 (got "1e3")'],
    [['--faults', 'rate503=2'], 'Error: --faults: fault spec item "rate503=2": rate503 must be a probability from 0 to 1 (got "2")'],
    [['--tls-cert', 'cert.pem'], 'Error: --tls-cert and --tls-key go together: give both, or neither'],
    [['--tls-cert', 'nope.pem', '--tls-key', 'nope.pem'], `Error: --tls-cert ${resolve('nope.pem')} cannot be read (ENOENT)`],
    [['--seed', 'nope.yaml'], `Error: seed file ${resolve('nope.yaml')} does not exist`],
    [['--seed', 'test/fixtures/emulator/bad-syntax.json'], `Error: seed file ${resolve('test/fixtures/emulator/bad-syntax.json')} is not valid JSON`],
    [['--token', 'two words'], 'Error: the token must be 1 to 200 printable ASCII characters without spaces'],
  ])('%j is exit 1: %s', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['emulator', ...(args.includes('--port') ? [] : ['--port', '0']), ...args], { signal: AbortSignal.abort() });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says when the port is taken, and how to pick another', async () => {
    const other = await emulator();
    const { code, stderr } = await runCli(['emulator', '--port', String(other.port)], { signal: AbortSignal.abort() });
    expect(code).toBe(1);
    expect(stderr).toBe(`Error: port ${other.port} on 127.0.0.1 is already in use\n  Pick another --port, or --port 0 for a free one.\n`);
  });

  it('is listed in the help', async () => {
    const { stdout } = await runCli(['emulator', '--help']);
    for (const flag of ['--port', '--host', '--seed', '--token', '--control-token', '--ready-after-ms', '--latency-ms', '--faults', '--tls-cert', '--tls-key']) {
      expect(stdout).toContain(flag);
    }
  });
});

it('the committed example thumbnail is a real PNG', async () => {
  const bytes = await readFile('examples/seeds/beam-calculator.png');
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});
