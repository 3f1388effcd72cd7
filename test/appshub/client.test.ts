// The AppsHub client against nock: the exact requests it sends (method, URL
// with its trailing slash, Authorization, publish fields), what it makes of
// answers good and bad, and that the token never leaks into an error.

import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { AppsHubError } from '../../src/appshub/errors.js';
import { UNKNOWN, unreadable, type PublishRequest } from '../../src/appshub/types.js';
import { P7appsError } from '../../src/errors.js';
import { APPS, APP_ID, GUIDE_FORM_FIELDS, GUIDE_PUBLISH_REQUEST, SERVER, TOKEN, WORKFLOWS, rejection, type Rejection } from './helpers.js';
import { multipartFields, netError, requestBytes, useNockedClients } from './nock-helpers.js';

const app = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  url: `${SERVER}${APPS}/apps/${id}/`,
  workspace: { id: '7', name: 'Toy apps' },
  version: 1,
  versions: [1],
  ...extra,
});

const client = useNockedClients();

describe('requests', () => {
  it('lists apps with GET apps/ and the token', async () => {
    const scope = nock(SERVER)
      .get(`${APPS}/apps/`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .matchHeader('accept', 'application/json')
      .reply(200, [app('a1', 'Alpha'), app('b2', 'Beta', { description: null })]);
    const apps = await client().client.listApps();
    scope.done();
    expect(apps.map((a) => [a.id, a.name, a.description])).toEqual([
      ['a1', 'Alpha', UNKNOWN],
      ['b2', 'Beta', null],
    ]);
  });

  it.each([
    ['https://app.example', `${APPS}/apps/`],
    ['https://app.example/', `${APPS}/apps/`],
    ['https://app.example/p7', `/p7${APPS}/apps/`],
    ['https://app.example/p7/', `/p7${APPS}/apps/`],
  ])('builds the app API URL from the sign-in URL %s', async (serverUrl, path) => {
    const scope = nock(SERVER).get(path).reply(200, []);
    await client({ serverUrl }).client.listApps();
    scope.done();
  });

  it('gets an app by its URL-encoded id, and a version with @', async () => {
    const id = 'odd id/with?chars';
    const encoded = 'odd%20id%2Fwith%3Fchars';
    const scope = nock(SERVER)
      .get(`${APPS}/apps/${encoded}/`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(200, app(id, 'Odd'))
      .get(`${APPS}/apps/${encoded}@2/`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(200, { id, version: 2, revision: 0, state: 'READY', workflow: { path: '/w.p7wf' } });
    const { client: c } = client();
    expect((await c.getApp(id)).name).toBe('Odd');
    expect(await c.getAppVersion(id, 2)).toMatchObject({ appId: id, version: 2, state: 'READY', workflowPath: '/w.p7wf' });
    scope.done();
  });

  it('lists workflows from the workflow API', async () => {
    const scope = nock(SERVER)
      .get(`${WORKFLOWS}/workflows/`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(200, [{ id: 'w1', name: 'ToyWorkflow', path: '/Users/1/ToyWorkflow.p7wf', url: `${SERVER}${WORKFLOWS}/workflows/w1/` }]);
    expect(await client().client.listWorkflows()).toEqual([
      { id: 'w1', name: 'ToyWorkflow', path: '/Users/1/ToyWorkflow.p7wf', url: `${SERVER}${WORKFLOWS}/workflows/w1/`, fingerprint: UNKNOWN },
    ]);
    scope.done();
  });

  it('reports each request to onRequest without headers', async () => {
    nock(SERVER).get(`${APPS}/apps/`).reply(200, []);
    const c = client();
    await c.client.listApps();
    expect(c.requests).toEqual([{ method: 'GET', path: 'apps/', status: 200, attempt: 1, durationMs: 0 }]);
    expect(JSON.stringify(c.requests)).not.toContain(TOKEN);
  });
});

describe('polling a version where the publish answer points (A22)', () => {
  const version = { id: APP_ID, version: 2, revision: 0, state: 'INITIALIZING' };
  it.each<[string, string | undefined, string]>([
    ['the answer\'s URL, under the app API base on this server', `${SERVER}${APPS}/apps/${APP_ID}/versions/2/?fresh=1`, `${APPS}/apps/${APP_ID}/versions/2/?fresh=1`],
    ['the built URL when the answer gave none', undefined, `${APPS}/apps/${APP_ID}@2/`],
    ['the built URL when the answer\'s is on another server', `https://cdn.example${APPS}/apps/${APP_ID}@2/`, `${APPS}/apps/${APP_ID}@2/`],
    ['the built URL when the answer\'s is on another port', `https://app.example:8443${APPS}/apps/${APP_ID}@2/`, `${APPS}/apps/${APP_ID}@2/`],
    ['the built URL when the answer\'s is outside the app API base', `${SERVER}/admin/apps/${APP_ID}@2/`, `${APPS}/apps/${APP_ID}@2/`],
    ['the built URL when the answer\'s cannot be read', 'not a url', `${APPS}/apps/${APP_ID}@2/`],
  ])('asks %s', async (_, versionUrl, path) => {
    const scope = nock(SERVER).get(path).matchHeader('authorization', `Token ${TOKEN}`).reply(200, version);
    const record = await client().client.getAppVersion(APP_ID, 2, undefined, versionUrl);
    scope.done();
    expect(record).toMatchObject({ appId: APP_ID, version: 2, state: 'INITIALIZING' });
  });

  it('refuses an answer at that URL that describes another version, naming the URL', async () => {
    nock(SERVER).get(`${APPS}/apps/${APP_ID}/v2/`).reply(200, { ...version, version: 1 });
    const err = await rejection(client().client.getAppVersion(APP_ID, 2, undefined, `${SERVER}${APPS}/apps/${APP_ID}/v2/`));
    expect(err.message).toBe(`Malformed response to GET apps/${APP_ID}/v2/: it describes "${APP_ID}" version 1, not the one requested`);
  });
});

describe('pagination (A9)', () => {
  it('follows next across pages, absolute or relative, and keeps an id once', async () => {
    const scope = nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, { count: 3, next: `${SERVER}${APPS}/apps/?page=2`, previous: null, results: [app('a1', 'Alpha')] })
      .get(`${APPS}/apps/?page=2`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(200, { count: 3, next: '?page=3', results: [app('a1', 'Alpha'), app('b2', 'Beta')] })
      .get(`${APPS}/apps/?page=3`)
      .reply(200, { count: 3, next: null, results: [app('c3', 'Gamma')] });
    const c = client();
    expect((await c.client.listApps()).map((a) => a.id)).toEqual(['a1', 'b2', 'c3']);
    scope.done();
    expect(c.requests.map((r) => r.path)).toEqual(['apps/', 'apps/?page=2', 'apps/?page=3']);
  });

  it('keeps two apps the server lists under one id, rather than dropping one', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, { next: '?page=2', results: [app('a1', 'Alpha'), app('a1', 'Beta')] })
      .get(`${APPS}/apps/?page=2`)
      .reply(200, { next: null, results: [app('a1', 'Beta')] });
    expect((await client().client.listApps()).map((a) => [a.id, a.name])).toEqual([
      ['a1', 'Alpha'],
      ['a1', 'Beta'],
    ]);
  });

  it('names the page and the item of a malformed entry', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, { next: `${SERVER}${APPS}/apps/?page=2`, results: [app('a1', 'Alpha')] })
      .get(`${APPS}/apps/?page=2`)
      .reply(200, { next: null, results: [app('b2', 'Beta'), { name: 'no id' }] });
    const err = await rejection(client().client.listApps());
    expect(err).toBeInstanceOf(AppsHubError);
    expect(err.message).toBe('Malformed response to GET apps/?page=2: results[1].id should be present (a non-empty string), got nothing');
  });

  it('does not follow a next page on another origin, and sends no token there', async () => {
    nock(SERVER).get(`${APPS}/apps/`).reply(200, { next: 'https://elsewhere.example/apps/?page=2', results: [] });
    const elsewhere = nock('https://elsewhere.example').get('/apps/').query(true).reply(200, { results: [] });
    const err = await rejection(client().client.listApps());
    expect(err.message).toBe(
      'Malformed response to GET apps/: its next page is on elsewhere.example; not followed, and the token was not sent there',
    );
    expect(elsewhere.isDone()).toBe(false);
  });

  // Found by an adversarial review: a next page in the workflow API was followed, and workflows listed as apps.
  it.each([
    ['another API on the server', `${SERVER}/pseven/.rest/v2/workflows/`, `Malformed response to GET apps/: its next page is another path on the server (/pseven/.rest/v2/workflows/); not followed`],
    ['the emulator\'s control API', '/_emulator/state', `Malformed response to GET apps/: its next page is another path on the server (/_emulator/state); not followed`],
    ['a javascript: URL', 'javascript:alert(1)', 'Malformed response to GET apps/: its next page is on a javascript: URL; not followed, and the token was not sent there'],
  ])('does not follow a next page on %s', async (_name, next, message) => {
    nock(SERVER).get(`${APPS}/apps/`).reply(200, { next, results: [] });
    expect((await rejection(client().client.listApps())).message).toBe(message);
  });

  it('follows a next page on the list\'s own path, with or without its trailing slash', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, { next: `${SERVER}${APPS}/apps?offset=1`, results: [app('a1', 'Alpha')] })
      .get(`${APPS}/apps?offset=1`)
      .reply(200, { next: null, results: [app('b2', 'Beta')] });
    expect((await client().client.listApps()).map((a) => a.name)).toEqual(['Alpha', 'Beta']);
  });

  it('stops a list whose pages loop', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, { next: '?page=2', results: [] })
      .get(`${APPS}/apps/?page=2`)
      .reply(200, { next: `${SERVER}${APPS}/apps/`, results: [] });
    expect((await rejection(client().client.listApps())).message).toContain('its next page is one already read');
  });

  it('stops a list beyond the page bound', async () => {
    const scope = nock(SERVER)
      .get(`${APPS}/apps/`)
      .query(true)
      .times(3)
      .reply(200, (uri) => ({ next: `?page=${Number(new URL(uri, SERVER).searchParams.get('page') ?? 1) + 1}`, results: [] }));
    const err = await rejection(client({ maxListPages: 3 }).client.listApps());
    scope.done();
    expect(err.message).toContain('the list goes on beyond 3 pages');
  });
});

