// The GitHub Action's steps (src/ci, run by action.yml) end to end: p7apps
// against the emulator over real sockets, GitHub's REST API stood in for by
// nock with the exact requests checked. The loop under test: a pull request's
// plan comment, the plan that merge applies and the guard's verdict agree.

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GITHUB_COMMENT_LIMIT, parseMarker } from '../../src/ci/comment.js';
import { artifactOf, flow, jsonBody, project, WS, type AppConfig, type Project } from './harness.js';

const API = 'https://api.github.test';
const BLOB = 'https://blob.github.test';
const REPO = 'acme/apps';
const TOKEN = 'ghs_not_a_real_token_0123456789';
const HEAD = 'a1b2c3d4'.repeat(5);
const MERGE = 'feedbeef'.repeat(5);
const BOT = 'github-actions[bot]';
const ARTIFACT = '4242';

let p: Project;

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await p?.close();
});

const catalog: AppConfig[] = [
  { name: 'Alpha', description: 'The first app', versions: [{ version: 1, workflow: flow('Alpha') }, { version: 2, workflow: flow('Alpha2') }], defaultVersion: 2 },
  { name: 'Beta', versions: [{ version: 1, workflow: flow('Beta') }] },
];

async function env(event: 'pull_request' | 'push', extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const eventFile = path.join(p.temp, 'event.json');
  await writeFile(eventFile, JSON.stringify(event === 'pull_request' ? { pull_request: { number: 5, head: { sha: HEAD } } } : { after: MERGE }));
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: API,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_REPOSITORY: REPO,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_SHA: event === 'push' ? MERGE : 'c0ffee00'.repeat(5),
    GITHUB_RUN_ID: event === 'push' ? '902' : '901',
    GITHUB_OUTPUT: path.join(p.temp, 'github-output'),
    RUNNER_TEMP: p.temp,
    P7APPS_GITHUB_TOKEN: TOKEN,
    ...extra,
  };
}

const planDir = () => path.join(p.temp, 'p7apps-ci');
const commentsPath = `/repos/${REPO}/issues/5/comments`;

interface Reviewed {
  /** The comment body GitHub received. */
  body: string;
  /** The artifact upload-artifact would have stored. */
  zip: Buffer;
}

/**
 * One pull-request run of the action: the plan step, the upload (stood in
 * for), the comment step against comments already there. Checks that exactly
 * one comment request was made: a PATCH of ours when there is one, else a POST.
 */
async function pullRequestRun(existing: Array<{ id: number; user: { login: string }; body: string }> = []): Promise<Reviewed & { code: number; stderr: string }> {
  const planned = await p.ci(['github', 'plan'], await env('pull_request'));
  expect(planned.code).toBe(0);
  const outputs = await readFile(path.join(p.temp, 'github-output'), 'utf8');
  const saved = /saved=true/.test(outputs);
  const zip = saved ? await artifactOf(planDir()) : Buffer.alloc(0);

  let body = '';
  const ours = existing.find((c) => c.user.login === BOT && parseMarker(c.body));
  const api = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'x-github-api-version': '2022-11-28' } })
    .get(commentsPath)
    .query({ per_page: '100', page: '1' })
    .reply(200, existing);
  if (ours) {
    api.patch(`/repos/${REPO}/issues/comments/${ours.id}`, (b) => ((body = jsonBody(b).body), true)).reply(200, {});
  } else {
    api.post(commentsPath, (b) => ((body = jsonBody(b).body), true)).reply(201, { id: 77 });
  }
  const commented = await p.ci(['github', 'comment'], await env('pull_request', saved ? { P7APPS_CI_ARTIFACT_ID: ARTIFACT, P7APPS_CI_ARTIFACT_URL: `https://github.test/${REPO}/actions/runs/901/artifacts/${ARTIFACT}` } : {}));
  expect(api.isDone(), `pending: ${api.pendingMocks().join(', ')}`).toBe(true);
  return { body, zip, code: commented.code, stderr: commented.stderr + planned.stderr };
}

