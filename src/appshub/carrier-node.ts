// The carrier for direct connections when P7APPS_HTTP_CLIENT=node: node:http
// and node:https with kept-alive connections, at most `connections` per
// origin. The default is p7apps' own (carrier-socket.ts), at less than half
// the CPU per request; this one stays for a server or a middlebox that
// disagrees with that one, and for the nock tests, which see node:http only.
// It does what fetch did for us: the connect, headers and body timeouts
// (under the same codes), gzip and deflate answers decoded, bodies capped
// before they are read whole. Its own care: a request that meets a
// kept-alive connection the server has just closed is sent again once on a
// new one, and a publish never goes out on a reused connection at all
// (CarrierRequest.freshConnection).

import type * as http from 'node:http';
import type * as https from 'node:https';
import type { Socket } from 'node:net';
import {
  BODY_TIMEOUT_CODE,
  CONNECT_TIMEOUT_CODE,
  DRAIN_MAX_BYTES,
  HEADERS_TIMEOUT_CODE,
  STALE_CONNECTION_CODES,
  codedError,
  decodedBody as decoded,
  joinCapped,
  timerSafe,
  type Carrier,
  type CarrierAnswer,
  type CarrierRequest,
  type CarrierTimeouts,
  type ResponseHeaders,
  type TlsChoice,
} from './carrier.js';

// Taken with process.getBuiltinModule, not imported: see STATUS_CODES in http.ts.
const nodeHttp = () => process.getBuiltinModule('node:http');
const nodeHttps = () => process.getBuiltinModule('node:https');

class NodeHeaders implements ResponseHeaders {
  constructor(private readonly raw: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

export class NodeCarrier implements Carrier {
  readonly #timeouts: CarrierTimeouts;
  readonly #keptAlive: { http: http.Agent; https: https.Agent };
  readonly #fresh: { http: http.Agent; https: https.Agent };

  constructor(connections: number, timeouts: CarrierTimeouts, tls: TlsChoice) {
    this.#timeouts = timerSafe(timeouts);
    const tlsOptions = tls.ca === undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : { ca: tls.ca, rejectUnauthorized: tls.rejectUnauthorized };
    this.#keptAlive = {
      http: new (nodeHttp().Agent)({ keepAlive: true, maxSockets: connections }),
      https: new (nodeHttps().Agent)({ keepAlive: true, maxSockets: connections, ...tlsOptions }),
    };
    this.#fresh = {
      http: new (nodeHttp().Agent)({ keepAlive: false, maxSockets: connections }),
      https: new (nodeHttps().Agent)({ keepAlive: false, maxSockets: connections, ...tlsOptions }),
    };
  }

  send(req: CarrierRequest): Promise<CarrierAnswer> {
    return this.#attempt(req, true);
  }

