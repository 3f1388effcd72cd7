// The emulator's HTTP side: routing of the workflow and app APIs, token
// authentication, applying the injected faults, logging each request, and
// handing `/_emulator/` requests to the control API. Each request is decided and
// committed in one synchronous step after its body has been read, so
// concurrent clients never see or make a half-done change.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, INVALID_TOKEN, NO_CREDENTIALS, NOT_FOUND } from './api-error.js';
import { handleControl, CONTROL_PREFIX } from './control.js';
import type { EmulatorCore } from './core.js';
import type { FaultKind } from './faults.js';
import { etagMatches, mediaType, parseFields, readBody, sendJson, tokenFrom } from './http-util.js';
import { thumbnailEtag } from './images.js';
import { loginInputFrom, publishInputFrom, type BodyFields } from './publish-input.js';
import { APP_API_PATH, WORKFLOW_API_PATH, type WireViews } from './views.js';
import { MEDIA_PATH } from './profiles.js';
import { deployInputFrom, type RunOwner, type RunSpec } from './runs.js';
import type { App, PublishInput, User, World } from './world.js';

interface Answer {
  status: number;
  body?: unknown;
  bytes?: Uint8Array;
  headers?: Record<string, string>;
  /** Commit done, answer never sent (the ambiguous write). */
  drop?: boolean;
  /** Set: the answer is sent one byte every this many milliseconds. */
  trickleEveryMs?: number;
  fault?: FaultKind;
}

interface RequestContext {
  params: string[];
  url: URL;
  req: IncomingMessage;
  user: User | undefined;
  fields: () => Promise<BodyFields>;
}

type Handler = (ctx: RequestContext) => Answer | Promise<Answer>;

interface Route {
  prefix: string;
  pattern: RegExp;
  key: string;
  auth: boolean;
  methods: Partial<Record<HttpMethod, Handler>>;
}

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Where runs live: a workflow, an app (its default version), or a given version of an app. */
interface RunHome {
  /** Which runs are this home's. */
  filter: { kind: 'workflow' | 'app'; id: string; version?: number };
  /** What a run deployed here runs, checked as the deploy requires. */
  deployable: () => { owner: RunOwner; spec: RunSpec; home: string };
}

export interface EmulatorServerOptions {
  controlToken: string;
  latencyMs: number;
  pageSize: number | undefined;
}

export class EmulatorServer {
  private closed = false;
  private active = 0;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly lateCommits = new Set<NodeJS.Timeout>();
  /** Answers being trickled: each entry stops its trickle and drops its connection. */
  private readonly trickles = new Set<() => void>();
  private readonly routes: Route[];

  constructor(
    readonly core: EmulatorCore,
    private readonly options: EmulatorServerOptions,
  ) {
    this.routes = this.buildRoutes();
  }

  private get world(): World {
    return this.core.world;
  }

  private get views(): WireViews {
    return this.core.views;
  }

