// TLS and proxies, end to end through the CLI: the emulator serves HTTPS
// with a self-signed certificate generated for this test (openssl), which
// p7apps refuses by default with an error naming the fix, trusts with
// --ca-file, and accepts with --insecure while warning on every run. A
// loopback CONNECT proxy shows HTTPS_PROXY is honoured and sees no token.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { connectProxy as startConnectProxy } from '../helpers/connect-proxy.js';
import { SECRET_PASSWORD, SECRET_TOKEN, STACK_LINE, Sweep } from './sweep.js';

const sweep = new Sweep();
let dir: string;
let emulator: RunningEmulator;
let plainEmulator: RunningEmulator;
const closers: Array<() => Promise<unknown> | void> = [];

/** A self-signed certificate (and its key) for the given subjectAltName, made now with openssl. */
async function selfSigned(name: string, altNames: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${name}-cert.pem`);
  const key = path.join(dir, `${name}-key.pem`);
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${altNames}`,
  ]);
  return { cert, key };
}

let serverCert: { cert: string; key: string };
let otherCert: { cert: string; key: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-tls-'));
  serverCert = await selfSigned('p7apps-test-server', 'DNS:localhost,IP:127.0.0.1');
  otherCert = await selfSigned('someone-else', 'DNS:other.example');
  emulator = await startEmulator({
    token: SECRET_TOKEN,
    readyAfterMs: 20,
    tls: { cert: await readFile(serverCert.cert), key: await readFile(serverCert.key) },
  });
  plainEmulator = await startEmulator({ token: SECRET_TOKEN, readyAfterMs: 20 });
  await writeFile(
    path.join(dir, 'p7apps.config.json'),
    JSON.stringify({ defaults: { workspace: 'Toy apps' }, apps: [{ name: 'Toy', versions: [{ version: 1, workflow: '/Users/1/ToyWorkflow.p7wf' }] }] }),
  );
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await emulator.close();
  await plainEmulator.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => emulator.reset());

const env = (more: NodeJS.ProcessEnv = {}) => ({ P7APPS_URL: emulator.url, P7APPS_TOKEN: SECRET_TOKEN, ...more });
const cli = async (label: string, args: string[], more?: NodeJS.ProcessEnv): Promise<CliRun> => sweep.addRun(label, await runCli(args, { cwd: dir, env: env(more) }));
const INSECURE_WARNING = /^Warning: TLS certificate verification is off \(--insecure\): anyone on the network path to 127\.0\.0\.1:\d+ can read the token and change the answers\.$/m;

function expectRefused(run: CliRun, says: RegExp, hint: RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(says);
  expect(run.stderr).toMatch(hint);
  expect(run.stderr).not.toMatch(STACK_LINE);
}

describe('a server with a self-signed certificate', () => {
  it.each([['plan'], ['apply', '--auto-approve'], ['drift']])('%s refuses it by default, naming --ca-file and --insecure, and sends nothing', async (...command) => {
    const run = await cli(`${command[0]} untrusted`, command);
    expectRefused(
      run,
      /^Error: The TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\) on GET (apps|workflows)\/$/m,
      /pass --ca-file FILE \(PEM\) to trust it, or --insecure to skip verification/,
    );
    expect(emulator.requestLog()).toEqual([]);
  });

  it('is trusted with --ca-file: plan, apply and a converged plan, without a warning', async () => {
    const planned = await cli('plan ca-file', ['plan', '--ca-file', serverCert.cert]);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    const applied = await cli('apply ca-file', ['apply', '--auto-approve', '--ca-file', serverCert.cert]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(emulator.snapshot().apps.map((a) => a.name)).toEqual(['Toy']);
    expect((await cli('plan ca-file again', ['plan', '--ca-file', serverCert.cert])).code).toBe(0);
  });

  it('stays refused with --ca-file of another certificate', async () => {
    const run = await cli('plan other ca', ['plan', '--ca-file', otherCert.cert]);
    expectRefused(run, /is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/, /--ca-file/);
    expect(emulator.requestLog()).toEqual([]);
  });

  it('is refused when trusted but issued for another host name', async () => {
    const elsewhere = await startEmulator({ token: SECRET_TOKEN, tls: { cert: await readFile(otherCert.cert), key: await readFile(otherCert.key) } });
    closers.push(() => elsewhere.close());
    const run = await cli('plan wrong host', ['plan', '--ca-file', otherCert.cert], { P7APPS_URL: elsewhere.url });
    expectRefused(run, /\(ERR_TLS_CERT_ALTNAME_INVALID\)/, /certificate is for another host name/);
    expect(elsewhere.requestLog()).toEqual([]);
  });

  it('is accepted with --insecure, with a warning on every run', async () => {
    const runs = [
      await cli('plan insecure', ['plan', '--insecure']),
      await cli('apply insecure', ['apply', '--auto-approve', '--insecure']),
      await cli('plan insecure again', ['plan', '--insecure']),
      await cli('drift insecure', ['drift', '--insecure']),
    ];
    expect(runs.map((r) => r.code)).toEqual([2, 0, 0, 0]);
    for (const run of runs) {
      expect(run.stderr).toMatch(INSECURE_WARNING);
      expect(run.stderr.match(/^Warning: /gm)).toHaveLength(1);
    }
    expect(emulator.snapshot().apps.map((a) => a.name)).toEqual(['Toy']);
  });

  it.each([
    ['a CA file that does not exist', 'missing.pem', /Could not read the CA file .*missing\.pem \(ENOENT\)/],
    ['a CA file that is not PEM', 'p7apps.config.json', /holds no PEM certificate/],
  ])('names %s', async (_what, file, says) => {
    const run = await cli(`plan ${_what}`, ['plan', '--ca-file', file]);
    expectRefused(run, says, /--ca-file/);
    expect(emulator.requestLog()).toEqual([]);
  });

  it('says the server may not speak TLS when https:// points at a plain HTTP port', async () => {
    const run = await cli('plan https to http', ['plan'], { P7APPS_URL: plainEmulator.url.replace('http:', 'https:') });
    expectRefused(run, /Could not reach https:\/\/127\.0\.0\.1:\d+ \((ERR_SSL_WRONG_VERSION_NUMBER|EPROTO)\)/, /may not speak TLS/);
    // Asked once: every retry would meet the same plain HTTP port.
    expect(run.stderr).not.toMatch(/attempts/);
  });
});

