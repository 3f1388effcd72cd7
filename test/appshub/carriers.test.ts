// Both carriers for direct connections (p7apps' own HTTP/1.1 on sockets, the
// default, and node:http with P7APPS_HTTP_CLIENT=node), over real loopback
// sockets, held to the same expectations: what fetch used to do for the
// client (compressed answers decoded and capped, the connect, headers and
// body timeouts) and what a carrier must do on its own (connections handed
// back after unread bodies, a kept-alive connection closed under a read,
// publishes only on fresh connections, repeated headers, abort mid-body).

import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppsHubClient, type AppsHubClient, type AppsHubClientOptions } from '../../src/appshub/client.js';
import { RequestStop, abortError } from '../../src/appshub/carrier.js';
import { NodeCarrier } from '../../src/appshub/carrier-node.js';
import { SocketCarrier } from '../../src/appshub/carrier-socket.js';
import type { AppsHubRequestInfo } from '../../src/appshub/http.js';
import { GUIDE_PUBLISH_REQUEST, rejection } from './helpers.js';

const TOKEN = 'carrier-test-token-0123456789';
const LONG = { connectTimeoutMs: 30_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000 };

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Site {
  url: string;
  server: http.Server;
  /** Per request: its method, path and the connection (numbered from 1) it came on. */
  seen: Array<{ method: string; path: string; connection: number; headers: http.IncomingHttpHeaders }>;
}

