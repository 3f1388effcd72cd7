// `p7apps drift`: a read-only report of how the server differs from the
// config, for people (human), pull requests and job summaries (markdown),
// scripts (json), CI dashboards (junit) and browsers (html). Wiring only: the report is a view
// of the plan (src/plan/drift.ts), the words are in src/render.
//
// Exit codes: 0 in sync, 2 drift, 1 error.

import type { Argv } from 'yargs';
import { withFormatOption, withReadingOptions, withTargetingOptions, type ConfigArgs, type OutputArgs, type ServerArgs, type StrictArgs, type TargetingArgs } from '../options.js';
import type { CommandFactory } from './index.js';

export const DRIFT_FORMATS = ['human', 'markdown', 'json', 'junit', 'html'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

export interface DriftArgs extends ConfigArgs, ServerArgs, OutputArgs, TargetingArgs, StrictArgs {
  app?: string[];
  /** As typed (a number when not given): parallelismOrThrow reads it. */
  parallelism: number | string;
  verbose?: boolean;
  'fail-on-unmanaged'?: boolean;
}

export const driftCommand: CommandFactory = (ctx) => ({
  command: 'drift',
  describe: 'Report how the server differs from the config (read-only)',
  builder: (yargs: Argv) =>
    withFormatOption(withTargetingOptions(withReadingOptions(yargs)), DRIFT_FORMATS, 'human')
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
    ctx.delayOptimisingCompiler?.();
    // Loaded when the command runs, so other commands (and --help) do not pay for reading a server.
    const { runDrift } = await import('./drift-run.js');
    ctx.exitCode = await runDrift(ctx, args as unknown as DriftArgs);
  },
});
