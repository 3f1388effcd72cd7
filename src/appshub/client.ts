// The AppsHub REST client: the AppsHubApi endpoints over the transport in
// ./http.ts, with every body mapped through ./wire.ts. It holds the token (in
// a private field, and in the redactor that scrubs it from anything the
// server echoes) and decides which requests carry it: only those to the
// server's own origin.

import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { P7appsError } from '../errors.js';
import { AppsHubError, Redactor, decodeUtf8, summariseBody } from './errors.js';
import { HttpTransport, type HttpResponse, type TransportOptions } from './http.js';
import { apiBaseUrls, normaliseServerUrl } from './server-url.js';
import { known } from './types.js';
import type {
  AppRecord,
  AppsHubApi,
  PublishRequest,
  PublishResult,
  ThumbnailFetch,
  ThumbnailUpload,
  VersionRecord,
  WorkflowRecord,
} from './types.js';
import {
  PUBLISH_FIELD,
  WireFormatError,
  type WireContext,
  appRecordFromWire,
  listPageFromWire,
  type ListPage,
  loginTokenFromWire,
  pollableVersionUrl,
  publishFormFields,
  publishMultipartBody,
  publishResultFromWire,
  thumbnailIfNoneMatch,
  versionRecordFromWire,
  workflowRecordFromWire,
  writeCommitted,
  type PublishFile,
} from './wire.js';
import { appRunsUrl, runDeployFormFields, runDetailsFromWire, runPatchBody, runUrl } from './run-wire.js';
import { isRunEnded, runPhase } from '../runs/states.js';
import {
  VERSION_RUNS_UNSUPPORTED_CODE,
  type AppRunsApi,
  type DeleteRunOutcome,
  type DeployRunOptions,
  type JsonValue,
  type RunDetails,
  type RunRef,
  type VersionRunsSupport,
} from '../runs/types.js';

export const MAX_JSON_BYTES = 32 * 1024 * 1024;
export const MAX_THUMBNAIL_BYTES = 10 * 1024 * 1024;
/** A list longer than this many pages is refused rather than read forever. */
export const MAX_LIST_PAGES = 1000;

/** Where a raw read goes: an endpoint under one of the two API bases, or a URL on the server's origin. */
export type RawTarget = { api: 'apps' | 'workflows'; path: string } | URL;

/** A JSON answer as the server sent it (strings redacted). */
export interface RawJsonAnswer {
  /** How messages name the endpoint: `apps/`, `apps/abc@2/`. */
  label: string;
  /** Where the body came from. */
  url: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

/** One page of a list endpoint as the server sent it. */
export interface RawListPage {
  label: string;
  url: string;
  /** A bare JSON array, or a Django REST framework page (`results`, `next`). */
  shape: 'array' | 'page';
  body: unknown;
  items: unknown[];
}

export interface AppsHubClientOptions extends TransportOptions {
  /** The sign-in URL (with or without a trailing slash). */
  serverUrl: string;
  /** Sent as `Authorization: Token …`; without one, call login() first. */
  token?: string;
  maxJsonBytes?: number;
  maxThumbnailBytes?: number;
  maxListPages?: number;
  /** Shared with the caller, which then redacts what it writes with the secrets this client learns (a signed-in token too). */
  redactor?: Redactor;
}

/** Why a string cannot be a token (it goes into a header), or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token === '') return 'it is empty';
  if (/^token\s/i.test(token)) return 'it starts with "Token ": give only the token itself';
  if (!/^[\x21-\x7e]+$/.test(token)) return 'it contains spaces, control or non-ASCII characters';
  return undefined;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

const MALFORMED_HINT =
  'The server does not answer as p7apps expects (docs/wire-assumptions.md in the p7apps package); check that the server URL is the pSeven Enterprise sign-in URL.';

export function createAppsHubClient(options: AppsHubClientOptions): AppsHubClient {
  return new AppsHubClient(options);
}

/** Where a client's warnings go: `onWarning`, else a process warning. */
export function warningsTo(onWarning: ((message: string) => void) | undefined): (message: string) => void {
  return onWarning ?? ((message: string) => process.emitWarning(message, 'P7appsWarning'));
}

export class AppsHubClient implements AppsHubApi, AppRunsApi {
  readonly serverUrl: string;
  /** `{S}/appshub/.rest/v2/` */
  readonly appsBaseUrl: string;
  /** `{S}/pseven/.rest/v2/` */
  readonly workflowsBaseUrl: string;
  /** The proxies requests go through (credentials removed); empty when none. */
  readonly proxies: HttpTransport['proxies'];
  readonly #transport: HttpTransport;
  readonly #redactor: Redactor;
  readonly #origin: string;
  readonly #limits: { json: number; thumbnail: number; pages: number };
  /** Relative URLs in answers are read against the sign-in URL (wire.ts, A15). */
  readonly #wire: WireContext;
  #token: string | undefined;

