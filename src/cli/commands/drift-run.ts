// What `p7apps drift` does once its arguments are parsed (./drift.ts declares
// them): read the server, compare, report, and append to the job summary.

import { plan as planFromServer } from '../../operations.js';
import { computeDrift, type DriftReport } from '../../plan/drift.js';
import { strictModeError } from '../../plan/verification.js';
import { renderToString } from '../../render/text.js';
import type { ReportThumbnails } from '../../render/types.js';
import type { CliContext } from '../context.js';
import { DRIFT_RENDERERS, rendererLoading } from '../renderers.js';
import { appendJobSummary } from '../output.js';
import { EXIT_CHANGES, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { appSelection, environmentChoice, parallelismOrThrow, serverOptions, strictMode, useColor } from '../options.js';
import type { DriftArgs, DriftFormat } from './drift.js';

export async function runDrift(ctx: CliContext, args: DriftArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  const format = args.format as DriftFormat;
  let report: DriftReport;
  let strict: boolean;
  const gathered: { thumbnails?: ReportThumbnails } = {};
  const render = rendererLoading(DRIFT_RENDERERS, format);
  try {
    // Strict mode is checked here, after the report is shown, so a reader sees what could not be verified.
    const { plan, desired } = await planFromServer(
      { ...serverOptions(ctx, args, parallelism), config: args.config, ...environmentChoice(args, ctx.env), ...appSelection(args), strict: false },
      format === 'html' ? (await import('../../report/thumbnails.js')).gatherInto(gathered, { parallelism, signal: ctx.signal }) : undefined,
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
  (await render)(report, ctx.stdout, options);

  await appendJobSummary(ctx, 'drift report', async () => {
    const markdown = await DRIFT_RENDERERS.markdown();
    return renderToString((out) => markdown(report, out, { color: false, verbose: false }));
  });
  const refusal = strict ? strictModeError(report.verification) : null;
  if (refusal) throw refusal;
  return report.drift ? EXIT_CHANGES : EXIT_OK;
}