describe('HTTPS_PROXY', () => {
  const connectProxy = (refuse?: number) => startConnectProxy((close) => closers.push(close), refuse);

  it('tunnels every request through the proxy with CONNECT; the token travels only inside TLS', async () => {
    const proxy = await connectProxy();
    const target = new URL(emulator.url).host;
    const run = await cli('apply via proxy', ['apply', '--auto-approve', '--ca-file', serverCert.cert], { HTTPS_PROXY: proxy.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.connects.map((c) => c.target))).toEqual(new Set([target]));
    expect(emulator.snapshot().apps.map((a) => a.name)).toEqual(['Toy']);
  });

  it('sends the proxy its credentials, and never shows the password', async () => {
    const proxy = await connectProxy();
    const withAuth = proxy.url.replace('http://', `http://proxyuser:${encodeURIComponent(SECRET_PASSWORD)}@`);
    const run = await cli('plan via proxy with credentials', ['plan', '--ca-file', serverCert.cert], { HTTPS_PROXY: withAuth });
    expect(run.code).toBe(2);
    expect(proxy.connects[0]!.proxyAuthorization).toBe(`Basic ${Buffer.from(`proxyuser:${SECRET_PASSWORD}`).toString('base64')}`);
  });

  it('reports a proxy that refuses the tunnel clearly, without the proxy password', async () => {
    const proxy = await connectProxy(407);
    const withAuth = proxy.url.replace('http://', `http://proxyuser:${encodeURIComponent(SECRET_PASSWORD)}@`);
    const run = await cli('plan refused by proxy', ['plan', '--ca-file', serverCert.cert], { HTTPS_PROXY: withAuth });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: The proxy http:\/\/127\.0\.0\.1:\d+\/? refused the tunnel to https:\/\/127\.0\.0\.1:\d+ \(407 Proxy Authentication Required\) on GET (apps|workflows)\//m);
    expect(run.stderr).toMatch(/The proxy wants credentials/);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(emulator.requestLog()).toEqual([]);
  });

  // undici says only "Proxy response (407) !== 200 when HTTP Tunneling": the
  // error names the proxy and its answer, and is not retried.
  it('names the proxy and its answer when it refuses the tunnel', async () => {
    const proxy = await connectProxy(407);
    const client = createAppsHubClient({ serverUrl: emulator.url, token: SECRET_TOKEN, caFile: serverCert.cert, env: { HTTPS_PROXY: proxy.url }, retry: { maxAttempts: 1 } });
    closers.push(() => client.close());
    const err = await client.listApps().then(() => undefined, (e: unknown) => e);
    sweep.addError('proxy refusal', err);
    expect((err as Error).message).toMatch(/proxy.*407/i);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const proxy = await connectProxy();
    const run = await cli('plan no_proxy', ['plan', '--ca-file', serverCert.cert], { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    expect(run.code).toBe(2);
    expect(proxy.connects).toEqual([]);
  });
});

it('leaves the token and the proxy password in no byte captured above', () => {
  expect(sweep.size.items).toBeGreaterThan(20);
  expect(sweep.leaks([SECRET_TOKEN, SECRET_PASSWORD])).toEqual([]);
});
