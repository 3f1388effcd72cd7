// The socket carrier (carrier-socket.ts) against hostile or broken servers,
// over real loopback sockets: servers that stall, close or reset at odd
// moments, split their answers at odd places, or never read. Whatever the
// server does, every request ends (answer or coded error) within its small
// timeouts, no event handler throws, no connection is reused when its
// framing forbids it, and the pool never holds more than `connections`
// sockets or loses a slot.

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestStop, type CarrierAnswer, type CarrierTimeouts } from '../../src/appshub/carrier.js';
import { SocketCarrier } from '../../src/appshub/carrier-socket.js';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { GUIDE_PUBLISH_REQUEST, rejection } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'appshub');
const SHORT: CarrierTimeouts = { connectTimeoutMs: 300, headersTimeoutMs: 300, bodyTimeoutMs: 300 };

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// A throw from an event handler or a promise nobody handles is a crash of the CLI: none may happen here.
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);
beforeAll(() => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
});
afterAll(() => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  expect(crashes).toEqual([]);
});

interface Hostile {
  url: string;
  /** Connections accepted so far. */
  accepted: () => number;
}

/**
 * A raw server calling `onRequest` for each whole request it reads (head and
 * Content-Length body); `nth` counts requests over all connections, from 1.
 */
async function hostile(onRequest: (socket: net.Socket, nth: number, connection: number) => void, onConnect?: (socket: net.Socket) => void): Promise<Hostile> {
  let accepted = 0;
  let requests = 0;
  const server = net.createServer((socket) => {
    const connection = ++accepted;
    socket.on('error', () => undefined);
    cleanups.push(() => void socket.destroy());
    onConnect?.(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(pending.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.subarray(end + 4 + length);
        onRequest(socket, ++requests, connection);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted: () => accepted };
}

function carrier(connections = 1, timeouts = SHORT, tlsChoice = { rejectUnauthorized: true } as { ca?: string[]; rejectUnauthorized: boolean }) {
  const made = new SocketCarrier(connections, timeouts, tlsChoice);
  cleanups.push(() => made.close());
  return made;
}

const get = (url: string, stop = new RequestStop()) => ({ method: 'GET', url: new URL(`${url}/x`), headers: {}, freshConnection: false, stop });

/** How a request ended: its body as text, or the code it failed with (at the head or in the body). */
async function outcome(answer: Promise<CarrierAnswer>, maxBytes = 1 << 20): Promise<string> {
  try {
    const body = await (await answer).read(maxBytes);
    return body === undefined ? 'too large' : `body ${Buffer.from(body).toString('latin1')}`;
  } catch (err) {
    return `error ${(err as { code?: string }).code}`;
  }
}

/** The sockets the carrier opens, and the most of them not yet destroyed at once. */
function watchConnects(): { made: net.Socket[]; mostOpen: () => number } {
  const made: net.Socket[] = [];
  let mostOpen = 0;
  const connect = net.connect;
  const spy = vi.spyOn(net, 'connect').mockImplementation((...args: Parameters<typeof net.connect>) => {
    const socket = connect(...args);
    made.push(socket);
    mostOpen = Math.max(mostOpen, made.filter((m) => !m.destroyed).length);
    return socket;
  });
  cleanups.push(() => spy.mockRestore());
  return { made, mostOpen: () => mostOpen };
}

const later = (ms: number, fn: () => void) => {
  const timer = setTimeout(fn, ms);
  cleanups.push(() => clearTimeout(timer));
};
const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe('a server that stalls, closes or resets at an odd moment', () => {
  it.each<[string, (socket: net.Socket) => void, string]>([
    ['half a status line, then nothing', (s) => s.write('HTTP/1.1 20'), 'error UND_ERR_HEADERS_TIMEOUT'],
    ['a head without its empty line, then nothing', (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n'), 'error UND_ERR_HEADERS_TIMEOUT'],
    ['a 100 Continue, then nothing', (s) => s.write('HTTP/1.1 100 Continue\r\n\r\n'), 'error UND_ERR_HEADERS_TIMEOUT'],
    ['a stream of 100 Continues that never ends', (s) => {
      const drip = setInterval(() => s.writable && s.write('HTTP/1.1 100 Continue\r\n\r\n'), 20);
      cleanups.push(() => clearInterval(drip));
    }, 'error UND_ERR_HEADERS_TIMEOUT'],
    ['half a chunk-size line, then nothing', (s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1'), 'error UND_ERR_BODY_TIMEOUT'],
    ['a chunk without its CRLF, then nothing', (s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]'), 'error UND_ERR_BODY_TIMEOUT'],
    ['the last chunk without the trailer\'s end, then nothing', (s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n'), 'error UND_ERR_BODY_TIMEOUT'],
    ['half a head, then FIN', (s) => s.end('HTTP/1.1 200 OK\r\nContent-'), 'error ECONNRESET'],
    ['half a Content-Length body, then FIN', (s) => s.end(ok('[1,2]').slice(0, -2)), 'error ECONNRESET'],
    ['half a chunked body, then FIN', (s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[1,'), 'error ECONNRESET'],
    ['half a Content-Length body, then RST', (s) => {
      s.write(ok('[1,2]').slice(0, -2));
      later(30, () => s.resetAndDestroy());
    }, 'error ECONNRESET'],
    ['a body that ends at close, reset halfway instead of closed', (s) => {
      s.write('HTTP/1.1 200 OK\r\n\r\n[1,2');
      later(30, () => s.resetAndDestroy());
    }, 'error ECONNRESET'],
    ['a body that ends at close, closed', (s) => s.end('HTTP/1.1 200 OK\r\n\r\n[1,2]'), 'body [1,2]'],
    ['a head, then RST', (s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
      later(30, () => s.resetAndDestroy());
    }, 'error ECONNRESET'],
  ])('ends a read whose server sends %s', async (_, misbehave, expected) => {
    const s = await hostile((socket) => misbehave(socket));
    expect(await outcome(carrier().send(get(s.url)))).toBe(expected);
  });

  it.each([
    ['a byte at a time', (text: string) => [...text]],
    ['cut inside each empty line', (text: string) => text.split(/(?<=\r\n\r)/)],
    ['cut just after the interim answer', (text: string) => [text.slice(0, 25), text.slice(25)]],
    ['in pieces of 7 bytes', (text: string) => text.match(/[^]{1,7}/g)!],
  ])('reads an interim answer, then a head of many fields, sent %s', async (_, cut) => {
    const text = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n${'X-Field: value\r\n'.repeat(300)}Content-Length: 2\r\n\r\n[]`;
    const s = await hostile((socket) => {
      socket.setNoDelay(true);
      const pieces = cut(text);
      const drip = () => {
        const piece = pieces.shift();
        if (piece === undefined || socket.destroyed) return;
        socket.write(piece, () => setImmediate(drip));
      };
      drip();
    });
    const answer = carrier(1, { connectTimeoutMs: 5000, headersTimeoutMs: 20_000, bodyTimeoutMs: 5000 }).send(get(s.url));
    expect((await answer).headers.get('x-field')).toBe(Array(300).fill('value').join(', '));
    expect(await outcome(answer)).toBe('body []');
  });

  it('ends a large publish the server never reads, by the headers timeout, sent once', async () => {
    const server = net.createServer((socket) => {
      socket.pause();
      cleanups.push(() => void socket.destroy());
    });
    let accepted = 0;
    server.on('connection', () => accepted++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    const body = Buffer.alloc(32 << 20, 'x');
    const err = await rejection(carrier().send({ method: 'POST', url, headers: {}, body, freshConnection: true, stop: new RequestStop() }));
    expect(err).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(accepted).toBe(1);
  });
});

describe('connections and their slots', () => {
  it('reads the next answer on a connection whose previous body filled the unread buffer and ended in the same packet', async () => {
    // 300 KiB, the last 64 KiB in one write: the carrier pauses the socket (nobody reads yet) as the body completes.
    const big = 'x'.repeat(300 * 1024);
    const s = await hostile((socket, nth) => {
      if (nth > 1) return void socket.write(ok('second'));
      const whole = Buffer.from(ok(big));
      socket.write(whole.subarray(0, whole.length - 60 * 1024));
      later(100, () => socket.write(whole.subarray(whole.length - 60 * 1024)));
    });
    const c = carrier(1, { ...SHORT, bodyTimeoutMs: 5000 });
    const first = await c.send(get(s.url));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(Buffer.from((await first.read(1 << 20))!).length).toBe(big.length);
    expect(await outcome(c.send(get(s.url)))).toBe('body second');
    expect(s.accepted()).toBe(1);
  });

  it('stops reading an answer nobody reads yet, so the server cannot fill this side\'s memory', async () => {
    let server: net.Socket | undefined;
    const s = await hostile((socket) => {
      server = socket;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${64 << 20}\r\n\r\n`);
      socket.write(Buffer.alloc(64 << 20, 'x'));
    });
    // Generous limits: what is tested is the pause, and on a loaded machine (a full CI run) 300 ms for the head,
    // written beside a 64 MiB body, was once not enough.
    const answer = await carrier(1, { ...SHORT, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 }).send(get(s.url));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Most of it is still on the server's side: this side paused the connection.
    expect(server!.writableLength).toBeGreaterThan(32 << 20);
    expect(await answer.read(1 << 20, true)).toHaveLength(1 << 20);
  });

  it('frees the slot of a request stopped while it waits, connects, or reads', async () => {
    const s = await hostile((socket, nth) => {
      if (nth === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n[');
      else socket.write(ok('[]'));
    });
    const c = carrier(1, { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
    const connecting = new RequestStop();
    const neverSent = c.send(get(s.url, connecting));
    connecting.stop(Object.assign(new Error('stopped'), { code: 'ABORT_ERR' }));
    await expect(neverSent).rejects.toMatchObject({ code: 'ABORT_ERR' });
    const reading = new RequestStop();
    const waiting = new RequestStop();
    const first = await c.send(get(s.url, reading));
    const queued = c.send(get(s.url, waiting));
    waiting.stop(Object.assign(new Error('stopped'), { code: 'ABORT_ERR' }));
    await expect(queued).rejects.toMatchObject({ code: 'ABORT_ERR' });
    const body = first.read(100);
    reading.stop(Object.assign(new Error('stopped'), { code: 'ABORT_ERR' }));
    await expect(body).rejects.toMatchObject({ code: 'ABORT_ERR' });
    expect(await outcome(c.send(get(s.url)))).toBe('body []');
  });

  it.each([
    ['declared too large', `HTTP/1.1 200 OK\r\nContent-Length: ${10 << 20}\r\n\r\n[`],
    ['chunked past the cap', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n${'x'.repeat(512)}\r\n`],
  ])('hands the slot of an answer %s, dropped unread, to the request waiting for it', async (_, first) => {
    const s = await hostile((socket, nth) => socket.write(nth === 1 ? first : ok('[]')));
    const c = carrier(1, { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
    const big = await c.send(get(s.url));
    const waiting = c.send(get(s.url));
    expect(await big.read(100)).toBeUndefined();
    expect(await outcome(waiting)).toBe('body []');
    expect(s.accepted()).toBe(2);
  });

  it('serves every waiting request after the connections under them die, never over `connections` at once', async () => {
    // Odd requests: the server resets the connection; even ones: an answer, sometimes with Connection: close or bytes then FIN.
    const s = await hostile((socket, nth) => {
      later(5, () => {
        if (nth % 4 === 1) socket.resetAndDestroy();
        else if (nth % 4 === 2) socket.end(ok(`${nth}`, 'Connection: close\r\n'));
        else if (nth % 4 === 3) socket.end('HTTP/1.1 200 OK\r\n\r\nclose-delimited');
        else socket.write(ok(`${nth}`));
      });
    });
    // Counted on this side: the server may see a new connection before the close of the one it replaces.
    const { made, mostOpen } = watchConnects();
    const c = carrier(2, { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => outcome(c.send(get(s.url)))));
    expect(outcomes).toHaveLength(12);
    for (const o of outcomes) expect(o).toMatch(/^(body .+|error ECONNRESET)$/);
    expect(made.length).toBeGreaterThan(2);
    expect(mostOpen()).toBeLessThanOrEqual(2);
  });

  it('fails every request at once, freeing its slot, when the server refuses connections', async () => {
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const c = carrier(1, { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => outcome(c.send(get(`http://127.0.0.1:${port}`)))));
    expect(outcomes).toEqual(Array(4).fill('error ECONNREFUSED'));
  });
});

describe('what keeps the process alive, and closing', () => {
  /** Ref'd TCP sockets: what keeps the process from exiting (the server's own are unref'd). */
  const refdSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  /** The count once the sockets earlier tests destroyed have finished closing. */
  const settledBase = async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    return refdSockets();
  };
  const LONGISH: CarrierTimeouts = { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 };

  it('holds the process with a connection in use, and never with an idle one, reused or not', async () => {
    const ends: Array<() => void> = [];
    const s = await hostile(
      (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[');
        ends.push(() => socket.write(']'));
      },
      (socket) => socket.unref(),
    );
    const base = await settledBase();
    const c = carrier(1, LONGISH);
    for (let n = 0; n < 2; n++) {
      const answer = await c.send(get(s.url));
      expect(refdSockets()).toBe(base + 1);
      const body = answer.read(100);
      ends[n]!();
      expect(Buffer.from((await body)!).toString()).toBe('[]');
      expect(refdSockets()).toBe(base);
    }
    expect(s.accepted()).toBe(1);
  });

  it('drops an idle connection the server sends unasked bytes on, and answers the next read on a new one', async () => {
    const s = await hostile((socket, nth) => {
      socket.write(ok(`${nth}`));
      if (nth === 1) later(10, () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil'));
    });
    const c = carrier(1, LONGISH);
    expect(await outcome(c.send(get(s.url)))).toBe('body 1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await outcome(c.send(get(s.url)))).toBe('body 2');
    expect(s.accepted()).toBe(2);
  });

  it('ends a body being read, a request connecting and one waiting when the carrier closes, destroying every socket', async () => {
    const s = await hostile((socket, nth) => socket.write(nth === 1 ? ok('[]') : 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n['));
    const { made } = watchConnects();
    const c = carrier(2, LONGISH);
    expect(await outcome(c.send(get(s.url)))).toBe('body []');
    const reading = (await c.send(get(s.url))).read(100);
    const waiting = c.send(get(s.url));
    const third = c.send(get(s.url));
    await c.close();
    await expect(reading).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(waiting).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(third).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(made.length).toBe(2);
    expect(made.every((socket) => socket.destroyed)).toBe(true);
  });
});

describe('timeouts of a new connection', () => {
  it('names the connect timeout, not the headers timeout, when a handshake outlasts a shorter headers timeout', async () => {
    const silent = await hostile(() => undefined);
    const c = carrier(1, { connectTimeoutMs: 300, headersTimeoutMs: 100, bodyTimeoutMs: 5000 });
    expect(await outcome(c.send(get(silent.url.replace('http:', 'https:'))))).toBe('error UND_ERR_CONNECT_TIMEOUT');
  });

  it('reports a publish whose connection never came up as not sent', async () => {
    const silent = await hostile(() => undefined);
    const c = createAppsHubClient({
      serverUrl: silent.url.replace('http:', 'https:'),
      token: 'hostile-test-token-0123456789',
      connections: 1,
      connectTimeoutMs: 300,
      headersTimeoutMs: 100,
      retry: { maxAttempts: 1 },
      onWarning: () => {},
      env: {},
    });
    cleanups.push(() => c.close());
    const err = await rejection(c.publish(GUIDE_PUBLISH_REQUEST));
    expect(err).toMatchObject({ kind: 'timeout', code: 'UND_ERR_CONNECT_TIMEOUT', ambiguous: false });
  });
});

describe('TLS against a server that does not speak it, and the reverse', () => {
  it('names a plaintext server behind an https:// URL as one that may not speak TLS', async () => {
    const s = await hostile((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'), (socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const c = createAppsHubClient({ serverUrl: s.url.replace('http:', 'https:'), token: 'hostile-test-token-0123456789', connections: 1, retry: { maxAttempts: 1 }, onWarning: () => {}, env: {} });
    cleanups.push(() => c.close());
    const err = await rejection(c.listApps());
    expect(err).toMatchObject({ kind: 'tls' });
    expect(err.message).toMatch(/ERR_SSL_WRONG_VERSION_NUMBER|EPROTO/);
  });

  it('refuses a TLS server behind an http:// URL as an answer that is not HTTP, promptly', async () => {
    const server = tls.createServer({ cert: readFileSync(join(FIXTURES, 'localhost-cert.pem')), key: readFileSync(join(FIXTURES, 'localhost-key.pem')) });
    server.on('tlsClientError', () => undefined);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await outcome(carrier(1, { connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 }).send(get(url)));
    expect(result).toMatch(/^error (HPE_INVALID_CONSTANT|ECONNRESET)$/);
  });
});

describe('the one read buffer every plain connection shares', () => {
  /** Bytes that tell which answer they are: a 7-digit number, then bytes drawn from it. */
  function bodyOf(id: number, size: number): Buffer {
    const body = Buffer.allocUnsafe(size);
    body.write(String(id).padStart(7, '0'), 'latin1');
    for (let i = 7, s = id * 2654435761; i < body.length; i++) body[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
    return body;
  }
  const idOf = (body: Uint8Array) => Number(Buffer.from(body.subarray(0, 7)).toString('latin1'));
  const sizeOf = (nth: number) => Math.max(7, nth % 5 === 0 ? 200_000 + ((nth * 7919) % 300_000) : (nth * 7919) % 30_000);

  /** Every way an answer can be framed, with the body's bytes placed where a view kept too long would be overwritten. */
  const framings: Array<(body: Buffer) => Buffer> = [
    (body) => Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
    (body) => Buffer.concat([Buffer.from(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]),
    (body) => {
      const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')];
      for (let at = 0, n = 1; at < body.length; at += n, n = 1 + ((n * 7 + 3) % 5000)) {
        const piece = body.subarray(at, at + n);
        parts.push(Buffer.from(`${piece.length.toString(16)};ext=${'e'.repeat(n % 20)}\r\n`), piece, Buffer.from('\r\n'));
      }
      return Buffer.concat([...parts, Buffer.from('0\r\nX-Trailer: yes\r\n\r\n')]);
    },
    (body) => {
      const zipped = zlib.gzipSync(body);
      return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${zipped.length}\r\n\r\n`), zipped]);
    },
    (body) => {
      const zipped = zlib.deflateSync(body);
      return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n${zipped.length.toString(16)}\r\n`), zipped, Buffer.from('\r\n0\r\n\r\n')]);
    },
    // Ends when the server closes: the connection is not used again.
    (body) => Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), body]),
  ];

  it('keeps every answer whole however the reads of two carriers\' connections interleave', async () => {
    // Pieces of 1 byte to 90 KB, some written in the same turn, some a turn apart, so the reads of different
    // connections (and of two carriers) take turns in the shared buffer in the middle of heads, chunk lines and bodies.
    const s = await hostile((socket, nth) => {
      const framing = nth % framings.length;
      const bytes = framings[framing]!(bodyOf(nth, sizeOf(nth)));
      let at = 0;
      let turn = nth;
      const write = () => {
        while (at < bytes.length && !socket.destroyed) {
          turn = (turn * 1103515245 + 12345) >>> 0;
          const n = turn % 10 < 2 ? 1 : turn % 10 < 5 ? 1 + (turn % 100) : 1 + (turn % 90_000);
          socket.write(bytes.subarray(at, (at += n)));
          if (turn % 3 === 0) return void setImmediate(write);
        }
        if (framing === framings.length - 1 && !socket.destroyed) socket.end();
      };
      write();
    });
    const timeouts = { connectTimeoutMs: 20_000, headersTimeoutMs: 20_000, bodyTimeoutMs: 20_000 };
    const carriers = [carrier(4, timeouts), carrier(3, timeouts)];
    const seen = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const answer = await carriers[i % 2]!.send(get(s.url));
        // Some answers wait unread past the 256 KiB that pauses their connection while the others read on.
        if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        if (i % 11 === 0) return void (await answer.discard());
        const capped = i % 7 === 0 && answer.headers.get('content-encoding') === null;
        const body = (await answer.read(capped ? 1000 : 1 << 20, capped))!;
        const id = idOf(body);
        expect(Buffer.from(body).equals(bodyOf(id, capped ? Math.min(1000, sizeOf(id)) : sizeOf(id))), `answer ${id}`).toBe(true);
        return id;
      }),
    );
    const read = seen.filter((id) => id !== undefined);
    expect(new Set(read).size).toBe(read.length);
  });
});