/** A server whose idle connections stay open long: a connection this side fails to hand back stalls the test instead of healing. */
async function site(handler: (req: http.IncomingMessage, res: http.ServerResponse, nthOnConnection: number) => void): Promise<Site> {
  const seen: Site['seen'] = [];
  const ids = new WeakMap<net.Socket, { id: number; requests: number }>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    const conn = ids.get(req.socket)!;
    conn.requests++;
    seen.push({ method: req.method!, path: req.url!, connection: conn.id, headers: req.headers });
    handler(req, res, conn.requests);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => ids.set(socket, { id: ++connections, requests: 0 }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

const CARRIERS = [
  { name: 'socket', Carrier: SocketCarrier },
  { name: 'node', Carrier: NodeCarrier },
] as const;

/** The carrier the tests of the current describe.each run use. */
let current: (typeof CARRIERS)[number] = CARRIERS[0];

function client(options: AppsHubClientOptions, requests: AppsHubRequestInfo[] = []): AppsHubClient {
  const c = createAppsHubClient({
    token: TOKEN,
    retry: { maxAttempts: 1 },
    onWarning: () => {},
    onRequest: (info) => requests.push(info),
    ...options,
    env: { P7APPS_HTTP_CLIENT: current.name },
  });
  cleanups.push(() => c.close());
  return c;
}

describe.each(CARRIERS)('the $name carrier', (carrier) => {
  beforeEach(() => {
    current = carrier;
  });

  const LIST = JSON.stringify({ hello: 'wörld', items: Array.from({ length: 200 }, (_, i) => ({ i, name: `item ${i}` })) });

  describe('compressed answers', () => {
    it.each([
      ['gzip', (b: Buffer) => zlib.gzipSync(b)],
      ['x-gzip', (b: Buffer) => zlib.gzipSync(b)],
      ['deflate', (b: Buffer) => zlib.deflateSync(b)],
      ['deflate', (b: Buffer) => zlib.deflateRawSync(b)],
      ['identity', (b: Buffer) => b],
    ])('reads an answer sent with Content-Encoding: %s, having asked for gzip and deflate', async (encoding, encode) => {
      const s = await site((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-encoding', encoding);
        res.end(encode(Buffer.from(LIST)));
      });
      const answer = await client({ serverUrl: s.url }).readJson({ api: 'apps', path: 'apps/' });
      expect(answer.body).toEqual(JSON.parse(LIST));
      expect(s.seen[0]!.headers['accept-encoding']).toBe('gzip, deflate');
    });

    it('refuses an answer that is small on the wire but larger than the cap once decoded', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const s = await site((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('content-encoding', 'gzip');
        res.end(bomb);
      });
      const err = await rejection(client({ serverUrl: s.url, maxJsonBytes: 1024 * 1024 }).readJson({ api: 'apps', path: 'apps/' }));
      expect(err).toMatchObject({ kind: 'too-large' });
    });

    it('reports an answer whose encoding does not decode as a fault, naming the encoding', async () => {
      const s = await site((_req, res) => {
        res.setHeader('content-encoding', 'gzip');
        res.end('not gzip at all');
      });
      const err = await rejection(client({ serverUrl: s.url }).readJson({ api: 'apps', path: 'apps/' }));
      expect(err.message).toContain('gzip encoding could not be decoded');
    });
  });

  describe('connections handed back', () => {
    it.each([
      ['a 304 to a conditional GET', (res: http.ServerResponse) => res.writeHead(304).end()],
      ['a redirect with a body', (res: http.ServerResponse) => res.writeHead(302, { location: 'https://elsewhere.example/x' }).end('moved '.repeat(100))],
    ])('after %s, the next request goes out on the same connection at once', async (_, unread) => {
      const s = await site((req, res) => {
        if (req.url!.includes('thumbnail')) return unread(res);
        res.setHeader('content-type', 'application/json');
        res.end('[]');
      });
      const c = client({ serverUrl: s.url, connections: 1 });
      const thumbnail = `${s.url}/appshub/.rest/v2/apps/abc/thumbnail/`;
      for (let i = 0; i < 3; i++) await c.fetchThumbnail(thumbnail, { expectSha256: 'a'.repeat(64) }).catch(() => undefined);
      await c.listApps();
      // One connection for all of it: an unread body that kept its connection would stall the list for the server's 60 s.
      expect(s.seen.map((r) => r.connection)).toEqual([1, 1, 1, 1]);
    });
  });

  describe('kept-alive connections the server closes', () => {
    it('sends a read again, once, on a new connection when a reused one was closed under it', async () => {
      const s = await site((req, res, nth) => {
        // Each connection answers one request, then drops the next without a word, as a server does at its idle timeout.
        if (nth > 1) return req.socket.destroy();
        res.setHeader('content-type', 'application/json');
        res.end('[]');
      });
      const requests: AppsHubRequestInfo[] = [];
      const c = client({ serverUrl: s.url, connections: 1 }, requests);
      await c.listApps();
      await c.listApps();
      expect(s.seen.map((r) => [r.path, r.connection])).toEqual([
        ['/appshub/.rest/v2/apps/', 1],
        ['/appshub/.rest/v2/apps/', 1],
        ['/appshub/.rest/v2/apps/', 2],
      ]);
      // Below the retry policy: each read is one attempt that succeeded.
      expect(requests.map((r) => [r.attempt, r.status])).toEqual([
        [1, 200],
        [1, 200],
      ]);
    });

    // A connection handed straight to a waiting request counts as reused in the socket carrier, which sends the read
    // again below the retry policy; node:http's agent marks as reused only a socket taken from its free list, so with
    // it the read fails once and the transport's retry sends it again.
    it('sends a read again on a new connection when the connection it waited for was closed under it', async () => {
      const s = await site((req, res, nth) => {
        // The second request on a connection is dropped without a word.
        if (nth > 1) return req.socket.destroy();
        res.setHeader('content-type', 'application/json');
        res.end('[]');
      });
      const requests: AppsHubRequestInfo[] = [];
      const c = client({ serverUrl: s.url, connections: 1, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }, requests);
      // Two reads at once on one connection: the second is handed the connection as the first ends.
      expect(await Promise.all([c.listApps(), c.listApps()])).toEqual([[], []]);
      expect(s.seen.map((r) => r.connection)).toEqual([1, 1, 2]);
      expect(requests.map((r) => [r.attempt, r.status])).toEqual(
        carrier.name === 'socket'
          ? [
              [1, 200],
              [1, 200],
            ]
          : [
              [1, 200],
              [1, undefined],
              [2, 200],
            ],
      );
    });

    it('never sends a publish on a connection a read used, and does not send it again when its connection breaks', async () => {
      const s = await site((req, res) => {
        if (req.method === 'POST') return req.socket.destroy();
        res.setHeader('content-type', 'application/json');
        res.end('[]');
      });
      const c = client({ serverUrl: s.url, connections: 1 });
      await c.listApps();
      const err = await rejection(c.publish(GUIDE_PUBLISH_REQUEST));
      expect(err).toMatchObject({ ambiguous: true });
      const posts = s.seen.filter((r) => r.method === 'POST');
      expect(posts).toHaveLength(1);
      expect(posts[0]!.connection).not.toBe(s.seen[0]!.connection);
      expect(posts[0]!.headers.connection).toBe('close');
    });
  });

  describe('timeouts', () => {
    /** An https:// URL whose server accepts connections and never answers the handshake. */
    async function silentTls(): Promise<string> {
      const silent = net.createServer((socket) => cleanups.push(() => void socket.destroy()));
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
      cleanups.push(() => new Promise((resolve) => silent.close(resolve)));
      return `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    }

    it('names the connect timeout when a TLS server never finishes its handshake', async () => {
      const err = await rejection(client({ serverUrl: await silentTls(), connectTimeoutMs: 150 }).listApps());
      expect(err).toMatchObject({ kind: 'timeout', code: 'UND_ERR_CONNECT_TIMEOUT' });
      expect(err.message).toContain('connect timeout, 150ms');
    });

    it('reports a publish whose connection never came up as not sent, even with a shorter headers timeout', async () => {
      // Only the connect timeout runs while connecting: a headers timeout here would put the publish in doubt.
      const err = await rejection(client({ serverUrl: await silentTls(), connectTimeoutMs: 300, headersTimeoutMs: 100 }).publish(GUIDE_PUBLISH_REQUEST));
      expect(err).toMatchObject({ kind: 'timeout', code: 'UND_ERR_CONNECT_TIMEOUT', ambiguous: false });
    });

    it('names the body timeout when an answer stops halfway', async () => {
      const s = await site((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('[{"half": ');
      });
      const err = await rejection(client({ serverUrl: s.url, bodyTimeoutMs: 150 }).listApps());
      expect(err).toMatchObject({ kind: 'timeout', code: 'UND_ERR_BODY_TIMEOUT' });
      expect(err.message).toContain('body timeout, 150ms');
    });

    it('names the headers timeout when a reused connection is never answered', async () => {
      let answered = 0;
      const s = await site((_req, res) => {
        if (answered++ > 0) return;
        res.setHeader('content-type', 'application/json');
        res.end('[]');
      });
      const c = client({ serverUrl: s.url, connections: 1, headersTimeoutMs: 150 });
      await c.listApps();
      const err = await rejection(c.listApps());
      expect(err).toMatchObject({ kind: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' });
    });
  });

  describe('the carrier itself', () => {
    async function send(url: string, stop = new RequestStop()) {
      const made = new current.Carrier(2, LONG, { rejectUnauthorized: true });
      cleanups.push(() => made.close());
      return made.send({ method: 'GET', url: new URL(url), headers: {}, freshConnection: false, stop });
    }

    it('reads repeated headers joined, by any case of their name', async () => {
      const s = await site((_req, res) => {
        res.setHeader('Cache-Control', ['no-store', 'private']);
        res.end();
      });
      const answer = await send(s.url);
      expect([answer.headers.get('cache-control'), answer.headers.get('Cache-Control'), answer.headers.get('x-absent')]).toEqual(['no-store, private', 'no-store, private', null]);
      await answer.discard();
    });

    it('stops reading a body at once when the transport stops the request', async () => {
      const s = await site((_req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('x'.repeat(10));
      });
      const stop = new RequestStop();
      const answer = await send(s.url, stop);
      const reading = answer.read(10_000);
      stop.stop(abortError());
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('never sends a request stopped before it left', async () => {
      const s = await site((_req, res) => res.end('[]'));
      const stop = new RequestStop();
      stop.stop(abortError());
      await expect(send(s.url, stop)).rejects.toMatchObject({ name: 'AbortError' });
      expect(s.seen).toEqual([]);
    });

    it('hands the body over as a plain Uint8Array, cut at the cap when asked to truncate', async () => {
      const s = await site((_req, res) => res.end('0123456789'));
      const answer = await send(s.url);
      const body = await answer.read(4, true);
      expect(body).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(body)).toBe(false);
      expect(Buffer.from(body!).toString()).toBe('0123');
    });
  });
});
