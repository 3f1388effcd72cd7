// The comment requests of both forges, exactly as sent (nock on the global
// fetch): a new comment and an edited one are JSON { "body": ... } with its
// content type and the forge's token header, by the forge's own method and
// path; a change's comments are read 100 a page until a short page. One
// shared piece (src/ci/forge.ts) makes these requests for GitHub and GitLab.

import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiAddress } from '../../src/ci/forge.js';
import { GitHub } from '../../src/ci/github.js';
import { GitLab } from '../../src/ci/gitlab.js';

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const http = { fetch: (...args: Parameters<typeof fetch>) => globalThis.fetch(...args), timeoutMs: 10_000 };
const github = () => new GitHub({ ...http, apiUrl: 'https://api.github.test/', repository: 'acme/apps', token: 'ghs-token', commentAuthor: 'github-actions[bot]' });
const gitlab = () => new GitLab({ ...http, apiUrl: 'https://gitlab.test/api/v4//', project: '12', token: 'glpat-token', planPath: 'plan.json' });

const FORGES = [
  {
    name: 'GitHub',
    forge: github,
    origin: 'https://api.github.test',
    auth: { authorization: 'Bearer ghs-token', accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    create: ['POST', '/repos/acme/apps/issues/3/comments'],
    update: ['PATCH', '/repos/acme/apps/issues/comments/55'],
    list: { path: '/repos/acme/apps/issues/3/comments', query: {}, item: (id: number) => ({ id, body: `text ${id}`, user: { login: 'someone' } }) },
  },
  {
    name: 'GitLab',
    forge: gitlab,
    origin: 'https://gitlab.test',
    auth: { 'private-token': 'glpat-token' },
    create: ['POST', '/api/v4/projects/12/merge_requests/3/notes'],
    update: ['PUT', '/api/v4/projects/12/merge_requests/3/notes/55'],
    list: { path: '/api/v4/projects/12/merge_requests/3/notes', query: { sort: 'asc', order_by: 'created_at' }, item: (id: number) => ({ id, body: `text ${id}`, system: false, author: { username: 'someone' } }) },
  },
] as const;

describe.each(FORGES)('$name comment requests', ({ forge, origin, auth, create, update, list }) => {
  it.each([
    ['a new comment', create, (f: ReturnType<typeof forge>) => f.createComment('3', 'The **plan**.')],
    ['an edited comment', update, (f: ReturnType<typeof forge>) => f.updateComment('3', '55', 'The **plan**.')],
  ] as const)('%s: JSON { body } with its content type and the token, by the forge\'s method and path', async (_name, [method, path], send) => {
    let sent: unknown;
    const api = nock(origin, { reqheaders: { ...auth, 'content-type': 'application/json', 'user-agent': 'p7apps-ci' } })
      .intercept(path, method, (body) => ((sent = body), true))
      .reply(200, {});
    await send(forge());
    expect(api.isDone(), `pending: ${api.pendingMocks().join(', ')}`).toBe(true);
    expect(sent).toEqual({ body: 'The **plan**.' });
  });

  it('reads every comment, 100 a page, until a page is short', async () => {
    const first = Array.from({ length: 100 }, (_, i) => list.item(i + 1));
    const api = nock(origin, { reqheaders: { ...auth, 'user-agent': 'p7apps-ci' }, badheaders: ['content-type'] })
      .get(list.path)
      .query({ ...list.query, per_page: '100', page: '1' })
      .reply(200, first)
      .get(list.path)
      .query({ ...list.query, per_page: '100', page: '2' })
      .reply(200, [list.item(101)]);
    const comments = await forge().listComments('3');
    expect(api.isDone(), `pending: ${api.pendingMocks().join(', ')}`).toBe(true);
    expect(comments).toHaveLength(101);
    expect(comments[100]).toEqual({ id: '101', body: 'text 101', author: 'someone' });
  });
});

describe('apiAddress', () => {
  it.each([
    ['https://gitlab.test/api/v4', '/user', 'https://gitlab.test/api/v4/user'],
    ['https://gitlab.test/api/v4//', '/user', 'https://gitlab.test/api/v4/user'],
    ['https://api.github.com/', '/repos/a/b', 'https://api.github.com/repos/a/b'],
  ])('%s + %s', (root, path, address) => {
    expect(apiAddress(root, path)).toBe(address);
  });
});
