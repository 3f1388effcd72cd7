// The HTTP transport under the AppsHub client: its policy, over a carrier
// (carrier.ts) that holds the connections (keep-alive, a per-origin limit,
// timeouts, proxy from the environment, extra CAs, opt-in insecure TLS):
// overall deadlines, bounded response bodies, no redirects followed across
// origins, retries of GETs only, and every fault worded for the user. A POST
// is sent once: a lost answer to a publish is the applier's to resolve, so
// it surfaces as an AppsHubError with `ambiguous: true`.

import { setTimeout as delay } from 'node:timers/promises';
import { P7appsError } from '../errors.js';
import {
  BODY_TIMEOUT_CODE,
  CONNECT_TIMEOUT_CODE,
  HEADERS_TIMEOUT_CODE,
  LONGEST_TIMER_MS,
  RequestStop,
  UNDECODABLE_CODE,
  UNREACHABLE_CODES,
  abortError,
  codedError,
  followAbort,
  tlsChoice,
  type Carrier,
  type CarrierAnswer,
  type ResponseHeaders,
} from './carrier.js';
import { FetchCarrier, buildProxyDispatcher } from './carrier-fetch.js';
import { NodeCarrier } from './carrier-node.js';
import { SocketCarrier } from './carrier-socket.js';
import { AppsHubError, type Redactor, hintForStatus, sanitizeCause, summariseBody } from './errors.js';
import { RequestPacer, type PacingClock } from './pacing.js';
import { DEFAULT_RETRY_WAIT_LIMITS, retryWait } from './retry-wait.js';
import { writeCommitted, writeMayHaveCommitted } from './wire.js';

// Taken with process.getBuiltinModule rather than `import { STATUS_CODES }
// from 'node:http'`: an ES import builds node:http's module facade, which
// reads every export, and on Node 22 and later that runs the getters of its
// WebSocket classes and loads Node's bundled undici, 15-20 ms of every
// command's start for nothing p7apps uses.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

export interface Timeouts {
  /** Establishing a connection (TCP + TLS). */
  connectTimeoutMs: number;
  /** From sending the request to the response's headers. */
  headersTimeoutMs: number;
  /** Between two chunks of the response body. */
  bodyTimeoutMs: number;
  /**
   * A read (a GET, or a POST marked safeToRepeat), from sending it to the
   * last byte of its answer: a server that trickles its answer a byte at a
   * time passes every per-chunk timeout, never this one.
   */
  requestTimeoutMs: number;
  /** A publish, from sending it to the last byte of its answer; by default twice requestTimeoutMs. */
  publishTimeoutMs: number;
}

/** Connections per origin when the caller names none. */
const DEFAULT_CONNECTIONS = 10;

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  requestTimeoutMs: 60_000,
  publishTimeoutMs: 120_000,
};

/** The timeouts in force: the defaults, what the caller set, and a publish's deadline following the reads' unless set. */
export function effectiveTimeouts(options: Partial<Timeouts>): Timeouts {
  const given = definedOnly(options);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...given };
  if (given.publishTimeoutMs === undefined && given.requestTimeoutMs !== undefined) timeouts.publishTimeoutMs = 2 * given.requestTimeoutMs;
  // Unless set, the per-chunk timeouts stay out of the overall deadlines' way: those are what --request-timeout raises.
  const longest = Math.max(timeouts.requestTimeoutMs, timeouts.publishTimeoutMs);
  if (given.headersTimeoutMs === undefined) timeouts.headersTimeoutMs = Math.max(timeouts.headersTimeoutMs, longest);
  if (given.bodyTimeoutMs === undefined) timeouts.bodyTimeoutMs = Math.max(timeouts.bodyTimeoutMs, longest);
  return timeouts;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** No retry starts once this much time has passed since the first attempt (waits included). */
  maxTotalMs: number;
  /** The first backoff's ceiling; each further one doubles it. */
  baseDelayMs: number;
  /** No backoff ceiling exceeds this. */
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this; a longer one stops the retries (retry-wait.ts). */
  maxRetryAfterMs: number;
  /** No retry after a busy answer (429, 502, 503, 504) comes sooner than this, whatever Retry-After says. */
  minBusyWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxTotalMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  minBusyWaitMs: DEFAULT_RETRY_WAIT_LIMITS.floorMs,
};

