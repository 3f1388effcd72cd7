// Where the server URL and the credentials come from, the signed-in client
// connect() builds, and the transport choices made when a client is created:
// proxy from the environment, extra CAs, the insecure warning.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import nock from 'nock';
import { EnvHttpProxyAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { connect, resolveCredentials, resolveServerUrl } from '../../src/appshub/connect.js';
import { FetchCarrier } from '../../src/appshub/carrier-fetch.js';
import { NodeCarrier } from '../../src/appshub/carrier-node.js';
import { SocketCarrier } from '../../src/appshub/carrier-socket.js';
import { buildCarrier } from '../../src/appshub/http.js';
import { NOCKABLE_ENV } from './nock-helpers.js';
import { P7appsError } from '../../src/errors.js';
import { APPS, SERVER, TOKEN, WORKFLOWS, rejection, type Rejection } from './helpers.js';

function thrown(fn: () => unknown): Rejection {
  try {
    fn();
  } catch (err) {
    return err as Rejection;
  }
  throw new Error('expected a throw');
}

describe('resolveServerUrl', () => {
  it.each([
    ['--server first', { server: 'https://flag.example', env: { P7APPS_URL: 'https://env.example' }, configServerUrl: 'https://config.example' }, 'https://flag.example'],
    ['then P7APPS_URL', { env: { P7APPS_URL: 'https://env.example/' }, configServerUrl: 'https://config.example' }, 'https://env.example'],
    ['then server.url', { env: {}, configServerUrl: 'https://config.example/p7/' }, 'https://config.example/p7'],
    ['an empty P7APPS_URL is not set', { env: { P7APPS_URL: '  ' }, configServerUrl: 'https://config.example' }, 'https://config.example'],
    ['trailing slashes go', { server: 'http://localhost:8080//', env: {} }, 'http://localhost:8080'],
  ])('%s', (_, options, url) => {
    expect(resolveServerUrl(options)).toBe(url);
  });

  it('names all three ways when none is given', () => {
    const err = thrown(() => resolveServerUrl({ env: {} }));
    expect(err).toBeInstanceOf(P7appsError);
    expect(err.message).toBe('No server given: pass --server URL, set P7APPS_URL, or set server.url in the config');
  });

  it.each([
    ['ftp://app.example', '--server must be an http:// or https:// URL, not ftp:// (ftp://app.example)'],
    ['app.example', '--server is not a URL: "app.example"'],
    // The query is not echoed: it may hold a token.
    ['https://app.example/?x=1', '--server must not have a ?query or #fragment (https://app.example/?…)'],
    ['https://app.example/appshub/.rest/v2/', '--server is an API URL (https://app.example/appshub/.rest/v2/), not the sign-in URL'],
  ])('refuses %s', (server, message) => {
    expect(thrown(() => resolveServerUrl({ server, env: {} })).message).toBe(message);
  });

  it('refuses a URL with credentials without repeating them', () => {
    const err = thrown(() => resolveServerUrl({ env: { P7APPS_URL: 'https://me:s3cret-pass@app.example' } }));
    expect(err.message).toBe('P7APPS_URL contains a user name or password');
    expect(`${err.message} ${err.hint}`).not.toContain('s3cret-pass');
  });

  it('suggests the sign-in URL for an API URL', () => {
    const err = thrown(() => resolveServerUrl({ env: {}, configServerUrl: 'https://app.example/p7/pseven/.rest/v2/' }));
    expect(err.hint).toContain('Use https://app.example/p7 instead');
  });
});

describe('resolveCredentials', () => {
  it.each([
    ['P7APPS_TOKEN', { P7APPS_TOKEN: TOKEN }, { kind: 'token', source: 'P7APPS_TOKEN', token: TOKEN }],
    ['the guide\'s DA__P7__REST_AUTHTOKEN', { DA__P7__REST_AUTHTOKEN: TOKEN }, { kind: 'token', source: 'DA__P7__REST_AUTHTOKEN', token: TOKEN }],
    ['P7APPS_TOKEN over the guide\'s', { P7APPS_TOKEN: 'mine', DA__P7__REST_AUTHTOKEN: TOKEN }, { kind: 'token', source: 'P7APPS_TOKEN', token: 'mine' }],
    ['a token over a password', { P7APPS_TOKEN: TOKEN, P7APPS_USERNAME: 'u', P7APPS_PASSWORD: 'p' }, { kind: 'token', token: TOKEN }],
    ['a token with a trailing newline', { P7APPS_TOKEN: `${TOKEN}\n` }, { kind: 'token', token: TOKEN }],
    ['username and password', { P7APPS_USERNAME: 'user@work.org', P7APPS_PASSWORD: ' sec ret ' }, { kind: 'password', username: 'user@work.org', password: ' sec ret ' }],
  ])('%s', (_, env, expected) => {
    const credentials = resolveCredentials(env);
    for (const [key, value] of Object.entries(expected)) expect(credentials).toHaveProperty(key, value);
  });

  it.each([
    [{}, 'No credentials: set P7APPS_TOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD'],
    [{ P7APPS_TOKEN: '' }, 'No credentials: set P7APPS_TOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD'],
    [{ P7APPS_USERNAME: 'u' }, 'P7APPS_USERNAME is set but P7APPS_PASSWORD is not'],
    [{ P7APPS_PASSWORD: 'p' }, 'P7APPS_PASSWORD is set but P7APPS_USERNAME is not'],
    [{ P7APPS_TOKEN: `Token ${TOKEN}` }, 'P7APPS_TOKEN cannot be used as a token: it starts with "Token ": give only the token itself'],
    [{ DA__P7__REST_AUTHTOKEN: 'abc def' }, 'DA__P7__REST_AUTHTOKEN cannot be used as a token: it contains spaces, control or non-ASCII characters'],
  ])('refuses %j', (env, message) => {
    const err = thrown(() => resolveCredentials(env));
    expect(err).toBeInstanceOf(P7appsError);
    expect(err.message).toBe(message);
  });

  it('keeps the secrets out of JSON and inspect', () => {
    const token = resolveCredentials({ P7APPS_TOKEN: TOKEN });
    const password = resolveCredentials({ P7APPS_USERNAME: 'u', P7APPS_PASSWORD: 'hunter2-horse' });
    expect(JSON.stringify([token, password]) + inspect([token, password])).not.toMatch(new RegExp(`${TOKEN}|hunter2-horse`));
  });
});

describe('connect', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('builds a client for the resolved server with the token from the environment', async () => {
    const scope = nock(SERVER).get(`${APPS}/apps/`).matchHeader('authorization', `Token ${TOKEN}`).reply(200, []);
    const client = await connect({ env: { ...NOCKABLE_ENV, P7APPS_URL: `${SERVER}/`, P7APPS_TOKEN: TOKEN } });
    try {
      expect(client.serverUrl).toBe(SERVER);
      expect(client.appsBaseUrl).toBe(`${SERVER}/appshub/.rest/v2/`);
      expect(client.workflowsBaseUrl).toBe(`${SERVER}/pseven/.rest/v2/`);
      await client.listApps();
      scope.done();
    } finally {
      await client.close();
    }
  });

  it('exchanges a username and password for a token first', async () => {
    const scope = nock(SERVER)
      .post(`${WORKFLOWS}/auth/login/`, { username: 'user@work.org', password: 'secret' })
      .reply(200, { token: 'from-login' })
      .get(`${APPS}/apps/`)
      .matchHeader('authorization', 'Token from-login')
      .reply(200, []);
    const client = await connect({ server: SERVER, env: { ...NOCKABLE_ENV, P7APPS_USERNAME: 'user@work.org', P7APPS_PASSWORD: 'secret' } });
    try {
      await client.listApps();
      scope.done();
    } finally {
      await client.close();
    }
  });

  it('reports a refused login with the variables to check, never the password', async () => {
    nock(SERVER).post(`${WORKFLOWS}/auth/login/`).reply(400, { non_field_errors: ['Unable to log in with provided credentials.'], password: ['secret-pw-9'] });
    const err = await rejection(connect({ server: SERVER, env: { ...NOCKABLE_ENV, P7APPS_USERNAME: 'u', P7APPS_PASSWORD: 'secret-pw-9' } }));
    expect(err.message).toBe('400 Bad Request on POST auth/login/: Unable to log in with provided credentials.; password: [REDACTED]');
    expect(err.hint).toBe('Check P7APPS_USERNAME and P7APPS_PASSWORD.');
    expect(JSON.stringify(err) + inspect(err, { depth: 10, showHidden: true })).not.toContain('secret-pw-9');
  });

  it('fails before any request when credentials are missing', async () => {
    const err = await rejection(connect({ server: SERVER, env: {} }));
    expect(err.message).toContain('No credentials');
  });
});

