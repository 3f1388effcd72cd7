// `p7apps drift`: a read-only report of how the server differs from the
// config, for people (human), pull requests and job summaries (markdown),
// scripts (json) and CI dashboards (junit). Wiring only: the report is a view
// of the plan (src/plan/drift.ts), the words are in src/render.
//
// Exit codes: 0 in sync, 2 drift, 1 error.

import { appendFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { P7appsError } from '../../errors.js';
import { drift } from '../../operations.js';
import { renderDriftHuman } from '../../render/drift-human.js';
import { renderDriftJson } from '../../render/drift-json.js';
import { renderDriftJunit } from '../../render/drift-junit.js';
import { renderDriftMarkdown } from '../../render/drift-markdown.js';
import { renderToString } from '../../render/text.js';
import type { DriftRenderer } from '../../render/types.js';
import type { CliContext } from '../context.js';
import { EXIT_CHANGES, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import {
  parallelismOrThrow,
  serverOptions,
  useColor,
  withFormatOption,
  withReadingOptions,
  type ConfigArgs,
  type OutputArgs,
  type ServerArgs,
} from '../options.js';
import type { CommandFactory } from './index.js';

const RENDERERS = {
  human: renderDriftHuman,
  markdown: renderDriftMarkdown,
  json: renderDriftJson,
  junit: renderDriftJunit,
} satisfies Record<string, DriftRenderer>;

interface DriftArgs extends ConfigArgs, ServerArgs, OutputArgs {
  app?: string[];
  parallelism: number;
  verbose?: boolean;
  'fail-on-unmanaged'?: boolean;
}

export const driftCommand: CommandFactory = (ctx) => ({
  command: 'drift',
  describe: 'Report how the server differs from the config (read-only)',
  builder: (yargs: Argv) =>
    withFormatOption(withReadingOptions(yargs), Object.keys(RENDERERS), 'human')
      .option('fail-on-unmanaged', { type: 'boolean', describe: 'Count apps on the server that the config does not declare as drift' })
      .option('verbose', { type: 'boolean', describe: 'Also list apps in sync' })
      .example('$0 drift', 'Show what differs; exit code 2 when the server drifted')
      .example('$0 drift --format junit > drift.xml', 'A JUnit report for CI dashboards: one test case per app')
      .example('$0 drift --fail-on-unmanaged --format json', 'Machine-readable report; apps published by hand count as drift')
      .epilogue(
        'With GITHUB_STEP_SUMMARY set (GitHub Actions), the Markdown report is also appended to that file.\n' +
          'Exit codes: 0 in sync, 2 drift, 1 error, 130 interrupted.',
      ),
  handler: async (args) => {
    ctx.exitCode = await runDrift(ctx, args as unknown as DriftArgs);
  },
});

async function runDrift(ctx: CliContext, args: DriftArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  const format = args.format as keyof typeof RENDERERS;
  let report;
  try {
    report = await drift({
      ...serverOptions(ctx, args, parallelism),
      config: args.config,
      apps: args.app,
      failOnUnmanaged: args['fail-on-unmanaged'] === true,
    });
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted while reading the server.\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  }
  const options = { color: format === 'human' && useColor(args, ctx.stdout, ctx.env), verbose: args.verbose === true };
  RENDERERS[format](report, ctx.stdout, options);

  const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
  if (summaryFile !== undefined && summaryFile !== '') {
    const markdown = renderToString((out) => renderDriftMarkdown(report, out, { color: false, verbose: false }));
    try {
      await appendFile(summaryFile, `${markdown}\n`, 'utf8');
    } catch (err) {
      throw new P7appsError(`cannot append the drift report to GITHUB_STEP_SUMMARY (${summaryFile}): ${(err as Error).message}`, {
        hint: 'Unset GITHUB_STEP_SUMMARY outside GitHub Actions, or make the file writable.',
        cause: err,
      });
    }
  }
  return report.drift ? EXIT_CHANGES : EXIT_OK;
}
