// A server that answers badly: malformed JSON, HTML error pages, missing
// fields, wrong types, huge bodies, redirects to another host, slow-loris
// answers. A raw node:http server sits in front of a real emulator and
// spoils one endpoint at a time; everything else is the emulator's own
// answer. Each case must end in a clear error (exit 1, no stack trace, not
// "a bug"), with no plan saved and no publish sent: never a plan built on
// garbage. A second loopback server records what reaches "another host": the
// token must never get there.

import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { AppsHubError } from '../../src/appshub/errors.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { pngBytes } from '../emulator/png.js';
import { runCli } from '../helpers/cli.js';
import { SECRET_TOKEN, STACK_LINE, Sweep } from '../security/sweep.js';

const APPS = '/appshub/.rest/v2/';
const sweep = new Sweep();

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
}

/** A loopback HTTP server; closed after the file. */
async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
const servers: http.Server[] = [];

/** What a handler spoils: the request (method and path below the API bases), and how it answers. */
type Spoiler = (req: http.IncomingMessage, res: http.ServerResponse, ctx: { front: string; elsewhere: string; appId: string }) => boolean;

let emulator: RunningEmulator;
let front: string;
let elsewhere: string;
let appId: string;
let spoil: Spoiler = () => false;
const frontSeen: Seen[] = [];
const elsewhereSeen: Seen[] = [];
let dir: string;

const record = (list: Seen[], req: http.IncomingMessage) => list.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });

/** Forwards to the emulator, rewriting its origin in JSON bodies so that every URL it hands out points at the front. */
async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const name of ['authorization', 'content-type', 'if-none-match', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = await fetch(`${emulator.url}${req.url}`, { method: req.method, headers, ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}) });
  const type = upstream.headers.get('content-type') ?? '';
  let body = Buffer.from(await upstream.arrayBuffer());
  if (type.includes('json')) body = Buffer.from(body.toString('utf8').split(emulator.url).join(front));
  const out: Record<string, string> = { 'content-type': type };
  for (const name of ['etag', 'retry-after', 'location']) {
    const value = upstream.headers.get(name);
    if (value !== null) out[name] = value.split(emulator.url).join(front);
  }
  res.writeHead(upstream.status, out);
  res.end(body);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-hostile-server-'));
  await writeFile(path.join(dir, 'old.png'), pngBytes([10, 20, 30]));
  await writeFile(path.join(dir, 'new.png'), pngBytes([200, 100, 0]));
  emulator = await startEmulator({
    token: SECRET_TOKEN,
    readyAfterMs: 20,
    seedBaseDir: dir,
    seed: {
      users: [{ username: 'u@work.org', password: 'pw' }],
      workspaces: [{ id: '7', name: 'Toy apps', publishers: ['u@work.org'] }],
      workflows: ['Toy', 'Toy2', 'Toy3'].map((f) => ({ path: `/Users/1/${f}.p7wf` })),
      apps: [
        {
          name: 'Toy',
          workspace: 'Toy apps',
          description: 'Old words',
          thumbnail: 'old.png',
          defaultVersion: 2,
          versions: [
            { version: 1, workflow: '/Users/1/Toy.p7wf' },
            { version: 2, workflow: '/Users/1/Toy2.p7wf' },
          ],
        },
      ],
    },
  });
  appId = emulator.snapshot().apps[0]!.id;
  ({ url: elsewhere } = await serve((req, res) => {
    record(elsewhereSeen, req);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[]');
  }));
  ({ url: front } = await serve((req, res) => {
    record(frontSeen, req);
    if (spoil(req, res, { front, elsewhere, appId })) return;
    forward(req, res).catch(() => res.destroy());
  }));
  await writeFile(
    path.join(dir, 'p7apps.config.json'),
    JSON.stringify({
      defaults: { workspace: 'Toy apps' },
      apps: [
        {
          name: 'Toy',
          description: 'New words',
          thumbnail: 'new.png',
          versions: [1, 2, 3].map((v) => ({ version: v, workflow: `/Users/1/${v === 1 ? 'Toy' : `Toy${v}`}.p7wf` })),
        },
      ],
    }),
  );
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  spoil = () => false;
  frontSeen.length = 0;
  elsewhereSeen.length = 0;
  emulator.clearLog();
});

const cli = (args: string[]) => runCli(args, { cwd: dir, env: { P7APPS_URL: front, P7APPS_TOKEN: SECRET_TOKEN } });

