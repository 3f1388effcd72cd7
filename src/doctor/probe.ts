// `p7apps doctor`'s probe: a read-only conversation with one server that
// collects what the wire assumptions are checked against, and the findings
// about reaching it (TLS, credentials, the lists). It never publishes: the
// only POST it can send is the sign-in (auth/login/) when a username and
// password are how the user authenticates. Every request goes through the
// AppsHub client (src/appshub/), with its deadlines, TLS handling and
// redaction; the report it returns is plain data (./report.ts).
//
// Requests, in order: GET apps/ without credentials (is the API closed to
// strangers?), the sign-in if any, every page of apps/ and workflows/, then
// for the first app GET apps/{id}/, GET apps/{id}@{v}/ for one of its
// versions, its runs (GET apps/{id}/runs/ and GET apps/{id}@{v}/runs/, never
// a deploy), and one thumbnail.

import { shortEntryFields, type WireEvidence } from '../appshub/assumptions.js';
import { type AppsHubClient, createAppsHubClient, type RawListPage } from '../appshub/client.js';
import { resolveCredentials, resolveServerUrl, type Credentials } from '../appshub/connect.js';
import { AppsHubError } from '../appshub/errors.js';
import type { RetryPolicy, TransportOptions } from '../appshub/http.js';
import { apiBaseUrls } from '../appshub/server-url.js';
import { appRecordFromWire, listPageFromWire, versionRecordFromWire, WireFormatError, workflowRecordFromWire, type WireContext } from '../appshub/wire.js';
import { P7appsError } from '../errors.js';
import {
  assumptionFindings,
  capabilityFindings,
  DOCTOR_FORMAT_VERSION,
  verdictOf,
  type AuthFinding,
  type DoctorProblem,
  type DoctorReport,
  type ListFinding,
  type ProbeRequest,
  type TlsFinding,
} from './report.js';

export interface DoctorOptions {
  /** --server; else P7APPS_URL, else `configServerUrl`. */
  server?: string;
  configServerUrl?: string;
  /** Read for P7APPS_URL, the credentials and the proxy variables. */
  env: NodeJS.ProcessEnv;
  caFile?: string;
  insecure?: boolean;
  signal?: AbortSignal;
  /** Transport tuning: deadlines, retries, clocks (tests make them small). */
  transport?: Omit<TransportOptions, 'caFile' | 'insecure' | 'env' | 'onWarning' | 'onRequest'>;
}

/**
 * The doctor asks once more after a network fault or a 503, not five times:
 * it reports on the server, and a minute of backoff would only delay that.
 */
export const DOCTOR_RETRY_POLICY: Partial<RetryPolicy> = { maxAttempts: 2, maxTotalMs: 15_000, baseDelayMs: 250 };

const CREDENTIALS_HINT = 'Set P7APPS_TOKEN to a valid API token (or P7APPS_USERNAME and P7APPS_PASSWORD).';

/** An answer arrived, so whatever failed, the connection (and TLS) worked. */
function reached(err: AppsHubError): boolean {
  return err.kind === 'http' || err.kind === 'malformed' || err.kind === 'too-large' || err.kind === 'redirect';
}

function refusedCredentials(err: AppsHubError): boolean {
  return err.kind === 'http' && (err.status === 401 || err.status === 403);
}

/** Stops the probe: p7apps cannot go on with this server. */
class Stop extends Error {}

class Probe {
  readonly problems: DoctorProblem[] = [];
  readonly warnings: string[] = [];
  readonly requests: ProbeRequest[] = [];
  readonly evidence: WireEvidence = {};
  readonly lists: ListFinding[] = [
    { endpoint: 'apps/', status: 'not-read' },
    { endpoint: 'workflows/', status: 'not-read' },
  ];
  tls: TlsFinding;
  // Every key in the order the JSON report shows them; the ones left undefined are not written.
  auth: AuthFinding = {
    method: 'none',
    source: undefined,
    withoutCredentials: 'not-checked',
    withoutCredentialsStatus: undefined,
    status: 'not-checked',
    detail: undefined,
  };
  client: AppsHubClient | undefined;
  /** How wire.ts reads relative URLs: against the sign-in URL, as the client does. */
  readonly wire: WireContext;

  constructor(
    readonly options: DoctorOptions,
    readonly signInUrl: string,
  ) {
    this.wire = { baseUrl: signInUrl };
    this.tls = { scheme: new URL(signInUrl).protocol === 'https:' ? 'https' : 'http', status: 'not-checked' };
    if (options.caFile !== undefined) this.tls.caFile = options.caFile;
  }

