// The GitLab recipe's steps (p7apps-ci gitlab plan|apply) end to end: p7apps
// against the emulator over real sockets, GitLab's REST API stood in for by
// nock. One merge-request note, edited in place; merge applies the plan that
// note showed, fetched from the plan job's artifacts.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/ci/comment.js';
import { flow, jsonBody, project, type AppConfig, type Project } from './harness.js';

const API = 'https://gitlab.test/api/v4';
const TOKEN = 'glpat-not-a-real-token-0123';
const HEAD = '0a1b2c3d'.repeat(5);
const MERGE = '9e8d7c6b'.repeat(5);
const BOT = 'project_12_bot';
const notesPath = '/api/v4/projects/12/merge_requests/3/notes';

let p: Project;

beforeEach(() => nock.disableNetConnect());
afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await p?.close();
});

const catalog: AppConfig[] = [
  { name: 'Alpha', description: 'The first app', versions: [{ version: 1, workflow: flow('Alpha') }] },
  { name: 'Beta', versions: [{ version: 1, workflow: flow('Beta') }] },
];

function env(kind: 'merge_request' | 'push', job: string): NodeJS.ProcessEnv {
  return {
    GITLAB_CI: 'true',
    CI_API_V4_URL: API,
    CI_PROJECT_ID: '12',
    CI_PROJECT_DIR: p.dir,
    CI_PROJECT_URL: 'https://gitlab.test/acme/apps',
    CI_JOB_ID: job,
    CI_JOB_URL: `https://gitlab.test/acme/apps/-/jobs/${job}`,
    CI_COMMIT_SHA: kind === 'push' ? MERGE : HEAD,
    ...(kind === 'merge_request' ? { CI_MERGE_REQUEST_IID: '3' } : {}),
    P7APPS_GITLAB_TOKEN: TOKEN,
  };
}

/** One merge-request pipeline: plan and note, against the notes already there; returns the note body sent. */
async function mergeRequestRun(job: string, existing: unknown[]): Promise<{ code: number; body: string; method: string }> {
  let body = '';
  let method = '';
  const api = nock('https://gitlab.test', { reqheaders: { 'private-token': TOKEN } })
    .get('/api/v4/user')
    .reply(200, { username: BOT })
    .get(notesPath)
    .query({ sort: 'asc', order_by: 'created_at', per_page: '100', page: '1' })
    .reply(200, existing);
  const ours = (existing as Array<{ id: number; author: { username: string }; body: string }>).find((n) => n.author.username === BOT && parseMarker(n.body));
  if (ours) api.put(`${notesPath}/${ours.id}`, (b) => ((method = 'PUT'), (body = jsonBody(b).body), true)).reply(200, {});
  else api.post(notesPath, (b) => ((method = 'POST'), (body = jsonBody(b).body), true)).reply(201, { id: 55 });
  const run = await p.ci(['gitlab', 'plan'], env('merge_request', job));
  expect(api.isDone(), `pending: ${api.pendingMocks().join(', ')}`).toBe(true);
  return { code: run.code, body, method };
}

const note = (body: string) => ({ id: 55, system: false, author: { username: BOT }, body });

describe('GitLab recipe', () => {
  it('keeps one merge-request note: POST on the first pipeline, PUT of the same note after', async () => {
    p = await project(['Alpha', 'Beta']);
    await p.writeConfig(catalog);
    const first = await mergeRequestRun('700', [{ id: 1, system: true, author: { username: BOT }, body: 'added 1 commit' }]);
    expect(first).toMatchObject({ code: 0, method: 'POST' });
    expect(parseMarker(first.body)).toMatchObject({ head: HEAD, run: '700', artifact: '700' });
    expect(first.body).toContain('## p7apps plan');
    expect(first.body).toContain('(https://gitlab.test/acme/apps/-/jobs/700/artifacts/file/.p7apps-ci/plan.json)');

    await p.writeConfig([catalog[0]!]);
    const second = await mergeRequestRun('701', [{ id: 9, system: false, author: { username: 'mallory' }, body: first.body }, note(first.body)]);
    expect(second).toMatchObject({ code: 0, method: 'PUT' });
    expect(parseMarker(second.body)?.run).toBe('701');
    expect(p.publishes()).toBe(0);
  });

  it('on the default branch applies the plan the note showed, from the plan job\'s artifacts; a second plan is empty', async () => {
    p = await project(['Alpha', 'Beta']);
    await p.writeConfig(catalog);
    const review = await mergeRequestRun('700', []);
    const saved = await readFile(path.join(p.dir, '.p7apps-ci', 'plan.json'));

    let noted = '';
    const api = nock('https://gitlab.test', { reqheaders: { 'private-token': TOKEN } })
      .get(`/api/v4/projects/12/repository/commits/${MERGE}/merge_requests`)
      .reply(200, [{ iid: 3, state: 'merged', sha: HEAD, merge_commit_sha: MERGE }])
      .get('/api/v4/user')
      .reply(200, { username: BOT })
      .get(notesPath)
      .query(true)
      .reply(200, [note(review.body)])
      .get('/api/v4/projects/12/jobs/700/artifacts/.p7apps-ci/plan.json')
      .reply(200, saved)
      .put(`${notesPath}/55`, (b) => ((noted = jsonBody(b).body), true))
      .reply(200, {});
    const merged = await p.ci(['gitlab', 'apply'], env('push', '800'));
    expect(merged.stderr).toContain('Applying the plan reviewed on merge request 3');
    expect(merged.code).toBe(0);
    expect(api.isDone()).toBe(true);
    expect(p.publishes()).toBe(2);
    expect(noted).toMatch(/\*\*After merge\*\*: \[the merge run\]\(https:\/\/gitlab\.test\/acme\/apps\/-\/jobs\/800\) applied it\./);
    expect((await p.p7apps(['plan'])).code).toBe(0);
  });

  it('fails without publishing when the merged merge request has no plan note', async () => {
    p = await project(['Alpha', 'Beta']);
    await p.writeConfig(catalog);
    nock('https://gitlab.test')
      .get(`/api/v4/projects/12/repository/commits/${MERGE}/merge_requests`)
      .reply(200, [{ iid: 3, state: 'merged', sha: HEAD, merge_commit_sha: MERGE }])
      .get('/api/v4/user')
      .reply(200, { username: BOT })
      .get(notesPath)
      .query(true)
      .reply(200, [{ id: 4, author: { username: 'someone' }, body: 'LGTM' }]);
    const merged = await p.ci(['gitlab', 'apply'], env('push', '800'));
    expect(merged.code).toBe(1);
    expect(merged.stderr).toMatch(/merge request 3 has no p7apps plan comment: nobody reviewed a plan for it\. Nothing was applied\./);
    expect(p.publishes()).toBe(0);
  });

  it('names a refused token without printing it', async () => {
    p = await project(['Alpha']);
    await p.writeConfig([catalog[0]!]);
    nock('https://gitlab.test').get('/api/v4/user').reply(401, { message: `401 Unauthorized ${TOKEN}` });
    const run = await p.ci(['gitlab', 'plan'], env('merge_request', '700'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Reading who the GitLab token belongs to failed: HTTP 401/);
    expect(run.stderr).toMatch(/The token was refused/);
    expect(run.stderr).not.toContain(TOKEN);
  });
});
