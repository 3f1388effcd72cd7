// What carries one request to the server and its answer back, below the
// transport's policy (retries, deadlines, redirects, error wording in
// http.ts): a carrier opens and reuses connections, enforces the connect,
// headers and body timeouts, and hands back the status and headers at once
// and the body on demand, capped. Three carriers exist: p7apps' own HTTP/1.1
// on sockets for direct connections (carrier-socket.ts, the cheap one, the
// default), node:http/https for them when P7APPS_HTTP_CLIENT=node
// (carrier-node.ts), and undici's proxy agent through fetch when the
// environment names a proxy (carrier-fetch.ts). buildCarrier (http.ts) picks
// one; only `env` is read, never process.env.

import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import zlib from 'node:zlib';
import { P7appsError } from '../errors.js';

export interface CarrierTimeouts {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

/** A response's headers, read by name (any case); repeated headers come joined with ", ". */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface CarrierRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /**
   * Never sent on a connection an earlier request used: a kept-alive
   * connection the server closes at the moment it is reused fails the
   * request in a way that cannot tell whether the request arrived, and a
   * publish must not be left in that doubt for want of a handshake.
   */
  freshConnection: boolean;
  /** Pulled by the transport (the caller's abort, the overall deadline): the request is abandoned at once, whatever stage it is in. */
  stop: RequestStop;
}

/**
 * How the transport stops one request: lighter than an AbortController per
 * request (its signal and event machinery cost more CPU than the rest of
 * p7apps' share of a request). One listener, the carrier's; the reason is
 * what the request then fails with.
 */
export class RequestStop {
  #listener: ((reason: Error) => void) | undefined;
  #reason: Error | undefined;

  get stopped(): boolean {
    return this.#reason !== undefined;
  }

  /** The carrier's hook; called at once when the request is already stopped. */
  listen(onStop: (reason: Error) => void): void {
    if (this.#reason !== undefined) onStop(this.#reason);
    else this.#listener = onStop;
  }

  unlisten(): void {
    this.#listener = undefined;
  }

  stop(reason: Error): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.(reason);
  }
}

/** Per caller's signal, the requests in flight that follow it. */
const followers = new WeakMap<AbortSignal, Set<() => void>>();

function followersOf(parent: AbortSignal): Set<() => void> {
  const set = new Set<() => void>();
  const abortAll = () => {
    for (const follow of set) follow();
  };
  parent.addEventListener('abort', abortAll, { once: true });
  followers.set(parent, set);
  return set;
}

/**
 * Calls `onAbort` when the caller's signal aborts, until released. The
 * caller's signal is long-lived (one per plan, thousands of requests) and
 * holds one listener however many requests follow it: a listener each would
 * pass Node's limit of ten with more than ten in flight, and fetch keeps its
 * listener until the request is garbage collected.
 */
export function followAbort(parent: AbortSignal, onAbort: () => void): () => void {
  const following = followers.get(parent) ?? followersOf(parent);
  following.add(onAbort);
  return () => following.delete(onAbort);
}