describe('publish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p7apps-client-'));
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x10, 0x80]);
  const thumbnailPath = join(dir, 'thumbnail.png');
  writeFileSync(thumbnailPath, png);
  const sha256 = createHash('sha256').update(png).digest('hex');

  /** The guide's publish example, field for field. */
  const guideRequest: PublishRequest = {
    ...GUIDE_PUBLISH_REQUEST,
    thumbnail: { path: thumbnailPath, filename: 'thumbnail.png', mediaType: 'image/png', sha256 },
  };
  const created = {
    name: 'Toy app',
    id: APP_ID,
    url: `${SERVER}${APPS}/apps/${APP_ID}@1/`,
    version: 1,
    revision: 0,
    workspace: { id: '7', name: 'Toy apps' },
    state: 'QUEUED_TO_INITIALIZE',
  };

  it('sends the guide\'s example as multipart/form-data, field for field, with the file', async () => {
    let fields: Array<[string, string | File]> = [];
    let contentType = '';
    const scope = nock(SERVER)
      .post(`${APPS}/apps/`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(async function () {
        contentType = String(this.req.headers['content-type']);
        fields = await multipartFields(this);
        return [201, created];
      });
    const result = await client().client.publish(guideRequest);
    scope.done();
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const plain = fields.filter(([, v]) => typeof v === 'string');
    expect(plain).toEqual(GUIDE_FORM_FIELDS);
    const files = fields.filter(([, v]) => typeof v !== 'string') as Array<[string, File]>;
    expect(files.map(([name, file]) => [name, file.name, file.type])).toEqual([['thumbnail', 'thumbnail.png', 'image/png']]);
    expect(Buffer.from(await files[0]![1].arrayBuffer())).toEqual(png);
    expect(result).toEqual({
      appId: APP_ID,
      name: 'Toy app',
      version: 1,
      revision: 0,
      state: 'QUEUED_TO_INITIALIZE',
      url: `${SERVER}${APPS}/apps/${APP_ID}@1/`,
      workspace: { id: '7', name: 'Toy apps' },
    });
  });

  /** The body a multipart publish must be, spelled out here rather than by the code under test. */
  const expectedBody = (boundary: string, fields: Array<[string, string]>, file?: { filename: string; mediaType: string; bytes: Buffer }) =>
    Buffer.concat([
      ...fields.map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)),
      ...(file
        ? [
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="thumbnail"; filename="${file.filename}"\r\nContent-Type: ${file.mediaType}\r\n\r\n`),
            file.bytes,
            Buffer.from('\r\n'),
          ]
        : []),
      Buffer.from(`--${boundary}--\r\n`),
    ]);

  const multiLine = 'Ünïcødé — 日本語 ✓\nline two\r\nline three\n';

  it.each<[string, PublishRequest, Array<[string, string]>, boolean]>([
    ['the guide\'s example with its thumbnail, version omitted', guideRequest, GUIDE_FORM_FIELDS, true],
    ['no thumbnail, version omitted', { ...guideRequest, thumbnail: undefined }, GUIDE_FORM_FIELDS, false],
    [
      'no thumbnail, a version, workspace.id, True',
      { ...guideRequest, thumbnail: undefined, workspaceName: undefined, workspaceId: '7', version: 3, setVersionAsDefault: true, allowGetAsWorkflow: undefined, description: undefined },
      [['workspace.id', '7'], ['name', 'Toy app'], ['workflow_path', '/Users/1/ToyWorkflow.p7wf'], ['version', '3'], ['set_version_as_default', 'True']],
      false,
    ],
    [
      'no thumbnail, a unicode multi-line description',
      { ...guideRequest, thumbnail: undefined, description: multiLine },
      GUIDE_FORM_FIELDS.map(([n, v]): [string, string] => [n, n === 'description' ? multiLine : v]),
      false,
    ],
    [
      'a thumbnail, a version and a unicode multi-line description',
      { ...guideRequest, version: 12, description: multiLine },
      [...GUIDE_FORM_FIELDS.slice(0, 3), ['description', multiLine], ['version', '12'], ...GUIDE_FORM_FIELDS.slice(4)],
      true,
    ],
  ])('sends %s as multipart/form-data, byte for byte (A12)', async (_, request, fields, withFile) => {
    let contentType = '';
    let bytes: Buffer = Buffer.alloc(0);
    let parsed: Array<[string, string | File]> = [];
    const scope = nock(SERVER)
      .post(`${APPS}/apps/`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(async function () {
        contentType = String(this.req.headers['content-type']);
        bytes = requestBytes(this);
        parsed = await multipartFields(this);
        return [201, created];
      });
    await client().client.publish(request);
    scope.done();
    const boundary = /^multipart\/form-data; boundary=(p7apps-[0-9a-f]{32})$/.exec(contentType)?.[1];
    expect(boundary).toBeDefined();
    const file = withFile ? { filename: 'thumbnail.png', mediaType: 'image/png', bytes: png } : undefined;
    expect(bytes).toEqual(expectedBody(boundary!, fields, file));
    // And a standard multipart parser reads the same fields back.
    expect(parsed.filter(([, v]) => typeof v === 'string')).toEqual(fields);
    expect(parsed.filter(([, v]) => typeof v !== 'string').map(([name]) => name)).toEqual(withFile ? ['thumbnail'] : []);
  });

  it('uses a fresh boundary for every publish', async () => {
    const types: string[] = [];
    nock(SERVER)
      .post(`${APPS}/apps/`)
      .times(2)
      .reply(function () {
        types.push(String(this.req.headers['content-type']));
        return [201, created];
      });
    const c = client().client;
    await c.publish({ ...guideRequest, thumbnail: undefined });
    await c.publish({ ...guideRequest, thumbnail: undefined });
    expect(new Set(types).size).toBe(2);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['numeric ids as strings', { ...created, id: 130, workspace: { id: 7, name: 'Toy apps' } }, { appId: '130', workspace: { id: '7', name: 'Toy apps' } }],
    ['a relative url resolved against the request', { ...created, url: `/appshub/.rest/v2/apps/${APP_ID}@1/` }, {}],
    ['a version taken from the url', { ...created, version: undefined }, {}],
    ['an unreadable revision left UNKNOWN', { ...created, revision: 'first' }, { revision: { unknown: true, raw: '"first"' } }],
  ])('reads a 201 tolerantly (A20): %s', async (_, answer, changes) => {
    nock(SERVER).post(`${APPS}/apps/`).reply(201, answer);
    const result = await client().client.publish({ ...guideRequest, thumbnail: undefined });
    expect(result).toEqual({
      appId: APP_ID,
      name: 'Toy app',
      version: 1,
      revision: 0,
      state: 'QUEUED_TO_INITIALIZE',
      url: `${SERVER}${APPS}/apps/${APP_ID}@1/`,
      workspace: { id: '7', name: 'Toy apps' },
      ...changes,
    });
  });

  it('refuses a thumbnail that changed since the plan, before sending anything', async () => {
    const changed = join(dir, 'changed.png');
    writeFileSync(changed, 'new bytes');
    const scope = nock(SERVER).post(`${APPS}/apps/`).reply(201, created);
    const err = await rejection(client().client.publish({ ...guideRequest, thumbnail: { ...guideRequest.thumbnail!, path: changed } }));
    expect(err).toBeInstanceOf(P7appsError);
    expect(err.message).toBe(`thumbnail ${changed} changed since it was planned`);
    expect(scope.isDone()).toBe(false);
  });

  it('names a thumbnail it cannot read', async () => {
    const missing = join(dir, 'missing.png');
    const err = await rejection(client().client.publish({ ...guideRequest, thumbnail: { ...guideRequest.thumbnail!, path: missing } }));
    expect(err.message).toBe(`Could not read thumbnail ${missing} (ENOENT)`);
  });

  it.each<[string, number, string | Record<string, unknown>, string]>([
    ['an HTML page', 201, '<html><title>Published!</title></html>', 'it is not JSON but an HTML page titled "Published!"'],
    ['an answer without the app id', 201, { ...created, id: undefined }, 'id should be present (a non-empty string), got nothing'],
    ['a 200 with a version that is a word', 200, { ...created, version: 'one' }, 'version should be a whole number from 1, got "one"'],
  ])('reports %s answering a publish as committed, not lost (A21)', async (_, status, body, what) => {
    const headers: Record<string, string> = typeof body === 'string' ? { 'content-type': 'text/html' } : {};
    nock(SERVER).post(`${APPS}/apps/`).reply(status, body, headers);
    const err = await rejection(client().client.publish({ ...guideRequest, thumbnail: undefined }));
    expect(err).toMatchObject({ kind: 'malformed', ambiguous: true, committed: true, method: 'POST', path: 'apps/' });
    expect(err.message).toBe(`Malformed response to POST apps/: ${what}; the server accepted it, so it took effect`);
  });

  it('reports a 201 too large to read as committed (A21)', async () => {
    nock(SERVER).post(`${APPS}/apps/`).reply(201, { ...created, readme: 'x'.repeat(4096) });
    const err = await rejection(client({ maxJsonBytes: 1024 }).client.publish({ ...guideRequest, thumbnail: undefined }));
    expect(err).toMatchObject({ kind: 'too-large', ambiguous: true, committed: true });
    expect(err.message).toBe('The response to POST apps/ is larger than 1024 bytes; not read; the server accepted it, so it took effect');
  });

  it('leaves a 5xx answering a publish possibly committed, not committed', async () => {
    nock(SERVER).post(`${APPS}/apps/`).reply(502, '<html><title>Bad gateway</title></html>', { 'content-type': 'text/html' });
    const err = await rejection(client().client.publish({ ...guideRequest, thumbnail: undefined }));
    expect(err).toMatchObject({ ambiguous: true, committed: false });
  });
});

describe('thumbnails (A3)', () => {
  const bytes = Buffer.from('not really a png');
  const sha = createHash('sha256').update(bytes).digest('hex');
  const url = `${SERVER}${APPS}/apps/${APP_ID}/thumbnail/`;

  it('asks conditionally and takes 304 as "the server holds those bytes"', async () => {
    const scope = nock(SERVER)
      .get(`${APPS}/apps/${APP_ID}/thumbnail/`)
      .matchHeader('if-none-match', `"sha256-${sha}"`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(304);
    expect(await client().client.fetchThumbnail(url, { expectSha256: sha })).toEqual({ status: 'not-modified', sha256: sha });
    scope.done();
  });

  it('hashes what it downloads when the bytes differ', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/${APP_ID}/thumbnail/`)
      .matchHeader('if-none-match', `"sha256-${'0'.repeat(64)}"`)
      .reply(200, bytes, { etag: `"sha256-${sha}"` });
    const fetched = await client().client.fetchThumbnail(url, { expectSha256: '0'.repeat(64) });
    expect(fetched).toEqual({ status: 'fetched', sha256: sha, bytes: new Uint8Array(bytes), etag: `"sha256-${sha}"` });
  });

  it('downloads unconditionally without an expected hash', async () => {
    const scope = nock(SERVER, { badheaders: ['if-none-match'] }).get(`${APPS}/apps/${APP_ID}/thumbnail/`).reply(200, bytes);
    expect(await client().client.fetchThumbnail(url)).toMatchObject({ status: 'fetched', sha256: sha });
    scope.done();
  });

  it('sends no token to a thumbnail on another origin', async () => {
    const scope = nock('https://cdn.example', { badheaders: ['authorization'] }).get('/t/1.png').query(true).reply(200, bytes);
    expect(await client().client.fetchThumbnail('https://cdn.example/t/1.png?sig=secret')).toMatchObject({ sha256: sha });
    scope.done();
  });

  it('says the token was not sent when another origin refuses the thumbnail', async () => {
    nock('https://cdn.example').get('/t/1.png').query(true).reply(403, { detail: 'Forbidden.' });
    const err = await rejection(client().client.fetchThumbnail('https://cdn.example/t/1.png?sig=secret'));
    expect(err.message).toBe('403 Forbidden on GET https://cdn.example/t/1.png: Forbidden.');
    expect(err.message).not.toContain('sig=');
    expect(err.hint).toContain('only to the server\'s own origin');
  });

  it('refuses a thumbnail larger than the cap without reading it', async () => {
    nock(SERVER).get(`${APPS}/apps/${APP_ID}/thumbnail/`).reply(200, Buffer.alloc(2048), { 'content-length': '2048' });
    const err = await rejection(client({ maxThumbnailBytes: 1024 }).client.fetchThumbnail(url));
    expect(err).toMatchObject({ kind: 'too-large' });
    expect(err.message).toBe(`The response to GET apps/${APP_ID}/thumbnail/ is larger than 1024 bytes; not read`);
  });

  it('refuses a streamed body that grows past the cap', async () => {
    nock(SERVER).get(`${APPS}/apps/`).reply(200, () => JSON.stringify(Array.from({ length: 200 }, (_, i) => app(`id${i}`, `App ${i}`))));
    const err = await rejection(client({ maxJsonBytes: 4096 }).client.listApps());
    expect(err).toMatchObject({ kind: 'too-large', path: 'apps/' });
  });
});