/** One request as the observer sees it: no headers, no body. */
export interface AppsHubRequestInfo {
  method: string;
  path: string;
  /** Undefined when no response arrived. */
  status: number | undefined;
  /** 1 for the first try. */
  attempt: number;
  durationMs: number;
}

export interface TransportOptions extends Partial<Timeouts> {
  /** Connections per origin (default 10). */
  connections?: number;
  /** PEM file of certificate authorities to trust in addition to Node's. */
  caFile?: string;
  /** Do not verify the server's TLS certificate. Warns through onWarning every time. */
  insecure?: boolean;
  /** Where warnings go; default: process.emitWarning. */
  onWarning?: (message: string) => void;
  /** Read for HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case); without it no proxy is used. */
  env?: NodeJS.ProcessEnv;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries (tests pass a virtual one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1): the backoff's jitter. */
  random?: () => number;
  /** Milliseconds since the epoch: retry budget, Retry-After dates, durations. */
  now?: () => number;
  /** Called after every attempt, for counting and progress. */
  onRequest?: (info: AppsHubRequestInfo) => void;
  /** Spread request starts apart (pacing.ts); default true. */
  pacing?: boolean;
  /** The pacing's clock (tests pass a virtual one); default: performance.now and real timers. */
  pacingClock?: PacingClock;
}

export interface BuiltCarrier {
  carrier: Carrier;
  /** The proxies in use, without credentials; empty when none. */
  proxies: { http?: string; https?: string; noProxy?: string };
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.origin;
  } catch {
    return '(unparseable proxy URL)';
  }
}

/** The carriers for direct connections that P7APPS_HTTP_CLIENT names. */
export const HTTP_CLIENTS = ['socket', 'node'] as const;

/**
 * The carrier for a client, with keep-alive and a per-origin connection
 * limit: for direct connections p7apps' own HTTP/1.1 on sockets, or
 * node:http/https when P7APPS_HTTP_CLIENT=node; undici's proxy agent when the
 * environment names a proxy. Only `env` is read, never process.env.
 */
export function buildCarrier(options: TransportOptions): BuiltCarrier {
  const env = options.env ?? {};
  const client = envValue(env, 'P7APPS_HTTP_CLIENT')?.toLowerCase() ?? 'socket';
  if (!(HTTP_CLIENTS as readonly string[]).includes(client)) {
    throw new P7appsError('P7APPS_HTTP_CLIENT names an HTTP client p7apps does not have', {
      hint: `Set it to ${HTTP_CLIENTS.join(' or ')} (socket, the default, is p7apps' own HTTP/1.1 client; node is Node's node:http), or unset it.`,
    });
  }
  const tls = tlsChoice(options);
  const timeouts = effectiveTimeouts(options);
  const connections = options.connections ?? DEFAULT_CONNECTIONS;
  const http = envValue(env, 'HTTP_PROXY');
  const https = envValue(env, 'HTTPS_PROXY');
  const noProxy = envValue(env, 'NO_PROXY');
  if (http === undefined && https === undefined) {
    const carrier = client === 'node' ? new NodeCarrier(connections, timeouts, tls) : new SocketCarrier(connections, timeouts, tls);
    return { carrier, proxies: {} };
  }
  const carrier = new FetchCarrier(buildProxyDispatcher({ http, https, noProxy }, connections, timeouts, tls));
  const proxies: BuiltCarrier['proxies'] = {};
  if (http !== undefined) proxies.http = withoutCredentials(http);
  if (https !== undefined) proxies.https = withoutCredentials(https);
  if (noProxy !== undefined) proxies.noProxy = noProxy;
  return { carrier, proxies };
}

