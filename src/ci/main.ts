// `p7apps-ci`: the CI loop's entry point, run by the GitHub Action
// (action.yml) and the GitLab recipe (examples/ci/gitlab-ci.yml). It reads the
// CI's environment, builds the forge, and runs one step of ./flows.ts:
//
//   p7apps-ci github plan      validate, plan --out, render (pull_request)
//   p7apps-ci github comment   keep the one plan comment up to date
//   p7apps-ci github apply     apply the reviewed plan (push of a merge)
//   p7apps-ci gitlab plan      plan and note, in one job (merge request)
//   p7apps-ci gitlab apply     apply the reviewed plan (default branch)
//
// Exit codes: 0 done (a plan with changes included), 1 a failure, with one
// message naming what and what to do; apply's own code after an apply.

import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Redactor } from '../redact.js';
import { escapeUnsafe } from '../render/escape.js';
import { applyReviewed, commentFor, makePlan, p7appsProcess, readPlanState, upsertComment, PLAN_JSON, type CiContext } from './flows.js';
import { CiError, type Forge } from './forge.js';
import { GitHub } from './github.js';
import { GitLab } from './gitlab.js';

export interface CiIo {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  fetch: typeof globalThis.fetch;
}

const USAGE = 'usage: p7apps-ci github plan|comment|apply, or p7apps-ci gitlab plan|apply';
/** Tokens of the forges: never handed to p7apps, never printed. */
const FORGE_TOKENS = ['P7APPS_GITHUB_TOKEN', 'P7APPS_GITLAB_TOKEN'] as const;

export async function runCi(argv: string[], partial: Partial<CiIo> = {}): Promise<number> {
  const io: CiIo = {
    env: partial.env ?? process.env,
    cwd: partial.cwd ?? process.cwd(),
    stdout: partial.stdout ?? process.stdout,
    stderr: partial.stderr ?? process.stderr,
    fetch: partial.fetch ?? globalThis.fetch,
  };
  const secrets = Redactor.fromEnv(io.env);
  for (const name of FORGE_TOKENS) secrets.add(io.env[name]);
  const say = (line: string) => io.stderr.write(`${secrets.redact(escapeUnsafe(line))}\n`);
  try {
    const [forge, step, ...rest] = argv;
    if (rest.length > 0 || forge === undefined || step === undefined) throw new CiError(USAGE);
    if (forge === 'github') return await github(step, io, say, secrets);
    if (forge === 'gitlab') return await gitlab(step, io, say, secrets);
    throw new CiError(USAGE);
  } catch (err) {
    if (!(err instanceof CiError)) throw err;
    say(`Error: ${err.message}`);
    if (err.hint) say(`  ${err.hint}`);
    // A GitHub annotation, so the reason shows on the run's summary page.
    if (io.env.GITHUB_ACTIONS === 'true') io.stdout.write(`::error::${secrets.redact(escapeUnsafe(err.message))}\n`);
    return 1;
  }
}

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new CiError(`${name} is not set; ${why}`);
  return value.trim();
}

function context(io: CiIo, say: (line: string) => void, dir: string): CiContext {
  const childEnv = { ...io.env };
  for (const name of FORGE_TOKENS) delete childEnv[name];
  const force = (io.env.P7APPS_CI_FORCE ?? '').trim().toLowerCase();
  if (!['', 'true', 'false'].includes(force)) throw new CiError(`P7APPS_CI_FORCE (the force input) must be true or false, not ${JSON.stringify(force)}`);
  const config = io.env.P7APPS_CI_CONFIG?.trim();
  return {
    cwd: io.cwd,
    dir: path.resolve(io.cwd, io.env.P7APPS_CI_DIR?.trim() || dir),
    ...(config ? { config } : {}),
    force: force === 'true',
    // One app name per line: a name may hold a comma.
    allowProtected: (io.env.P7APPS_CI_ALLOW_PROTECTED ?? '').split(/\r?\n/).map((name) => name.trim()).filter((name) => name !== ''),
    p7apps: p7appsProcess(io.cwd, childEnv, io),
    log: say,
  };
}

function timeoutMs(env: NodeJS.ProcessEnv): number {
  const given = Number(env.P7APPS_CI_HTTP_TIMEOUT_MS ?? '');
  return Number.isFinite(given) && given > 0 ? given : 30_000;
}