describe('login', () => {
  it('posts the guide\'s JSON body to the workflow API and signs the client in', async () => {
    let body: unknown;
    const scope = nock(SERVER, { badheaders: ['authorization'] })
      .post(`${WORKFLOWS}/auth/login/`)
      .matchHeader('content-type', 'application/json')
      .reply(function () {
        body = JSON.parse(requestBytes(this).toString('utf8'));
        return [200, { token: 'fresh-token-123' }];
      });
    const apps = nock(SERVER).get(`${APPS}/apps/`).matchHeader('authorization', 'Token fresh-token-123').reply(200, []);
    const c = client({ token: undefined });
    expect(await c.client.login('user@work.org', 'secret')).toBe('fresh-token-123');
    expect(body).toStrictEqual({ username: 'user@work.org', password: 'secret' });
    await c.client.listApps();
    scope.done();
    apps.done();
  });

  it('explains refused credentials without showing the password the server echoed', async () => {
    const password = 'hunter2-correct-horse';
    nock(SERVER)
      .post(`${WORKFLOWS}/auth/login/`)
      .reply(400, { non_field_errors: [`Unable to log in with provided credentials (password "${password}").`] });
    const err = await rejection(client({ token: undefined }).client.login('user@work.org', password));
    expect(err.message).toBe('400 Bad Request on POST auth/login/: Unable to log in with provided credentials (password "[REDACTED]").');
    expect(err.hint).toBe('Check P7APPS_USERNAME and P7APPS_PASSWORD.');
    expect(JSON.stringify(err) + inspect(err, { depth: 10, showHidden: true })).not.toContain(password);
  });

  it('refuses a login answer without a token', async () => {
    nock(SERVER).post(`${WORKFLOWS}/auth/login/`).reply(200, { key: 'x' });
    expect((await rejection(client({ token: undefined }).client.login('u', 'p'))).message).toBe(
      'Malformed response to POST auth/login/: token should be present (a non-empty string), got nothing',
    );
  });
});