  stop(message: string, hint?: string): never {
    this.problems.push(hint === undefined ? { message } : { message, hint });
    throw new Stop(message);
  }

  /** The connection worked: TLS, if any, is settled. */
  answered(): void {
    if (this.tls.status !== 'not-checked') return;
    this.tls.status = this.tls.scheme === 'http' ? 'plain' : this.options.insecure ? 'not-verified' : 'verified';
  }

  /** A failure that means the server was not reached (or TLS failed) stops the probe; an answer is noted. */
  unreachedStops(err: unknown): AppsHubError {
    if (!(err instanceof AppsHubError) || err.kind === 'aborted') throw err;
    if (reached(err)) {
      this.answered();
      return err;
    }
    if (err.kind === 'tls') {
      this.tls.status = 'failed';
      this.tls.detail = err.message;
    }
    return this.stop(err.message, err.hint);
  }

  async run(): Promise<void> {
    const credentials = this.credentials();
    const client = createAppsHubClient({
      retry: DOCTOR_RETRY_POLICY,
      connections: 2,
      ...this.options.transport,
      serverUrl: this.signInUrl,
      token: credentials?.kind === 'token' ? credentials.token : undefined,
      caFile: this.options.caFile,
      insecure: this.options.insecure === true,
      env: this.options.env,
      onWarning: (message) => this.warnings.push(message),
      onRequest: (info) => {
        const request: ProbeRequest = { method: info.method === 'POST' ? 'POST' : 'GET', path: info.path };
        if (info.status !== undefined) request.status = info.status;
        this.requests.push(request);
      },
    });
    this.client = client;
    await this.anonymous(client);
    if (credentials === undefined) this.stop(this.auth.detail ?? 'No credentials', CREDENTIALS_HINT);
    if (credentials.kind === 'password') await this.signIn(client, credentials);
    const apps = await this.list(client, 'apps/');
    await this.list(client, 'workflows/');
    if (apps !== undefined && apps.length > 0) {
      await this.details(client, apps);
      // Short list entries carry no thumbnail: the details come first.
      await this.thumbnail(client, [this.evidence.appDetail, ...apps]);
    }
  }

  credentials(): Credentials | undefined {
    try {
      const credentials = resolveCredentials(this.options.env);
      this.auth.method = credentials.kind === 'token' ? 'token' : 'login';
      if (credentials.kind === 'token') this.auth.source = credentials.source;
      return credentials;
    } catch (err) {
      if (!(err instanceof P7appsError)) throw err;
      this.auth.status = 'missing';
      this.auth.detail = err.message;
      return undefined;
    }
  }

  /** GET apps/ as a stranger: the server should refuse it. */
  async anonymous(client: AppsHubClient): Promise<void> {
    try {
      await client.readJson({ api: 'apps', path: 'apps/' }, { withToken: false, signal: this.options.signal });
      this.answered();
      this.auth.withoutCredentials = 'allowed';
      this.warnings.push('The app API answers GET apps/ without credentials: anyone who can reach the server can read the catalog.');
    } catch (err) {
      const answer = this.unreachedStops(err);
      // A redirect to a sign-in page refuses a stranger as well as a 401 does.
      if (refusedCredentials(answer) || answer.kind === 'redirect') {
        this.auth.withoutCredentials = 'refused';
        if (answer.status !== undefined) this.auth.withoutCredentialsStatus = answer.status;
      }
      // Anything else (404, an HTML page) is judged by the signed-in read that follows.
    }
  }

  async signIn(client: AppsHubClient, credentials: Extract<Credentials, { kind: 'password' }>): Promise<void> {
    try {
      await client.login(credentials.username, credentials.password, this.options.signal);
    } catch (err) {
      const answer = this.unreachedStops(err);
      this.auth.status = 'refused';
      this.auth.detail = answer.message;
      const refused = answer.kind === 'http' && answer.status !== undefined && answer.status >= 400 && answer.status < 500;
      this.stop(
        refused ? `Signing in as P7APPS_USERNAME was refused: ${answer.message}` : `Signing in failed: ${answer.message}`,
        refused ? 'Check P7APPS_USERNAME and P7APPS_PASSWORD, or use an API token (P7APPS_TOKEN).' : answer.hint,
      );
    }
  }

