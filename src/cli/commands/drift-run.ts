// What `p7apps drift` does once its arguments are parsed (./drift.ts declares
// them): read the server, compare, report, and append to the job summary.

import { appendFile } from 'node:fs/promises';
import { P7appsError } from '../../errors.js';
import { plan as planFromServer } from '../../operations.js';
import { computeDrift, type DriftReport } from '../../plan/drift.js';
import { strictModeError } from '../../plan/verification.js';
import { renderDriftHtml } from '../../render/drift-html.js';
import { renderDriftHuman } from '../../render/drift-human.js';
import { renderDriftJson } from '../../render/drift-json.js';
import { renderDriftJunit } from '../../render/drift-junit.js';
import { renderDriftMarkdown } from '../../render/drift-markdown.js';
import { renderToString } from '../../render/text.js';
import type { DriftRenderer, ReportThumbnails } from '../../render/types.js';
import { gatherInto } from '../../report/thumbnails.js';
import type { CliContext } from '../context.js';
import { redactedFileText } from '../output.js';
import { EXIT_CHANGES, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { appSelection, parallelismOrThrow, serverOptions, strictMode, useColor } from '../options.js';
import type { DriftArgs, DriftFormat } from './drift.js';

const RENDERERS = {
  human: renderDriftHuman,
  markdown: renderDriftMarkdown,
  json: renderDriftJson,
  junit: renderDriftJunit,
  html: renderDriftHtml,
} satisfies Record<DriftFormat, DriftRenderer>;

export async function runDrift(ctx: CliContext, args: DriftArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  const format = args.format as DriftFormat;
  let report: DriftReport;
  let strict: boolean;
  const gathered: { thumbnails?: ReportThumbnails } = {};
  try {
    // Strict mode is checked here, after the report is shown, so a reader sees what could not be verified.
    const { plan, desired } = await planFromServer(
      { ...serverOptions(ctx, args, parallelism), config: args.config, ...appSelection(args), strict: false },
      format === 'html' ? gatherInto(gathered, { parallelism, signal: ctx.signal }) : undefined,
    );
    report = computeDrift(plan, { failOnUnmanaged: args['fail-on-unmanaged'] === true });
    strict = strictMode(args, desired);
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted while reading the server.\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  }
  const options = { color: format === 'human' && useColor(args, ctx.stdout, ctx.env), verbose: args.verbose === true, ...gathered };
  RENDERERS[format](report, ctx.stdout, options);

  const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
  if (summaryFile !== undefined && summaryFile !== '') {
    const markdown = renderToString((out) => renderDriftMarkdown(report, out, { color: false, verbose: false }));
    try {
      await appendFile(summaryFile, `${redactedFileText(ctx, markdown)}\n`, 'utf8');
    } catch (err) {
      throw new P7appsError(`cannot append the drift report to GITHUB_STEP_SUMMARY (${summaryFile}): ${(err as Error).message}`, {
        hint: 'Unset GITHUB_STEP_SUMMARY outside GitHub Actions, or make the file writable.',
        cause: err,
      });
    }
  }
  const refusal = strict ? strictModeError(report.verification) : null;
  if (refusal) throw refusal;
  return report.drift ? EXIT_CHANGES : EXIT_OK;
}
