// The doctor's probe against nock: the exact requests it sends (and that it
// never sends a publish), how it signs in with a username and password, and
// what it makes of answers that stop p7apps: refused credentials, HTML, a
// list that is not a list, an entry p7apps cannot read.

import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeServer, type DoctorOptions } from '../../src/doctor/probe.js';
import type { DoctorReport } from '../../src/doctor/report.js';
import { APP_ID, APPS, fullApp, fullVersion, fullWorkflow, PNG, SERVER, TOKEN, WORKFLOWS } from './wire-fixtures.js';
import { netError, NOCKABLE_ENV } from '../appshub/nock-helpers.js';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

/** Fails the test if anything ever POSTs to apps/. */
function forbidPublish(): { published: () => boolean } {
  let published = false;
  nock(SERVER)
    .persist()
    .post(`${APPS}/apps/`)
    .reply(() => {
      published = true;
      return [500, {}];
    })
    // Nor a run: deploying one would be a write too.
    .post(/\/runs\/$/)
    .reply(() => {
      published = true;
      return [500, {}];
    });
  return { published: () => published };
}

function probe(env: NodeJS.ProcessEnv = { P7APPS_TOKEN: TOKEN }, options: Partial<DoctorOptions> = {}): Promise<DoctorReport> {
  return probeServer({
    server: SERVER,
    env: { ...NOCKABLE_ENV, ...env },
    transport: { pacing: false, sleep: async () => {}, retry: { maxAttempts: 1 } },
    ...options,
  });
}

/** The full server, every request matched exactly, the token only where it belongs. */
function fullServer(versionRuns: { status: number; body: unknown } = { status: 200, body: [] }) {
  return nock(SERVER)
    .get(`${APPS}/apps/`)
    .matchHeader('authorization', (value) => value === undefined)
    .reply(403, { detail: 'Authentication credentials were not provided.' })
    .get(`${APPS}/apps/`)
    .matchHeader('authorization', `Token ${TOKEN}`)
    .reply(200, [fullApp()])
    .get(`${WORKFLOWS}/workflows/`)
    .matchHeader('authorization', `Token ${TOKEN}`)
    .reply(200, [fullWorkflow()])
    .get(`${APPS}/apps/${APP_ID}/`)
    .matchHeader('authorization', `Token ${TOKEN}`)
    .reply(200, fullApp())
    .get(`${APPS}/apps/${APP_ID}@1/`)
    .matchHeader('authorization', `Token ${TOKEN}`)
    .reply(200, fullVersion(1))
    .get(`${APPS}/apps/${APP_ID}/runs/`)
    .matchHeader('authorization', `Token ${TOKEN}`)
    .reply(200, [{ id: 'r1', name: 'check', state: 'FINISHED' }])
    .get(`${APPS}/apps/${APP_ID}@1/runs/`)
    .matchHeader('authorization', `Token ${TOKEN}`)
    .reply(versionRuns.status, versionRuns.body as Record<string, unknown>)
    .get(`${APPS}/apps/${APP_ID}/thumbnail/`)
    .matchHeader('authorization', `Token ${TOKEN}`)
    .reply(200, PNG, { 'Content-Type': 'image/png' });
}

