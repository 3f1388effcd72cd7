// The carrier for direct connections: HTTP/1.1 written and read by p7apps on
// plain net and tls sockets, with kept-alive connections, at most
// `connections` per origin. On a fast network the client's CPU is what a
// 1,000-app plan waits for, and node:http's request and response objects,
// streams and agent cost about three times the CPU per request of the
// exchange itself; this carrier does only what a request to the AppsHub API
// needs. What it keeps from node:http's (carrier-node.ts, still there, with
// P7APPS_HTTP_CLIENT=node): the connect, headers and body timeouts under the
// same codes, TLS with Node's checks (SNI, host name, CA file, --insecure)
// and session resumption, gzip and deflate answers decoded and capped, a
// read that meets a kept-alive connection the server just closed sent again
// once on a new one, publishes only on fresh connections (Connection:
// close), idle connections that never keep the process alive. The answers'
// framing is http1.ts's, strict where a lenient reader could be led to read
// one answer as another.
//
// ASSUMPTION (HTTP/1.1): the server, or the proxy in front of it, speaks
// HTTP/1.1, as the guide's examples (Python requests, curl) do. A server
// that differs is met with an error saying its answer is not valid HTTP/1.1
// (llhttp's code, never the bytes); over TLS no HTTP/2 is offered, so an
// HTTP/2-only server ends the handshake. docs/wire-assumptions.md says so.

import net from 'node:net';
import tls from 'node:tls';
import {
  BODY_TIMEOUT_CODE,
  CONNECT_TIMEOUT_CODE,
  DRAIN_MAX_BYTES,
  HEADERS_TIMEOUT_CODE,
  STALE_CONNECTION_CODES,
  codedError,
  decodedBody,
  joinCapped,
  timerSafe,
  type Carrier,
  type CarrierAnswer,
  type CarrierRequest,
  type CarrierTimeouts,
  type ResponseHeaders,
  type TlsChoice,
} from './carrier.js';
import { BodyReader, TOKEN, framingOf, parseHead, type Framing, type ResponseHead } from './http1.js';

/** Body bytes held for an answer nobody reads yet before its connection is paused. */
const UNREAD_HIGH_WATER = 256 * 1024;
/** A connection the server says it keeps `timeout=N` seconds is not reused in the last second of that. */
const KEEP_ALIVE_MARGIN_MS = 1000;
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const BAD_TARGET = /[^\x21-\x7e]/;
/** Plain connections read into one buffer: see Pool.#connect. */
const READ_BUFFER_BYTES = 64 * 1024;
let sharedReadBuffer: Buffer | undefined;

class SocketHeaders implements ResponseHeaders {
  constructor(private readonly fields: ReadonlyMap<string, string>) {}

  get(name: string): string | null {
    return this.fields.get(name.toLowerCase()) ?? null;
  }
}

interface Origin {
  secure: boolean;
  /** For connecting: an IPv6 address without its brackets. */
  host: string;
  port: number;
}

export class SocketCarrier implements Carrier {
  readonly #timeouts: CarrierTimeouts;
  readonly #tls: TlsChoice;
  readonly #max: number;
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  constructor(connections: number, timeouts: CarrierTimeouts, tlsChoice: TlsChoice) {
    this.#timeouts = timerSafe(timeouts);
    this.#tls = tlsChoice;
    this.#max = connections;
  }

  send(req: CarrierRequest): Promise<CarrierAnswer> {
    return this.#attempt(req, true);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pool of this.#pools.values()) pool.close();
    this.#pools.clear();
  }

  #attempt(req: CarrierRequest, mayResend: boolean): Promise<CarrierAnswer> {
    let head: Buffer;
    try {
      if (this.#closed) throw codedError('ECONNRESET', 'The client was closed');
      head = requestBytes(req);
    } catch (err) {
      return Promise.reject(err);
    }
    const pool = this.#pool(req.url, req.freshConnection);
    return new Promise<CarrierAnswer>((resolve, reject) => {
      const exchange = new Exchange(req, head, this.#timeouts, resolve, reject, (stale) => {
        if (mayResend && !req.stop.stopped) resolve(this.#attempt(req, false));
        else reject(stale);
      });
      req.stop.listen((reason) => exchange.fail(reason));
      if (!req.stop.stopped) pool.acquire(exchange);
    });
  }

