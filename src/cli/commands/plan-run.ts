// What `p7apps plan` does once its arguments are parsed (./plan.ts declares
// them): read the server, compute the plan, render it, save it on request.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DesiredState } from '../../config/desired.js';
import { P7appsError, UsageError } from '../../errors.js';
import { unreplaceable, writeFileAtomically } from '../../fs-atomic.js';
import { plan as planFromServer } from '../../operations.js';
import { plural } from '../../plan/describe.js';
import { planDocumentText } from '../../plan/document.js';
import { planHasChanges, planIsWaiting, type Plan } from '../../plan/types.js';
import { awaitedVersions } from '../../settle/plan-when-settled.js';
import { planVerification, strictModeError } from '../../plan/verification.js';
import { terminalLine, terminalLines } from '../../render/text.js';
import type { ReportThumbnails } from '../../render/types.js';
import type { CliContext } from '../context.js';
import { PLAN_RENDERERS, rendererLoading } from '../renderers.js';
import { redactedFileText } from '../output.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { appSelection, durationOrThrow, environmentChoice, parallelismOrThrow, serverOptions, shellWord, strictMode, useColor } from '../options.js';
import type { PlanArgs, PlanFormat } from './plan.js';

export async function runPlan(ctx: CliContext, args: PlanArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  const format = formatOrThrow(args.format);
  const waitMs = waitOrThrow(args);
  const outFile = args.out === undefined ? undefined : await checkedOutFile(ctx.cwd, args.out);
  let plan: Plan;
  let desired: DesiredState;
  const gathered: { thumbnails?: ReportThumbnails } = {};
  const render = rendererLoading(PLAN_RENDERERS, format);
  try {
    // Strict mode is checked here, after the plan is shown, so a reader sees what could not be verified.
    // The HTML report shows thumbnails, fetched while the client is still signed in.
    const gather = format === 'html' ? (await import('../../report/thumbnails.js')).gatherInto(gathered, { parallelism, signal: ctx.signal }) : undefined;
    ({ plan, desired } = await planFromServer(
      {
        ...serverOptions(ctx, args, parallelism),
        config: args.config,
        ...environmentChoice(args, ctx.env),
        ...appSelection(args),
        strict: false,
        ...(waitMs === undefined
          ? {}
          : {
              waitForPublishing: {
                timeoutMs: waitMs,
                onWaiting: (versions: string[]) => ctx.stderr.write(`${terminalLine(`Waiting for ${versions.join(', ')} to finish publishing (up to ${args.timeout ?? DEFAULT_WAIT})...`)}\n`),
              },
            }),
      },
      gather,
    ));
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted while reading the server; nothing was saved.\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  }

  (await render)(plan, ctx.stdout, {
    color: format === 'human' && useColor(args, ctx.stdout, ctx.env),
    verbose: args.verbose === true,
    ...gathered,
  });

  if (plan.summary.conflict > 0) {
    const apps = plan.apps.filter((a) => a.action === 'conflict').map((a) => JSON.stringify(a.name));
    ctx.stderr.write(
      terminalLines([
        `Error: ${plural(apps.length, 'app')} cannot be planned until a person resolves ${apps.length === 1 ? 'its conflict' : 'their conflicts'}: ${apps.join(', ')}`,
        `  Each conflict above says what to do.${outFile ? ` The plan was not saved to ${outFile}.` : ''}`,
      ]) + '\n',
    );
    return EXIT_ERROR;
  }
  if (planIsWaiting(plan)) {
    // Not a person's conflict: time resolves it. Exit code 2, as for changes: the server is not as the config says yet.
    ctx.stderr.write(
      terminalLines([
        `Still publishing: ${awaitedVersions(plan).join(', ')}${waitMs === undefined ? '' : ` after waiting ${args.timeout ?? DEFAULT_WAIT}`}.`,
        `  ${plural(plan.summary.waiting ?? 0, 'app')} not planned yet. Not a conflict: plan again once READY${waitMs === undefined ? ', or use plan --wait' : ''}.`,
        ...(outFile ? [`  The plan was not saved to ${outFile}: it is not complete.`] : []),
      ]) + '\n',
    );
    return EXIT_CHANGES;
  }
  const refusal = strictMode(args, desired) ? strictModeError(planVerification(plan)) : null;
  if (refusal) {
    throw new P7appsError(refusal.message, { hint: `${outFile ? `The plan was not saved to ${outFile}. ` : ''}${refusal.hint ?? ''}` });
  }
  if (outFile) {
    refuseOutOverConfig(outFile, args.out as string, desired.configPath);
    await writeFileAtomically(outFile, redactedFileText(ctx, planDocumentText(plan)));
    ctx.stderr.write(`${terminalLine(`Saved the plan to ${outFile}. Apply exactly it with: p7apps apply ${shellWord(args.out as string)}`)}\n`);
  }
  return planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
}

const DEFAULT_WAIT = '15m';

/** --wait's deadline in milliseconds, or undefined without --wait; --timeout alone is a mistake worth saying. */
function waitOrThrow(args: PlanArgs): number | undefined {
  if (args.wait !== true) {
    if (args.timeout !== undefined) throw new UsageError('--timeout is the deadline of --wait: add --wait, or leave --timeout out');
    return undefined;
  }
  return durationOrThrow('--timeout', args.timeout ?? DEFAULT_WAIT, '90s, 15m or 1h, or milliseconds');
}

/** Checked here as well as by yargs' `choices`, so that a bad --format never reaches the server. */
function formatOrThrow(format: string): PlanFormat {
  if (!Object.hasOwn(PLAN_RENDERERS, format)) {
    throw new UsageError(`--format must be one of ${Object.keys(PLAN_RENDERERS).join(', ')} (got ${JSON.stringify(format)})`);
  }
  return format as PlanFormat;
}

/** --out resolved against the working directory, checked before the server is read: its folder must exist. */
async function checkedOutFile(cwd: string, given: string): Promise<string> {
  if (given.trim() === '') throw new UsageError('--out needs a file name');
  const file = path.resolve(cwd, given);
  const dir = path.dirname(file);
  const folder = await stat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--out ${given}: the folder ${dir} does not exist`);
  // Checked again as the plan is saved; said here before the server is read.
  const problem = await unreplaceable(file);
  if (problem !== undefined) throw new UsageError(`--out ${given}: ${file} ${problem}`);
  return file;
}

/** --out naming the config it plans from would replace the config with the plan. */
function refuseOutOverConfig(outFile: string, given: string, configPath: string): void {
  if (path.resolve(outFile) === path.resolve(configPath)) {
    throw new UsageError(`--out ${given}: ${outFile} is the config this plan was made from; name another file`);
  }
}
