// What `p7apps check` does once its arguments are parsed (./check.ts declares
// them): the library's check() (src/operations.ts) with the progress shown,
// then the report, and the job summary.
// Ctrl-C stops starting checks; the runs already made are still deleted,
// within the time the process guard (../signals.ts) allows after a signal.

import { fanOut } from '../../apply/events.js';
import { catalogPassed, type CheckCatalogReport } from '../../checks/catalog.js';
import { check } from '../../operations.js';
import { renderCheckHuman } from '../../render/check-human.js';
import { renderCheckJson } from '../../render/check-json.js';
import { renderCheckJunit } from '../../render/check-junit.js';
import { renderCheckMarkdown } from '../../render/check-markdown.js';
import { progressLines } from '../../render/progress-lines.js';
import { renderToString } from '../../render/text.js';
import type { CheckRenderer } from '../../render/types.js';
import type { CliContext } from '../context.js';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { appendJobSummary } from '../output.js';
import { appSelection, environmentChoice, parallelismOrThrow, serverOptions, useColor, wholeNumberOrThrow } from '../options.js';
import { CLEANUP_AFTER_STOP_MS } from '../signals.js';
import type { CheckArgs, CheckFormat } from './check.js';

const RENDERERS = {
  human: renderCheckHuman,
  markdown: renderCheckMarkdown,
  json: renderCheckJson,
  junit: renderCheckJunit,
} satisfies Record<CheckFormat, CheckRenderer>;

export async function runCheckCommand(ctx: CliContext, args: CheckArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  const parallel = wholeNumberOrThrow('--parallel', args.parallel, 1, 100, 'a whole number from 1 to 100');
  const version = args.version === undefined ? undefined : wholeNumberOrThrow('--version', args.version, 1, Number.MAX_SAFE_INTEGER, 'a version number, 1 or more');
  const format = args.format as CheckFormat;
  // Progress before a human report on stdout, as apply does; beside a machine-readable report, on stderr.
  const progress = progressLines(format === 'human' ? ctx.stdout : ctx.stderr);
  let report: CheckCatalogReport;
  try {
    report = await check({
      ...serverOptions(ctx, args, parallelism),
      config: args.config,
      ...environmentChoice(args, ctx.env),
      ...appSelection(args),
      parallel,
      ...(version !== undefined ? { version } : {}),
      hooks: fanOut(progress),
      interruptedCleanupMs: CLEANUP_AFTER_STOP_MS,
    });
  } catch (err) {
    // Interrupted checks end in a report; an interruption before any check started (loading the config,
    // connecting, reading the server) throws.
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted before any check was started; nothing was run on the server.\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  }
  const options = { color: format === 'human' && useColor(args, ctx.stdout, ctx.env), verbose: args.verbose === true };
  RENDERERS[format](report, ctx.stdout, options);

  await appendJobSummary(ctx, 'check report', () => renderToString((out) => renderCheckMarkdown(report, out, { color: false, verbose: false })));
  if (report.interrupted) return EXIT_INTERRUPTED;
  return catalogPassed(report) ? EXIT_OK : EXIT_ERROR;
}