describe('error mapping', () => {
  it.each([
    {
      name: '403 without credentials',
      status: 403,
      body: { detail: 'Authentication credentials were not provided.' },
      call: 'listApps',
      message: '403 Forbidden on GET apps/: Authentication credentials were not provided.',
      hint: /P7APPS_TOKEN/,
    },
    {
      name: '401 with a bad token',
      status: 401,
      body: { detail: 'Invalid token.' },
      call: 'listWorkflows',
      message: '401 Unauthorized on GET workflows/: Invalid token.',
      hint: /P7APPS_TOKEN/,
    },
    {
      name: '404 for an unknown app',
      status: 404,
      body: { detail: 'Not found.' },
      call: 'getApp',
      message: `404 Not Found on GET apps/${APP_ID}/: Not found.`,
      hint: /no longer on the server/,
    },
    {
      name: '404 for the list itself (wrong server URL)',
      status: 404,
      body: '<html><head><title>Page not found</title></head><body>…</body></html>',
      call: 'listApps',
      message: '404 Not Found on GET apps/: an HTML page titled "Page not found"',
      hint: /sign-in URL/,
    },
    {
      name: '400 field errors on publish',
      status: 400,
      body: { workflow_path: ['This field is required.'], workspace: { name: ['No such workspace.', 'Check spelling.'] }, non_field_errors: ['Bad request.'] },
      call: 'publish',
      message: '400 Bad Request on POST apps/: workflow_path: This field is required.; workspace.name: No such workspace. Check spelling.; Bad request.',
      hint: /rejected the fields/,
    },
    {
      name: '403 on publish (role)',
      status: 403,
      body: { detail: 'You do not have permission to perform this action.' },
      call: 'publish',
      message: '403 Forbidden on POST apps/: You do not have permission to perform this action.',
      hint: /Publish apps/,
    },
    {
      name: '500 with a text body',
      status: 500,
      body: 'Internal Server Error\n\nTraceback (most recent call last): ...',
      call: 'getApp',
      message: `500 Internal Server Error on GET apps/${APP_ID}/: Internal Server Error Traceback (most recent call last): ...`,
      hint: /server failed/,
    },
    {
      name: '418 with an empty body',
      status: 418,
      body: '',
      call: 'listApps',
      message: "418 I'm a Teapot on GET apps/",
      hint: undefined,
    },
  ])('$name', async ({ status, body, call, message, hint }) => {
    const path = { listApps: `${APPS}/apps/`, listWorkflows: `${WORKFLOWS}/workflows/`, getApp: `${APPS}/apps/${APP_ID}/`, publish: `${APPS}/apps/` }[call]!;
    const interceptor = call === 'publish' ? nock(SERVER).post(path) : nock(SERVER).get(path);
    interceptor.reply(status, body);
    const { client: c } = client();
    const request: PublishRequest = { name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false };
    const promise =
      call === 'publish' ? c.publish(request) : call === 'getApp' ? c.getApp(APP_ID) : call === 'listWorkflows' ? c.listWorkflows() : c.listApps();
    const err = await rejection(promise);
    expect(err).toBeInstanceOf(AppsHubError);
    expect(err).toMatchObject({ kind: 'http', status, ambiguous: status >= 500 && call === 'publish' });
    expect(err.message).toBe(message);
    if (hint) expect(err.hint).toMatch(hint);
  });

  it('a busy 409 on publish is definite and carries Retry-After (A10)', async () => {
    const scope = nock(SERVER)
      .post(`${APPS}/apps/`)
      .reply(409, { detail: 'Version 2 of this app is still initializing.' }, { 'retry-after': '15' });
    const err = await rejection(client().client.publish({ name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false }));
    scope.done();
    expect(err).toMatchObject({ status: 409, retryAfterMs: 15_000, ambiguous: false, method: 'POST', path: 'apps/', detail: 'Version 2 of this app is still initializing.' });
    expect(err.message).toBe('409 Conflict on POST apps/: Version 2 of this app is still initializing.');
  });

  it.each([
    [502, true],
    [503, true],
    [504, true],
    [500, true],
    [400, false],
  ])('a publish answered %i is ambiguous: %s', async (status, ambiguous) => {
    nock(SERVER).post(`${APPS}/apps/`).reply(status, '<html><title>Bad Gateway</title></html>', { 'content-type': 'text/html' });
    const err = await rejection(client().client.publish({ name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false }));
    expect(err).toMatchObject({ status, ambiguous });
    expect(err.message.endsWith('; it may have taken effect on the server')).toBe(ambiguous);
  });

  it.each([
    ['ECONNRESET', true],
    ['ECONNREFUSED', false],
    ['ENOTFOUND', false],
    ['EHOSTUNREACH', false],
    ['ENETUNREACH', false],
  ])('a publish that meets %s is ambiguous: %s', async (code, ambiguous) => {
    nock(SERVER).post(`${APPS}/apps/`).replyWithError(netError({ code, message: `connect ${code}` }));
    const err = await rejection(client().client.publish({ name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false }));
    expect(err).toMatchObject({ kind: 'network', code, ambiguous, status: undefined });
    expect(err.message).toMatch(new RegExp(`^Could not reach https://app.example \\(${code}\\) on POST apps/`));
  });

  it('names the timeout that fired', async () => {
    nock(SERVER).post(`${APPS}/apps/`).replyWithError(netError({ code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error' }));
    const err = await rejection(client({ headersTimeoutMs: 45_000 }).client.publish({ name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false }));
    expect(err).toMatchObject({ kind: 'timeout', ambiguous: true });
    expect(err.message).toBe('https://app.example timed out (headers timeout, 45s) on POST apps/; it may have taken effect on the server');
  });

  it('explains an untrusted certificate with the flags that fix it', async () => {
    nock(SERVER).get(`${APPS}/apps/`).replyWithError(netError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }));
    const err = await rejection(client().client.listApps());
    expect(err).toMatchObject({ kind: 'tls', attempts: 1 });
    expect(err.message).toBe('The TLS certificate of https://app.example is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT) on GET apps/');
    expect(err.hint).toContain('pass --ca-file FILE (PEM) to trust it, or --insecure');
  });
});

describe('malformed responses', () => {
  it.each([
    ['an HTML page with 200', '<!DOCTYPE html><html><head><title>pSeven Enterprise | Sign in</title></head></html>', 'it is not JSON but an HTML page titled "pSeven Enterprise | Sign in"'],
    ['JSON that does not parse', '[{"id": "a1", ', 'it is not JSON but [{"id": "a1",'],
    ['an empty body', '', 'it is not JSON but an empty body'],
    ['binary bytes', Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'it is not JSON but 4 bytes of application/json'],
    ['JSON with a byte that is not UTF-8', Buffer.concat([Buffer.from('[{"name": "Al'), Buffer.from([0xe9]), Buffer.from('"}]')]), 'it is not JSON but 17 bytes of application/json'],
    ['JSON cut in the middle of a character', Buffer.from('["é').subarray(0, 3), 'it is not JSON but 3 bytes of application/json'],
    ['JSON holding a NUL character', Buffer.from('[{"name": "a\u0000b"}]'), 'it is not JSON but 17 bytes of application/json'],
    ['an object without results', { apps: [] }, 'the body should be a list, or a page with a `results` list, got an object without a `results` list'],
    ['an app without id', [{ name: 'Alpha' }], '[0].id should be present (a non-empty string), got nothing'],
    ['an app whose name is not a string', [app('a1', 'Alpha', { name: ['Alpha'] })], '[0].name should be a non-empty string, got a list'],
  ])('GET apps/ answering %s is an error naming the endpoint', async (_, body, what) => {
    nock(SERVER).get(`${APPS}/apps/`).reply(200, body, { 'content-type': 'application/json' });
    const err = await rejection(client().client.listApps());
    expect(err).toMatchObject({ kind: 'malformed', method: 'GET', path: 'apps/', ambiguous: false });
    expect(err.message).toBe(`Malformed response to GET apps/: ${what}`);
    expect(err.hint).toContain('docs/wire-assumptions.md');
  });

  it('reads JSON that starts with a byte-order mark, as a decoder of UTF-8 does', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([app('a1', 'Alpha')]))]), { 'content-type': 'application/json' });
    expect((await client().client.listApps()).map((a) => a.name)).toEqual(['Alpha']);
  });

  it('reads the rest of the catalog when one app has a field it cannot read (A19)', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, [app('a1', 'Alpha', { versions: 'all' }), app('b2', 'Beta')], { 'content-type': 'application/json' });
    const apps = await client().client.listApps();
    expect(apps.map((a) => [a.name, a.versions])).toEqual([
      ['Alpha', unreadable('"all"')],
      ['Beta', [{ version: 1, revision: UNKNOWN, state: UNKNOWN }]],
    ]);
  });

  it('reads a server-relative thumbnail against the server, so the token goes with it (A15)', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, [app('a1', 'Alpha', { thumbnail: '/appshub/media/a1.png' })])
      .get('/appshub/media/a1.png')
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(200, Buffer.from('png'));
    const { client: c } = client();
    const [listed] = await c.listApps();
    expect(listed!.thumbnailUrl).toBe(`${SERVER}/appshub/media/a1.png`);
    expect((await c.fetchThumbnail(listed!.thumbnailUrl as string)).status).toBe('fetched');
  });

  it('refuses an app record for another id', async () => {
    nock(SERVER).get(`${APPS}/apps/${APP_ID}/`).reply(200, app('other', 'Other'));
    expect((await rejection(client().client.getApp(APP_ID))).message).toBe(
      `Malformed response to GET apps/${APP_ID}/: its id is "other", not the requested "${APP_ID}"`,
    );
  });

  it('refuses a version record for another version', async () => {
    nock(SERVER).get(`${APPS}/apps/${APP_ID}@2/`).reply(200, { id: APP_ID, version: 3 });
    expect((await rejection(client().client.getAppVersion(APP_ID, 2))).message).toBe(
      `Malformed response to GET apps/${APP_ID}@2/: it describes "${APP_ID}" version 3, not the one requested`,
    );
  });
});