describe('the probe of a server that is as p7apps expects', () => {
  it('sends exactly the read-only requests, in order, and never a publish', async () => {
    const publish = forbidPublish();
    const scope = fullServer();
    const report = await probe();
    scope.done();
    expect(publish.published()).toBe(false);
    expect(report.requests).toEqual([
      { method: 'GET', path: 'apps/', status: 403 },
      { method: 'GET', path: 'apps/', status: 200 },
      { method: 'GET', path: 'workflows/', status: 200 },
      { method: 'GET', path: `apps/${APP_ID}/`, status: 200 },
      { method: 'GET', path: `apps/${APP_ID}@1/`, status: 200 },
      { method: 'GET', path: `apps/${APP_ID}/runs/`, status: 200 },
      { method: 'GET', path: `apps/${APP_ID}@1/runs/`, status: 200 },
      { method: 'GET', path: `apps/${APP_ID}/thumbnail/`, status: 200 },
    ]);
    expect(report.verdict).toBe('ok');
    expect(report.tls).toEqual({ scheme: 'https', status: 'verified' });
    expect(report.auth).toMatchObject({ method: 'token', source: 'P7APPS_TOKEN', withoutCredentials: 'refused', withoutCredentialsStatus: 403, status: 'accepted' });
    expect(report.lists).toEqual([
      { endpoint: 'apps/', status: 'read', shape: 'array', pages: 1, entries: 1 },
      { endpoint: 'workflows/', status: 'read', shape: 'array', pages: 1, entries: 1 },
    ]);
    expect(report.assumptions.filter((a) => a.status === 'differs' || (a.status === 'not-seen' && Number(a.id.slice(1)) < 15))).toEqual([]);
    expect(report.assumptions.filter((a) => a.status === 'needs-publish').map((a) => a.id)).toEqual(['A10', 'A12', 'A14', 'A20', 'A21', 'A22', 'A24']);
    expect(report.assumptions.filter((a) => a.status === 'needs-run').map((a) => a.id)).toEqual(['A28']);
    expect(report.capabilities.filter((c) => c.name.endsWith('runs')).map((c) => [c.name, c.status])).toEqual([
      ['runs', 'needs-run'],
      ['version-runs', 'needs-run'],
    ]);
  });

  it('reports a server that runs no given version (A26), limited, never deploying a run to find out', async () => {
    const publish = forbidPublish();
    const scope = fullServer({ status: 404, body: { detail: 'Not found.' } });
    const report = await probe();
    scope.done();
    expect(publish.published()).toBe(false);
    expect(report.assumptions.find((a) => a.id === 'A26')).toMatchObject({ status: 'differs', detail: expect.stringContaining(`GET apps/{id}@1/runs/ answered 404`) });
    expect(report.capabilities.find((c) => c.name === 'version-runs')).toMatchObject({ status: 'no', because: ['A26'] });
    expect(report.verdict).toBe('limited');
    expect(report.problems).toEqual([]);
  });

  it('signs in with a username and password through POST auth/login/ (its only POST) and reads with the token it got', async () => {
    const publish = forbidPublish();
    const login = nock(SERVER)
      .post(`${WORKFLOWS}/auth/login/`, { username: 'ann@work.org', password: 'pw 1' })
      .reply(200, { token: 'from-login-0001' });
    const reads = nock(SERVER)
      .get(`${APPS}/apps/`)
      .matchHeader('authorization', (value) => value === undefined)
      .reply(401, { detail: 'no' })
      .get(`${APPS}/apps/`)
      .matchHeader('authorization', 'Token from-login-0001')
      .reply(200, [])
      .get(`${WORKFLOWS}/workflows/`)
      .matchHeader('authorization', 'Token from-login-0001')
      .reply(200, []);
    const report = await probe({ P7APPS_USERNAME: 'ann@work.org', P7APPS_PASSWORD: 'pw 1' });
    login.done();
    reads.done();
    expect(publish.published()).toBe(false);
    expect(report.requests.filter((r) => r.method === 'POST')).toEqual([{ method: 'POST', path: 'auth/login/', status: 200 }]);
    expect(report.auth).toMatchObject({ method: 'login', withoutCredentials: 'refused', withoutCredentialsStatus: 401, status: 'accepted' });
    expect(report.verdict).toBe('ok');
    expect(JSON.stringify(report)).not.toContain('from-login-0001');
    expect(JSON.stringify(report)).not.toContain('pw 1');
  });

  it('follows DRF pages and says so', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .matchHeader('authorization', (value) => value === undefined)
      .reply(403, {})
      .get(`${APPS}/apps/`)
      .reply(200, { count: 1, next: null, previous: null, results: [fullApp({ thumbnail: null })] })
      .get(`${WORKFLOWS}/workflows/`)
      .reply(200, { count: 2, next: `${SERVER}${WORKFLOWS}/workflows/?page=2`, previous: null, results: [fullWorkflow()] })
      .get(`${WORKFLOWS}/workflows/?page=2`)
      .reply(200, { count: 2, next: null, previous: null, results: [fullWorkflow({ id: 'w2', path: '/Users/1/Other.p7wf' })] })
      .get(`${APPS}/apps/${APP_ID}/`)
      .reply(200, fullApp({ thumbnail: null }))
      .get(`${APPS}/apps/${APP_ID}@1/`)
      .reply(200, fullVersion(1, { thumbnail: null }))
      .get(`${APPS}/apps/${APP_ID}/runs/`)
      .reply(200, { count: 0, next: null, previous: null, results: [] })
      .get(`${APPS}/apps/${APP_ID}@1/runs/`)
      .reply(200, []);
    const report = await probe();
    expect(report.lists).toEqual([
      { endpoint: 'apps/', status: 'read', shape: 'page', pages: 1, entries: 1 },
      { endpoint: 'workflows/', status: 'read', shape: 'page', pages: 2, entries: 2 },
    ]);
    expect(report.assumptions.find((a) => a.id === 'A9')).toMatchObject({ status: 'holds', detail: 'apps/ in 1 DRF page, workflows/ in 2 DRF pages, followed through next' });
    expect(report.assumptions.find((a) => a.id === 'A3')).toMatchObject({ status: 'holds', detail: 'no app has a thumbnail, so none was read' });
    expect(report.verdict).toBe('ok');
  });
});