/** Answers `method` + `endpoint` (below an API base) with `answer`, and everything else as the emulator does. */
function on(method: string, endpoint: RegExp, answer: (res: http.ServerResponse, ctx: { front: string; elsewhere: string; appId: string }) => void): Spoiler {
  return (req, res, ctx) => {
    const below = req.url!.replace(/^\/(appshub|pseven)\/\.rest\/v2\//, '');
    if (req.method !== method || !endpoint.test(below)) return false;
    answer(res, ctx);
    return true;
  };
}

function send(status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return (res: http.ServerResponse) => {
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(body);
  };
}

const jsonBody = (status: number, value: unknown) => send(status, 'application/json', JSON.stringify(value));
const MiB = 1024 * 1024;

/** Streams `total` bytes of a JSON string without a Content-Length. */
function streamHuge(total: number) {
  return (res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('["');
    const chunk = Buffer.alloc(MiB, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end('"]');
    };
    res.on('error', () => {});
    pump();
  };
}

const LIST = /^apps\/$/;
const VERSION = /^apps\/[0-9a-f]+@1\/$/;

describe('a server that answers with garbage', () => {
  it.each<[string, Spoiler, RegExp]>([
    ['malformed JSON', on('GET', LIST, send(200, 'application/json', '{"broken": [1, 2')), /Malformed response to GET apps\/: it is not JSON/],
    ['an HTML sign-in page with 200', on('GET', LIST, send(200, 'text/html', '<!doctype html><html><head><title>Sign in - SSO</title></head><body>…</body></html>')), /not JSON but an HTML page titled "Sign in - SSO"/],
    ['an HTML error page with 500', on('GET', LIST, send(500, 'text/html', '<html><head><title>500 Internal Server Error</title></head></html>')), /500 Internal Server Error on GET apps\/: an HTML page titled "500 Internal Server Error"/],
    ['an HTML 404 for the version', on('GET', VERSION, send(404, 'text/html', '<html><title>Not Found</title></html>')), /404|gone/],
    ['an empty body', on('GET', LIST, send(200, 'application/json', '')), /Malformed response to GET apps\/: it is not JSON but an empty body/],
    ['binary bytes', on('GET', LIST, send(200, 'application/octet-stream', Buffer.from([0, 159, 146, 150, 255, 0, 1]))), /Malformed response to GET apps\/: it is not JSON/],
    ['an object where the list belongs', on('GET', LIST, jsonBody(200, { detail: 'everything is fine' })), /Malformed response to GET apps\//],
    ['null where the list belongs', on('GET', LIST, jsonBody(200, null)), /Malformed response to GET apps\//],
    ['a list nested 100,000 deep', on('GET', LIST, send(200, 'application/json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`)), /Malformed response to GET apps\//],
    ['an app without an id', on('GET', LIST, jsonBody(200, [{ name: 'Toy', version: 1 }])), /Malformed response to GET apps\/: \[0\]\.id should be present/],
    ['an app whose name is a list', on('GET', LIST, (res, { appId: id }) => jsonBody(200, [{ id, name: ['Toy'], version: 2 }])(res)), /\[0\]\.name should be/],
    ['a version number that is text', on('GET', VERSION, (res, { appId: id }) => jsonBody(200, { id, name: 'Toy', version: 'one' })(res)), /Malformed response to GET apps\/[0-9a-f]+@1\/: version should be a whole number/],
    ['a version record of another app', on('GET', VERSION, (res) => jsonBody(200, { id: 'f'.repeat(32), name: 'Other', version: 1 })(res)), /Malformed response to GET apps\/[0-9a-f]+@1\/: it describes/],
    ['a workflow list of numbers', on('GET', /^workflows\/$/, jsonBody(200, [1, 2, 3])), /Malformed response to GET workflows\//],
    ['a 33 MiB list streamed without a length', on('GET', LIST, streamHuge(33 * MiB)), /The response to GET apps\/ is larger than 32 MiB; not read/],
    ['a list that declares 40 MiB', on('GET', LIST, (res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(40 * MiB) }); res.write('['); res.on('error', () => {}); }), /larger than 32 MiB/],
    ['a 20 MiB HTML error page', on('GET', LIST, send(500, 'text/html', `<html><title>Oops</title>${'x'.repeat(20 * MiB)}</html>`)), /500 Internal Server Error on GET apps\/: an HTML page titled "Oops"/],
    ['a body cut off mid-way', on('GET', LIST, (res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' }); res.write('[{"id": "'); setImmediate(() => res.destroy()); }), /The answer from .* to GET apps\/ was cut off/],
  ])('%s: a clear error, no plan saved, nothing published', async (name, spoiler, says) => {
    spoil = spoiler;
    const planned = sweep.addRun(`plan ${name}`, await cli(['plan', '--out', 'plan.json']));
    expectClearFailure(planned.code, planned.stderr, says);
    expect(planned.stdout).toBe('');
    expect(existsSync(path.join(dir, 'plan.json'))).toBe(false);

    const applied = sweep.addRun(`apply ${name}`, await cli(['apply', '--auto-approve']));
    expectClearFailure(applied.code, applied.stderr, says);
    expect(frontSeen.filter((r) => r.method === 'POST')).toEqual([]);
    expect(emulator.requestLog().filter((r) => r.method === 'POST')).toEqual([]);
  });
});

describe('a server with one odd field (A16, A17, A19)', () => {
  it('makes a thumbnail answered with an HTML error page unverifiable for that app, and plans the rest', async () => {
    spoil = on('GET', /^apps\/[0-9a-f]+\/thumbnail\/$/, send(500, 'text/html', '<html><title>Thumbnail store down</title></html>'));
    const planned = sweep.addRun('plan thumbnail 500', await cli(['plan', '--verbose']));
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain("cannot verify: the server's thumbnail could not be read, so its content cannot be compared (the server sent \"HTTP 500\")");
    expect(planned.stdout).toContain("-> adds version 3");
  });

  it('refuses to publish a new version of an app whose version list it cannot read, and says what the server sent', async () => {
    spoil = (req, res, ctx) => {
      if (req.method !== 'GET' || !/^\/appshub\/\.rest\/v2\/apps\/([0-9a-f]+\/)?$/.test(req.url!)) return false;
      // The emulator's own answer, with the version list spoiled.
      fetch(`${emulator.url}${req.url}`, { headers: { authorization: `Token ${SECRET_TOKEN}` } })
        .then((r) => r.json() as Promise<Record<string, unknown> | Record<string, unknown>[]>)
        .then((body) => {
          const spoilt = (app: Record<string, unknown>) => ({ ...JSON.parse(JSON.stringify(app).split(emulator.url).join(ctx.front)), versions: 'three' });
          jsonBody(200, Array.isArray(body) ? body.map(spoilt) : spoilt(body))(res);
        }, () => res.destroy());
      return true;
    };
    const planned = sweep.addRun('plan versions unreadable', await cli(['plan', '--verbose']));
    expect(planned.code).toBe(1);
    expect(planned.stdout + planned.stderr).toContain('version 3 would be a new version numbered by the server, but the server lists the app\'s versions as "three"');
    const applied = sweep.addRun('apply versions unreadable', await cli(['apply', '--auto-approve']));
    expect(applied.code).toBe(1);
    expect(applied.stdout).not.toMatch(STACK_LINE);
    expect(emulator.requestLog().filter((r) => r.method === 'POST')).toEqual([]);
  });
});

function expectClearFailure(code: number, stderr: string, says: RegExp): void {
  expect(code).toBe(1);
  expect(stderr).toMatch(/^Error: /);
  expect(stderr).toMatch(says);
  expect(stderr).not.toMatch(STACK_LINE);
  expect(stderr).not.toContain('This is a bug');
  expect(stderr.length).toBeLessThan(2000);
}

describe('a server that sends p7apps elsewhere', () => {
  it('does not follow a redirect to another host, and the token never gets there', async () => {
    spoil = on('GET', LIST, (res, ctx) => send(302, 'text/html', '', { location: `${ctx.elsewhere}${APPS}apps/?stolen=1` })(res));
    const run = sweep.addRun('plan redirect', await cli(['plan']));
    expectClearFailure(run.code, run.stderr, /redirects to 127\.0\.0\.1:\d+; not followed, and the token was not sent there/);
    expect(elsewhereSeen).toEqual([]);
  });

  it('does not follow a redirected publish either', async () => {
    spoil = on('POST', LIST, (res, ctx) => send(307, 'text/html', '', { location: `${ctx.elsewhere}${APPS}apps/` })(res));
    const run = sweep.addRun('apply redirect', await cli(['apply', '--auto-approve']));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/redirects to 127\.0\.0\.1:\d+; not followed/);
    expect(run.stdout).not.toMatch(STACK_LINE);
    expect(elsewhereSeen).toEqual([]);
    expect(emulator.requestLog().filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('does not follow a list page whose next page is on another host', async () => {
    spoil = on('GET', LIST, (res, ctx) => jsonBody(200, { count: 2, next: `${ctx.elsewhere}${APPS}apps/?page=2`, previous: null, results: [] })(res));
    const run = sweep.addRun('plan next elsewhere', await cli(['plan']));
    expectClearFailure(run.code, run.stderr, /its next page is on 127\.0\.0\.1:\d+; not followed, and the token was not sent there/);
    expect(elsewhereSeen).toEqual([]);
  });

  it('fetches a thumbnail kept on another host without the token', async () => {
    spoil = (req, res, ctx) => {
      if (req.method !== 'GET' || req.url !== `${APPS}apps/`) return false;
      // The emulator's own list, with the thumbnail moved to a CDN.
      fetch(`${emulator.url}${req.url}`, { headers: { authorization: `Token ${SECRET_TOKEN}` } })
        .then((r) => r.json() as Promise<{ thumbnail: string | null }[]>)
        .then((apps) => {
          jsonBody(200, apps.map((a) => ({ ...a, thumbnail: `${ctx.elsewhere}/cdn/toy.png` })))(res);
        }, () => res.destroy());
      return true;
    };
    const run = sweep.addRun('plan thumbnail elsewhere', await cli(['plan']));
    // The "CDN" answers JSON, not the image: the thumbnail differs and the plan says so.
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    expect(elsewhereSeen.map((r) => [r.method, r.url, r.authorization])).toEqual([['GET', '/cdn/toy.png', undefined]]);
    expect(frontSeen.every((r) => r.authorization === `Token ${SECRET_TOKEN}`)).toBe(true);
  });

  it('shows a server echoing the token back in an error without the token', async () => {
    spoil = on('GET', LIST, (res) => jsonBody(403, { detail: `Invalid token "${SECRET_TOKEN}" (Token ${SECRET_TOKEN})` })(res));
    const run = sweep.addRun('plan echo', await cli(['plan']));
    expectClearFailure(run.code, run.stderr, /403 Forbidden on GET apps\/: Invalid token "\[REDACTED\]"/);
  });
});

describe('a server that answers slowly (slow-loris)', () => {
  // The CLI has no option for the transport's timeouts (30 s for headers and between body chunks, 10 s to
  // connect), so they are shown through the client with small ones; the CLI wires the same transport.
  const client = (url: string) =>
    createAppsHubClient({ serverUrl: url, token: SECRET_TOKEN, headersTimeoutMs: 300, bodyTimeoutMs: 300, retry: { maxAttempts: 2, baseDelayMs: 1 } });

  it('gives up on headers that never come, after its retries', async () => {
    const { url } = await serve((req) => void record(elsewhereSeen, req));
    const err = await client(url).listApps().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppsHubError);
    sweep.addError('headers timeout', err);
    expect((err as AppsHubError).message).toMatch(/timed out \(headers timeout, 300ms\) on GET apps\/ \(after 2 attempts\)/);
    expect(elsewhereSeen).toHaveLength(2);
  });

  it('gives up on a body that trickles a byte at a time', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const timer = setInterval(() => res.write(' '), 1000);
      res.on('close', () => clearInterval(timer));
    });
    const err = await client(url).listApps().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppsHubError);
    sweep.addError('body timeout', err);
    expect((err as AppsHubError).message).toMatch(/timed out \(body timeout, 300ms\) on GET apps\//);
  });

  it('reports a publish whose answer never comes as possibly committed, not as failed', async () => {
    const { url } = await serve(() => {});
    const err = await client(url)
      .publish({ name: 'Toy', workspaceName: 'Toy apps', workflowPath: '/Users/1/Toy.p7wf', setVersionAsDefault: true })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppsHubError);
    sweep.addError('publish timeout', err);
    expect(err).toMatchObject({ kind: 'timeout', ambiguous: true, attempts: 1 });
    expect((err as AppsHubError).message).toMatch(/it may have taken effect on the server/);
  });
});

it('leaves the token in no byte captured above', () => {
  expect(sweep.size.items).toBeGreaterThan(20);
  expect(sweep.leaks([SECRET_TOKEN])).toEqual([]);
});