async function github(step: string, io: CiIo, say: (line: string) => void, secrets: Redactor): Promise<number> {
  const env = io.env;
  const ctx = context(io, say, env.RUNNER_TEMP ? path.join(env.RUNNER_TEMP, 'p7apps-ci') : '.p7apps-ci');
  const repository = required(env, 'GITHUB_REPOSITORY', 'run this inside GitHub Actions');
  const runUrl = `${(env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')}/${repository}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`;
  const forge = (): Forge =>
    new GitHub({
      apiUrl: env.GITHUB_API_URL?.trim() || 'https://api.github.com',
      repository,
      token: required(env, 'P7APPS_GITHUB_TOKEN', 'give the action a token (the github-token input; GITHUB_TOKEN by default)'),
      commentAuthor: env.P7APPS_CI_COMMENT_AUTHOR?.trim() || 'github-actions[bot]',
      fetch: io.fetch,
      timeoutMs: timeoutMs(env),
    });

  if (step === 'plan') {
    const pull = await pullRequestOfEvent(env);
    const state = await makePlan(ctx, pull.head, required(env, 'GITHUB_RUN_ID', 'run this inside GitHub Actions'));
    await githubOutputs(env, { dir: ctx.dir, 'plan-file': path.join(ctx.dir, PLAN_JSON), saved: String(state.ok), 'exit-code': String(state.exitCode), 'has-changes': String(state.ok && state.exitCode === 2) });
    say(state.ok ? `Saved the plan (${state.digest}).` : `p7apps ${state.step} failed with exit code ${state.exitCode}; the comment step reports it.`);
    return 0;
  }
  if (step === 'comment') {
    const pull = await pullRequestOfEvent(env);
    const state = await readPlanState(ctx.dir);
    const artifact = env.P7APPS_CI_ARTIFACT_ID?.trim();
    if (artifact !== undefined && artifact !== '' && !/^[0-9]+$/.test(artifact)) throw new CiError(`P7APPS_CI_ARTIFACT_ID ${JSON.stringify(artifact)} is not an artifact id`);
    const body = await commentFor(ctx, forge(), state, {
      runUrl,
      ...(artifact ? { artifact } : {}),
      ...(env.P7APPS_CI_ARTIFACT_URL?.trim() ? { artifactUrl: env.P7APPS_CI_ARTIFACT_URL.trim() } : {}),
    });
    await upsertComment(ctx, forge(), pull.number, secrets.redact(body));
    return state.ok ? 0 : 1;
  }
  if (step === 'apply') {
    return await applyReviewed(ctx, forge(), required(env, 'GITHUB_SHA', 'run this inside GitHub Actions'), runUrl);
  }
  throw new CiError(USAGE);
}

async function pullRequestOfEvent(env: NodeJS.ProcessEnv): Promise<{ number: string; head: string }> {
  const file = required(env, 'GITHUB_EVENT_PATH', 'run this inside GitHub Actions');
  let event: { pull_request?: { number?: unknown; head?: { sha?: unknown } } };
  try {
    event = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new CiError(`the event file ${file} cannot be read as JSON`);
  }
  const number = event.pull_request?.number;
  const head = event.pull_request?.head?.sha;
  if (typeof number !== 'number' || typeof head !== 'string' || !/^[0-9a-f]{7,64}$/.test(head)) {
    throw new CiError(`this run is not for a pull request (event ${JSON.stringify(env.GITHUB_EVENT_NAME ?? 'unknown')})`, 'The plan and comment steps run on pull_request events; apply runs on the push of a merge.');
  }
  return { number: String(number), head };
}

/** Step outputs for the following steps of the action (GITHUB_OUTPUT); nothing outside Actions. */
async function githubOutputs(env: NodeJS.ProcessEnv, outputs: Record<string, string>): Promise<void> {
  if (!env.GITHUB_OUTPUT) return;
  try {
    await appendFile(env.GITHUB_OUTPUT, Object.entries(outputs).map(([k, v]) => `${k}=${v.replace(/[\r\n]/g, ' ')}\n`).join(''));
  } catch (err) {
    throw new CiError(
      `cannot write the step outputs to GITHUB_OUTPUT (${env.GITHUB_OUTPUT}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'GitHub Actions sets GITHUB_OUTPUT to a writable file; outside Actions, unset it.',
    );
  }
}

async function gitlab(step: string, io: CiIo, say: (line: string) => void, secrets: Redactor): Promise<number> {
  const env = io.env;
  const ctx = context(io, say, '.p7apps-ci');
  const projectDir = env.CI_PROJECT_DIR?.trim() || io.cwd;
  const planPath = path.relative(projectDir, path.join(ctx.dir, PLAN_JSON)).split(path.sep).join('/');
  if (planPath.startsWith('..')) throw new CiError(`the plan folder ${ctx.dir} is outside the project folder ${projectDir}, so GitLab cannot keep it as an artifact`);
  const forge = new GitLab({
    apiUrl: required(env, 'CI_API_V4_URL', 'run this inside GitLab CI'),
    project: required(env, 'CI_PROJECT_ID', 'run this inside GitLab CI'),
    token: required(env, 'P7APPS_GITLAB_TOKEN', 'add a masked CI/CD variable with a project access token (api scope)'),
    planPath,
    fetch: io.fetch,
    timeoutMs: timeoutMs(env),
  });
  const jobUrl = env.CI_JOB_URL?.trim() || '';

  if (step === 'plan') {
    const change = required(env, 'CI_MERGE_REQUEST_IID', 'the plan job runs in merge request pipelines');
    const head = env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA?.trim() || required(env, 'CI_COMMIT_SHA', 'run this inside GitLab CI');
    const job = required(env, 'CI_JOB_ID', 'run this inside GitLab CI');
    const state = await makePlan(ctx, head, job);
    const body = await commentFor(ctx, forge, state, { runUrl: jobUrl, artifact: job, artifactUrl: jobUrl ? `${jobUrl}/artifacts/file/${planPath}` : '' });
    await upsertComment(ctx, forge, change, secrets.redact(body));
    return state.ok ? 0 : 1;
  }
  if (step === 'apply') {
    return await applyReviewed(ctx, forge, required(env, 'CI_COMMIT_SHA', 'run this inside GitLab CI'), jobUrl);
  }
  throw new CiError(USAGE);
}