function definedOnly(options: Partial<Timeouts>): Partial<Timeouts> {
  const out: Partial<Timeouts> = {};
  for (const key of ['connectTimeoutMs', 'headersTimeoutMs', 'bodyTimeoutMs', 'requestTimeoutMs', 'publishTimeoutMs'] as const) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export { LONGEST_TIMER_MS };

/** The code of an AppsHubError for a request that passed its overall deadline (requestTimeoutMs / publishTimeoutMs). */
export const REQUEST_DEADLINE_CODE = 'P7APPS_REQUEST_DEADLINE';

/** A POST that may change the server: a publish. */
function isPublish(req: HttpRequest): boolean {
  return req.method === 'POST' && req.safeToRepeat !== true;
}

/** The TLS handshake met something that does not speak TLS (https:// to a plain HTTP port): the same every time. */
const TLS_MISMATCH_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO']);

function isRetryable(req: HttpRequest, err: AppsHubError): boolean {
  if (req.method !== 'GET' && req.safeToRepeat !== true) return false;
  if (err.kind === 'network' || err.kind === 'timeout') return true;
  return err.kind === 'http' && err.status !== undefined && RETRYABLE_STATUSES.has(err.status);
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /**
   * A request whose repetition does no harm, so it is retried like a GET: a
   * POST that changes nothing (sign-in), a PATCH sending the same values, a
   * DELETE (a repeat of one that was done answers 404). Never set for a publish.
   */
  safeToRepeat?: boolean;
  url: URL;
  /** How messages name the endpoint: `apps/`, `apps/abc@2/`. */
  label: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Larger bodies are refused, not read. */
  maxBytes: number;
  /** A 304 is an answer (conditional GET), not an error. */
  accept304?: boolean;
  /** Whether the Authorization header went with the request (hints for 401/403). */
  tokenSent: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: Uint8Array;
  /** Where the body came from (after a same-origin redirect). */
  url: URL;
  label: string;
}

const ERROR_BODY_MAX_BYTES = 64 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Failures that happen before the request leaves: a POST that met one was certainly not applied. */
const NOT_SENT_CODES = new Set([...UNREACHABLE_CODES, ...TLS_CODES, ...TLS_MISMATCH_CODES]);

const TIMEOUTS: Record<string, { which: string; option: keyof Timeouts }> = {
  [CONNECT_TIMEOUT_CODE]: { which: 'connect', option: 'connectTimeoutMs' },
  [HEADERS_TIMEOUT_CODE]: { which: 'headers', option: 'headersTimeoutMs' },
  [BODY_TIMEOUT_CODE]: { which: 'body', option: 'bodyTimeoutMs' },
};

/** The first error code in a chain of causes (and AggregateError members). */
function errorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 5) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') return e.code;
  const inner = errorCode(e.cause, depth + 1);
  if (inner) return inner;
  if (Array.isArray(e.errors)) for (const member of e.errors) {
    const code = errorCode(member, depth + 1);
    if (code) return code;
  }
  return undefined;
}

function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const e = err as { message?: unknown; cause?: unknown };
    const inner = e.cause === undefined ? undefined : errorMessage(e.cause);
    if (inner && (e.message === 'fetch failed' || e.message === 'terminated')) return inner;
    if (typeof e.message === 'string' && e.message !== '') return e.message;
  }
  return String(err);
}