/** The error a request stopped by its caller fails with. */
export function abortError(reason?: unknown): Error {
  return Object.assign(new Error('This operation was aborted', { cause: reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

export interface CarrierAnswer {
  status: number;
  headers: ResponseHeaders;
  /**
   * The body, decoded from its Content-Encoding; undefined when it is larger
   * than `maxBytes` (with `truncate`, its first `maxBytes` instead).
   */
  read(maxBytes: number, truncate?: boolean): Promise<Uint8Array | undefined>;
  /** Lets the body go unread (a 304, a redirect). */
  discard(): Promise<void>;
}

export interface Carrier {
  /** Resolves when the status and headers have arrived; rejects on network faults and the carrier's timeouts. */
  send(req: CarrierRequest): Promise<CarrierAnswer>;
  close(): Promise<void>;
}

/** Errors of a reused connection that died under the request before any answer: the request may be sent again. */
export const STALE_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** How much of an unread body (a redirect's, a 304's) is drained to keep its connection; past it the connection is dropped. */
export const DRAIN_MAX_BYTES = 64 * 1024;

/** The longest timer Node keeps: it fires a longer one at once. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** The timeouts as timers can hold them: Node fires a longer timer at once, so a longer timeout is as good as none. */
export function timerSafe(timeouts: CarrierTimeouts): CarrierTimeouts {
  return {
    connectTimeoutMs: Math.min(timeouts.connectTimeoutMs, LONGEST_TIMER_MS),
    headersTimeoutMs: Math.min(timeouts.headersTimeoutMs, LONGEST_TIMER_MS),
    bodyTimeoutMs: Math.min(timeouts.bodyTimeoutMs, LONGEST_TIMER_MS),
  };
}

/** The codes a carrier's own timeouts fail with: the words undici uses, so both carriers speak one vocabulary. */
export const CONNECT_TIMEOUT_CODE = 'UND_ERR_CONNECT_TIMEOUT';
export const HEADERS_TIMEOUT_CODE = 'UND_ERR_HEADERS_TIMEOUT';
export const BODY_TIMEOUT_CODE = 'UND_ERR_BODY_TIMEOUT';
/** An answer whose Content-Encoding does not decode: the server answered, with damaged bytes. */
export const UNDECODABLE_CODE = 'P7APPS_UNDECODABLE_ANSWER';

/**
 * Failures to reach the server at all, before a request leaves: refused, no
 * route, no such host, the connect timeout. A publish that met one was
 * certainly not applied, and the server may be back soon (a restart).
 */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', CONNECT_TIMEOUT_CODE]);

export interface TlsChoice {
  /** Node's authorities plus the CA file's, when one is given; else Node's own. */
  ca?: string[];
  rejectUnauthorized: boolean;
}

/** The TLS options for the server: Node's CAs plus the file's, and verification unless insecure. */
export function tlsChoice(options: { caFile?: string; insecure?: boolean }): TlsChoice {
  const tls: TlsChoice = { rejectUnauthorized: options.insecure !== true };
  if (options.caFile !== undefined) {
    let pem: string;
    try {
      pem = readFileSync(options.caFile, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new P7appsError(`Could not read the CA file ${options.caFile} (${reason})`, {
        hint: 'Pass --ca-file a readable PEM file of the certificate authorities that signed the server\'s certificate.',
      });
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new P7appsError(`The CA file ${options.caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, {
        hint: 'Pass --ca-file a PEM file; convert a DER file with: openssl x509 -inform der -in FILE -out FILE.pem',
      });
    }
    // --ca-file adds to Node's bundled authorities (like NODE_EXTRA_CA_CERTS) rather than replacing them,
    // so a proxy or a server with a public certificate is still trusted.
    tls.ca = [...rootCertificates, pem];
  }
  return tls;
}

/** An error carrying a code, the shape http.ts reads causes by. */
export function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/** The chunks as one array, cut at `maxBytes`. */
export function joinCapped(chunks: Uint8Array[], total: number, maxBytes: number): Uint8Array {
  const out = new Uint8Array(Math.min(total, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, out.length - offset);
    out.set(part, offset);
    offset += part.length;
    if (offset >= out.length) break;
  }
  return out;
}

/**
 * The body as sent before its Content-Encoding: gzip and deflate (zlib or
 * raw, as servers differ) are decoded, capped at `maxBytes` (undefined past
 * it, or its first `maxBytes` with `truncate`); an encoding not asked for is
 * handed on as it came, for the JSON reading to judge.
 */
export function decodedBody(encoding: string, bytes: Uint8Array, maxBytes: number, truncate: boolean): Uint8Array | undefined {
  if (encoding === '' || encoding === 'identity') return plain(bytes);
  const options = { maxOutputLength: Math.max(1, maxBytes + 1), ...(truncate ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) };
  let out: Buffer;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') out = zlib.gunzipSync(bytes, options);
    else if (encoding === 'deflate') {
      try {
        out = zlib.inflateSync(bytes, options);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw err;
        out = zlib.inflateRawSync(bytes, options);
      }
    } else return plain(bytes);
  } catch (err) {
    // Too large once decoded: refused like a body too large on the wire (an error body then only loses its detail).
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw codedError(UNDECODABLE_CODE, `its ${encoding} encoding could not be decoded (${(err as Error).message})`);
  }
  if (out.length > maxBytes) return truncate ? plain(out.subarray(0, maxBytes)) : undefined;
  return plain(out);
}

/** A Buffer seen as the plain Uint8Array the transport hands on (no copy). */
function plain(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}