/** GitHub's side of a merge run: the merged pull request, its comments, the artifact (via a redirect to storage). */
function mergeApi(comments: unknown[], zip: Buffer, pull: Record<string, unknown> = { number: 5, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: MERGE, head: { sha: HEAD } }) {
  let noted = '';
  const api = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(`/repos/${REPO}/commits/${MERGE}/pulls`)
    .reply(200, [pull])
    .get(commentsPath)
    .query({ per_page: '100', page: '1' })
    .reply(200, comments);
  const artifact = api.get(`/repos/${REPO}/actions/artifacts/${ARTIFACT}/zip`).reply(302, '', { Location: `${BLOB}/artifact.zip?sig=abc` });
  // The storage behind the redirect must never see the token.
  const storage = nock(BLOB, { badheaders: ['authorization'] }).get('/artifact.zip').query({ sig: 'abc' }).reply(200, zip);
  artifact.patch(`/repos/${REPO}/issues/comments/77`, (b) => ((noted = jsonBody(b).body), true)).reply(200, {});
  return { api, storage, noted: () => noted };
}

/** The body without its fenced code blocks (a fence closes only with a run of backticks at least as long). */
function outsideCodeBlocks(body: string): string {
  const kept: string[] = [];
  let fence: string | null = null;
  for (const line of body.split('\n')) {
    const run = /^\s*(`{3,})/.exec(line)?.[1];
    if (fence === null && run) fence = run;
    else if (fence !== null && run && run.length >= fence.length && line.trim() === run) fence = null;
    else if (fence === null) kept.push(line);
  }
  expect(fence, 'every code block is closed').toBeNull();
  return kept.join('\n');
}

const ourComment = (body: string) => ({ id: 77, user: { login: BOT }, body });

/** A merge run's reads (the pull request, our comment as `noted`, the plan) and no comment update: a re-run must not write one. */
function rerunApi(noted: string, zip: Buffer): void {
  nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
    .get(`/repos/${REPO}/commits/${MERGE}/pulls`)
    .reply(200, [{ number: 5, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: MERGE, head: { sha: HEAD } }])
    .get(commentsPath)
    .query({ per_page: '100', page: '1' })
    .reply(200, [ourComment(noted)])
    .get(`/repos/${REPO}/actions/artifacts/${ARTIFACT}/zip`)
    .reply(302, '', { Location: `${BLOB}/artifact.zip?sig=abc` });
  nock(BLOB).get('/artifact.zip').query({ sig: 'abc' }).reply(200, zip);
}

describe('GitHub Action: pull request', () => {
  it('the first run creates the one comment: marker, plan, link to the artifact', async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const run = await pullRequestRun();

    expect(run.code).toBe(0);
    const marker = parseMarker(run.body)!;
    const planBytes = await readFile(path.join(planDir(), 'plan.json'));
    expect(marker).toEqual({ head: HEAD, run: '901', artifact: ARTIFACT, digest: `sha256:${createHash('sha256').update(planBytes).digest('hex')}` });
    expect(run.body.split('\n')[0]).toMatch(/^<!-- p7apps-plan \{.*\} -->$/);
    expect(run.body).toContain('## p7apps plan');
    expect(run.body).toContain(await readFile(path.join(planDir(), 'plan.md'), 'utf8').then((md) => md.trimEnd()));
    expect(run.body).toContain(`(https://github.test/${REPO}/actions/runs/901/artifacts/${ARTIFACT})`);
    expect(await readFile(path.join(p.temp, 'github-output'), 'utf8')).toContain('has-changes=true');
    // The plan step reads the server; nothing is published on a pull request.
    expect(p.publishes()).toBe(0);
    expect(run.body).not.toContain(TOKEN);
  });

  // Found by an adversarial review: "p7apps-ci: internal error: ENOENT ...", with no place or fix.
  it('a GITHUB_OUTPUT that cannot be written is one message naming it and what to do', async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const missing = path.join(p.temp, 'no-such-folder', 'github-output');
    const planned = await p.ci(['github', 'plan'], await env('pull_request', { GITHUB_OUTPUT: missing }));
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain(`cannot write the step outputs to GITHUB_OUTPUT (${missing}): ENOENT`);
    expect(planned.stderr).toContain('outside Actions, unset it');
    expect(planned.stderr).not.toContain('internal error');
  });

  it("the second run edits the same comment in place (PATCH of its id), leaving others' comments alone", async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const first = await pullRequestRun();
    await p.writeConfig([catalog[0]!]);
    // A comment by someone else that copies the marker is neither edited nor trusted.
    const second = await pullRequestRun([
      { id: 12, user: { login: 'mallory' }, body: first.body },
      ourComment(first.body),
      { id: 90, user: { login: BOT }, body: 'an unrelated bot comment' },
    ]);
    expect(second.code).toBe(0);
    expect(parseMarker(second.body)?.digest).not.toBe(parseMarker(first.body)?.digest);
    expect(second.body).not.toContain('Beta');
  });

  it('a plan too long for one comment is cut with a link to the full plan artifact', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `Flow${i}`);
    p = await project(many);
    await p.writeConfig(many.map((f, i) => ({ name: `App ${i}`, description: `${'Long words. '.repeat(300)}${i}`, versions: [{ version: 1, workflow: flow(f) }] })));
    const run = await pullRequestRun();

    expect(run.code).toBe(0);
    const full = await readFile(path.join(planDir(), 'plan.md'), 'utf8');
    expect(full.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    expect(run.body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(run.body).toMatch(/only its first \d+ of \d+ characters are shown/);
    expect(run.body).toContain(`[plan artifact](https://github.test/${REPO}/actions/runs/901/artifacts/${ARTIFACT})`);
    // Every <details> opened is closed, so the rest of the page renders.
    expect((run.body.match(/<details/g) ?? []).length).toBe((run.body.match(/<\/details>/g) ?? []).length);
    expect(parseMarker(run.body)?.artifact).toBe(ARTIFACT);
  });

  it('hostile text from the config cannot break the comment: no second marker, no open tag, no link', async () => {
    p = await project(['Alpha']);
    const hostile = 'x --> <!-- p7apps-plan {"v":1} --> </details><img src=x onerror=alert(1)> [click](https://evil.test) ```';
    // Names refuse bidi controls; a description may carry one.
    await p.writeConfig([{ name: `Alpha ${hostile}`, description: `${hostile}\n\u202e</details>\n\`\`\`\`\n<!-- p7apps-plan`, versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    const run = await pullRequestRun();

    expect(run.code).toBe(0);
    expect(run.body.match(/^<!-- p7apps-plan /gm)).toHaveLength(1);
    expect(parseMarker(run.body)?.artifact).toBe(ARTIFACT);
    // Inside a code block the text is shown as it is; outside one, nothing of it may act as Markdown or HTML.
    const prose = outsideCodeBlocks(run.body);
    expect(prose).not.toContain('<img');
    expect(prose).not.toContain('<!-- p7apps-plan {"v":1}');
    expect(prose).toContain('evil.test');
    expect(prose).not.toMatch(/(^|[^\\])\[click(?<!\\)\]\(/);
    expect(run.body).not.toContain('\u202e');
    expect(run.body).toContain('\\u202e');
    expect((prose.match(/<details[\s>]/g) ?? []).length).toBe((prose.match(/<\/details>/g) ?? []).length);
  });

  it('a failed plan is reported in the comment, inside a code block, with no plan for merge to apply', async () => {
    p = await project(['Alpha']);
    await writeFile(path.join(p.dir, 'p7apps.config.json'), JSON.stringify({ defaults: { workspace: WS }, apps: [{ name: 'Alpha </details> [x](https://evil.test)', versions: 'nope' }] }));
    const run = await pullRequestRun();

    expect(run.code).toBe(1);
    expect(run.body).toContain('## p7apps plan failed');
    expect(run.body).toMatch(/p7apps validate exited with code 1/);
    expect(parseMarker(run.body)).toEqual({ head: HEAD, run: '901' });
    // The CLI's own message is shown verbatim but fenced: Markdown does not act on it.
    const fenced = run.body.slice(run.body.indexOf('```text'));
    expect(fenced).toContain('versions');
    expect(p.publishes()).toBe(0);
  });

  it('a plan with a conflict shows the conflict in the comment, and there is no plan for merge to apply', async () => {
    p = await project(['Alpha'], [{ name: 'Alpha', workspace: 'Other apps', versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    await p.writeConfig([{ name: 'Alpha', versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    const run = await pullRequestRun();

    expect(run.code).toBe(1);
    expect(run.body).toMatch(/p7apps plan exited with code 1\*\*: no plan was saved/);
    expect(parseMarker(run.body)).toEqual({ head: HEAD, run: '901' });
    // The plan as p7apps rendered it, conflicts first, after the error fenced as text.
    expect(run.body).toContain('### The plan');
    expect(run.body).toContain('> [!CAUTION]');
    expect(run.body.indexOf('```text')).toBeLessThan(run.body.indexOf('### The plan'));
    expect(run.body).toMatch(/```text\nError: 1 app cannot be planned until a person resolves its conflict/);
    expect(outsideCodeBlocks(run.body)).toContain('**Alpha**');
    // The log stops workflow commands while p7apps runs (server text must not forge them); the comment shows none of that.
    expect(run.body).not.toContain('stop-commands');
  });

  // Found by an adversarial review: a server's description holding "::error::" reached the GitHub log as a command.
  it("the live log wraps p7apps' output, server text included, in stopped workflow commands", async () => {
    p = await project(['Alpha'], [{ name: 'Alpha', workspace: 'Toy apps', description: 'Old.\n::error title=pwned::from the server', versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    await p.writeConfig([{ name: 'Alpha', description: 'New.', versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    const planned = await p.ci(['github', 'plan'], await env('pull_request'));
    const log = planned.stdout + planned.stderr;
    const stop = /::stop-commands::(p7apps-[0-9a-f]{32})/.exec(log);
    expect(stop).not.toBeNull();
    const forged = log.indexOf('::error title=pwned::from the server');
    expect(forged).toBeGreaterThan(-1);
    // Between the stop and its resume, in the order the log got them on each stream.
    expect(planned.stderr.indexOf(`::stop-commands::${stop![1]}`)).toBeGreaterThan(-1);
    expect(planned.stderr.indexOf(`::${stop![1]}::`)).toBeGreaterThan(planned.stderr.indexOf(`::stop-commands::${stop![1]}`));
  });
});

describe('GitHub Action: merge', () => {
  it('applies exactly the reviewed plan, notes it on the comment, and a second plan is empty', async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const review = await pullRequestRun();
    const reviewedPlan = JSON.parse(await readFile(path.join(planDir(), 'plan.json'), 'utf8'));
    const planned = reviewedPlan.apps.reduce((n: number, a: { publishes?: unknown[] }) => n + (a.publishes?.length ?? 0), 0);

    const github = mergeApi([ourComment(review.body)], review.zip);
    const merged = await p.ci(['github', 'apply'], await env('push'));
    expect(merged.stderr).toContain(`Applying the plan reviewed on pull request 5 (${parseMarker(review.body)!.digest})`);
    expect(merged.code).toBe(0);
    expect(github.api.isDone() && github.storage.isDone()).toBe(true);
    expect(p.publishes()).toBe(planned);
    expect(github.noted()).toContain(review.body.trimEnd());
    expect(github.noted()).toMatch(/\*\*After merge\*\*: \[the merge run\]\(https:\/\/github\.test\/acme\/apps\/actions\/runs\/902\) applied it\./);

    const again = await p.p7apps(['plan']);
    expect(again.code).toBe(0);
  });

  // Found by an adversarial review: re-running a merge job that had applied the plan failed ("differs from the
  // reviewed plan ... does not publish it") and replaced the comment's record of the apply with a failure.
  it('a merge job re-run after it applied the plan succeeds without publishing, and the comment keeps its record', async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const review = await pullRequestRun();
    const first = mergeApi([ourComment(review.body)], review.zip);
    expect((await p.ci(['github', 'apply'], await env('push'))).code).toBe(0);
    const published = p.publishes();
    nock.cleanAll();

    // The re-run reads the comment (which says "applied it") and the plan; it neither publishes nor writes the comment.
    rerunApi(first.noted(), review.zip);
    const again = await p.ci(['github', 'apply'], await env('push'));
    expect(again.stderr).toContain('was applied already, as its comment says');
    expect(again.code).toBe(0);
    expect(p.publishes()).toBe(published);

    // A change made since, on the server, is not applied by a re-run: nobody reviewed it.
    p.emulator.editWorkflow(flow('Beta'), 'Beta, edited in Studio');
    nock.cleanAll();
    rerunApi(first.noted(), review.zip);
    const changed = await p.ci(['github', 'apply'], await env('push'));
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/was applied already, and the server or the config has changed since: nothing was applied/);
    expect(p.publishes()).toBe(published);

    // A plan that cannot be made (a broken config) fails the re-run with plan's own error, and writes nothing either.
    await writeFile(path.join(p.dir, 'p7apps.config.json'), '{ "apps": [ ');
    nock.cleanAll();
    rerunApi(first.noted(), review.zip);
    const broken = await p.ci(['github', 'apply'], await env('push'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/invalid JSON/);
    expect(p.publishes()).toBe(published);
  });

  it('a server changed between review and merge makes the merge run fail, naming the difference, without publishing', async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta'], [{ name: 'Beta', workspace: WS, versions: [{ version: 1, workflow: flow('Beta') }] }]);
    await p.writeConfig(catalog);
    const review = await pullRequestRun();
    expect(review.body).not.toMatch(/\| ~ \| Beta \|/);
    // Someone edits Beta's workflow in Studio: a fresh plan would now republish it, which nobody reviewed.
    p.emulator.editWorkflow(flow('Beta'), 'Beta, edited in Studio');

    const github = mergeApi([ourComment(review.body)], review.zip);
    const merged = await p.ci(['github', 'apply'], await env('push'));
    expect(merged.code).toBe(1);
    expect(merged.stderr).toMatch(/differs from the reviewed plan .*so nothing was applied:\n\s+- app "Beta" version 1: the reviewed plan does not publish it, this plan /);
    expect(p.publishes()).toBe(0);
    expect(github.noted()).toMatch(/stopped with exit code 1/);
  });

  it('a plan the large-change guard refuses is applied on merge only with the force input', async () => {
    const names = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6'];
    p = await project(names, names.map((n) => ({ name: n, workspace: WS, description: 'old words', versions: [{ version: 1, workflow: flow(n) }] })));
    await p.writeConfig(names.map((n) => ({ name: n, description: 'new words', versions: [{ version: 1, workflow: flow(n) }] })));
    const review = await pullRequestRun();
    expect(review.code).toBe(0);
    // The comment states the guard's verdict, in the words the plan uses.
    expect(review.body).toMatch(/> \[!WARNING\]\n> - apply will need --force: 6 of 6 existing apps republished/);

    const refused = mergeApi([ourComment(review.body)], review.zip);
    const withoutForce = await p.ci(['github', 'apply'], await env('push'));
    expect(withoutForce.code).toBe(1);
    expect(withoutForce.stderr).toMatch(/--force/);
    expect(p.publishes()).toBe(0);
    expect(refused.noted()).toMatch(/stopped with exit code 1/);

    const forced = mergeApi([ourComment(refused.noted())], review.zip);
    const withForce = await p.ci(['github', 'apply'], await env('push', { P7APPS_CI_FORCE: 'true' }));
    expect(withForce.code).toBe(0);
    expect(p.publishes()).toBe(6);
    // The note of the first attempt is replaced, not added to.
    expect(forced.noted().match(/\*\*After merge\*\*/g)).toHaveLength(1);
    expect(forced.noted()).toMatch(/applied it\.$/);
  });

  it('a plan that changes a protected app says so in the comment, and merge applies it only when the app is allowed', async () => {
    p = await project(['Alpha', 'Beta'], [{ name: 'Alpha', workspace: WS, description: 'old words', versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    await p.writeConfig([
      { name: 'Alpha', description: 'new words', protect: true, versions: [{ version: 1, workflow: flow('Alpha') }] },
      { name: 'Beta', versions: [{ version: 1, workflow: flow('Beta') }] },
    ]);
    const review = await pullRequestRun();
    expect(review.body).toMatch(/apply will need --allow-protected for protected app "Alpha"/);

    const refused = mergeApi([ourComment(review.body)], review.zip);
    const withoutAllow = await p.ci(['github', 'apply'], await env('push', { P7APPS_CI_ALLOW_PROTECTED: 'Beta' }));
    expect(withoutAllow.code).toBe(1);
    expect(withoutAllow.stderr).toMatch(/--allow-protected/);
    expect(p.publishes()).toBe(0);

    mergeApi([ourComment(refused.noted())], review.zip);
    const allowed = await p.ci(['github', 'apply'], await env('push', { P7APPS_CI_ALLOW_PROTECTED: 'Beta\nAlpha\n' }));
    expect(allowed.code).toBe(0);
    expect(p.publishes()).toBe(2);
  });

  const failures: Array<[string, () => { comments: unknown[]; pull?: Record<string, unknown>; zip?: Buffer }, RegExp]> = [
    ['no pull request was merged by the commit', () => ({ comments: [], pull: { number: 5, merged_at: null, head: { sha: HEAD } } }), /merged no pull request: there is no reviewed plan to apply/],
    ['the pull request has no plan comment', () => ({ comments: [{ id: 3, user: { login: 'someone' }, body: 'LGTM' }] }), /pull request 5 has no p7apps plan comment/],
    ['only someone else carries the marker', () => ({ comments: [{ id: 3, user: { login: 'mallory' }, body: '<!-- p7apps-plan {"v":1,"head":"' + HEAD + '","run":"1","artifact":"4242","digest":"sha256:' + '0'.repeat(64) + '"} -->' }] }), /has no p7apps plan comment/],
    ['its last plan failed', () => ({ comments: [ourComment(`<!-- p7apps-plan {"v":1,"head":"${HEAD}","run":"901"} -->\n## p7apps plan failed`)] }), /the last plan of pull request 5 failed \(run 901\)/],
  ];

  it.each(failures)('fails without publishing when %s', async (_name, make, message) => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const { comments, pull } = make();
    const api = nock(API).get(`/repos/${REPO}/commits/${MERGE}/pulls`).reply(200, pull ? [pull] : [{ number: 5, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: MERGE, head: { sha: HEAD } }]);
    if (!pull) api.get(commentsPath).query(true).reply(200, comments);
    const merged = await p.ci(['github', 'apply'], await env('push'));
    expect(merged.code).toBe(1);
    expect(merged.stderr).toMatch(message);
    expect(merged.stderr).toContain('Nothing was applied.');
    expect(merged.stdout).toMatch(/^::error::/);
    expect(p.publishes()).toBe(0);
    expect(api.isDone()).toBe(true);
  });

  it('fails without publishing when the pull request got a commit after its last plan', async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const review = await pullRequestRun();
    nock(API)
      .get(`/repos/${REPO}/commits/${MERGE}/pulls`)
      .reply(200, [{ number: 5, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: MERGE, head: { sha: 'dead0000'.repeat(5) } }])
      .get(commentsPath)
      .query(true)
      .reply(200, [ourComment(review.body)]);
    const merged = await p.ci(['github', 'apply'], await env('push'));
    expect(merged.code).toBe(1);
    expect(merged.stderr).toMatch(/is for commit a1b2c3d4a1b2, but it was merged at dead0000dead: the last commit was never planned and reviewed/);
    expect(p.publishes()).toBe(0);
  });

  it('fails without publishing when the stored plan is not the one the comment shows', async () => {
    p = await project(['Alpha', 'Alpha2', 'Beta']);
    await p.writeConfig(catalog);
    const review = await pullRequestRun();
    // Another plan stored under the artifact id: its digest differs from the comment's.
    await p.writeConfig([catalog[1]!]);
    const other = await pullRequestRun([ourComment(review.body)]);
    const github = mergeApi([ourComment(review.body)], other.zip);
    const merged = await p.ci(['github', 'apply'], await env('push'));
    expect(merged.code).toBe(1);
    expect(merged.stderr).toMatch(/the stored plan of pull request 5 is not the one its comment shows/);
    expect(p.publishes()).toBe(0);
    expect(github.storage.isDone()).toBe(true);
  });

  it('an expired artifact is named as such', async () => {
    p = await project(['Alpha']);
    await p.writeConfig([{ name: 'Alpha', versions: [{ version: 1, workflow: flow('Alpha') }] }]);
    const review = await pullRequestRun();
    nock(API)
      .get(`/repos/${REPO}/commits/${MERGE}/pulls`)
      .reply(200, [{ number: 5, merged_at: '2026-01-01T00:00:00Z', merge_commit_sha: MERGE, head: { sha: HEAD } }])
      .get(commentsPath)
      .query(true)
      .reply(200, [ourComment(review.body)])
      .get(`/repos/${REPO}/actions/artifacts/${ARTIFACT}/zip`)
      .reply(410, { message: 'Artifact has expired' });
    const merged = await p.ci(['github', 'apply'], await env('push'));
    expect(merged.code).toBe(1);
    expect(merged.stderr).toMatch(/Downloading the plan artifact 4242 failed: it has expired/);
    expect(p.publishes()).toBe(0);
  });
});