/** Every message along an error's cause chain, for recognising what undici reports only in words. */
function allMessages(err: unknown, depth = 0): string {
  if (typeof err !== 'object' || err === null || depth > 5) return '';
  const e = err as { message?: unknown; cause?: unknown };
  return `${typeof e.message === 'string' ? e.message : ''}\n${allMessages(e.cause, depth + 1)}`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export class HttpTransport {
  readonly carrier: Carrier;
  readonly proxies: BuiltCarrier['proxies'];
  readonly #options: TransportOptions;
  readonly #timeouts: Timeouts;
  readonly #policy: RetryPolicy;
  readonly #redactor: Redactor;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #pacer: RequestPacer | undefined;
  readonly #pacingClock: PacingClock;

  constructor(options: TransportOptions, redactor: Redactor) {
    const built = buildCarrier(options);
    this.carrier = built.carrier;
    this.proxies = built.proxies;
    this.#options = options;
    this.#timeouts = effectiveTimeouts(options);
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#redactor = redactor;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#pacingClock = options.pacingClock ?? { now: () => performance.now(), sleep: abortableSleep };
    this.#pacer = options.pacing === false ? undefined : new RequestPacer(options.connections ?? DEFAULT_CONNECTIONS, this.#pacingClock);
  }

  close(): Promise<void> {
    return this.carrier.close();
  }

  /** Sends the request, retrying a GET (or a POST marked safeToRepeat) on network errors, timeouts, 429, 502, 503 and 504 within the policy. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const started = this.#now();
    for (let attempt = 1; ; attempt++) {
      let failure: AppsHubError;
      try {
        return await this.#attempt(req, attempt);
      } catch (err) {
        if (!(err instanceof AppsHubError)) throw err;
        failure = err;
      }
      const final = attempt > 1 ? failure.with({ attempts: attempt }) : failure;
      if (!isRetryable(req, failure) || attempt >= this.#policy.maxAttempts) throw final;
      // A busy server gets at least the floor between attempts; a lost connection, the jittered backoff.
      const busy = failure.status !== undefined;
      const next = retryWait(failure.retryAfterMs, backoffDelayMs(attempt, this.#policy, this.#random), this.#policy.maxTotalMs - (this.#now() - started), {
        floorMs: busy ? this.#policy.minBusyWaitMs : 0,
        maxRetryAfterMs: this.#policy.maxRetryAfterMs,
      });
      if (!next.wait) throw busy ? final.with({ attempts: attempt, hint: `Stopped retrying: ${next.why}. ${final.hint ?? ''}`.trim() }) : final;
      await this.#sleep(next.ms, req.signal);
      if (req.signal?.aborted) throw this.#aborted(req, false);
    }
  }

  /** One attempt: the request, and at most one same-origin redirect of a GET. */
  async #attempt(req: HttpRequest, attempt: number): Promise<HttpResponse> {
    let current = req;
    for (let hops = 0; ; hops++) {
      const outcome = await this.#send(current, attempt, hops);
      if (outcome instanceof URL) current = { ...current, url: outcome, label: labelAfterRedirect(current, outcome) };
      else return outcome;
    }
  }

  /** One request on the wire: its response, or where a followable redirect points. */
  async #send(req: HttpRequest, attempt: number, hops: number): Promise<HttpResponse | URL> {
    if (req.signal?.aborted) throw this.#aborted(req, false);
    if (this.#pacer) {
      await this.#pacer.turn(req.signal);
      if (req.signal?.aborted) throw this.#aborted(req, false);
    }
    const begun = this.#now();
    let status: number | undefined;
    const stop = new RequestStop();
    const unfollow = req.signal === undefined ? undefined : followAbort(req.signal, () => stop.stop(abortError(req.signal!.reason)));
    // From send to the last byte of the answer, whatever the server trickles.
    const limitMs = isPublish(req) ? this.#timeouts.publishTimeoutMs : this.#timeouts.requestTimeoutMs;
    let overdue = false;
    const deadline = setTimeout(() => {
      overdue = true;
      stop.stop(codedError(REQUEST_DEADLINE_CODE, `no answer in full within ${formatSeconds(limitMs)}`));
    }, Math.min(limitMs, LONGEST_TIMER_MS));
    // An error body that trickles past the deadline loses only its detail: the status is the answer (#statusError).
    try {
      const sent = this.#pacingClock.now();
      const res = await this.carrier.send({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: req.body,
        freshConnection: req.method !== 'GET' && req.safeToRepeat !== true,
        stop,
      });
      this.#pacer?.answered(this.#pacingClock.now() - sent);
      status = res.status;
      if (res.status === 304 && req.accept304) {
        await res.discard();
        return { status: 304, headers: res.headers, body: new Uint8Array(), url: req.url, label: req.label };
      }
      if (REDIRECT_STATUSES.has(res.status)) {
        await res.discard();
        return this.#followableRedirect(req, res, hops);
      }
      if (res.status >= 200 && res.status < 300) {
        const body = await res.read(req.maxBytes);
        if (body === undefined) throw this.#tooLarge(req);
        return { status: res.status, headers: res.headers, body, url: req.url, label: req.label };
      }
      throw await this.#statusError(req, res);
    } catch (err) {
      if (err instanceof P7appsError) throw err;
      // Aborted after it may have left: a POST's outcome is unknown.
      if (req.signal?.aborted) throw this.#aborted(req, true);
      if (overdue) throw this.#overdue(req, limitMs, status);
      if (status !== undefined && errorCode(err) === UNDECODABLE_CODE) throw this.#undecodable(req, err, status);
      throw this.#networkError(req, err, status);
    } finally {
      clearTimeout(deadline);
      unfollow?.();
      this.#observe(req, attempt, status, begun);
    }
  }

  #observe(req: HttpRequest, attempt: number, status: number | undefined, begun: number): void {
    if (!this.#options.onRequest) return;
    try {
      this.#options.onRequest({ method: req.method, path: req.label, status, attempt, durationMs: this.#now() - begun });
    } catch {
      // An observer's failure is not the request's.
    }
  }

  /**
   * A GET redirected within its origin is followed once, with the token (a
   * server may add a slash or normalise a path); any other redirect (another
   * origin, http -> https, a POST, a second hop) is an error, and the token
   * is not sent there.
   */
  #followableRedirect(req: HttpRequest, res: CarrierAnswer, hops: number): URL {
    const location = res.headers.get('location');
    let target: URL | undefined;
    try {
      target = location === null ? undefined : new URL(location, req.url);
    } catch {
      target = undefined;
    }
    if (target && target.origin === req.url.origin && req.method === 'GET' && hops === 0) return target;
    const sameServer = target !== undefined && target.origin === req.url.origin;
    // A host where there is one; "a file: URL" where there is none (an empty name said nothing).
    const where = target === undefined ? 'an unreadable location' : sameServer ? target.pathname : target.host || `a ${target.protocol} URL`;
    const reason = STATUS_CODES[res.status] ?? 'Redirect';
    const notFollowed = !sameServer
      ? 'not followed, and the token was not sent there'
      : req.method === 'GET'
        ? 'not followed: p7apps follows one redirect on the same server, and this was another'
        : `not followed: p7apps sends a ${req.method} once, where it was asked to`;
    const httpsUpgrade = target && target.protocol === 'https:' && req.url.protocol === 'http:' && target.hostname === req.url.hostname;
    throw new AppsHubError({
      kind: 'redirect',
      method: req.method,
      path: req.label,
      status: res.status,
      origin: req.url.origin,
      detail: target ? this.#redactor.redact(`${target.origin}${target.pathname}`) : undefined,
      message:
        `${res.status} ${reason} on ${req.method} ${req.label}: the server redirects to ${this.#redactor.redact(where)}${sameServer ? ' on the same server' : ''}; ${notFollowed}`,
      hint: httpsUpgrade
        ? `Use the https:// sign-in URL: --server https://${target!.host}${serverPrefix(req)}`
        : 'Check the server URL (--server, P7APPS_URL or server.url): it must be the pSeven Enterprise sign-in URL.',
    });
  }

  async #statusError(req: HttpRequest, res: CarrierAnswer): Promise<AppsHubError> {
    // The status is the answer; a body that cannot be read only loses the detail.
    const bytes = await res.read(ERROR_BODY_MAX_BYTES, true).catch(() => undefined);
    const summary = bytes === undefined ? undefined : summariseBody(bytes, res.headers.get('content-type'));
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.#now());
    const ambiguous = req.method === 'POST' && writeMayHaveCommitted(res.status);
    return new AppsHubError({
      kind: 'http',
      method: req.method,
      path: req.label,
      status: res.status,
      origin: req.url.origin,
      detail: summary === undefined ? undefined : this.#redactor.redact(summary),
      retryAfterMs,
      ambiguous,
      hint: hintForStatus(req.method, req.label, res.status, req.tokenSent),
    });
  }

  #networkError(req: HttpRequest, err: unknown, status: number | undefined): AppsHubError {
    const code = errorCode(err);
    const cause = sanitizeCause(err, this.#redactor);
    // Sent and maybe applied, unless it failed before leaving (refused, DNS, TLS, connect timeout).
    const ambiguous = req.method === 'POST' && !(code !== undefined && NOT_SENT_CODES.has(code) && status === undefined);
    const base = { method: req.method, path: req.label, origin: req.url.origin, code, ambiguous, cause };
    const timeout = code === undefined ? undefined : TIMEOUTS[code];
    if (timeout) {
      const limit = formatSeconds(this.#timeouts[timeout.option]);
      return new AppsHubError({
        ...base,
        kind: 'timeout',
        message: `${req.url.origin} timed out (${timeout.which} timeout, ${limit}) on ${req.method} ${req.label}`,
        hint:
          timeout.which === 'connect'
            ? 'Check the server URL and the network path to it (a proxy? set HTTPS_PROXY, or NO_PROXY for hosts to reach directly).'
            : 'The server is slow or overloaded; try again later.',
      });
    }
    if (code !== undefined && TLS_CODES.has(code)) {
      return new AppsHubError({
        ...base,
        kind: 'tls',
        message: `The TLS certificate of ${req.url.origin} is not trusted (${code}) on ${req.method} ${req.label}`,
        hint: tlsHint(code),
      });
    }
    if (code !== undefined && TLS_MISMATCH_CODES.has(code)) {
      // A TLS failure like an untrusted certificate: asking again would meet the same port.
      return new AppsHubError({
        ...base,
        kind: 'tls',
        message: `Could not reach ${req.url.origin} (${code}) on ${req.method} ${req.label}`,
        hint: 'The server may not speak TLS on this port; check http:// or https:// in the server URL.',
      });
    }
    const refusal = /Proxy response \((\d{3})\)/.exec(allMessages(err));
    if (refusal) {
      const proxyStatus = Number(refusal[1]);
      const proxy = (req.url.protocol === 'https:' ? this.proxies.https : this.proxies.http) ?? 'the proxy';
      return new AppsHubError({
        ...base,
        kind: 'proxy',
        message: `The proxy ${proxy} refused the tunnel to ${req.url.origin} (${proxyStatus} ${STATUS_CODES[proxyStatus] ?? 'Error'}) on ${req.method} ${req.label}`,
        hint:
          proxyStatus === 407
            ? 'The proxy wants credentials: put them in HTTPS_PROXY (http://user:password@proxy:port), or list the server in NO_PROXY.'
            : 'Check HTTPS_PROXY / HTTP_PROXY, or list the server in NO_PROXY to reach it directly.',
      });
    }
    const reason = code ?? this.#redactor.redact(errorMessage(err));
    if (code !== undefined && code.startsWith('HPE_')) {
      // llhttp's codes (the socket carrier uses them too): bytes came back, but not an HTTP answer p7apps can frame.
      return new AppsHubError({
        ...base,
        kind: 'network',
        code,
        // A write whose 2xx status arrived was committed (wire.ts A21), however damaged the rest.
        committed: req.method === 'POST' && status !== undefined && writeCommitted(status),
        message: `The answer from ${req.url.origin} to ${req.method} ${req.label} is not valid HTTP/1.1 (${code}${status !== undefined ? `, after its ${status} status` : ''})`,
        hint: 'Something on the way (a proxy, a load balancer) or a server that is not pSeven Enterprise sent it; check the server URL, and the proxy if there is one.',
      });
    }
    if (status !== undefined) {
      // The server answered, then the connection broke before the body was all there: it was reached.
      return new AppsHubError({
        ...base,
        kind: 'network',
        code,
        // A write whose 2xx status arrived was committed (wire.ts A21): only its details were lost.
        committed: req.method === 'POST' && writeCommitted(status),
        message: `The answer from ${req.url.origin} to ${req.method} ${req.label} was cut off (${reason}) after its ${status} status`,
        hint: 'The server or a proxy closed the connection before the whole answer arrived; try again, and check the proxy or load balancer if it keeps happening.',
      });
    }
    const hint =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'Check the host name in the server URL (--server, P7APPS_URL or server.url).'
        : 'Check the server URL and that the server is up; a proxy is taken from HTTPS_PROXY / HTTP_PROXY.';
    return new AppsHubError({ ...base, kind: 'network', code, message: `Could not reach ${req.url.origin} (${reason}) on ${req.method} ${req.label}`, hint });
  }

  /** A 2xx answer whose compressed body does not decode: answered (a publish so answered was committed, A21), but unreadable. */
  #undecodable(req: HttpRequest, err: unknown, status: number): AppsHubError {
    return new AppsHubError({
      kind: 'malformed',
      method: req.method,
      path: req.label,
      status,
      origin: req.url.origin,
      ambiguous: req.method === 'POST',
      committed: req.method === 'POST' && writeCommitted(status),
      message: `The answer to ${req.method} ${req.label} could not be read: ${this.#redactor.redact(errorMessage(err))}`,
      hint: 'The server, or a proxy on the way, sent a damaged compressed answer; try again, and check the proxy if it keeps happening.',
    });
  }

  #tooLarge(req: HttpRequest): AppsHubError {
    return new AppsHubError({
      kind: 'too-large',
      method: req.method,
      path: req.label,
      origin: req.url.origin,
      // Only a 2xx answer is read whole: a POST answered so was committed (wire.ts A21), its details unknown.
      ambiguous: req.method === 'POST',
      committed: req.method === 'POST',
      message: `The response to ${req.method} ${req.label} is larger than ${formatBytes(req.maxBytes)}; not read`,
      hint: 'Check the server URL: the pSeven Enterprise API does not send answers this large.',
    });
  }

  /** The request's overall deadline passed: slow, not lost, and a publish may have been committed. */
  #overdue(req: HttpRequest, limitMs: number, status: number | undefined): AppsHubError {
    const limit = formatSeconds(limitMs);
    const publish = isPublish(req);
    return new AppsHubError({
      kind: 'timeout',
      method: req.method,
      path: req.label,
      origin: req.url.origin,
      code: REQUEST_DEADLINE_CODE,
      ambiguous: publish,
      // Its 2xx status came before the deadline: committed (wire.ts A21), only its details are lost.
      committed: publish && status !== undefined && writeCommitted(status),
      message: publish
        ? `${req.method} ${req.label} was not answered in full within ${limit}${status === undefined ? '' : ` (its ${status} status came, the rest did not)`}`
        : `${req.method} ${req.label} did not finish within ${limit}; the server answered too slowly`,
      hint: publish
        ? 'p7apps reads the app again before it sends anything twice; raise --request-timeout (a publish gets twice its value) if the server is this slow to answer.'
        : `Raise --request-timeout (now ${limit}) or check the server.`,
    });
  }

  #aborted(req: HttpRequest, mayHaveLeft: boolean): AppsHubError {
    return new AppsHubError({
      kind: 'aborted',
      method: req.method,
      path: req.label,
      origin: req.url.origin,
      ambiguous: req.method === 'POST' && mayHaveLeft,
    });
  }
}

