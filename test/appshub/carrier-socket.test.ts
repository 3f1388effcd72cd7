// p7apps' own HTTP/1.1 carrier: the framing of answers (http1.ts) byte by
// byte, hostile framing from a raw socket server, connection reuse only when
// the answer's framing allows it, and requests whose bytes match node:http's
// (so the nock tests, which see node:http only, pin the shapes of both).

import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestStop } from '../../src/appshub/carrier.js';
import { NodeCarrier } from '../../src/appshub/carrier-node.js';
import { SocketCarrier } from '../../src/appshub/carrier-socket.js';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { ChunkedDecoder, framingOf, parseHead, type ResponseHead } from '../../src/appshub/http1.js';
import { GUIDE_PUBLISH_REQUEST, rejection } from './helpers.js';

const LONG = { connectTimeoutMs: 30_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000 };
const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const bytes = (text: string) => Buffer.from(text, 'latin1');
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'no error';
};

describe('response heads', () => {
  it.each([
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n', 200, 1, { 'content-length': '2' }],
    ['HTTP/1.0 404 Not Found\r\n\r\n', 404, 0, {}],
    ['HTTP/1.1 204\r\n\r\n', 204, 1, {}],
    ['HTTP/1.1 200 OK\r\nX-A:  one \t\r\nx-a: two\r\n\r\n', 200, 1, { 'x-a': 'one, two' }],
    ['HTTP/1.1 200 Très bien\r\nContent-Type: text/plain; charset=é\r\n\r\n', 200, 1, { 'content-type': 'text/plain; charset=é' }],
    // Names an object literal would take for its prototype are only keys.
    ['HTTP/1.1 200 OK\r\n__proto__: x\r\nconstructor: y\r\n\r\n', 200, 1, [['__proto__', 'x'], ['constructor', 'y']]],
  ])('reads %j', (text, status, minorVersion, fields) => {
    const parsed = parseHead(bytes(text))!;
    expect(parsed.length).toBe(bytes(text).length);
    expect(parsed.head).toEqual({ status, minorVersion, fields: new Map(Array.isArray(fields) ? (fields as [string, string][]) : Object.entries(fields)) });
  });

  it('waits for the rest of a head that has not all arrived, at every cut', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n';
    for (let cut = 0; cut < text.length; cut++) expect(parseHead(bytes(text.slice(0, cut)))).toBeUndefined();
  });

  it('does not look again at the bytes an earlier call found valid, and still finds an end split across calls', () => {
    // A bare LF before `checked` would be refused if it were scanned again: it is not.
    expect(parseHead(bytes('HTTP/1.1 200 OK\nX-A: b\r\n'), 16)).toBeUndefined();
    expect(codeOf(() => parseHead(bytes('HTTP/1.1 200 OK\r\nX-A: b\nX'), 20))).toBe('HPE_LF_EXPECTED');
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n';
    for (let checked = 0; checked < text.length; checked++) expect(parseHead(bytes(text), checked)?.length).toBe(text.length);
  });

  it.each([
    ['not HTTP at all (a banner, a TLS alert)', 'SSH-2.0-OpenSSH\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['not HTTP, refused before the head ends', '\x15\x03\x01\x00\x02', 'HPE_INVALID_CONSTANT'],
    ['an unknown version', 'HTTP/2.0 200 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a status that is not three digits', 'HTTP/1.1 20 OK\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['a bare LF, before the head ends', 'HTTP/1.1 200 OK\nContent-Length: 2\n', 'HPE_LF_EXPECTED'],
    ['a bare LF inside a field value', 'HTTP/1.1 200 OK\r\nX-A: a\nb\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['an obsolete folded line', 'HTTP/1.1 200 OK\r\nX-A: a\r\n  b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a line with no colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['an escape sequence in a value', 'HTTP/1.1 200 OK\r\nX-A: \x1b[31mred\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['a head past 64 KiB', `HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(70_000)}\r\n\r\n`, 'HPE_HEADER_OVERFLOW'],
    ['a head past 64 KiB that never ends', `HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(70_000)}`, 'HPE_HEADER_OVERFLOW'],
  ])('refuses %s', (_, text, code) => {
    expect(codeOf(() => parseHead(bytes(text)))).toBe(code);
  });
});

describe('where a body ends', () => {
  const http11 = (fields: Record<string, string>, status = 200): ResponseHead => ({ status, minorVersion: 1, fields: new Map(Object.entries(fields)) });
  const http10 = (fields: Record<string, string>): ResponseHead => ({ status: 200, minorVersion: 0, fields: new Map(Object.entries(fields)) });
  it.each([
    ['a Content-Length', http11({ 'content-length': '12' }), 'GET', { kind: 'length', length: 12 }, true],
    ['the same Content-Length twice', http11({ 'content-length': '12, 12' }), 'GET', { kind: 'length', length: 12 }, true],
    ['chunked', http11({ 'transfer-encoding': 'chunked' }), 'GET', { kind: 'chunked' }, true],
    ['gzip, then chunked', http11({ 'transfer-encoding': 'gzip, Chunked' }), 'GET', { kind: 'chunked' }, true],
    ['chunked and a Content-Length: chunked decides, the connection is not reused', http11({ 'transfer-encoding': 'chunked', 'content-length': '3' }), 'GET', { kind: 'chunked' }, false],
    ['chunked not last: until the server closes', http11({ 'transfer-encoding': 'chunked, gzip' }), 'GET', { kind: 'close' }, false],
    ['neither: until the server closes', http11({}), 'GET', { kind: 'close' }, false],
    ['Connection: close', http11({ 'content-length': '1', connection: 'Close' }), 'GET', { kind: 'length', length: 1 }, false],
    ['a 204', http11({ 'content-length': '5' }, 204), 'GET', { kind: 'none' }, true],
    ['a 304', http11({ 'transfer-encoding': 'chunked' }, 304), 'GET', { kind: 'none' }, true],
    ['an answer to HEAD', http11({ 'content-length': '5' }), 'HEAD', { kind: 'none' }, true],
    ['HTTP/1.0 without keep-alive', http10({ 'content-length': '1' }), 'GET', { kind: 'length', length: 1 }, false],
    ['HTTP/1.0 with keep-alive', http10({ 'content-length': '1', connection: 'keep-alive' }), 'GET', { kind: 'length', length: 1 }, true],
  ])('%s', (_, responseHead, method, body, reusable) => {
    expect(framingOf(responseHead, method)).toEqual({ body, reusable });
  });

  it.each([
    ['two different Content-Lengths', { 'content-length': '12, 13' }, 'HPE_INVALID_CONTENT_LENGTH'],
    ['a negative Content-Length', { 'content-length': '-1' }, 'HPE_INVALID_CONTENT_LENGTH'],
    ['a Content-Length with a sign', { 'content-length': '+5' }, 'HPE_INVALID_CONTENT_LENGTH'],
    ['a Content-Length in hex', { 'content-length': '0x10' }, 'HPE_INVALID_CONTENT_LENGTH'],
    ['an empty Content-Length', { 'content-length': '' }, 'HPE_INVALID_CONTENT_LENGTH'],
    ['an absurd Content-Length', { 'content-length': '9'.repeat(30) }, 'HPE_INVALID_CONTENT_LENGTH'],
    ['chunked twice', { 'transfer-encoding': 'chunked, chunked' }, 'HPE_INVALID_TRANSFER_ENCODING'],
  ])('refuses %s', (_, fields, code) => {
    expect(codeOf(() => framingOf(http11(fields), 'GET'))).toBe(code);
  });
});

describe('the chunked coding', () => {
  const encoded = '5;ext="a b"\r\nhello\r\nA \r\n, world! 1\r\n0\r\nX-Trailer: yes\r\n\r\n';

  /** The body and what came after it, fed in the given pieces. */
  function decode(pieces: string[]): { body: string; done: boolean; extra: number } {
    const decoder = new ChunkedDecoder();
    let body = '';
    let extra = 0;
    let done = false;
    for (const piece of pieces) {
      const step = decoder.feed(bytes(piece));
      body += step.data.map((b) => b.toString('latin1')).join('');
      extra += step.extra;
      done = step.done;
    }
    return { body, done, extra };
  }

  it('decodes a body with extensions, whitespace before them, upper-case sizes and trailers, however it is cut', () => {
    expect(decode([encoded])).toEqual({ body: 'hello, world! 1', done: true, extra: 0 });
    for (let cut = 1; cut < encoded.length; cut++) {
      expect(decode([encoded.slice(0, cut), encoded.slice(cut)])).toEqual({ body: 'hello, world! 1', done: true, extra: 0 });
    }
    expect(decode([...encoded])).toEqual({ body: 'hello, world! 1', done: true, extra: 0 });
  });

  it.each([
    ['many one-byte chunks', `${'1\r\nx\r\n'.repeat(10_000)}0\r\n\r\n`, 10_000],
    ['chunks of every size', `${Array.from({ length: 50 }, (_, n) => `${(n + 1).toString(16)}\r\n${'y'.repeat(n + 1)}\r\n`).join('')}0\r\n\r\n`, 1275],
  ])('hands %s read at once over as one piece, not one per chunk', (_, text, length) => {
    const step = new ChunkedDecoder().feed(bytes(text));
    expect(step.done).toBe(true);
    expect(step.data).toHaveLength(1);
    expect(step.data[0]!.length).toBe(length);
  });

  it('counts the bytes that come after the end', () => {
    expect(decode(['0\r\n\r\nHTTP/1.1 200 OK'])).toEqual({ body: '', done: true, extra: 15 });
  });

  it.each([
    ['a size that is not hex', 'zz\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['a negative size', '-5\r\nhello\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['an empty size', '\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['a size of 13 hex digits', '1000000000000\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['data longer than its size', '2\r\nhello\r\n', 'HPE_STRICT'],
    ['a bare LF after a size', '5\nhello\r\n', 'HPE_STRICT'],
    ['a size line that never ends', `5;${'x'.repeat(20_000)}`, 'HPE_CHUNK_EXTENSIONS_OVERFLOW'],
    ['a trailer that is not a field', '0\r\nnonsense\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['trailers past 16 KiB', `0\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`, 'HPE_HEADER_OVERFLOW'],
  ])('refuses %s', (_, text, code) => {
    expect(codeOf(() => new ChunkedDecoder().feed(bytes(text)))).toBe(code);
  });
});

interface RawSite {
  url: string;
  /** Every connection's received bytes, in the order the connections came. */
  received: Buffer[];
}

/** A server that answers each request (one per read of a whole request head) with the bytes `answer` gives. */
async function rawSite(answer: (nthRequest: number, connection: number, socket: net.Socket) => string | Buffer | undefined): Promise<RawSite> {
  const received: Buffer[] = [];
  let requests = 0;
  const server = net.createServer((socket) => {
    const connection = received.length;
    received.push(Buffer.alloc(0));
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received[connection] = Buffer.concat([received[connection]!, chunk]);
      pending = Buffer.concat([pending, chunk]);
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const headText = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(headText)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.subarray(end + 4 + length);
        const reply = answer(++requests, connection + 1, socket);
        if (reply !== undefined) socket.write(reply);
      }
    });
    socket.on('error', () => undefined);
    cleanups.push(() => {
      socket.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function socketClient(url: string, connections = 1) {
  const c = createAppsHubClient({ serverUrl: url, token: 'raw-test-token-0123456789', connections, retry: { maxAttempts: 1 }, onWarning: () => {}, env: {} });
  cleanups.push(() => c.close());
  return c;
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe('answers framed every way a server may', () => {
  const chunked = (body: string) => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  it.each([
    ['a Content-Length', ok('[]'), true],
    ['chunks', chunked('[]'), true],
    ['an interim 100 Continue and 103 Early Hints first', `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n${ok('[]')}`, true],
    ['Connection: close', ok('[]', 'Connection: close\r\n'), false],
    ['a Keep-Alive timeout of one second', ok('[]', 'Keep-Alive: timeout=1\r\n'), false],
    ['a Keep-Alive timeout of a minute', ok('[]', 'Keep-Alive: timeout=60, max=100\r\n'), true],
    ['bytes after the answer', `${ok('[]')}HTTP/1.1 200 OK\r\n\r\n`, false],
  ])('reads an answer with %s, and reuses its connection only if that allows', async (_, reply, reused) => {
    const s = await rawSite(() => reply);
    const c = socketClient(s.url);
    expect(await c.listApps()).toEqual([]);
    expect(await c.listApps()).toEqual([]);
    expect(s.received).toHaveLength(reused ? 1 : 2);
  });

  it('reads a body that ends when the server closes, and opens a new connection after it', async () => {
    const s = await rawSite((_n, _c, socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[]');
      return undefined;
    });
    const c = socketClient(s.url);
    expect(await c.listApps()).toEqual([]);
    expect(await c.listApps()).toEqual([]);
    expect(s.received).toHaveLength(2);
  });

  it('reads a gzipped, chunked answer sent a byte at a time', async () => {
    const body = zlib.gzipSync(Buffer.from(JSON.stringify([])));
    const whole = Buffer.concat([
      bytes(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`),
      body,
      bytes('\r\n0\r\n\r\n'),
    ]);
    const s = await rawSite((_n, _c, socket) => {
      let i = 0;
      const drip = setInterval(() => {
        if (i >= whole.length || socket.destroyed) return clearInterval(drip);
        socket.write(whole.subarray(i, ++i));
      }, 0);
      cleanups.push(() => clearInterval(drip));
      return undefined;
    });
    expect(await socketClient(s.url).listApps()).toEqual([]);
  });

  it.each([
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]', 'HPE_INVALID_CONTENT_LENGTH'],
    ['a status line that is not HTTP', 'HTTP/1.1 OK 200\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['no HTTP at all', 'hello there\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['an escape sequence in a header', 'HTTP/1.1 200 OK\r\nX-Evil: \x1b]0;owned\x07\r\nContent-Length: 2\r\n\r\n[]', 'HPE_INVALID_HEADER_TOKEN'],
    ['a broken chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['a 101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', 'HPE_INVALID_STATUS'],
  ])('refuses an answer with %s, saying it is not valid HTTP and naming nothing it sent', async (_, reply, code) => {
    const s = await rawSite(() => reply);
    const err = await rejection(socketClient(s.url).listApps());
    expect(err).toMatchObject({ code });
    expect(err.message).toBe(`The answer from ${s.url} to GET apps/ is not valid HTTP/1.1 (${code}${reply.includes('chunked') ? ', after its 200 status' : ''})`);
    expect(err.hint).toMatch(/proxy/);
    expect(err.message).not.toContain('\x1b');
  });

  it('reports a publish whose 201 came with a broken body as committed, sent once', async () => {
    const s = await rawSite(() => 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"id"XXXXX');
    const err = await rejection(socketClient(s.url).publish(GUIDE_PUBLISH_REQUEST));
    expect(err).toMatchObject({ code: 'HPE_STRICT', ambiguous: true, committed: true });
    expect(s.received).toHaveLength(1);
  });

  it('says an answer was cut off when the server closes in the middle of a Content-Length body', async () => {
    const s = await rawSite((_n, _c, socket) => {
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[1, 2');
      return undefined;
    });
    const err = await rejection(socketClient(s.url).listApps());
    expect(err.message).toMatch(/was cut off \(ECONNRESET\) after its 200 status/);
  });

  it('keeps at most `connections` connections however many requests wait, and serves them all', async () => {
    const s = await rawSite(() => ok('[]'));
    const c = socketClient(s.url, 3);
    const lists = await Promise.all(Array.from({ length: 12 }, () => c.listApps()));
    expect(lists).toEqual(Array.from({ length: 12 }, () => []));
    expect(s.received.length).toBeLessThanOrEqual(3);
  });
});

describe('requests', () => {
  /** What a carrier sends for the request, as the server's socket receives it. */
  async function sentBy(
    s: RawSite,
    Carrier: typeof SocketCarrier | typeof NodeCarrier,
    request: { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array; freshConnection: boolean },
  ) {
    const connections = s.received.length;
    const carrier = new Carrier(2, LONG, { rejectUnauthorized: true });
    cleanups.push(() => carrier.close());
    const answer = await carrier.send({ ...request, url: new URL(`${s.url}${request.path}`), stop: new RequestStop() });
    await answer.discard();
    const raw = s.received[connections]!;
    const end = raw.indexOf('\r\n\r\n');
    const [line, ...fields] = raw.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]));
    return { line, headers, body: raw.subarray(end + 4) };
  }

  const multipart = `--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nToy app é\r\n--b--\r\n`;
  it.each([
    ['a read', { method: 'GET', path: '/appshub/.rest/v2/apps/a%20b/?page=2', headers: { Authorization: 'Token t0k', Accept: 'application/json' }, freshConnection: false }],
    ['a conditional read', { method: 'GET', path: '/appshub/.rest/v2/apps/x/thumbnail/', headers: { Authorization: 'Token t0k', 'If-None-Match': '"abc"' }, freshConnection: false }],
    ['a publish', { method: 'POST', path: '/appshub/.rest/v2/apps/', headers: { Authorization: 'Token t0k', 'Content-Type': 'multipart/form-data; boundary=b' }, body: multipart, freshConnection: true }],
    ['a publish of bytes', { method: 'POST', path: '/appshub/.rest/v2/apps/', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array([0, 1, 2, 255]), freshConnection: true }],
    ['a sign-in with no body', { method: 'POST', path: '/pseven/.rest/v2/auth/login/', headers: {}, freshConnection: true }],
  ])('sends %s as node:http does, byte for byte in line, fields and body', async (_, request) => {
    const s = await rawSite(() => 'HTTP/1.1 204 No Content\r\n\r\n');
    const mine = await sentBy(s, SocketCarrier, request);
    const node = await sentBy(s, NodeCarrier, request);
    expect(mine).toEqual(node);
  });

  it.each([
    ['a line break in a value', { Authorization: 'Token a\r\nX-Injected: 1' }, 'ERR_INVALID_CHAR'],
    ['a character past Latin-1 in a value', { Authorization: 'Token \u2603' }, 'ERR_INVALID_CHAR'],
    ['a space in a name', { 'Bad Name': 'x' }, 'ERR_INVALID_HTTP_TOKEN'],
  ])('refuses, as node:http does, a header with %s, sending nothing', async (_, headers, code) => {
    const s = await rawSite(() => ok('[]'));
    for (const Carrier of [SocketCarrier, NodeCarrier]) {
      const carrier = new Carrier(1, LONG, { rejectUnauthorized: true });
      cleanups.push(() => carrier.close());
      const err = await rejection(carrier.send({ method: 'GET', url: new URL(`${s.url}/x`), headers, freshConnection: false, stop: new RequestStop() }));
      expect(err).toMatchObject({ code });
    }
    expect(s.received).toEqual([]);
  });

  it('fails requests still waiting for a connection when the carrier closes, and opens nothing after', async () => {
    const s = await rawSite(() => undefined);
    const carrier = new SocketCarrier(1, LONG, { rejectUnauthorized: true });
    const send = () => carrier.send({ method: 'GET', url: new URL(`${s.url}/x`), headers: {}, freshConnection: false, stop: new RequestStop() });
    const first = send();
    const waiting = send();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await carrier.close();
    await expect(first).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(waiting).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(send()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(s.received).toHaveLength(1);
  });
});

describe('a server over node:http, through the socket carrier', () => {
  it('keeps every answer whole when connections read at the same time (plain connections share one read buffer)', async () => {
    // Each answer is its own letter, written in pieces with a pause between them, so the reads of
    // the connections interleave; a piece kept as a view of the shared buffer would be overwritten.
    const server = http.createServer((req, res) => {
      const params = new URL(req.url!, 'http://x').searchParams;
      const body = Buffer.from(JSON.stringify(params.get('letter')!.repeat(Number(params.get('n')))));
      res.setHeader('content-type', 'application/json');
      if (params.get('framing') === 'length') res.setHeader('content-length', body.length);
      let at = 0;
      const next = () => {
        if (at >= body.length) return void res.end();
        res.write(body.subarray(at, (at += 3000)));
        setTimeout(next, 1);
      };
      next();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const c = socketClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 4);
    const asks = 'abcdefgh'.split('').flatMap((letter, i) => [
      { letter, n: 20_000 + 1000 * i, framing: i % 2 === 0 ? 'length' : 'chunked' },
      // Past the read buffer's 64 KiB and the 256 KiB held unread before a connection pauses.
      { letter: letter.toUpperCase(), n: 300_000 + i, framing: i % 2 === 0 ? 'chunked' : 'length' },
    ]);
    const answers = await Promise.all(asks.map((a) => c.readJson({ api: 'apps', path: `apps/?letter=${a.letter}&n=${a.n}&framing=${a.framing}` })));
    answers.forEach((answer, i) => expect(answer.body === asks[i]!.letter.repeat(asks[i]!.n), `answer ${i} (${asks[i]!.letter})`).toBe(true));
  });


  it('answers HEAD-less reads of every size the server chooses to chunk or not', async () => {
    const sizes = [0, 1, 1000, 70_000, 300_000];
    const server = http.createServer((req, res) => {
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'));
      res.setHeader('content-type', 'application/json');
      // Written in pieces without a length: node:http chunks it.
      const body = JSON.stringify('x'.repeat(n));
      for (let i = 0; i < body.length; i += 8192) res.write(body.slice(i, i + 8192));
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = socketClient(url, 2);
    for (const n of sizes) {
      const answer = await c.readJson({ api: 'apps', path: `apps/?n=${n}` });
      expect((answer.body as string).length).toBe(n);
    }
  });
});