describe('redirects', () => {
  it('refuses a redirect to another host and does not send the token there', async () => {
    nock(SERVER).get(`${APPS}/apps/`).reply(302, '', { location: 'https://login.other.example/sso?next=/apps/' });
    const other = nock('https://login.other.example').get('/sso').query(true).reply(200, []);
    const err = await rejection(client().client.listApps());
    expect(err).toMatchObject({ kind: 'redirect', status: 302 });
    expect(err.message).toBe('302 Found on GET apps/: the server redirects to login.other.example; not followed, and the token was not sent there');
    expect(other.isDone()).toBe(false);
  });

  it('suggests the https URL when http redirects to it', async () => {
    nock('http://app.example').get(`/p7${APPS}/apps/`).reply(301, '', { location: `https://app.example/p7${APPS}/apps/` });
    const err = await rejection(client({ serverUrl: 'http://app.example/p7' }).client.listApps());
    expect(err.hint).toBe('Use the https:// sign-in URL: --server https://app.example/p7');
  });

  it('follows one same-origin redirect of a GET with the token', async () => {
    const scope = nock(SERVER)
      .get(`${APPS}/apps/${APP_ID}/`)
      .reply(301, '', { location: `${APPS}/apps/${APP_ID.toUpperCase()}/` })
      .get(`${APPS}/apps/${APP_ID.toUpperCase()}/`)
      .matchHeader('authorization', `Token ${TOKEN}`)
      .reply(200, app(APP_ID, 'Toy app'));
    const c = client();
    expect((await c.client.getApp(APP_ID)).name).toBe('Toy app');
    scope.done();
    expect(c.requests.map((r) => [r.path, r.status])).toEqual([
      [`apps/${APP_ID}/`, 301],
      [`apps/${APP_ID.toUpperCase()}/`, 200],
    ]);
  });

  it('does not follow a second redirect, nor any redirect of a POST', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(302, '', { location: `${APPS}/apps/?a=1` })
      .get(`${APPS}/apps/?a=1`)
      .reply(302, '', { location: `${APPS}/apps/?a=2` })
      .post(`${APPS}/apps/`)
      .reply(307, '', { location: `${APPS}/apps/new/` });
    const { client: c } = client();
    // Said as what it is (found by an adversarial review: "redirects to app.example; the token was not sent there" named the server itself).
    expect((await rejection(c.listApps())).message).toBe(
      `302 Found on GET apps/?a=1: the server redirects to ${APPS}/apps/ on the same server; not followed: p7apps follows one redirect on the same server, and this was another`,
    );
    const err = await rejection(c.publish({ name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false }));
    expect(err).toMatchObject({ kind: 'redirect', status: 307, ambiguous: false });
    expect(err.message).toBe(`307 Temporary Redirect on POST apps/: the server redirects to ${APPS}/apps/new/ on the same server; not followed: p7apps sends a POST once, where it was asked to`);
  });

  it.each([
    ['a file: URL', 'file:///etc/passwd', 'a file: URL'],
    ['a javascript: URL', 'javascript:alert(1)', 'a javascript: URL'],
    ['another host', 'https://elsewhere.example/apps/', 'elsewhere.example'],
  ])('names where a redirect to %s goes', async (_name, location, where) => {
    nock(SERVER).get(`${APPS}/apps/`).reply(302, '', { location });
    const { client: c } = client();
    expect((await rejection(c.listApps())).message).toBe(`302 Found on GET apps/: the server redirects to ${where}; not followed, and the token was not sent there`);
  });
});