  constructor(options: AppsHubClientOptions) {
    this.#redactor = options.redactor ?? new Redactor();
    this.serverUrl = normaliseServerUrl(options.serverUrl, 'the server URL');
    const bases = apiBaseUrls(this.serverUrl);
    this.appsBaseUrl = bases.apps;
    this.workflowsBaseUrl = bases.workflows;
    this.#origin = new URL(this.serverUrl).origin;
    this.#wire = { baseUrl: this.serverUrl, redact: (text) => this.#redactor.redact(text) };
    this.#limits = {
      json: options.maxJsonBytes ?? MAX_JSON_BYTES,
      thumbnail: options.maxThumbnailBytes ?? MAX_THUMBNAIL_BYTES,
      pages: options.maxListPages ?? MAX_LIST_PAGES,
    };
    if (options.token !== undefined) this.#useToken(options.token, 'The token');
    this.#transport = new HttpTransport(options, this.#redactor);
    this.proxies = this.#transport.proxies;

    const warn = warningsTo(options.onWarning);
    const host = new URL(this.serverUrl).host;
    if (options.insecure) {
      warn(`TLS certificate verification is off (--insecure): anyone on the network path to ${host} can read the token and change the answers.`);
    }
    if (new URL(this.serverUrl).protocol === 'http:' && !isLoopback(new URL(this.serverUrl).hostname)) {
      warn(`The server URL ${this.serverUrl} is plain http: the token travels unencrypted. Use https:// if the server offers it.`);
    }
  }