  /** Every page of a list, raw, then every entry through the wire mapping p7apps reads it with. */
  async list(client: AppsHubClient, endpoint: 'apps/' | 'workflows/'): Promise<unknown[] | undefined> {
    const finding = this.lists.find((l) => l.endpoint === endpoint)!;
    let pages: RawListPage[];
    try {
      pages = await client.readListPages(endpoint, { signal: this.options.signal });
    } catch (err) {
      const answer = this.unreachedStops(err);
      if (refusedCredentials(answer)) {
        this.auth.status = 'refused';
        this.auth.detail = answer.message;
        this.stop(`The server refused the credentials: ${answer.message}`, CREDENTIALS_HINT);
      }
      finding.status = 'unreadable';
      finding.problem = answer.message;
      this.problems.push(answer.hint === undefined ? { message: answer.message } : { message: answer.message, hint: answer.hint });
      return undefined;
    }
    this.auth.status = 'accepted';
    const items = pages.flatMap((p) => p.items);
    const shape = { shape: pages[0]!.shape, pages: pages.length };
    Object.assign(finding, { status: 'read', ...shape, entries: items.length });
    if (endpoint === 'apps/') {
      this.evidence.appList = items;
      this.evidence.appListShape = shape;
    } else {
      this.evidence.workflowList = items;
      this.evidence.workflowListShape = shape;
    }
    const map = endpoint === 'apps/' ? appRecordFromWire : workflowRecordFromWire;
    const problem = wireProblem(() => items.forEach((item, i) => map(item, `[${i}]`, this.wire)));
    if (problem === undefined) return items;
    finding.status = 'unreadable';
    finding.problem = `entry ${problem}`;
    if (endpoint === 'apps/') {
      // An app p7apps cannot identify stops every plan.
      this.problems.push({ message: `p7apps cannot read ${endpoint}: entry ${problem}`, hint: WIRE_HINT });
    } else {
      // Without the workflows p7apps still plans and publishes; it cannot tell edited workflows (A7).
      this.evidence.workflowListProblem = `entry ${problem}`;
    }
    return items;
  }

  /** GET apps/{id}/ and GET apps/{id}@{v}/ of the first app, raw and through the wire mapping. */
  async details(client: AppsHubClient, apps: unknown[]): Promise<void> {
    const first = apps[0];
    const id = isObject(first) && (typeof first.id === 'string' || typeof first.id === 'number') ? String(first.id) : undefined;
    if (id === undefined || id === '') return;
    const app = await this.readDetail(client, `apps/${encodeURIComponent(id)}/`, (body) => appRecordFromWire(body, '', this.wire));
    if (app === undefined) return;
    this.evidence.appDetail = app;
    const version = versionToRead(app);
    if (version === undefined) return;
    const detail = await this.readDetail(client, `apps/${encodeURIComponent(id)}@${version}/`, (body) => versionRecordFromWire(body, '', this.wire));
    if (detail !== undefined) this.evidence.versionDetail = detail;
    await this.runLists(client, id, detail === undefined ? undefined : version);
    const short = this.lists[0]!.status === 'read' ? shortEntryFields(this.evidence) : [];
    if (short.length > 0) this.lists[0]!.shortEntryFields = short;
  }

  /**
   * The app's run list and the version's (A25, A26): read, never written. A
   * refusal is evidence, not a problem: p7apps still plans and publishes
   * on a server that runs no apps through the API.
   */
  async runLists(client: AppsHubClient, id: string, version: number | undefined): Promise<void> {
    const read = async (path: string): Promise<{ ok: true; items: unknown[] } | { ok: false; status?: number; problem: string }> => {
      try {
        const body = (await client.readJson({ api: 'apps', path }, { signal: this.options.signal })).body;
        try {
          return { ok: true, items: listPageFromWire(body).items };
        } catch (err) {
          if (err instanceof WireFormatError) return { ok: false, problem: `answered ${err.got}, not a list of runs` };
          throw err;
        }
      } catch (err) {
        const answer = this.unreachedStops(err);
        return answer.status === undefined ? { ok: false, problem: `failed: ${answer.message}` } : { ok: false, status: answer.status, problem: `answered ${answer.status}` };
      }
    };
    const runs = await read(`apps/${encodeURIComponent(id)}/runs/`);
    this.evidence.appRuns = runs.ok ? { ok: true, runs: runs.items } : runs;
    if (version === undefined) return;
    const path = `apps/{id}@${version}/runs/`;
    const versionRuns = await read(`apps/${encodeURIComponent(id)}@${version}/runs/`);
    this.evidence.versionRuns = versionRuns.ok ? { ok: true, path } : { ...versionRuns, path };
  }