  /** Stop answering: pending delays end at once and their connections are dropped. */
  shutdown(): void {
    this.closed = true;
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.wake();
    }
    this.sleepers.clear();
    // The backend goes down with the front end: commits still to land are lost with it.
    for (const timer of this.lateCommits) clearTimeout(timer);
    this.lateCommits.clear();
    for (const stop of this.trickles) stop();
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  /** The node:http request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.active += 1;
    this.dispatch(req, res)
      .catch((err: unknown) => {
        // Something unexpected (a connection broken mid-body, or a bug): answer 500 while that is still possible.
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, { detail: `Emulator error: ${(err as Error).message}` });
        else res.destroy();
      })
      .finally(() => {
        this.active -= 1;
      });
  };

  /** Requests received and not yet answered (or dropped). */
  activeRequests(): number {
    return this.active;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Joined, not resolved: a target such as `//host/x` must stay a path, not become another host.
    const target = req.url ?? '/';
    const absolute = !target.startsWith('/') && URL.canParse(target);
    const url = absolute ? new URL(target) : new URL(`http://emulator.invalid${target.startsWith('/') ? target : `/${target}`}`);
    if (url.pathname === CONTROL_PREFIX.slice(0, -1) || url.pathname.startsWith(CONTROL_PREFIX)) {
      await handleControl(this.core, this.options.controlToken, req, res, url);
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const path = `${url.pathname}${url.search}`;
    const match = this.match(url.pathname);
    const endpoint = `${method} ${match ? match.route.key : '(unknown)'}`;

    const planned = this.core.faults.forRequest(method, url.pathname);
    const delayMs = this.options.latencyMs + planned.delayMs;
    const record = (status: number | null, fault: FaultKind | undefined) =>
      this.core.record({ method, path, endpoint, status, delayMs, ...(fault ? { fault } : {}) });
    await this.sleep(delayMs);
    if (this.closed) {
      res.destroy();
      return;
    }
    if (planned.reset) {
      record(null, 'reset');
      req.socket.destroy();
      return;
    }

    let answer: Answer;
    try {
      const body = await readBody(req);
      if (planned.status === 503) {
        answer = {
          status: 503,
          body: { detail: 'Service temporarily unavailable, try again later.' },
          headers: { 'Retry-After': String(planned.retryAfterS) },
          fault: '503',
        };
      } else if (planned.status === 429) {
        const s = planned.retryAfterS;
        answer = {
          status: 429,
          body: { detail: `Request was throttled. Expected available in ${s} second${s === 1 ? '' : 's'}.` },
          headers: { 'Retry-After': String(s) },
          fault: '429',
        };
      } else {
        answer = await this.answer(req, url, method, match, body);
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      answer = { status: err.status, body: err.body, headers: err.headers };
    }
    if (this.closed) {
      res.destroy();
      return;
    }
    if (answer.drop) {
      record(null, answer.fault);
      req.socket.destroy();
      return;
    }
    const trickleEveryMs = answer.trickleEveryMs ?? planned.trickleEveryMs;
    record(answer.status, answer.fault ?? (planned.trickleEveryMs !== undefined ? 'trickle' : undefined));
    const allow: Record<string, string> = match ? { Allow: allowed(match.route).join(', ') } : {};
    if (trickleEveryMs !== undefined && method !== 'HEAD') {
      const json = answer.bytes === undefined && answer.body !== undefined;
      const bytes = answer.bytes ?? (json ? Buffer.from(JSON.stringify(answer.body)) : new Uint8Array());
      const type: Record<string, string> = json ? { 'Content-Type': 'application/json' } : {};
      res.writeHead(answer.status, { ...type, 'Content-Length': String(bytes.length), ...allow, ...answer.headers });
      // The status and headers go at once; only the body is held back.
      res.flushHeaders();
      await this.trickle(res, bytes, trickleEveryMs);
    } else if (answer.bytes !== undefined) {
      res.writeHead(answer.status, { ...allow, ...answer.headers });
      res.end(method === 'HEAD' ? undefined : answer.bytes);
    } else if (answer.body === undefined) {
      res.writeHead(answer.status, { ...allow, ...answer.headers });
      res.end();
    } else {
      sendJson(res, answer.status, answer.body, { ...allow, ...answer.headers }, method === 'HEAD');
    }
  }

  /** Sends `bytes` one at a time, `everyMs` apart; resolves when all are sent or the connection is gone. */
  private trickle(res: ServerResponse, bytes: Uint8Array, everyMs: number): Promise<void> {
    return new Promise((resolve) => {
      let sent = 0;
      const stop = () => {
        clearInterval(timer);
        this.trickles.delete(drop);
        resolve();
      };
      const drop = () => {
        stop();
        res.destroy();
      };
      const timer = setInterval(() => {
        if (sent >= bytes.length) {
          stop();
          res.end();
          return;
        }
        res.write(bytes.subarray(sent, sent + 1));
        sent += 1;
      }, everyMs);
      this.trickles.add(drop);
      res.on('close', stop);
    });
  }

  private match(pathname: string): { route: Route; params: string[] } | undefined {
    for (const route of this.routes) {
      if (!pathname.startsWith(route.prefix)) continue;
      let rest: string;
      try {
        rest = decodeURIComponent(pathname.slice(route.prefix.length));
      } catch {
        return undefined;
      }
      const m = route.pattern.exec(rest);
      if (m) return { route, params: m.slice(1) };
    }
    return undefined;
  }

  private async answer(
    req: IncomingMessage,
    url: URL,
    method: string,
    match: { route: Route; params: string[] } | undefined,
    body: Buffer,
  ): Promise<Answer> {
    if (!match) throw ApiError.detail(404, NOT_FOUND);
    const { route, params } = match;
    let user: User | undefined;
    if (route.auth) {
      const { token, error } = tokenFrom(req.headers.authorization);
      if (error) throw ApiError.detail(403, error);
      if (token === undefined) throw ApiError.detail(403, NO_CREDENTIALS);
      user = this.world.userForToken(token);
      if (!user) throw ApiError.detail(403, INVALID_TOKEN);
    }
    const handler = route.methods[(method === 'HEAD' ? 'GET' : method) as HttpMethod];
    if (!handler) throw ApiError.detail(405, `Method "${method}" not allowed.`);
    return handler({ params, url, req, user, fields: () => parseFields(body, req.headers['content-type']) });
  }

  /**
   * The late commit: a gateway gives up and answers 504 at once, while the
   * server goes on and commits the publish `lateMs` later (or refuses it then,
   * as it would have refused it now; that refusal reaches nobody).
   */
  private lateCommit(user: User, input: PublishInput, lateMs: number): Answer {
    const timer = setTimeout(() => {
      this.lateCommits.delete(timer);
      try {
        this.world.publish(user, input, (name) => this.core.faults.forPublish(name), { queueWhileBusy: this.views.profiles.queuesWhileBusy() });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
      }
    }, lateMs);
    this.lateCommits.add(timer);
    return { status: 504, body: { detail: 'Gateway Timeout' }, fault: 'lateCommit' };
  }

  /** Late commits still to land. */
  pendingLateCommits(): number {
    return this.lateCommits.size;
  }

  /** A list answer: a plain array, or DRF pages when a page size is set (README A9). */
  private list(url: URL, items: unknown[]): Answer {
    const size = this.options.pageSize;
    if (!size) return { status: 200, body: items };
    const pageParam = url.searchParams.get('page') ?? '1';
    const page = /^\d+$/.test(pageParam) ? Number(pageParam) : Number.NaN;
    const pages = Math.max(1, Math.ceil(items.length / size));
    if (!(page >= 1 && page <= pages)) throw ApiError.detail(404, 'Invalid page.');
    const pageUrl = (n: number) => {
      const u = new URL(`${this.views.signInUrl}${url.pathname}`);
      u.searchParams.set('page', String(n));
      return u.toString();
    };
    return {
      status: 200,
      body: {
        count: items.length,
        next: page < pages ? pageUrl(page + 1) : null,
        previous: page > 1 ? pageUrl(page - 1) : null,
        results: items.slice((page - 1) * size, page * size),
      },
    };
  }

  private buildRoutes(): Route[] {
    const wf = WORKFLOW_API_PATH;
    const apps = APP_API_PATH;
    const appOr404 = (id: string) => {
      const app = this.world.appById(id);
      if (!app) throw ApiError.detail(404, NOT_FOUND);
      return app;
    };
    return [
      {
        prefix: wf,
        pattern: /^auth\/login\/$/,
        key: 'auth/login/',
        auth: false,
        methods: {
          POST: async (ctx) => {
            const { username, password } = loginInputFrom(await ctx.fields());
            const token = this.world.login(username, password);
            if (!token) throw new ApiError(400, { non_field_errors: ['Unable to log in with provided credentials.'] });
            return { status: 200, body: { token } };
          },
        },
      },
      {
        prefix: wf,
        pattern: /^workflows\/$/,
        key: 'workflows/',
        auth: true,
        methods: { GET: (ctx) => this.list(ctx.url, this.world.workflows.map((w) => this.views.workflow(w))) },
      },
      {
        prefix: wf,
        pattern: /^workflows\/([^/@]+)\/$/,
        key: 'workflows/{id}/',
        auth: true,
        methods: {
          GET: (ctx) => {
            const w = this.world.workflowById(ctx.params[0]!);
            if (!w) throw ApiError.detail(404, NOT_FOUND);
            // The guide: a workflow's details list its runs.
            const runs = this.world.runs.list({ kind: 'workflow', id: w.id }).map((r) => this.views.run(r, true));
            return { status: 200, body: { ...this.views.workflow(w), runs } };
          },
        },
      },
      ...this.runRoutes(),
      {
        prefix: apps,
        pattern: /^apps\/$/,
        key: 'apps/',
        auth: true,
        methods: {
          GET: (ctx) => this.list(ctx.url, this.world.apps.map((a) => this.views.listEntry(a))),
          POST: async (ctx) => {
            const profiles = this.views.profiles;
            const fields = profiles.publishFields(await ctx.fields(), { signInUrl: this.views.signInUrl, mediaType: mediaType(ctx.req.headers['content-type']) });
            const input = publishInputFrom(fields);
            const lateMs = this.core.faults.lateCommitFor(input.name);
            if (lateMs !== undefined) return this.lateCommit(ctx.user!, input, lateMs);
            const { app, entry, faults } = this.world.publish(ctx.user!, input, (name) => this.core.faults.forPublish(name), {
              queueWhileBusy: profiles.queuesWhileBusy(),
            });
            const body = this.views.published(app, entry);
            const fault: FaultKind | undefined = faults.dropResponse
              ? 'dropPublishResponse'
              : faults.trickleEveryMs !== undefined
                ? 'tricklePublish'
                : faults.stuck
                ? 'stuckQueued'
                : faults.fail !== undefined
                  ? 'failPublish'
                  : undefined;
            // DRF's CreateModelMixin points Location at the new object's url.
            return {
              status: 201,
              body,
              headers: { Location: String(body.url) },
              drop: faults.dropResponse,
              ...(fault ? { fault } : {}),
              ...(faults.trickleEveryMs !== undefined ? { trickleEveryMs: faults.trickleEveryMs } : {}),
            };
          },
        },
      },
      {
        prefix: apps,
        pattern: /^apps\/([^/@]+)\/$/,
        key: 'apps/{id}/',
        auth: true,
        methods: { GET: (ctx) => ({ status: 200, body: this.views.app(appOr404(ctx.params[0]!)) }) },
      },
      {
        prefix: apps,
        pattern: /^apps\/([^/@]+)@([^/@]+)\/$/,
        key: 'apps/{id}@{v}/',
        auth: true,
        methods: {
          GET: (ctx) => {
            const app = appOr404(ctx.params[0]!);
            const v = ctx.params[1]!;
            const entry = /^\d+$/.test(v) ? app.versions.find((e) => e.version === Number(v)) : undefined;
            if (!entry) throw ApiError.detail(404, NOT_FOUND);
            return { status: 200, body: this.views.version(app, entry) };
          },
        },
      },
      {
        prefix: apps,
        pattern: /^apps\/([^/@]+)\/thumbnail\/$/,
        key: 'apps/{id}/thumbnail/',
        auth: true,
        methods: { GET: (ctx) => this.thumbnail(appOr404(ctx.params[0]!), ctx) },
      },
      {
        // Where the relative-thumbnails profile points `thumbnail` (served under every profile).
        prefix: MEDIA_PATH,
        pattern: /^thumbnails\/([^/@]+)\/$/,
        key: 'media/thumbnails/{id}/',
        auth: true,
        methods: { GET: (ctx) => this.thumbnail(appOr404(ctx.params[0]!), ctx) },
      },
    ];
  }

  /** The run endpoints of the guide, for workflows, apps and given versions of apps (./runs.ts). */
  private runRoutes(): Route[] {
    const homes: { prefix: string; head: string; key: string; home: (params: string[]) => RunHome }[] = [
      { prefix: WORKFLOW_API_PATH, head: 'workflows\\/([^/@]+)', key: 'workflows/{id}', home: (p) => this.workflowHome(p[0]!) },
      { prefix: APP_API_PATH, head: 'apps\\/([^/@]+)', key: 'apps/{id}', home: (p) => this.appHome(p[0]!, undefined) },
      { prefix: APP_API_PATH, head: 'apps\\/([^/@]+)@([^/@]+)', key: 'apps/{id}@{v}', home: (p) => this.appHome(p[0]!, p[1]!) },
    ];
    const accepted = { status: 200, message: 'Accepted' };
    return homes.flatMap(({ prefix, head, key, home }) => {
      const groups = (head.match(/\(/g) ?? []).length;
      const runOf = (ctx: RequestContext) => this.world.runs.find(ctx.params[groups]!, home(ctx.params).filter);
      const route = (tail: string, suffix: string, methods: Route['methods']): Route => ({
        prefix,
        pattern: new RegExp(`^${head}\\/runs\\/${tail}$`),
        key: `${key}/runs/${suffix}`,
        auth: true,
        methods,
      });
      return [
        route('', '', {
          GET: (ctx) => ({ status: 200, body: this.world.runs.list(home(ctx.params).filter).map((r) => this.views.run(r, true)) }),
          POST: async (ctx) => {
            const { owner, spec, home: where } = home(ctx.params).deployable();
            const input = deployInputFrom(await ctx.fields(), owner.kind);
            const run = this.world.runs.deploy(owner, spec, input, where);
            const body = this.views.run(run, true);
            return { status: 201, body, headers: { Location: String(body.url) }, ...this.lostAnswer('dropRunDeploy') };
          },
        }),
        route('([^/@]+)\\/', '{run}/', {
          GET: (ctx) => ({ status: 200, body: this.views.run(runOf(ctx), false) }),
          PATCH: async (ctx) => {
            const run = runOf(ctx);
            this.world.runs.patch(run, await ctx.fields());
            return { status: 200, body: this.views.run(run, false) };
          },
          DELETE: (ctx) => {
            this.world.runs.delete(runOf(ctx));
            return { status: 200, body: { status: 200 }, ...this.lostAnswer('dropRunDelete') };
          },
        }),
        route('([^/@]+)\\/run\\/', '{run}/run/', {
          POST: (ctx) => {
            this.world.runs.start(runOf(ctx));
            return { status: 200, body: accepted, ...this.lostAnswer('dropRunStart') };
          },
        }),
        route('([^/@]+)\\/interrupt\\/', '{run}/interrupt/', {
          POST: (ctx) => {
            this.world.runs.interrupt(runOf(ctx));
            return { status: 200, body: accepted };
          },
        }),
      ];
    });
  }

  /** A run request carried out whose answer an injected fault loses. */
  private lostAnswer(kind: 'dropRunDeploy' | 'dropRunStart' | 'dropRunDelete'): Partial<Answer> {
    return this.core.faults.dropsRunAnswer(kind) ? { drop: true, fault: kind } : {};
  }

  private workflowHome(id: string): RunHome {
    const workflow = this.world.workflowById(id);
    if (!workflow) throw ApiError.detail(404, NOT_FOUND);
    return {
      filter: { kind: 'workflow', id: workflow.id },
      deployable: () => ({
        owner: { kind: 'workflow', id: workflow.id, name: workflow.name, path: workflow.path },
        spec: workflow.run,
        home: workflow.path,
      }),
    };
  }

  /** An app's runs (`version` undefined: of whichever version; deploys run the default one), or a given version's. */
  private appHome(id: string, version: string | undefined): RunHome {
    if (version !== undefined && !this.views.profiles.runsGivenVersions()) throw ApiError.detail(404, NOT_FOUND);
    const app = this.world.appById(id);
    if (!app) throw ApiError.detail(404, NOT_FOUND);
    const entry =
      version === undefined ? undefined : /^\d+$/.test(version) ? app.versions.find((e) => e.version === Number(version)) : undefined;
    if (version !== undefined && !entry) throw ApiError.detail(404, NOT_FOUND);
    return {
      filter: entry ? { kind: 'app', id: app.id, version: entry.version } : { kind: 'app', id: app.id },
      deployable: () => {
        const target = entry ?? app.versions.find((e) => e.version === app.defaultVersion)!;
        // The guide: deploy runs of a version only once it is READY; otherwise AppsHub answers an error.
        const { state } = this.world.state(target.current);
        if (state !== 'READY') {
          throw ApiError.detail(400, `App "${app.name}" version ${target.version} is ${state}, not READY: runs can be deployed only from READY.`);
        }
        return {
          owner: { kind: 'app', id: app.id, name: app.name, version: target.version, given: entry !== undefined },
          spec: target.current.run,
          home: `/Apps/${app.name}.p7wf`,
        };
      },
    };
  }

  private thumbnail(app: App, ctx: RequestContext): Answer {
    const refusal = this.views.profiles.refuseThumbnail({ signInUrl: this.views.signInUrl, app });
    if (refusal) throw refusal;
    const thumb = app.thumbnail;
    if (!thumb) throw ApiError.detail(404, NOT_FOUND);
    const etag = thumbnailEtag(thumb.sha256);
    const cache = { ETag: etag, 'Cache-Control': 'private, no-cache' };
    if (etagMatches(ctx.req.headers['if-none-match'], etag)) return { status: 304, headers: cache };
    return {
      status: 200,
      bytes: thumb.bytes,
      headers: { ...cache, 'Content-Type': thumb.mediaType, 'Content-Length': String(thumb.bytes.length) },
    };
  }
}

function allowed(route: Route): string[] {
  const methods = Object.keys(route.methods);
  return methods.includes('GET') ? [...methods, 'HEAD'] : methods;
}