  async close(): Promise<void> {
    for (const agent of [this.#keptAlive.http, this.#keptAlive.https, this.#fresh.http, this.#fresh.https]) agent.destroy();
  }

  #attempt(req: CarrierRequest, mayResend: boolean): Promise<CarrierAnswer> {
    return new Promise<CarrierAnswer>((resolve, reject) => {
      const secure = req.url.protocol === 'https:';
      const agents = req.freshConnection ? this.#fresh : this.#keptAlive;
      const headers: Record<string, string> = { 'Accept-Encoding': 'gzip, deflate', ...req.headers };
      if (req.freshConnection) headers.Connection = 'close';
      if (req.body !== undefined) headers['Content-Length'] = String(typeof req.body === 'string' ? Buffer.byteLength(req.body) : req.body.byteLength);
      else if (req.method === 'POST' || req.method === 'PATCH') headers['Content-Length'] = '0';
      const timeouts = this.#timeouts;
      let settled = false;
      let response: http.IncomingMessage | undefined;
      let request: http.ClientRequest;
      // Before the answer the request is what breaks off; after it, the answer's body (read() then fails with err).
      const fail = (err: Error) => (response ?? request).destroy(err);
      const headersTimer = () => setTimeout(() => fail(codedError(HEADERS_TIMEOUT_CODE, 'Headers Timeout Error')), timeouts.headersTimeoutMs);
      let timer = headersTimer();
      const done = () => {
        clearTimeout(timer);
        req.stop.unlisten();
      };
      try {
        request = (secure ? nodeHttps() : nodeHttp()).request(req.url, { method: req.method, headers, agent: secure ? agents.https : agents.http });
      } catch (err) {
        clearTimeout(timer);
        reject(err);
        return;
      }
      req.stop.listen(fail);
      request.once('socket', (socket: Socket) => {
        if (request.reusedSocket) return;
        // A new connection: only the connect timeout runs until it is up (TLS included), so a request that never
        // left is never reported as one whose answer did not come (a publish would then be in doubt); the headers
        // timeout then starts again.
        clearTimeout(timer);
        const connectTimer = setTimeout(() => fail(codedError(CONNECT_TIMEOUT_CODE, 'Connect Timeout Error')), timeouts.connectTimeoutMs);
        const connected = () => {
          clearTimeout(connectTimer);
          if (!settled) timer = headersTimer();
        };
        const event = secure ? 'secureConnect' : 'connect';
        socket.once(event, connected);
        request.once('close', () => {
          clearTimeout(connectTimer);
          socket.removeListener(event, connected);
        });
      });
      request.once('response', (res) => {
        settled = true;
        response = res;
        clearTimeout(timer);
        // Read or discarded later; until then a connection fault must not go unheard (an unheard 'error' ends the process).
        res.on('error', () => undefined);
        resolve(new NodeAnswer(res, timeouts.bodyTimeoutMs, done));
      });
      // `on`, not `once`: a connection fault after the answer began is reported here too, and is the answer's to handle.
      request.on('error', (err: Error & { code?: string }) => {
        if (settled) return;
        settled = true;
        done();
        const stale = mayResend && !req.freshConnection && request.reusedSocket && err.code !== undefined && STALE_CONNECTION_CODES.has(err.code);
        if (stale && !req.stop.stopped) resolve(this.#attempt(req, false));
        else reject(err);
      });
      request.end(req.body);
    });
  }
}

class NodeAnswer implements CarrierAnswer {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly #res: http.IncomingMessage;
  readonly #bodyTimeoutMs: number;
  readonly #done: () => void;

  constructor(res: http.IncomingMessage, bodyTimeoutMs: number, done: () => void) {
    this.status = res.statusCode ?? 0;
    this.headers = new NodeHeaders(res.headers);
    this.#res = res;
    this.#bodyTimeoutMs = bodyTimeoutMs;
    this.#done = done;
  }

  read(maxBytes: number, truncate = false): Promise<Uint8Array | undefined> {
    const res = this.#res;
    const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
    const declared = Number(res.headers['content-length']);
    if (!truncate && encoding === '' && Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      this.#done();
      return Promise.resolve(undefined);
    }
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      let finished = false;
      // Every ending goes through here once: the body, or the fault that cut it (an outcome that throws).
      const finish = (outcome: () => Uint8Array | undefined) => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        this.#done();
        try {
          resolve(outcome());
        } catch (err) {
          reject(err);
        }
      };
      const idle = setTimeout(() => res.destroy(codedError(BODY_TIMEOUT_CODE, 'Body Timeout Error')), this.#bodyTimeoutMs);
      res.on('data', (chunk: Buffer) => {
        idle.refresh();
        chunks.push(chunk);
        total += chunk.length;
        if (total > maxBytes) {
          res.destroy();
          finish(() => (truncate ? decoded(encoding, joinCapped(chunks, total, maxBytes), maxBytes, true) : undefined));
        }
      });
      res.once('end', () => finish(() => decoded(encoding, total === 0 ? new Uint8Array() : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total), maxBytes, truncate)));
      res.once('error', (err) =>
        finish(() => {
          throw err;
        }),
      );
      res.once('close', () =>
        finish(() => {
          throw codedError('ECONNRESET', 'The connection closed before the whole answer arrived');
        }),
      );
    });
  }

  discard(): Promise<void> {
    const res = this.#res;
    if (res.complete) {
      // Complete, yet its connection is handed back only once the stream has been read to its end.
      res.resume();
      this.#done();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let drained = 0;
      const end = () => {
        this.#done();
        resolve();
      };
      res.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_MAX_BYTES) res.destroy();
      });
      res.once('end', end);
      res.once('close', end);
      res.once('error', () => undefined);
      res.resume();
    });
  }
}