  #useToken(token: string, what: string): void {
    const problem = tokenProblem(token);
    if (problem) throw new P7appsError(`${what} cannot be used: ${problem}`, { hint: 'Check P7APPS_TOKEN.' });
    this.#token = token;
    this.#redactor.add(token);
  }

  /** Whether the text holds the token or the password (in any form); for a caller that must not write them down. */
  holdsSecret(text: string): boolean {
    return this.#redactor.contains(text);
  }

  /** Closes the connections; the client cannot be used afterwards. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  /**
   * Exchanges a username and password for a token (`POST auth/login/` of the
   * workflow API) and signs this client in with it. Returns the token.
   */
  async login(username: string, password: string, signal?: AbortSignal): Promise<string> {
    this.#redactor.add(password);
    const label = 'auth/login/';
    const res = await this.#transport.request({
      method: 'POST',
      url: new URL(label, this.workflowsBaseUrl),
      label,
      headers: { ...this.#headers(false), 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
      maxBytes: this.#limits.json,
      tokenSent: false,
      // Signing in commits nothing: a 503 or a reset there must not end the command.
      safeToRepeat: true,
      signal,
    });
    const token = this.#mapped('POST', label, false, () => loginTokenFromWire(this.#json(res, 'POST', false)));
    if (tokenProblem(token) !== undefined) {
      throw this.#malformed('POST', label, false, 'the token it returned cannot be sent in a header');
    }
    this.#useToken(token, 'The token from auth/login/');
    return token;
  }

  async listApps(signal?: AbortSignal): Promise<AppRecord[]> {
    return this.#list(this.appsBaseUrl, 'apps/', (item, path) => this.#withRedactedDetail(appRecordFromWire(item, path, this.#wire)), signal);
  }

  async getApp(appId: string, signal?: AbortSignal): Promise<AppRecord> {
    const label = `apps/${encodeSegment(appId)}/`;
    const res = await this.#get(new URL(label, this.appsBaseUrl), label, signal);
    const app = this.#mapped('GET', label, false, () => this.#withRedactedDetail(appRecordFromWire(this.#json(res, 'GET', false), '', this.#wire)));
    if (app.id !== appId) throw this.#malformed('GET', label, false, `its id is ${JSON.stringify(app.id)}, not the requested ${JSON.stringify(appId)}`);
    return app;
  }

  /**
   * `GET` one version. `versionUrl` is the version's URL as a publish answer
   * gave it: asked there when it is on this server under the app API base
   * (ASSUMPTION A22), else `apps/{id}@{v}/` is asked.
   */
  async getAppVersion(appId: string, version: number, signal?: AbortSignal, versionUrl?: string): Promise<VersionRecord> {
    if (!Number.isInteger(version) || version < 1) throw new RangeError(`version must be a whole number from 1, got ${version}`);
    const url = pollableVersionUrl(versionUrl, this.appsBaseUrl) ?? new URL(`apps/${encodeSegment(appId)}@${version}/`, this.appsBaseUrl);
    const label = this.#label(url, true);
    const res = await this.#get(url, label, signal);
    const record = this.#mapped('GET', label, false, () => this.#withRedactedDetail(versionRecordFromWire(this.#json(res, 'GET', false), '', this.#wire)));
    if (record.appId !== appId || record.version !== version) {
      throw this.#malformed('GET', label, false, `it describes ${JSON.stringify(record.appId)} version ${record.version}, not the one requested`);
    }
    return record;
  }

  async listWorkflows(signal?: AbortSignal): Promise<WorkflowRecord[]> {
    return this.#list(this.workflowsBaseUrl, 'workflows/', (item, path) => workflowRecordFromWire(item, path, this.#wire), signal);
  }

  /**
   * `POST apps/`, sent once, always as multipart/form-data (A12). A failure
   * after the request may have left (lost answer, timeout, 5xx) is an
   * AppsHubError with `ambiguous: true`: the publish may have been
   * committed. A 2xx whose answer cannot be read has `committed: true` as
   * well (A21): it was committed, only its details are unknown.
   */
  async publish(request: PublishRequest, signal?: AbortSignal): Promise<PublishResult> {
    const label = 'apps/';
    const url = new URL(label, this.appsBaseUrl);
    const headers = this.#headers(true);
    let file: PublishFile | undefined;
    if (request.thumbnail) {
      const bytes = await readPlannedThumbnail(request.thumbnail);
      file = { field: PUBLISH_FIELD.thumbnail, filename: request.thumbnail.filename, mediaType: request.thumbnail.mediaType, bytes };
    }
    const multipart = publishMultipartBody(publishFormFields(request), file, `p7apps-${randomBytes(16).toString('hex')}`);
    headers['Content-Type'] = multipart.contentType;
    const res = await this.#transport.request({
      method: 'POST',
      url,
      label,
      headers,
      body: multipart.body,
      maxBytes: this.#limits.json,
      tokenSent: true,
      signal,
    });
    try {
      return this.#mapped('POST', label, true, () => publishResultFromWire(this.#json(res, 'POST', true), '', { ...this.#wire, baseUrl: res.url.href }));
    } catch (err) {
      // The server answered 2xx: the publish happened, so an unreadable answer leaves only its details unknown.
      if (err instanceof AppsHubError && writeCommitted(res.status)) throw err.with({ committed: true });
      throw err;
    }
  }

  async fetchThumbnail(url: string, options: { expectSha256?: string; signal?: AbortSignal } = {}): Promise<ThumbnailFetch> {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new P7appsError(`The thumbnail URL ${JSON.stringify(this.#redactor.redact(url))} is not an absolute http(s) URL`);
    }
    const expected = options.expectSha256?.toLowerCase();
    if (expected !== undefined && !/^[0-9a-f]{64}$/.test(expected)) {
      throw new RangeError('expectSha256 must be 64 hexadecimal digits');
    }
    const target = new URL(url);
    // The token goes only to the server's own origin: a thumbnail elsewhere (a CDN) is fetched without it.
    const tokenSent = target.origin === this.#origin;
    const headers = this.#headers(tokenSent);
    if (expected !== undefined) headers['If-None-Match'] = thumbnailIfNoneMatch(expected);
    const res = await this.#transport.request({
      method: 'GET',
      url: target,
      label: this.#label(target, false),
      headers,
      maxBytes: this.#limits.thumbnail,
      accept304: expected !== undefined,
      tokenSent,
      signal: options.signal,
    });
    if (res.status === 304) return { status: 'not-modified', sha256: expected! };
    const fetched: ThumbnailFetch = { status: 'fetched', sha256: sha256Hex(res.body), bytes: res.body };
    const etag = res.headers.get('etag');
    if (etag !== null) fetched.etag = etag;
    return fetched;
  }

  // Runs (src/runs/types.ts, AppRunsApi): deploy, read, set parameters, start, interrupt, delete.

  async deployAppRun(appId: string, options: DeployRunOptions = {}, signal?: AbortSignal): Promise<RunDetails> {
    const url = appRunsUrl(appId, this.appsBaseUrl, versionOf(options));
    const label = this.#label(url, true);
    const multipart = publishMultipartBody(runDeployFormFields(options), undefined, `p7apps-${randomBytes(16).toString('hex')}`);
    let res: HttpResponse;
    try {
      res = await this.#transport.request({
        method: 'POST',
        url,
        label,
        headers: { ...this.#headers(true), 'Content-Type': multipart.contentType },
        body: multipart.body,
        maxBytes: this.#limits.json,
        tokenSent: true,
        signal,
      });
    } catch (err) {
      if (!(err instanceof AppsHubError)) throw err;
      if (options.version !== undefined && err.kind === 'http' && (err.status === 404 || err.status === 405)) {
        throw await this.#versionRunsRefused(err, appId, options.version, signal);
      }
      if ((err.ambiguous || err.committed) && err.kind !== 'aborted') {
        const found = await this.#runNamed(appId, options, signal);
        if (found !== undefined) return found;
      }
      throw lostDeployError(runError(err), options.name);
    }
    try {
      return this.#mapped('POST', label, true, () => this.#redactedRun(runDetailsFromWire(this.#json(res, 'POST', true), appId, '', { ...this.#wire, baseUrl: res.url.href })));
    } catch (err) {
      if (!(err instanceof AppsHubError) || !writeCommitted(res.status)) throw err;
      // Deployed (2xx), its details unreadable: a named run can still be found, so it is not left behind.
      const found = await this.#runNamed(appId, options, signal);
      if (found !== undefined) return found;
      throw lostDeployError(err.with({ committed: true }), options.name);
    }
  }

  /** After a lost deploy answer: the run of that name, read back, or undefined (none, no name, or it cannot be told). */
  async #runNamed(appId: string, options: DeployRunOptions, signal: AbortSignal | undefined): Promise<RunDetails | undefined> {
    if (options.name === undefined || signal?.aborted) return undefined;
    try {
      const runs = await this.listRuns(appId, versionOf(options), signal);
      const named = runs.find((r) => r.name === options.name);
      return named === undefined ? undefined : await this.getRun(named, signal);
    } catch (err) {
      if (err instanceof AppsHubError && err.kind !== 'aborted') return undefined;
      throw err;
    }
  }

  /** A 404 or 405 from a version's runs/: the server does not run given versions when the version itself is there. */
  async #versionRunsRefused(err: AppsHubError, appId: string, version: number, signal: AbortSignal | undefined): Promise<AppsHubError> {
    await this.getAppVersion(appId, version, signal);
    return err.with({
      code: VERSION_RUNS_UNSUPPORTED_CODE,
      message: `The server does not run a given version: ${err.method} ${err.path} answered ${err.status} while version ${version} of the app is there`,
      hint: 'This server runs only the default version (see docs/runs.md, "Running a given version"); p7apps doctor reports it as A26.',
    });
  }

  async getRun(run: RunRef, signal?: AbortSignal): Promise<RunDetails> {
    const url = runUrl(run, this.appsBaseUrl);
    const label = this.#label(url, true);
    const res = await this.#get(url, label, signal).catch((err: unknown) => {
      throw runError(err);
    });
    const details = this.#mapped('GET', label, false, () => this.#redactedRun(runDetailsFromWire(this.#json(res, 'GET', false), run.appId, '', this.#wire)));
    if (details.id !== run.id) throw this.#malformed('GET', label, false, `it describes run ${JSON.stringify(details.id)}, not the one requested`);
    return details;
  }

  async listRuns(appId: string, options: { version?: number; versionUrl?: string } = {}, signal?: AbortSignal): Promise<RunDetails[]> {
    const url = appRunsUrl(appId, this.appsBaseUrl, versionOf(options));
    return this.#list(this.appsBaseUrl, this.#label(url, true), (item, path) => this.#redactedRun(runDetailsFromWire(item, appId, path, this.#wire)), signal);
  }

  async patchRunParameters(run: RunRef, values: ReadonlyArray<{ name: string; data: JsonValue }>, signal?: AbortSignal): Promise<RunDetails> {
    const url = runUrl(run, this.appsBaseUrl);
    const label = this.#label(url, true);
    const current = await this.#get(url, label, signal).catch((err: unknown) => {
      throw runError(err);
    });
    const body = this.#mapped('GET', label, false, () => runPatchBody(this.#json(current, 'GET', false), values));
    const res = await this.#transport
      .request({
        method: 'PATCH',
        url,
        label,
        headers: { ...this.#headers(true), 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        maxBytes: this.#limits.json,
        tokenSent: true,
        // The same values sent again set the same values.
        safeToRepeat: true,
        signal,
      })
      .catch((err: unknown) => {
        throw runError(err);
      });
    return this.#mapped('PATCH', label, false, () => this.#redactedRun(runDetailsFromWire(this.#json(res, 'PATCH', false), run.appId, '', this.#wire)));
  }

  startRun(run: RunRef, signal?: AbortSignal): Promise<void> {
    // Started when its state has moved past CONFIGURATION (QUEUED_TO_RUN, RUNNING, or already ended).
    return this.#runCommand(run, 'run/', (details) => {
      const phase = known(details.state) ? runPhase(details.state) : 'other';
      return phase !== 'deploying' && phase !== 'configurable' && phase !== 'other';
    }, signal);
  }

  interruptRun(run: RunRef, signal?: AbortSignal): Promise<void> {
    return this.#runCommand(run, 'interrupt/', (details) => known(details.state) && isRunEnded(details.state), signal);
  }

  /**
   * `POST {run}/{command}`, sent once. When it fails in a way that may hide
   * its effect (a lost answer, a 4xx because an earlier attempt already
   * moved the run on), the run is read: `done` on its details says whether
   * the command took effect anyway.
   */
  async #runCommand(run: RunRef, command: 'run/' | 'interrupt/', done: (details: RunDetails) => boolean, signal: AbortSignal | undefined): Promise<void> {
    const url = new URL(command, runUrl(run, this.appsBaseUrl));
    const label = this.#label(url, true);
    try {
      // The answer ({"status": 200, "message": "Accepted"}) says no more than its status does.
      await this.#transport.request({ method: 'POST', url, label, headers: this.#headers(true), maxBytes: this.#limits.json, tokenSent: true, signal });
    } catch (err) {
      if (!(err instanceof AppsHubError) || err.kind === 'aborted' || signal?.aborted) throw err instanceof AppsHubError ? runError(err) : err;
      const details = await this.getRun(run, signal).catch(() => undefined);
      if (details !== undefined && done(details)) return;
      throw runError(err);
    }
  }

  async deleteRun(run: RunRef, signal?: AbortSignal): Promise<DeleteRunOutcome> {
    const url = runUrl(run, this.appsBaseUrl);
    const label = this.#label(url, true);
    try {
      // Retried after a lost answer: the repeat of a DELETE that was done answers 404, which is "gone".
      await this.#transport.request({ method: 'DELETE', url, label, headers: this.#headers(true), maxBytes: this.#limits.json, tokenSent: true, safeToRepeat: true, signal });
      return 'deleted';
    } catch (err) {
      if (err instanceof AppsHubError && err.kind === 'http' && err.status === 404) return 'already-gone';
      throw runError(err);
    }
  }

  async probeVersionRuns(appId: string, version: number, signal?: AbortSignal): Promise<VersionRunsSupport> {
    const url = appRunsUrl(appId, this.appsBaseUrl, { version });
    try {
      await this.#get(url, this.#label(url, true), signal);
      return 'supported';
    } catch (err) {
      if (!(err instanceof AppsHubError) || err.kind !== 'http' || (err.status !== 404 && err.status !== 405)) throw err;
      // Only when the version itself is there does a refusal at its runs/ mean "not supported".
      await this.getAppVersion(appId, version, signal);
      return 'unsupported';
    }
  }

  /** A run's `state_detail` is the server's account of a failure, redacted like a version's. */
  #redactedRun(details: RunDetails): RunDetails {
    return typeof details.stateDetail === 'string' ? { ...details, stateDetail: this.#redactor.redact(details.stateDetail) } : details;
  }

  /**
   * A version's `state_detail` is the server's account of a failure, shown to
   * people as it is; like an error body it may echo what the server received.
   * (What an unreadable field held is redacted as it is read: `#wire`.)
   */
  #withRedactedDetail<T extends VersionRecord | AppRecord>(record: T): T {
    if ('stateDetail' in record) {
      return typeof record.stateDetail === 'string' ? { ...record, stateDetail: this.#redactor.redact(record.stateDetail) } : record;
    }
    return known(record.current) ? { ...record, current: this.#withRedactedDetail(record.current) } : record;
  }

  #headers(withToken: boolean): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'p7apps' };
    if (withToken && this.#token !== undefined) headers.Authorization = `Token ${this.#token}`;
    return headers;
  }

  #get(url: URL, label: string, signal: AbortSignal | undefined, withToken = true): Promise<HttpResponse> {
    const tokenSent = withToken && url.origin === this.#origin;
    return this.#transport.request({ method: 'GET', url, label, headers: this.#headers(tokenSent), maxBytes: this.#limits.json, tokenSent, signal });
  }

  /**
   * Every item of a list endpoint, following DRF's `next` within the server's
   * origin. Keyed by id and name: an item met again on a later page (the list
   * shifted while it was read) is kept once, but two apps the server gives one
   * id are both kept, for the planner to refuse rather than one to vanish.
   */
  async #list<T extends { id: string }>(
    base: string,
    endpoint: string,
    map: (item: unknown, path: string) => T,
    signal: AbortSignal | undefined,
  ): Promise<T[]> {
    const byId = new Map<string, T>();
    for await (const page of this.#pages(base, endpoint, true, signal)) {
      const items = this.#mapped('GET', page.label, false, () => page.parsed.items.map((item, i) => map(item, `${page.parsed.itemsPath}[${i}]`)));
      // Keyed by id and name: an app met again on a later page is kept once, but two apps the
      // server gives one id are both kept, for the planner to refuse rather than one to vanish.
      for (const item of items) {
        const key = `${item.id}\u0000${'name' in item ? String(item.name) : ''}`;
        if (!byId.has(key)) byId.set(key, item);
      }
    }
    return [...byId.values()];
  }

  /** The pages of a list endpoint as the server sent them, `next` followed within the server's origin and bounded. */
  async *#pages(
    base: string,
    endpoint: string,
    withToken: boolean,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<{ label: string; url: URL; body: unknown; parsed: ListPage }> {
    const seen = new Set<string>();
    let url = new URL(endpoint, base);
    let label = endpoint;
    for (let page = 1; ; page++) {
      seen.add(url.href);
      const res = await this.#get(url, label, signal, withToken);
      const body = this.#json(res, 'GET', false);
      const parsed = this.#mapped('GET', label, false, () => listPageFromWire(body));
      yield { label, url: res.url, body, parsed };
      const next = parsed.next;
      if (next === null) return;
      const nextUrl = URL.canParse(next, res.url.href) ? new URL(next, res.url) : undefined;
      if (nextUrl === undefined || nextUrl.origin !== this.#origin) {
        const where = nextUrl ? nextUrl.host || `a ${nextUrl.protocol} URL` : 'an unreadable URL';
        throw this.#malformed('GET', label, false, `its next page is on ${this.#redactor.redact(where)}; not followed, and the token was not sent there`);
      }
      // ASSUMPTION (A9): a list's pages share its path and differ in their query; a "next page" elsewhere on the
      // server (the workflow API, the emulator's control API) is not this list, and its entries would be read as apps.
      if (trimSlash(nextUrl.pathname) !== trimSlash(res.url.pathname)) {
        throw this.#malformed('GET', label, false, `its next page is another path on the server (${this.#redactor.redact(nextUrl.pathname)}); not followed`);
      }
      if (seen.has(nextUrl.href)) throw this.#malformed('GET', label, false, 'its next page is one already read (the pages loop)');
      if (page >= this.#limits.pages) throw this.#malformed('GET', label, false, `the list goes on beyond ${this.#limits.pages} pages`);
      url = nextUrl;
      label = this.#label(url, true);
    }
  }

  /**
   * One read-only JSON GET as the server answered it, unmapped, for
   * `p7apps doctor`: the same transport, deadlines, TLS, origin rule for the
   * token and redaction (every string in the body is scrubbed of the
   * credentials) as the typed reads. `withToken: false` asks as an anonymous
   * caller would. HTTP errors, network faults and non-JSON answers are
   * AppsHubErrors, as for every other read.
   */
  async readJson(target: RawTarget, options: { withToken?: boolean; signal?: AbortSignal } = {}): Promise<RawJsonAnswer> {
    const url = this.#rawUrl(target);
    const label = this.#label(url, true);
    const res = await this.#get(url, label, options.signal, options.withToken !== false);
    return { label, url: res.url.href, status: res.status, contentType: res.headers.get('content-type'), body: this.#redactedJson(this.#json(res, 'GET', false)) };
  }

  /**
   * Every page of `apps/` or `workflows/` as the server sent it (redacted,
   * unmapped), following `next` as listApps and listWorkflows do. A body
   * that is neither a list nor a page is a malformed-answer AppsHubError.
   */
  async readListPages(list: 'apps/' | 'workflows/', options: { signal?: AbortSignal } = {}): Promise<RawListPage[]> {
    const base = list === 'apps/' ? this.appsBaseUrl : this.workflowsBaseUrl;
    const pages: RawListPage[] = [];
    for await (const page of this.#pages(base, list, true, options.signal)) {
      const body = this.#redactedJson(page.body);
      const items = listPageFromWire(body).items;
      pages.push({ label: page.label, url: page.url.href, shape: page.parsed.itemsPath === '' ? 'array' : 'page', body, items });
    }
    return pages;
  }

  #rawUrl(target: RawTarget): URL {
    if (target instanceof URL) {
      if (target.origin !== this.#origin) throw new RangeError('a raw read goes to the server\'s own origin only');
      return target;
    }
    return new URL(target.path, target.api === 'apps' ? this.appsBaseUrl : this.workflowsBaseUrl);
  }

  /** A copy of a JSON value with every string (keys included) passed through the redactor. */
  #redactedJson(value: unknown): unknown {
    if (typeof value === 'string') return this.#redactor.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.#redactedJson(v));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.#redactor.redact(k), this.#redactedJson(v)]));
    }
    return value;
  }

  /** How messages name a URL: relative to its API base when under one, else origin and path (never a query elsewhere). */
  #label(url: URL, withQuery: boolean): string {
    // Called for every request: the origin getter builds a new string each time, so it is read once.
    const origin = url.origin;
    const path = `${origin}${url.pathname}`;
    const query = withQuery ? url.search : '';
    if (path.startsWith(this.appsBaseUrl)) return `${path.slice(this.appsBaseUrl.length)}${query}`;
    if (path.startsWith(this.workflowsBaseUrl)) return `${path.slice(this.workflowsBaseUrl.length)}${query}`;
    return `${path}${origin === this.#origin ? query : ''}`;
  }

  #json(res: HttpResponse, method: string, ambiguous: boolean): unknown {
    const text = decodeUtf8(res.body);
    // A test for any non-blank character: trim() would copy a whole list's text to find out.
    if (text !== undefined && /\S/.test(text)) {
      try {
        return JSON.parse(text);
      } catch {
        // Described below.
      }
    }
    const what = summariseBody(res.body, res.headers.get('content-type')) ?? 'an empty body';
    throw this.#malformed(method, res.label, ambiguous, `it is not JSON but ${this.#redactor.redact(what)}`);
  }

  /** Runs a wire mapping, turning a WireFormatError into an AppsHubError that names the request. */
  #mapped<T>(method: string, label: string, ambiguous: boolean, map: () => T): T {
    try {
      return map();
    } catch (err) {
      if (!(err instanceof WireFormatError)) throw err;
      const what = `${err.field || 'the body'} should be ${err.expected}, got ${this.#redactor.redact(err.got)}`;
      throw this.#malformed(method, label, ambiguous, what);
    }
  }

  #malformed(method: string, label: string, ambiguous: boolean, what: string): AppsHubError {
    return new AppsHubError({
      kind: 'malformed',
      method,
      path: label,
      origin: this.#origin,
      ambiguous,
      message: `Malformed response to ${method} ${label}: ${what}`,
      hint: MALFORMED_HINT,
    });
  }
}