describe('what stops p7apps', () => {
  it.each<[string, () => void, NodeJS.ProcessEnv, Partial<DoctorReport>, RegExp]>([
    [
      'a wrong token',
      () => nock(SERVER).get(`${APPS}/apps/`).twice().reply(403, { detail: 'Invalid token.' }),
      { P7APPS_TOKEN: 'wrong' },
      { auth: { method: 'token', source: 'P7APPS_TOKEN', withoutCredentials: 'refused', withoutCredentialsStatus: 403, status: 'refused', detail: '403 Forbidden on GET apps/: Invalid token.' } },
      /refused the credentials/,
    ],
    [
      'a refused sign-in',
      () => nock(SERVER).get(`${APPS}/apps/`).reply(403, {}).post(`${WORKFLOWS}/auth/login/`).reply(400, { non_field_errors: ['Unable to log in with provided credentials.'] }),
      { P7APPS_USERNAME: 'ann', P7APPS_PASSWORD: 'nope' },
      { auth: expect.objectContaining({ method: 'login', status: 'refused' }) as DoctorReport['auth'] },
      /Signing in as P7APPS_USERNAME was refused/,
    ],
    [
      'no credentials at all',
      () => nock(SERVER).get(`${APPS}/apps/`).reply(403, {}),
      {},
      { auth: expect.objectContaining({ method: 'none', status: 'missing' }) as DoctorReport['auth'] },
      /No credentials/,
    ],
    [
      'an HTML page instead of JSON',
      () => nock(SERVER).get(`${APPS}/apps/`).twice().reply(200, '<html><head><title>Sign in</title></head></html>', { 'Content-Type': 'text/html' }).get(`${WORKFLOWS}/workflows/`).reply(200, []),
      { P7APPS_TOKEN: TOKEN },
      { lists: [expect.objectContaining({ endpoint: 'apps/', status: 'unreadable' }), expect.objectContaining({ endpoint: 'workflows/', status: 'read' })] as DoctorReport['lists'] },
      /not JSON but an HTML page titled "Sign in"/,
    ],
    [
      'a list that is an object',
      () => nock(SERVER).get(`${APPS}/apps/`).reply(403, {}).get(`${APPS}/apps/`).reply(200, { apps: [] }).get(`${WORKFLOWS}/workflows/`).reply(200, []),
      { P7APPS_TOKEN: TOKEN },
      { lists: [expect.objectContaining({ endpoint: 'apps/', status: 'unreadable' }), expect.objectContaining({ status: 'read' })] as DoctorReport['lists'] },
      /should be a list, or a page with a `results` list/,
    ],
    [
      'an app p7apps cannot identify (an id that is neither a string nor a whole number)',
      () =>
        nock(SERVER)
          .get(`${APPS}/apps/`)
          .reply(403, {})
          .get(`${APPS}/apps/`)
          .reply(200, [fullApp({ id: true, thumbnail: null })])
          .get(`${WORKFLOWS}/workflows/`)
          .reply(200, []),
      { P7APPS_TOKEN: TOKEN },
      { lists: [expect.objectContaining({ endpoint: 'apps/', status: 'unreadable', problem: 'entry [0].id should be a non-empty string, got true' }), expect.objectContaining({ status: 'read' })] as DoctorReport['lists'] },
      /p7apps cannot read apps\/: entry \[0\]\.id should be a non-empty string, got true/,
    ],
  ])('%s', async (_name, serve, env, expected, problem) => {
    forbidPublish();
    serve();
    const report = await probe(env);
    expect(report.verdict).toBe('unusable');
    expect(report).toMatchObject(expected);
    expect(report.problems.map((p) => p.message).join('\n')).toMatch(problem);
  });

  it('an unreachable server: the TLS is not checked and nothing else is tried', async () => {
    nock(SERVER).get(`${APPS}/apps/`).replyWithError(netError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }));
    const report = await probe();
    expect(report.verdict).toBe('unusable');
    expect(report.tls.status).toBe('not-checked');
    expect(report.requests).toEqual([{ method: 'GET', path: 'apps/' }]);
    expect(report.problems[0]!.message).toMatch(/Could not reach https:\/\/app\.example \(ECONNREFUSED\)/);
  });
});