  #pool(url: URL, fresh: boolean): Pool {
    const key = `${fresh ? 'fresh' : 'kept'} ${url.protocol}//${url.host}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      const secure = url.protocol === 'https:';
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      const origin: Origin = { secure, host: hostname, port: url.port === '' ? (secure ? 443 : 80) : Number(url.port) };
      pool = new Pool(origin, this.#max, !fresh, this.#timeouts.connectTimeoutMs, this.#tls);
      this.#pools.set(key, pool);
    }
    return pool;
  }
}

/** The request's bytes: request line, header fields (checked as node:http checks them), and body. */
function requestBytes(req: CarrierRequest): Buffer {
  const target = req.url.pathname + req.url.search;
  if (BAD_TARGET.test(target)) throw Object.assign(new TypeError('Request path contains unescaped characters'), { code: 'ERR_UNESCAPED_CHARACTERS' });
  let head = `${req.method} ${target} HTTP/1.1\r\nHost: ${req.url.host}\r\n`;
  let acceptEncoding = true;
  for (const name in req.headers) {
    const value = req.headers[name]!;
    if (!TOKEN.test(name)) throw Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' });
    if (BAD_VALUE.test(value)) throw Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' });
    if (name.length === 15 && name.toLowerCase() === 'accept-encoding') acceptEncoding = false;
    head += `${name}: ${value}\r\n`;
  }
  if (acceptEncoding) head += 'Accept-Encoding: gzip, deflate\r\n';
  head += req.freshConnection ? 'Connection: close\r\n' : 'Connection: keep-alive\r\n';
  const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  if (body !== undefined) head += `Content-Length: ${body.byteLength}\r\n`;
  else if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') head += 'Content-Length: 0\r\n';
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return body === undefined || body.byteLength === 0 ? headBytes : Buffer.concat([headBytes, body]);
}

/** The connections to one origin: kept-alive ones reused (the last freed first), or one fresh connection per request. */
class Pool {
  readonly #origin: Origin;
  #max: number;
  readonly #keepAlive: boolean;
  readonly #connectTimeoutMs: number;
  readonly #tls: TlsChoice;
  readonly #idle: Connection[] = [];
  readonly #waiting: Exchange[] = [];
  readonly #all = new Set<Connection>();
  /** Connections open or opening, idle ones included. */
  #open = 0;
  #session: Buffer | undefined;

  constructor(origin: Origin, max: number, keepAlive: boolean, connectTimeoutMs: number, tlsChoice: TlsChoice) {
    this.#origin = origin;
    this.#max = max;
    this.#keepAlive = keepAlive;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#tls = tlsChoice;
  }

  acquire(exchange: Exchange): void {
    const now = performance.now();
    while (this.#idle.length > 0) {
      const conn = this.#idle.pop()!;
      if (conn.usableAt(now)) {
        conn.start(exchange);
        return;
      }
      conn.kill();
    }
    if (this.#open < this.#max) {
      this.#open++;
      const conn = new Connection((onRead) => this.#connect(onRead), this, this.#connectTimeoutMs, this.#origin.secure);
      this.#all.add(conn);
      conn.start(exchange);
      return;
    }
    exchange.onCancel = () => {
      const at = this.#waiting.indexOf(exchange);
      if (at >= 0) this.#waiting.splice(at, 1);
    };
    this.#waiting.push(exchange);
  }

  /** The exchange on `conn` is over: the connection carries the next waiting request, waits idle, or is closed. */
  release(conn: Connection, reusable: boolean): void {
    if (!reusable || !this.#keepAlive || conn.dead) {
      conn.kill();
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) {
      next.onCancel = undefined;
      conn.start(next);
      return;
    }
    conn.idle();
    this.#idle.push(conn);
  }

  /** A connection closed: its place goes to the first waiting request. */
  forget(conn: Connection): void {
    this.#open--;
    this.#all.delete(conn);
    const at = this.#idle.indexOf(conn);
    if (at >= 0) this.#idle.splice(at, 1);
    const next = this.#waiting.shift();
    if (next !== undefined) {
      next.onCancel = undefined;
      this.acquire(next);
    }
  }

  /** Every connection closed, in use or idle, and every waiting request failed; nothing new is opened. */
  close(): void {
    this.#max = 0;
    for (const exchange of this.#waiting.splice(0)) exchange.fail(codedError('ECONNRESET', 'The client was closed'));
    for (const conn of [...this.#all]) conn.kill(codedError('ECONNRESET', 'The client was closed'));
  }

  /**
   * A plain connection reads into one buffer shared by every connection
   * (`onread`), handed to `onRead` before the next read can reuse it: no
   * buffer allocated per read and no readable stream in between, which on a
   * fast network was a tenth of the client's CPU per request and most of its
   * fresh memory. TLS sockets do not take `onread`, so they stream as before.
   */
  #connect(onRead: (bytes: Buffer) => void): net.Socket {
    const { host, port, secure } = this.#origin;
    if (!secure) {
      sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
      return net.connect({
        host,
        port,
        onread: {
          buffer: sharedReadBuffer,
          callback: (length, buffer) => {
            onRead((buffer as Buffer).subarray(0, length));
            return true;
          },
        },
      });
    }
    const socket = tls.connect({
      host,
      port,
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
      ...(this.#tls.ca !== undefined ? { ca: this.#tls.ca } : {}),
      rejectUnauthorized: this.#tls.rejectUnauthorized,
      ...(this.#session !== undefined ? { session: this.#session } : {}),
    });
    socket.on('session', (session: Buffer) => {
      this.#session = session;
    });
    return socket;
  }
}

/** One socket and the exchange it carries, if any. */
class Connection {
  readonly socket: net.Socket;
  readonly #pool: Pool;
  #exchange: Exchange | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  /** Has carried a request before: a fault before any answer may mean the server closed it while idle. */
  reused = false;
  dead = false;
  /** performance.now() past which the server may have closed it (its Keep-Alive: timeout=N). */
  #keepUntil = Infinity;

  /** Bytes handed to onData are a view of a buffer the next read reuses: what is kept must be copied. */
  readonly transient: boolean;

  constructor(open: (onRead: (bytes: Buffer) => void) => net.Socket, pool: Pool, connectTimeoutMs: number, secure: boolean) {
    this.transient = !secure;
    const socket = open((bytes) => this.#onData(bytes));
    this.socket = socket;
    this.#pool = pool;
    socket.setNoDelay(true);
    // A new connection: the connect timeout runs until it is up (TLS included); the headers timeout then starts again.
    this.#connectTimer = setTimeout(() => this.#exchange?.fail(codedError(CONNECT_TIMEOUT_CODE, 'Connect Timeout Error')), connectTimeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(this.#connectTimer);
      this.#connectTimer = undefined;
      this.#exchange?.connected();
    });
    if (secure) socket.on('data', (bytes: Buffer) => this.#onData(bytes));
    // The server's close (FIN) is the end of a body framed by close; a fault (a reset) is never that.
    socket.on('end', () => this.#ended(codedError('ECONNRESET', 'socket hang up'), true));
    socket.on('error', (err: Error) => this.#ended(err, false));
    socket.on('close', (hadError: boolean) => {
      this.#ended(codedError('ECONNRESET', 'socket hang up'), !hadError);
      this.#gone();
    });
  }

  #onData(bytes: Buffer): void {
    if (this.#exchange !== undefined) this.#exchange.onData(bytes);
    // Bytes nobody asked for: the connection's stream can no longer be trusted.
    else this.kill();
  }

  usableAt(now: number): boolean {
    return !this.dead && now < this.#keepUntil;
  }

  keepFor(ms: number): void {
    this.#keepUntil = performance.now() + ms;
  }

  start(exchange: Exchange): void {
    this.#exchange = exchange;
    this.socket.ref();
    exchange.begin(this, this.#connectTimer === undefined);
  }

  /** Waiting in the pool: it must not keep the process alive. */
  idle(): void {
    this.socket.unref();
  }

  /** The exchange is over on this side: the connection goes back to the pool (or straight to a waiting request), or is closed. */
  release(reusable: boolean): void {
    this.#exchange = undefined;
    this.reused = true;
    // Paused while its answer waited for a reader: it must read again, the next answer or the server's close while idle.
    this.socket.resume();
    this.#pool.release(this, reusable);
  }

  kill(err?: Error): void {
    const exchange = this.#exchange;
    this.#exchange = undefined;
    this.socket.destroy();
    this.#gone();
    if (err !== undefined) exchange?.fail(err);
  }

  #ended(err: Error, closed: boolean): void {
    const exchange = this.#exchange;
    if (exchange === undefined) {
      if (!this.dead) this.kill();
      return;
    }
    exchange.onEnd(err, closed);
  }

  #gone(): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.#connectTimer);
    this.#pool.forget(this);
  }
}

type Phase = 'queued' | 'head' | 'body' | 'done' | 'failed';

/** One request and its answer on one connection. */
class Exchange {
  readonly #req: CarrierRequest;
  readonly #bytes: Buffer;
  readonly #timeouts: CarrierTimeouts;
  readonly #resolve: (answer: CarrierAnswer) => void;
  readonly #reject: (err: Error) => void;
  readonly #stale: (err: Error) => void;
  #phase: Phase = 'queued';
  #conn: Connection | undefined;
  #timer: NodeJS.Timeout;
  /** The head's bytes so far, at the start of a buffer that grows by doubling (a head may come a byte at a time). */
  #head: Buffer | undefined;
  #headLength = 0;
  #gotBytes = false;
  #framing: Framing | undefined;
  #body: BodyReader | undefined;
  #answer: SocketAnswer | undefined;
  /** Called if the exchange is stopped while it waits for a connection. */
  onCancel: (() => void) | undefined;

  constructor(
    req: CarrierRequest,
    bytes: Buffer,
    timeouts: CarrierTimeouts,
    resolve: (answer: CarrierAnswer) => void,
    reject: (err: Error) => void,
    stale: (err: Error) => void,
  ) {
    this.#req = req;
    this.#bytes = bytes;
    this.#timeouts = timeouts;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#stale = stale;
    // Waiting for a connection counts against the headers timeout, as it did with node:http's agent.
    this.#timer = this.#headersTimer();
  }

  #headersTimer(): NodeJS.Timeout {
    return setTimeout(() => this.fail(codedError(HEADERS_TIMEOUT_CODE, 'Headers Timeout Error')), this.#timeouts.headersTimeoutMs);
  }

  begin(conn: Connection, connected: boolean): void {
    this.#conn = conn;
    this.#phase = 'head';
    if (connected) this.#timer.refresh();
    // A new connection: only the connect timeout runs until it is up, so a request that never left is never
    // reported as one whose answer did not come (a publish would then be in doubt).
    else clearTimeout(this.#timer);
    conn.socket.write(this.#bytes);
  }

  connected(): void {
    if (this.#phase === 'head') this.#timer = this.#headersTimer();
  }

  onData(bytes: Buffer): void {
    this.#gotBytes = true;
    try {
      if (this.#phase === 'head') this.#onHeadBytes(bytes);
      else if (this.#phase === 'body') this.#onBodyBytes(bytes);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  #onHeadBytes(bytes: Buffer): void {
    // Bytes of the head already found valid but incomplete are not looked at again.
    let checked = this.#headLength;
    let stored = checked > 0;
    let buffer = stored ? this.#appendHead(bytes) : bytes;
    for (;;) {
      const parsed = parseHead(buffer, checked);
      if (parsed === undefined) {
        if (!stored) this.#storeHead(buffer);
        return;
      }
      checked = 0;
      stored = false;
      buffer = buffer.subarray(parsed.length);
      const { head } = parsed;
      if (head.status === 101) throw codedError('HPE_INVALID_STATUS', 'Unexpected 101 Switching Protocols');
      // 1xx answers are interim (100 Continue, 103 Early Hints): the real one follows.
      if (head.status < 200) continue;
      this.#head = undefined;
      this.#headLength = 0;
      this.#answered(head, buffer);
      return;
    }
  }

  #storeHead(part: Buffer): void {
    this.#head = Buffer.allocUnsafe(Math.max(2 * part.length, 4096));
    part.copy(this.#head);
    this.#headLength = part.length;
  }

  /** The stored part of the head with `bytes` after it. */
  #appendHead(bytes: Buffer): Buffer {
    const length = this.#headLength + bytes.length;
    if (this.#head!.length < length) {
      const grown = Buffer.allocUnsafe(2 * length);
      this.#head!.copy(grown, 0, 0, this.#headLength);
      this.#head = grown;
    }
    bytes.copy(this.#head!, this.#headLength);
    this.#headLength = length;
    return this.#head!.subarray(0, length);
  }

  #answered(head: ResponseHead, rest: Buffer): void {
    this.#framing = framingOf(head, this.#req.method);
    const keepAlive = /(?:^|[\s,;])timeout=(\d{1,9})/i.exec(head.fields.get('keep-alive') ?? '');
    if (keepAlive) this.#conn!.keepFor(Number(keepAlive[1]) * 1000 - KEEP_ALIVE_MARGIN_MS);
    this.#body = new BodyReader(this.#framing.body);
    this.#phase = 'body';
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.fail(codedError(BODY_TIMEOUT_CODE, 'Body Timeout Error')), this.#timeouts.bodyTimeoutMs);
    this.#answer = new SocketAnswer(head, this, this.#conn!.transient);
    this.#resolve(this.#answer);
    if (this.#body.done) this.#complete(rest.length);
    else if (rest.length > 0) this.#onBodyBytes(rest);
  }

  #onBodyBytes(bytes: Buffer): void {
    this.#timer.refresh();
    const step = this.#body!.feed(bytes);
    for (const piece of step.data) this.#answer!.push(piece);
    if (step.done) this.#complete(step.extra);
  }

  #complete(extra: number): void {
    this.#phase = 'done';
    this.#settle();
    const conn = this.#conn!;
    this.#answer!.finish();
    // Bytes past the end of the answer: nothing this side asked for, so the connection is not trusted again.
    conn.release(this.#framing!.reusable && !this.#req.freshConnection && extra === 0);
  }

  /** The connection ended (`closed`: the server closed it) or failed (a reset) under the exchange. */
  onEnd(err: Error, closed: boolean): void {
    if (this.#phase === 'body' && closed && this.#body!.endsAtClose()) {
      this.#phase = 'done';
      this.#settle();
      this.#answer!.finish();
      this.#conn!.kill();
      return;
    }
    if (this.#phase === 'head' && !this.#gotBytes && this.#conn!.reused && !this.#req.freshConnection) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== undefined && STALE_CONNECTION_CODES.has(code)) {
        this.#phase = 'failed';
        this.#settle();
        this.#conn!.kill();
        this.#stale(err);
        return;
      }
    }
    if (this.#phase === 'body') this.fail(codedError('ECONNRESET', 'The connection closed before the whole answer arrived'));
    else this.fail(err);
  }

  /** Breaks the exchange off: before the answer, the request fails; after it, the answer's body. */
  fail(err: Error): void {
    if (this.#phase === 'done' || this.#phase === 'failed') return;
    const before = this.#phase;
    this.#phase = 'failed';
    this.#settle();
    if (before === 'queued') this.onCancel?.();
    this.#conn?.kill();
    if (this.#answer === undefined) this.#reject(err);
    else this.#answer.fail(err);
  }

  /** The reader has what it wants (a body over its cap, a drained redirect): the rest is not read, and the connection is closed. */
  abandon(): void {
    if (this.#phase === 'done' || this.#phase === 'failed') return;
    this.#phase = 'failed';
    this.#settle();
    this.#conn?.kill();
  }

  pause(): void {
    this.#conn?.socket.pause();
  }

  resume(): void {
    this.#conn?.socket.resume();
  }

  get contentLength(): number | undefined {
    return this.#framing?.body.kind === 'length' ? this.#framing.body.length : undefined;
  }

  #settle(): void {
    clearTimeout(this.#timer);
    this.#req.stop.unlisten();
  }
}

type Sink = { data(chunk: Buffer): void; end(): void; error(err: Error): void };

class SocketAnswer implements CarrierAnswer {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly #encoding: string;
  readonly #exchange: Exchange;
  #chunks: Buffer[] = [];
  #total = 0;
  #complete = false;
  #error: Error | undefined;
  #sink: Sink | undefined;
  #paused = false;
  readonly #copy: boolean;

  constructor(head: ResponseHead, exchange: Exchange, copy: boolean) {
    this.#copy = copy;
    this.status = head.status;
    this.headers = new SocketHeaders(head.fields);
    this.#encoding = (head.fields.get('content-encoding') ?? '').trim().toLowerCase();
    this.#exchange = exchange;
  }

  push(piece: Buffer): void {
    const chunk = this.#copy ? Buffer.from(piece) : piece;
    if (this.#sink !== undefined) {
      this.#sink.data(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#total += chunk.length;
    if (this.#total > UNREAD_HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.#exchange.pause();
    }
  }

  finish(): void {
    this.#complete = true;
    this.#sink?.end();
  }

  fail(err: Error): void {
    this.#error = err;
    this.#sink?.error(err);
  }

  read(maxBytes: number, truncate = false): Promise<Uint8Array | undefined> {
    const declared = this.#exchange.contentLength;
    if (!truncate && this.#encoding === '' && declared !== undefined && declared > maxBytes) {
      this.#exchange.abandon();
      return Promise.resolve(undefined);
    }
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      const chunks = this.#chunks;
      let total = this.#total;
      this.#chunks = [];
      let finished = false;
      const finish = (outcome: () => Uint8Array | undefined) => {
        if (finished) return;
        finished = true;
        try {
          resolve(outcome());
        } catch (err) {
          reject(err);
        }
      };
      const over = () => {
        this.#exchange.abandon();
        finish(() => (truncate ? decodedBody(this.#encoding, joinCapped(chunks, total, maxBytes), maxBytes, true) : undefined));
      };
      const whole = () => decodedBody(this.#encoding, total === 0 ? new Uint8Array() : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total), maxBytes, truncate);
      if (total > maxBytes) return over();
      if (this.#complete) return finish(whole);
      if (this.#error !== undefined) {
        const err = this.#error;
        return finish(() => {
          throw err;
        });
      }
      this.#sink = {
        data: (chunk) => {
          chunks.push(chunk);
          total += chunk.length;
          if (total > maxBytes) over();
        },
        end: () => finish(whole),
        error: (err) =>
          finish(() => {
            throw err;
          }),
      };
      if (this.#paused) {
        this.#paused = false;
        this.#exchange.resume();
      }
    });
  }

  discard(): Promise<void> {
    this.#chunks = [];
    if (this.#complete || this.#error !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let drained = this.#total;
      this.#sink = {
        data: (chunk) => {
          drained += chunk.length;
          if (drained > DRAIN_MAX_BYTES) {
            this.#exchange.abandon();
            resolve();
          }
        },
        end: resolve,
        error: () => resolve(),
      };
      if (drained > DRAIN_MAX_BYTES) {
        this.#exchange.abandon();
        resolve();
      } else if (this.#paused) {
        this.#paused = false;
        this.#exchange.resume();
      }
    });
  }
}
