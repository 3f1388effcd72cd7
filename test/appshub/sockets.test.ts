// The transport over real loopback sockets (no nock in this file), with each
// carrier for direct connections (p7apps' own, the default, and node:http):
// TLS with a self-signed certificate (rejected, trusted with --ca-file, or
// skipped with --insecure), a proxy from the environment, keep-alive,
// timeouts, refused connections, oversized bodies, and a multipart publish
// as a server parses it. The fixture certificate is for localhost/127.0.0.1,
// valid for a century.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppsHubClient, type AppsHubClient, type AppsHubClientOptions } from '../../src/appshub/client.js';
import { AppsHubError } from '../../src/appshub/errors.js';
import { rejection } from './helpers.js';
import { connectProxy } from '../helpers/connect-proxy.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'appshub');
const CERT = join(FIXTURES, 'localhost-cert.pem');
const KEY = join(FIXTURES, 'localhost-key.pem');
const TOKEN = 'socket-test-token-0123456789';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function listen(server: http.Server | https.Server | net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    (server as http.Server).closeAllConnections?.();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

async function httpServer(handler: Handler): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  return { url: `http://127.0.0.1:${await listen(server)}`, server };
}

/** The HTTP client the current describe.each run names (P7APPS_HTTP_CLIENT); proxies come on top from a test's own env. */
let httpClient = 'socket';

function client(options: AppsHubClientOptions): AppsHubClient {
  const c = createAppsHubClient({ token: TOKEN, retry: { maxAttempts: 1 }, onWarning: () => {}, ...options, env: { P7APPS_HTTP_CLIENT: httpClient, ...options.env } });
  cleanups.push(() => c.close());
  return c;
}

function answerEmptyList(res: http.ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end('[]');
}
const json: Handler = (_req, res) => answerEmptyList(res);

