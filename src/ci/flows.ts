// The CI loop, the same for every forge: on a change request, validate, plan,
// save the plan and keep ONE comment up to date with it; on merge, find the
// plan that comment showed, check it is the one reviewed for the merged
// commit, and have `p7apps apply --expect-plan` apply a fresh plan only if it
// publishes the same. p7apps itself runs as a child process (the installed
// CLI), so what CI does is what a person typing the commands would get.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKFLOW_COMMAND_MARKERS } from '../cli/workflow-commands.js';
import { markdownText } from '../render/escape.js';
import { failureComment, hasMarker, parseMarker, planComment, type PlanMarker } from './comment.js';
import { CiError, type Forge, type ForgeComment } from './forge.js';

export interface P7appsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `p7apps ...args`; `live` also shows its output as it comes (apply's progress in the CI log). */
export type RunP7apps = (args: string[], options: { live: boolean }) => Promise<P7appsRun>;

export interface CiContext {
  /** Where p7apps runs (the folder of the config). */
  cwd: string;
  /** Where the saved plan and the state between steps are kept. */
  dir: string;
  /** --config, when not the default. */
  config?: string;
  /** Passed to apply as --force: the reviewed plan may put new revisions on many apps. */
  force: boolean;
  /** Passed to apply as --allow-protected, one per app: the reviewed plan may change these protected apps. */
  allowProtected: string[];
  p7apps: RunP7apps;
  /** One line to the CI log. */
  log: (line: string) => void;
}

/** What the plan step leaves for the comment step. */
export interface PlanState {
  v: 1;
  /** The commit planned (the change's head) and the run that planned it. */
  head: string;
  run: string;
  ok: boolean;
  /** The exit code of the step that ended it: plan's 0 or 2 when ok. */
  exitCode: number;
  /** When not ok: the step that failed and what it printed. */
  step?: string;
  output?: string;
  /** When ok: sha256:<hex> of plan.json. */
  digest?: string;
  /** When not ok: plan.md holds the plan as far as it was made (its conflicts). */
  planShown?: boolean;
}

export const PLAN_JSON = 'plan.json';
export const PLAN_MD = 'plan.md';
const STATE = 'state.json';
/** A saved plan larger than this is refused when downloaded: far beyond any real catalogue. */
export const MAX_PLAN_BYTES = 64 * 1024 * 1024;
/** What one captured run keeps of its output. */
const MAX_CAPTURE = 1024 * 1024;

const MERGE_NOTE =
  'Merging applies this plan: the merge run plans again and applies only if it publishes exactly what this plan shows (p7apps apply --expect-plan); otherwise it stops and names the difference.';

function configArgs(ctx: CiContext): string[] {
  return ctx.config ? ['--config', ctx.config] : [];
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * validate, then plan --format markdown --out: the saved plan and its
 * rendering (the same plan object, rendered as `p7apps show` would), or what
 * failed, with the plan as far as it was made (its conflicts) when there is one.
 */
export async function makePlan(ctx: CiContext, head: string, run: string): Promise<PlanState> {
  await mkdir(ctx.dir, { recursive: true });
  const planFile = path.join(ctx.dir, PLAN_JSON);
  const failed = (step: string, code: number, output: string): PlanState => ({ v: 1, head, run, ok: false, step, exitCode: code, output });

  let state: PlanState;
  const validated = await ctx.p7apps(['validate', ...configArgs(ctx)], { live: true });
  if (validated.code !== 0) state = failed('validate', validated.code, `${validated.stderr}${validated.stdout}`);
  else {
    await rm(planFile, { force: true });
    const planned = await ctx.p7apps(['plan', '--format', 'markdown', '--out', planFile, ...configArgs(ctx)], { live: true });
    const rendered = planned.stdout.startsWith('## p7apps plan') ? planned.stdout : '';
    await writeFile(path.join(ctx.dir, PLAN_MD), rendered);
    if ((planned.code === 0 || planned.code === 2) && rendered !== '' && existsSync(planFile)) {
      state = { v: 1, head, run, ok: true, exitCode: planned.code, digest: digestOf(await readFile(planFile)) };
    } else {
      state = { ...failed('plan', planned.code, rendered === '' ? `${planned.stderr}${planned.stdout}` : planned.stderr), planShown: rendered !== '' };
    }
  }
  await writeFile(path.join(ctx.dir, STATE), JSON.stringify(state));
  return state;
}

export async function readPlanState(dir: string): Promise<PlanState> {
  let state: PlanState;
  try {
    state = JSON.parse(await readFile(path.join(dir, STATE), 'utf8')) as PlanState;
  } catch {
    throw new CiError(`no plan was made in ${dir}`, 'Run the plan step first, in the same job.');
  }
  return state;
}

export interface CommentLinks {
  runUrl: string;
  /** Where the plan artifact is; with `artifact`. */
  artifactUrl?: string;
  /** The stored plan's id (GitHub artifact id, GitLab job id); absent when the plan was not stored. */
  artifact?: string;
}

/** The comment body for a plan state. */
export async function commentFor(ctx: CiContext, forge: Forge, state: PlanState, links: CommentLinks): Promise<string> {
  const marker: PlanMarker = { head: state.head, run: state.run };
  if (!state.ok) {
    const markdown = state.planShown ? await readFile(path.join(ctx.dir, PLAN_MD), 'utf8') : undefined;
    return failureComment({
      marker,
      step: state.step ?? 'plan',
      exitCode: state.exitCode,
      output: state.output ?? '',
      runUrl: links.runUrl,
      limit: forge.commentLimit,
      ...(markdown ? { markdown } : {}),
    });
  }
  if (links.artifact === undefined) {
    throw new CiError('the saved plan was not stored as an artifact, so no merge could find it', 'Upload the plan folder before the comment step (action.yml does).');
  }
  const markdown = await readFile(path.join(ctx.dir, PLAN_MD), 'utf8');
  return planComment({
    marker: { ...marker, artifact: links.artifact, digest: state.digest! },
    markdown,
    artifactUrl: links.artifactUrl ?? links.runUrl,
    runUrl: links.runUrl,
    limit: forge.commentLimit,
    mergeNote: MERGE_NOTE,
  });
}

/** Our comment on the change: the first one by our author that carries the marker. */
async function ourComment(forge: Forge, change: string): Promise<ForgeComment | undefined> {
  const me = await forge.author();
  return (await forge.listComments(change)).find((c) => c.author === me && hasMarker(c.body));
}

/** Edits our comment in place, or writes it when there is none yet: never a second one. */
export async function upsertComment(ctx: CiContext, forge: Forge, change: string, body: string): Promise<'created' | 'updated'> {
  const existing = await ourComment(forge, change);
  if (existing) {
    await forge.updateComment(change, existing.id, body);
    ctx.log(`Updated the plan comment on ${forge.changeWord} ${change}.`);
    return 'updated';
  }
  await forge.createComment(change, body);
  ctx.log(`Commented the plan on ${forge.changeWord} ${change}.`);
  return 'created';
}

export interface ReviewedPlan {
  change: string;
  comment: ForgeComment;
  marker: PlanMarker & { artifact: string; digest: string };
  bytes: Buffer;
}

/** The plan reviewed on the change that `sha` merged; a CiError saying what is missing otherwise. */
export async function findReviewedPlan(forge: Forge, sha: string): Promise<ReviewedPlan> {
  const noApply = 'Nothing was applied.';
  const merged = await forge.changeMergedBy(sha);
  if (!merged) {
    throw new CiError(`commit ${sha.slice(0, 12)} merged no ${forge.changeWord}: there is no reviewed plan to apply. ${noApply}`, `Change the config through a ${forge.changeWord}, or apply by hand.`);
  }
  const comment = await ourComment(forge, merged.number);
  const marker = comment ? parseMarker(comment.body) : null;
  const where = `${forge.changeWord} ${merged.number}`;
  if (!comment || !marker) {
    throw new CiError(`${where} has no p7apps plan comment: nobody reviewed a plan for it. ${noApply}`, `Run the plan on the ${forge.changeWord} before merging.`);
  }
  if (marker.artifact === undefined || marker.digest === undefined) {
    throw new CiError(`the last plan of ${where} failed (run ${marker.run}): there is no reviewed plan to apply. ${noApply}`, 'Fix the plan on a new change and merge that.');
  }
  if (marker.head !== merged.head) {
    throw new CiError(
      `the plan comment of ${where} is for commit ${marker.head.slice(0, 12)}, but it was merged at ${merged.head.slice(0, 12)}: the last commit was never planned and reviewed. ${noApply}`,
      `Let the plan run finish on the ${forge.changeWord} before merging.`,
    );
  }
  const bytes = await forge.downloadPlan(marker.artifact, MAX_PLAN_BYTES);
  const digest = digestOf(bytes);
  if (digest !== marker.digest) {
    throw new CiError(`the stored plan of ${where} is not the one its comment shows (its digest is ${digest}, the comment names ${marker.digest}). ${noApply}`);
  }
  return { change: merged.number, comment, marker: marker as ReviewedPlan['marker'], bytes };
}

const APPLIED_MARK = '<!-- p7apps-applied -->';

/** The comment with a line on how the merge run went, replacing an earlier such line. */
export function withApplyResult(body: string, code: number, runUrl: string): string {
  const before = body.includes(APPLIED_MARK) ? body.slice(0, body.indexOf(APPLIED_MARK)).trimEnd() : body.trimEnd();
  const result = code === 0 ? 'applied it' : `stopped with exit code ${code}; see its log`;
  return `${before}\n\n${APPLIED_MARK}\n**After merge**: [the merge run](${URL.canParse(runUrl) ? new URL(runUrl).href : '#'}) ${markdownText(result)}.`;
}

/** Whether the comment already says a merge run applied its plan (a job re-run after it succeeded). */
export function appliedBefore(body: string): boolean {
  const at = body.indexOf(APPLIED_MARK);
  return at >= 0 && /\) applied it\.\s*$/.test(body.slice(at));
}

/** Applies the reviewed plan (see findReviewedPlan) and says so on the change's comment; returns apply's exit code. */
export async function applyReviewed(ctx: CiContext, forge: Forge, sha: string, runUrl: string): Promise<number> {
  const reviewed = await findReviewedPlan(forge, sha);
  if (appliedBefore(reviewed.comment.body)) return confirmApplied(ctx, forge, reviewed);
  await mkdir(ctx.dir, { recursive: true });
  const file = path.join(ctx.dir, 'reviewed-plan.json');
  await writeFile(file, reviewed.bytes);
  ctx.log(`Applying the plan reviewed on ${forge.changeWord} ${reviewed.change} (${reviewed.marker.digest}).`);
  const args = [
    'apply',
    '--expect-plan',
    file,
    '--auto-approve',
    ...(ctx.force ? ['--force'] : []),
    ...ctx.allowProtected.flatMap((name) => ['--allow-protected', name]),
    ...configArgs(ctx),
  ];
  const applied = await ctx.p7apps(args, { live: true });
  try {
    await forge.updateComment(reviewed.change, reviewed.comment.id, withApplyResult(reviewed.comment.body, applied.code, runUrl));
  } catch (err) {
    // The apply's own outcome matters more than the note about it.
    ctx.log(`Could not note the result on the plan comment: ${err instanceof Error ? err.message : String(err)}`);
  }
  return applied.code;
}

/**
 * A re-run of a merge job whose plan a run already applied: applying again
 * would find nothing to publish, which --expect-plan calls a difference from
 * the review. Instead it plans: no changes, and the job succeeds, saying the
 * plan was applied already; changes, and it stops, since they were made after
 * the reviewed plan was applied and nobody reviewed them. The comment keeps
 * its record of the run that applied the plan.
 */
async function confirmApplied(ctx: CiContext, forge: Forge, reviewed: ReviewedPlan): Promise<number> {
  const where = `${forge.changeWord} ${reviewed.change}`;
  ctx.log(`The plan reviewed on ${where} (${reviewed.marker.digest}) was applied already, as its comment says; checking that the server still matches the config.`);
  const planned = await ctx.p7apps(['plan', ...configArgs(ctx)], { live: true });
  if (planned.code === 0) {
    ctx.log('Nothing to do: the server matches the config.');
    return 0;
  }
  if (planned.code === 2) {
    throw new CiError(
      `the plan reviewed on ${where} was applied already, and the server or the config has changed since: nothing was applied`,
      `Plan the change again on a ${forge.changeWord}, have it reviewed, and merge that.`,
    );
  }
  return planned.code;
}

/** The p7apps CLI next to this module (bin/p7apps.js of the same package), as a child process. */
export function p7appsProcess(cwd: string, env: NodeJS.ProcessEnv, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): RunP7apps {
  const bin = fileURLToPath(new URL('../../bin/p7apps.js', import.meta.url));
  return (args, options) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        if (stdout.length < MAX_CAPTURE) stdout += chunk.toString();
        if (options.live) out.stdout.write(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < MAX_CAPTURE) stderr += chunk.toString();
        if (options.live) out.stderr.write(chunk);
      });
      child.on('error', reject);
      // The markers that keep server text from being read as GitHub workflow commands serve the log, not a comment.
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr: stderr.replace(WORKFLOW_COMMAND_MARKERS, '') }));
    });
}