  async readDetail(client: AppsHubClient, path: string, map: (body: unknown) => unknown): Promise<unknown> {
    let body: unknown;
    try {
      body = (await client.readJson({ api: 'apps', path }, { signal: this.options.signal })).body;
    } catch (err) {
      const answer = this.unreachedStops(err);
      this.problems.push(answer.hint === undefined ? { message: answer.message } : { message: answer.message, hint: answer.hint });
      return undefined;
    }
    const problem = wireProblem(() => map(body));
    if (problem !== undefined) this.problems.push({ message: `p7apps cannot read GET ${path}: ${problem}`, hint: WIRE_HINT });
    return body;
  }

  /** The first thumbnail any app reports, read with the token as p7apps reads thumbnails. */
  async thumbnail(client: AppsHubClient, apps: unknown[]): Promise<void> {
    const withThumbnail = apps.find((a) => isObject(a) && typeof a.thumbnail === 'string' && a.thumbnail !== '');
    if (!isObject(withThumbnail)) return;
    // A relative URL is read against the sign-in URL, as p7apps reads it (A15).
    const base = `${client.serverUrl}/`;
    const text = withThumbnail.thumbnail as string;
    if (!URL.canParse(text, base)) {
      this.evidence.thumbnailRead = { ok: false, problem: 'its URL cannot be read' };
      return;
    }
    try {
      await client.fetchThumbnail(new URL(text, base).href, { signal: this.options.signal });
      this.evidence.thumbnailRead = { ok: true };
    } catch (err) {
      if (!(err instanceof AppsHubError) && !(err instanceof P7appsError)) throw err;
      if (err instanceof AppsHubError && err.kind === 'aborted') throw err;
      this.evidence.thumbnailRead = { ok: false, problem: err.message };
    }
  }
}

const WIRE_HINT = 'The server does not answer as p7apps expects (see the assumptions below); p7apps cannot plan against it until wire.ts reads this shape.';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the wire mapping says is wrong, or undefined when it reads the body. */
function wireProblem(map: () => void): string | undefined {
  try {
    map();
    return undefined;
  } catch (err) {
    if (err instanceof WireFormatError) return err.message;
    if (err instanceof P7appsError) return err.message;
    throw err;
  }
}

/** The version whose details to read: the first listed, else the default. */
function versionToRead(app: unknown): number | undefined {
  if (!isObject(app)) return undefined;
  const wholeFrom1 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (Array.isArray(app.versions)) {
    for (const entry of app.versions) {
      const number = isObject(entry) ? entry.version : entry;
      if (wholeFrom1(number)) return number;
      // A version URL (A17) names its number after the @.
      const fromUrl = typeof number === 'string' ? /@(\d{1,10})\/?$/.exec(number)?.[1] : undefined;
      if (fromUrl !== undefined && Number(fromUrl) >= 1) return Number(fromUrl);
    }
  }
  return wholeFrom1(app.version) ? app.version : undefined;
}

/**
 * Probes the server the options name, read-only, and reports. Throws only
 * for what stops before any request (no server URL, an unreadable CA file)
 * and on cancellation; everything the server does goes into the report.
 */
export async function probeServer(options: DoctorOptions): Promise<DoctorReport> {
  const signInUrl = resolveServerUrl({ server: options.server, env: options.env, configServerUrl: options.configServerUrl });
  const probe = new Probe(options, signInUrl);
  try {
    await probe.run();
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  } finally {
    await probe.client?.close();
  }
  const assumptions = assumptionFindings(probe.evidence);
  const capabilities = capabilityFindings(assumptions);
  const bases = apiBaseUrls(signInUrl);
  return {
    formatVersion: DOCTOR_FORMAT_VERSION,
    server: { signInUrl, appsBaseUrl: bases.apps, workflowsBaseUrl: bases.workflows },
    verdict: verdictOf(probe.problems, capabilities),
    tls: probe.tls,
    auth: probe.auth,
    lists: probe.lists,
    assumptions,
    capabilities,
    problems: probe.problems,
    warnings: probe.warnings,
    requests: probe.requests,
  };
}