/** The path of the sign-in URL before `/appshub/` or `/pseven/`, for the https hint. */
function serverPrefix(req: HttpRequest): string {
  const match = /^(.*?)\/(appshub|pseven)\/\.rest\//.exec(req.url.pathname);
  return match ? match[1]! : '';
}

function labelAfterRedirect(req: HttpRequest, target: URL): string {
  // Relative to the same API base as before when the endpoint had a relative name; otherwise origin and path only.
  const endpoint = req.label.split('?')[0]!;
  if (!req.url.pathname.endsWith(endpoint) || endpoint.startsWith('http')) return `${target.origin}${target.pathname}`;
  const base = req.url.pathname.slice(0, req.url.pathname.length - endpoint.length);
  return target.pathname.startsWith(base) ? `${target.pathname.slice(base.length)}${target.search}` : `${target.origin}${target.pathname}`;
}

function tlsHint(code: string): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return 'The certificate is for another host name; check the host in the server URL (or pass --insecure to skip verification, not recommended).';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return 'The server\'s certificate is outside its validity period; ask its administrator to renew it (or pass --insecure, not recommended).';
  }
  return 'If the server uses a private or self-signed certificate authority, pass --ca-file FILE (PEM) to trust it, or --insecure to skip verification (not recommended).';
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts; the caller checks the signal. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
