// `p7apps doctor` end to end: the CLI in-process against the emulator over
// real sockets. Golden human and JSON reports for each emulator profile (each
// report names that profile's differences), and the exit codes: 0 p7apps
// works here, 1 it cannot (a wrong token, nothing listening, HTML instead of
// JSON).

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

const TOY_SEED = path.resolve('examples/seeds/toy.yaml');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});

async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ readyAfterMs: 0, seed: TOY_SEED, ...options });
  cleanups.push(() => emu.close());
  return emu;
}

/** A server on 127.0.0.1 answering every request with this. */
async function plainServer(status: number, contentType: string, body: string): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port on 127.0.0.1 that nothing listens on (it did a moment ago). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The emulator's port differs each run. */
function portless(text: string): string {
  return text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT');
}

/**
 * The emulator as each profile serves it. `full` is the shape the README's
 * assumptions describe.
 */
const PROFILES: Array<[profile: string, options: EmulatorOptions]> = [
  'full',
  'guide',
  'relative-thumbnails',
  'version-urls',
  'version-numbers',
  'numeric-ids',
  'short-list',
  'thumbnail-forbidden',
  // The publish profiles differ only where a publish would show it: the doctor says it cannot tell.
  'nested-json',
  'form-only',
  'error-state',
  'silent-queue',
  // Runs only the default version: checking a new version before it becomes default is lost (A26).
  'no-version-runs',
].map((profile) => [profile, { profiles: [profile] }]);

/** Exit 2 where a profile takes something away; a difference p7apps reads anyway, or one only a publish shows, is exit 0. */
const LIMITED = new Set(['guide', 'thumbnail-forbidden', 'no-version-runs']);

describe('golden reports per emulator profile', () => {
  it.each(PROFILES)('%s', async (profile, options) => {
    const emu = await emulator(options);
    const env = { P7APPS_TOKEN: emu.token };
    const human = await runCli(['doctor', '--server', emu.url], { env });
    const json = await runCli(['doctor', '--server', emu.url, '--format', 'json'], { env });
    expect(human.stderr).toBe('');
    expect(human.code).toBe(LIMITED.has(profile) ? 2 : 0);
    expect(json.code).toBe(human.code);
    await expect(portless(human.stdout)).toMatchFileSnapshot(`../fixtures/doctor/${profile}.txt`);
    await expect(portless(json.stdout)).toMatchFileSnapshot(`../fixtures/doctor/${profile}.json`);
    const report = JSON.parse(json.stdout);
    expect(report.formatVersion).toBe(1);
    expect(report.requests.some((r: { method: string; path: string }) => r.method === 'POST' && r.path === 'apps/')).toBe(false);
  });

  it('the full profile: exit 0, and the verbose report says what each assumption means and which requests went out', async () => {
    const emu = await emulator();
    const run = await runCli(['doctor', '--server', emu.url, '--verbose'], { env: { P7APPS_TOKEN: emu.token } });
    expect(run.code).toBe(0);
    await expect(portless(run.stdout)).toMatchFileSnapshot('../fixtures/doctor/full-verbose.txt');
    expect(emu.requestLog().map((r) => r.method)).not.toContain('POST');
  });

  it('signs in with a username and password, and publishes nothing', async () => {
    const emu = await emulator();
    const run = await runCli(['doctor', '--server', emu.url, '--format', 'json'], { env: { P7APPS_USERNAME: 'alice@work.org', P7APPS_PASSWORD: 'alice-secret' } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).auth).toMatchObject({ method: 'login', status: 'accepted' });
    expect(emu.requestLog().filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([expect.stringMatching(/auth\/login\/$/)]);
    expect(run.stdout).not.toContain('alice-secret');
  });
});

describe('exit code 1: p7apps cannot work here', () => {
  it.each<[string, () => Promise<{ url: string; env: NodeJS.ProcessEnv }>, RegExp]>([
    [
      'a wrong token',
      async () => ({ url: (await emulator()).url, env: { P7APPS_TOKEN: 'not-the-token' } }),
      /credentials: token from P7APPS_TOKEN, REFUSED[\s\S]*The server refused the credentials: 403 Forbidden on GET apps\/: Invalid token\./,
    ],
    [
      'nothing listening on the port',
      async () => ({ url: await closedPort(), env: { P7APPS_TOKEN: 'some-token' } }),
      /TLS: not checked \(the server was not reached\)[\s\S]*! Could not reach http:\/\/127\.0\.0\.1:PORT \(ECONNREFUSED\) on GET apps\//,
    ],
    [
      'an HTML page instead of JSON',
      async () => ({ url: await plainServer(200, 'text/html', '<!doctype html><title>Welcome</title>'), env: { P7APPS_TOKEN: 'some-token' } }),
      /apps\/: NOT readable by p7apps[\s\S]*Malformed response to GET apps\/: it is not JSON but an HTML page titled "Welcome"/,
    ],
  ])('%s', async (_name, setup, expected) => {
    const { url, env } = await setup();
    const run = await runCli(['doctor', '--server', url], { env });
    expect(run.code).toBe(1);
    expect(portless(run.stdout)).toMatch(expected);
    expect(run.stdout).toMatch(/p7apps cannot work with this server: \d+ problems?\.\n$/);
  });

  it('no server named anywhere is a usage error with a hint, not a report', async () => {
    const run = await runCli(['doctor', '--config', path.resolve('test/fixtures/import/p7apps.config.yaml')], { env: { P7APPS_TOKEN: 't' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Error: /);
  });
});

describe('TLS, with the flags the other commands take', () => {
  const CERT = path.resolve('test/fixtures/appshub/localhost-cert.pem');
  const tls = { cert: readFileSync(CERT), key: readFileSync(path.resolve('test/fixtures/appshub/localhost-key.pem')) };

  it.each<[string, string[], number, RegExp]>([
    ['a self-signed certificate is refused, naming --ca-file and --insecure', [], 1, /! TLS: failed: The TLS certificate of https:\/\/127\.0\.0\.1:PORT is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)[\s\S]*pass --ca-file FILE \(PEM\) to trust it, or --insecure/],
    ['--ca-file trusts it', ['--ca-file', CERT], 0, /= TLS: https, certificate verified \(with the authorities in --ca-file .*localhost-cert\.pem\)/],
    ['--insecure skips verification, with a warning', ['--insecure'], 0, /~ TLS: https, certificate NOT verified \(--insecure\)[\s\S]*Warnings\n  ~ TLS certificate verification is off \(--insecure\)/],
  ])('%s', async (_name, flags, code, expected) => {
    const emu = await emulator({ tls });
    const run = await runCli(['doctor', '--server', emu.url, ...flags], { env: { P7APPS_TOKEN: emu.token } });
    expect(run.code).toBe(code);
    expect(portless(run.stdout)).toMatch(expected);
  });
});