describe('transport choices', () => {
  it.each([
    ['no proxy variables', {}, SocketCarrier, {}],
    ['P7APPS_HTTP_CLIENT=node', { P7APPS_HTTP_CLIENT: 'node' }, NodeCarrier, {}],
    ['P7APPS_HTTP_CLIENT=socket', { P7APPS_HTTP_CLIENT: ' Socket ' }, SocketCarrier, {}],
    ['P7APPS_HTTP_CLIENT=node behind a proxy (the proxy decides)', { P7APPS_HTTP_CLIENT: 'node', HTTPS_PROXY: 'http://proxy.corp:3128' }, FetchCarrier, { https: 'http://proxy.corp:3128' }],
    ['HTTPS_PROXY', { HTTPS_PROXY: 'http://proxy.corp:3128' }, FetchCarrier, { https: 'http://proxy.corp:3128' }],
    ['lower-case https_proxy', { https_proxy: 'http://proxy.corp:3128' }, FetchCarrier, { https: 'http://proxy.corp:3128' }],
    ['HTTP_PROXY and NO_PROXY', { HTTP_PROXY: 'http://proxy.corp:8080', NO_PROXY: 'localhost,.corp' }, FetchCarrier, { http: 'http://proxy.corp:8080', noProxy: 'localhost,.corp' }],
    ['a proxy with credentials (not repeated)', { HTTPS_PROXY: 'http://me:pw@proxy.corp:3128' }, FetchCarrier, { https: 'http://proxy.corp:3128' }],
    ['an empty HTTPS_PROXY', { HTTPS_PROXY: '' }, SocketCarrier, {}],
  ])('%s builds the right carrier', async (_, env, type, proxies) => {
    const built = buildCarrier({ env });
    try {
      expect(built.carrier).toBeInstanceOf(type);
      // Behind a proxy, undici's proxy agent carries the requests (CONNECT, credentials, NO_PROXY).
      if (built.carrier instanceof FetchCarrier) expect(built.carrier.dispatcher).toBeInstanceOf(EnvHttpProxyAgent);
      expect(built.proxies).toEqual(proxies);
    } finally {
      await built.carrier.close();
    }
  });

  it('refuses a P7APPS_HTTP_CLIENT it does not know, without repeating its value', () => {
    const err = thrown(() => buildCarrier({ env: { P7APPS_HTTP_CLIENT: 'undici\u001b[31m' } }));
    expect(err.message).toBe('P7APPS_HTTP_CLIENT names an HTTP client p7apps does not have');
    expect(err.hint).toMatch(/socket or node/);
    expect(err.message + err.hint).not.toContain('\u001b');
  });

  it('reads the proxy from the env it is given, not from process.env', async () => {
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = 'http://from-process.example:1';
    try {
      const built = buildCarrier({ env: {} });
      expect(built.carrier).toBeInstanceOf(SocketCarrier);
      await built.carrier.close();
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
  });

  it('the client says which proxy it uses', async () => {
    const client = createAppsHubClient({ serverUrl: SERVER, token: TOKEN, env: { HTTPS_PROXY: 'http://proxy.corp:3128' } });
    expect(client.proxies).toEqual({ https: 'http://proxy.corp:3128' });
    await client.close();
  });

  it('warns every time an insecure client is created', async () => {
    const warnings: string[] = [];
    const make = () => createAppsHubClient({ serverUrl: SERVER, token: TOKEN, insecure: true, onWarning: (m) => warnings.push(m) });
    const clients = [make(), make()];
    expect(warnings).toEqual([
      'TLS certificate verification is off (--insecure): anyone on the network path to app.example can read the token and change the answers.',
      'TLS certificate verification is off (--insecure): anyone on the network path to app.example can read the token and change the answers.',
    ]);
    await Promise.all(clients.map((c) => c.close()));
  });

  it.each([
    ['https', SERVER, []],
    ['http on loopback (the emulator)', 'http://127.0.0.1:8080', []],
    ['http to another host', 'http://app.example', ['The server URL http://app.example is plain http: the token travels unencrypted. Use https:// if the server offers it.']],
  ])('warns about %s as it should', async (_, serverUrl, expected) => {
    const warnings: string[] = [];
    const client = createAppsHubClient({ serverUrl, token: TOKEN, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual(expected);
    await client.close();
  });

  it('names a CA file it cannot read', () => {
    const missing = join(tmpdir(), 'p7apps-no-such-ca.pem');
    const err = thrown(() => createAppsHubClient({ serverUrl: SERVER, token: TOKEN, caFile: missing }));
    expect(err).toBeInstanceOf(P7appsError);
    expect(err.message).toBe(`Could not read the CA file ${missing} (ENOENT)`);
  });

  it('refuses a CA file without a PEM certificate', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'p7apps-ca-')), 'ca.der');
    writeFileSync(file, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    expect(thrown(() => createAppsHubClient({ serverUrl: SERVER, token: TOKEN, caFile: file })).message).toBe(
      `The CA file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  });

  it('refuses a token that cannot go in a header, without showing it', () => {
    const err = thrown(() => createAppsHubClient({ serverUrl: SERVER, token: 'abc\r\nX-Evil: 1' }));
    expect(err.message).toBe('The token cannot be used: it contains spaces, control or non-ASCII characters');
  });
});