function versionOf(options: { version?: number; versionUrl?: string }): { version: number; versionUrl?: string } | undefined {
  if (options.version === undefined) return undefined;
  return options.versionUrl === undefined ? { version: options.version } : { version: options.version, versionUrl: options.versionUrl };
}

/** What a refused run request means, in place of the publish-minded hints of the transport. */
function runError(err: unknown): unknown {
  if (!(err instanceof AppsHubError) || err.kind !== 'http' || err.status === undefined) return err;
  if (err.status === 404) return err.with({ hint: 'The run (or its app) is not on the server: it was deleted, or the app id is wrong.' });
  if (err.status === 400 || err.status === 409) {
    const allows =
      err.method === 'DELETE'
        ? 'a run is deleted in CONFIGURATION, FINISHED, FAILED or INTERRUPTED; interrupt a RUNNING one first'
        : 'parameters are set and a run started in CONFIGURATION, a run interrupted in RUNNING';
    return err.with({ hint: `The run is not in a state that allows this (${allows}); read its state and try again.` });
  }
  if (err.status === 401 || err.status === 403) {
    return err.with({ hint: 'Check P7APPS_TOKEN (or P7APPS_USERNAME and P7APPS_PASSWORD), and that its user may run this app.' });
  }
  return err;
}

/** A deploy that may have happened: the name to look for, so that the run is not left behind. */
function lostDeployError(err: unknown, name: string | undefined): unknown {
  if (!(err instanceof AppsHubError) || !(err.ambiguous || err.committed)) return err;
  const look =
    name === undefined
      ? "A run may have been deployed without a name; list the app's runs to find it and delete it."
      : `A run named ${JSON.stringify(name)} may have been deployed; list the app's runs to find it and delete it.`;
  return err.with({ hint: look });
}

/** A path segment (an app id), percent-encoded so it cannot change the path. */
function encodeSegment(value: string): string {
  if (typeof value !== 'string' || value === '') throw new RangeError('an app id must be a non-empty string');
  return encodeURIComponent(value);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The thumbnail's bytes, read now and checked against what the plan was made with. */
async function readPlannedThumbnail(thumbnail: ThumbnailUpload): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(thumbnail.path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new P7appsError(`Could not read thumbnail ${thumbnail.path} (${reason})`, { hint: 'Restore the file, or run p7apps plan again.' });
  }
  if (sha256Hex(bytes) !== thumbnail.sha256.toLowerCase()) {
    throw new P7appsError(`thumbnail ${thumbnail.path} changed since it was planned`, {
      hint: 'Run p7apps plan again, so that the plan uploads what the file holds now.',
    });
  }
  return bytes;
}

/** A path without its trailing slashes, so that `apps/` and `apps` compare equal. */
function trimSlash(pathname: string): string {
  return pathname.replace(/\/+$/, '');
}