describe('the token never leaks', () => {
  const echo = `Invalid token ${TOKEN} for Token ${TOKEN}`;

  it.each([
    ['a JSON detail', 403, { detail: echo }, 'application/json'],
    ['field errors', 400, { token: [echo] }, 'application/json'],
    ['an HTML page title', 502, `<html><title>${echo}</title></html>`, 'text/html'],
    ['a text body', 500, echo, 'text/plain'],
    ['a URL-encoded echo', 500, `token=${encodeURIComponent(TOKEN)}`, 'text/plain'],
  ])('when the server echoes it in %s', async (_, status, body, contentType) => {
    nock(SERVER).post(`${APPS}/apps/`).reply(status, body, { 'content-type': contentType });
    const err = await rejection(client().client.publish({ name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false }));
    expectNoToken(err);
    expect(err.message).toContain('[REDACTED]');
  });

  it('when the server echoes it in a malformed field or a redirect target', async () => {
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(200, [{ id: 'a', name: 'A', version: `v-${TOKEN}`, description: { text: TOKEN }, versions: [`v${TOKEN}`] }])
      .get(`${APPS}/apps/a@1/`)
      .reply(200, { id: 'a', version: `v-${TOKEN}` })
      .get(`${WORKFLOWS}/workflows/`)
      .reply(302, '', { location: `https://${TOKEN}.example/` });
    const { client: c } = client();
    const listed = await c.listApps();
    expect(listed[0]!.description).toMatchObject({ unknown: true, raw: expect.stringContaining('text') });
    expect(JSON.stringify(listed)).not.toContain(TOKEN);
    expectNoToken(await rejection(c.getAppVersion('a', 1)));
    expectNoToken(await rejection(c.listWorkflows()));
  });

  it('when a network error message carries it', async () => {
    nock(SERVER).get(`${APPS}/apps/`).times(5).replyWithError(netError({ code: 'ECONNRESET', message: `reset while sending Token ${TOKEN}` }));
    const err = await rejection(client().client.listApps());
    expectNoToken(err);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('from the client object itself', () => {
    const { client: c } = client();
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(inspect(c, { depth: 10 })).not.toContain(TOKEN);
  });

  function expectNoToken(err: Rejection): void {
    expect(err).toBeInstanceOf(AppsHubError);
    let chain = '';
    for (let e: unknown = err; e !== undefined; e = (e as Error).cause) chain += `${String((e as Error).message)} ${(e as Error).stack ?? ''}\n`;
    const everything = [err.message, err.hint, JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), chain].join('\n');
    expect(everything).not.toContain(TOKEN);
  }
});