describe.each(['socket', 'node'])('with the %s HTTP client', (name) => {
  beforeEach(() => {
    httpClient = name;
  });

  describe('TLS', () => {
    async function httpsServer(): Promise<string> {
      const server = https.createServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, json);
      return `https://localhost:${await listen(server)}`;
    }

    it('rejects a self-signed certificate by default, pointing at --ca-file and --insecure', async () => {
      const url = await httpsServer();
      const err = await rejection(client({ serverUrl: url }).listApps());
      expect(err).toBeInstanceOf(AppsHubError);
      expect(err).toMatchObject({ kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      expect(err.message).toBe(`The TLS certificate of ${url} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT) on GET apps/`);
      expect(err.hint).toContain('--ca-file FILE');
    });

    it('trusts it with --ca-file', async () => {
      const url = await httpsServer();
      expect(await client({ serverUrl: url, caFile: CERT }).listApps()).toEqual([]);
    });

    it('resumes the TLS session on a new connection to the same server', async () => {
      const resumed: boolean[] = [];
      const server = https.createServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, (req, res) => {
        resumed.push((req.socket as import('node:tls').TLSSocket).isSessionReused());
        // Each answer closes its connection, so every request needs a new handshake.
        res.setHeader('connection', 'close');
        answerEmptyList(res);
      });
      const url = `https://localhost:${await listen(server)}`;
      const c = client({ serverUrl: url, caFile: CERT, connections: 1 });
      for (let i = 0; i < 3; i++) await c.listApps();
      expect(resumed).toEqual([false, true, true]);
    });

    it('skips verification with --insecure, warning about it', async () => {
      const url = await httpsServer();
      const warnings: string[] = [];
      expect(await client({ serverUrl: url, insecure: true, onWarning: (m) => warnings.push(m) }).listApps()).toEqual([]);
      expect(warnings).toHaveLength(1);
    });
  });

  describe('connections', () => {
    it('reuses kept-alive connections across requests', async () => {
      const { url, server } = await httpServer(json);
      let connections = 0;
      server.on('connection', () => connections++);
      const c = client({ serverUrl: url });
      for (let i = 0; i < 6; i++) await c.listApps();
      // A socket is released a moment after its body ends, so a next request may take a second one; never more.
      expect(connections).toBeLessThanOrEqual(2);
    });

    it('opens no more than `connections` sockets to one origin', async () => {
      const held: http.ServerResponse[] = [];
      let holding = true;
      let connections = 0;
      let twoArrived: () => void = () => {};
      const arrived = new Promise<void>((resolve) => (twoArrived = resolve));
      const { url, server } = await httpServer((_req, res) => {
        if (!holding) return answerEmptyList(res);
        held.push(res);
        if (held.length === 2) twoArrived();
      });
      server.on('connection', () => connections++);
      const c = client({ serverUrl: url, connections: 2 });
      const all = Promise.all([c.listApps(), c.listApps(), c.listApps(), c.listApps()]);
      // Two requests hold both sockets; the other two wait for one to be free instead of opening more.
      await arrived;
      holding = false;
      for (const res of held.splice(0)) answerEmptyList(res);
      await all;
      expect(connections).toBe(2);
    });

    it('reports a refused connection by its code', async () => {
      const probe = net.createServer();
      const port = await listen(probe);
      await new Promise((resolve) => probe.close(resolve));
      const err = await rejection(client({ serverUrl: `http://127.0.0.1:${port}` }).listApps());
      expect(err).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', status: undefined });
      expect(err.message).toBe(`Could not reach http://127.0.0.1:${port} (ECONNREFUSED) on GET apps/`);
    });

    it('says an answer was cut off, not that the server could not be reached, when the body breaks off', async () => {
      const { url } = await httpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        res.write('[{"id": "');
        setImmediate(() => res.destroy());
      });
      const err = await rejection(client({ serverUrl: url }).listApps());
      expect(err).toMatchObject({ kind: 'network' });
      expect(err.message).toMatch(new RegExp(`^The answer from ${url.replace(/[.]/g, '\\.')} to GET apps/ was cut off \\([^)]+\\) after its 200 status$`));
      expect(err.hint).toMatch(/closed the connection before the whole answer arrived/);
    });

    it('reports a publish whose answer was cut off after its 201 status as committed, for apply to read back (A21)', async () => {
      const { url } = await httpServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(201, { 'content-type': 'application/json', 'content-length': '5000' });
          res.write('{"id": "');
          setImmediate(() => res.destroy());
        });
      });
      const publish = client({ serverUrl: url }).publish({ name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false });
      const err = await rejection(publish);
      expect(err).toMatchObject({ kind: 'network', ambiguous: true, committed: true });
      expect(err.message).toMatch(/ to POST apps\/ was cut off \([^)]+\) after its 201 status; the server accepted it, so it took effect$/);
    });

    it('names the headers timeout when the server never answers', async () => {
      const { url } = await httpServer(() => {
        // Never answers.
      });
      const err = await rejection(client({ serverUrl: url, headersTimeoutMs: 200 }).listApps());
      expect(err).toMatchObject({ kind: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' });
      expect(err.message).toBe(`${url} timed out (headers timeout, 200ms) on GET apps/`);
    });

    it('stops reading a streamed body past the cap', async () => {
      const { url } = await httpServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.write('[');
        const chunk = `${JSON.stringify({ id: 'x', name: 'y'.repeat(1000) })},`;
        const timer = setInterval(() => res.write(chunk), 1);
        res.on('close', () => clearInterval(timer));
      });
      const err = await rejection(client({ serverUrl: url, maxJsonBytes: 64 * 1024 }).listApps());
      expect(err).toMatchObject({ kind: 'too-large' });
      expect(err.message).toBe('The response to GET apps/ is larger than 65536 bytes; not read');
    });
  });

  describe('proxy from the environment', () => {
    it('tunnels through HTTP_PROXY and sends the token only to the server', async () => {
      let authorization: string | undefined;
      const { url: target } = await httpServer((req, res) => {
        authorization = req.headers.authorization;
        answerEmptyList(res);
      });
      const proxy = await connectProxy((close) => cleanups.push(close));
      const c = client({ serverUrl: target, env: { HTTP_PROXY: proxy.url } });
      expect(await c.listApps()).toEqual([]);
      expect(proxy.connects).toEqual([{ target: new URL(target).host, authorization: undefined, proxyAuthorization: undefined }]);
      expect(authorization).toBe(`Token ${TOKEN}`);
    });

    it('closes without waiting for a tunnel the proxy never answered', async () => {
      // A proxy that accepts the CONNECT and never answers it: the read ends at its deadline, and the client must not wait on the tunnel.
      const tunnels: net.Socket[] = [];
      const silent = http.createServer();
      silent.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => tunnels.push(socket));
      const port = await listen(silent);
      const { url: target } = await httpServer(json);
      const c = client({ serverUrl: target, requestTimeoutMs: 200, env: { HTTP_PROXY: `http://127.0.0.1:${port}` } });
      // Run before the client's own cleanup: whatever the test's outcome, nothing is left waiting on the tunnels.
      cleanups.push(() => tunnels.forEach((tunnel) => tunnel.destroy()));
      expect((await rejection(c.listApps())).message).toMatch(/did not finish within 200ms/);
      expect(tunnels.length).toBeGreaterThan(0);
      // Without waiting for the tunnel: before, close() waited as long as the proxy held it open.
      await expect(c.close()).resolves.toBeUndefined();
    });

    it('goes direct for hosts in NO_PROXY', async () => {
      const { url: target } = await httpServer(json);
      const c = client({ serverUrl: target, env: { HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' } });
      expect(await c.listApps()).toEqual([]);
    });
  });

  describe('publish over a real socket', () => {
    it('sends a multipart body a server parses into the guide\'s fields', async () => {
      let received: Array<[string, string]> = [];
      const { url } = await httpServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
        received = await Promise.all(
          [...form.entries()].map(async ([name, value]) => [name, typeof value === 'string' ? value : `${value.name}:${(await value.text()).length}`] as [string, string]),
        );
        res.statusCode = 201;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 'a1', version: 1, state: 'QUEUED_TO_INITIALIZE' }));
      });
      const file = join(mkdtempSync(join(tmpdir(), 'p7apps-socket-')), 'thumbnail.png');
      writeFileSync(file, 'x'.repeat(5000));
      const sha256 = createHash('sha256').update('x'.repeat(5000)).digest('hex');
      const result = await client({ serverUrl: url }).publish({
        workspaceName: 'Toy apps',
        name: 'Toy app',
        workflowPath: '/Users/1/ToyWorkflow.p7wf',
        setVersionAsDefault: true,
        thumbnail: { path: file, filename: 'thumbnail.png', mediaType: 'image/png', sha256 },
      });
      expect(result).toMatchObject({ appId: 'a1', version: 1 });
      expect(received).toEqual([
        ['workspace.name', 'Toy apps'],
        ['name', 'Toy app'],
        ['workflow_path', '/Users/1/ToyWorkflow.p7wf'],
        ['set_version_as_default', 'True'],
        ['thumbnail', 'thumbnail.png:5000'],
      ]);
    });
  });
});
