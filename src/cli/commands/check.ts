// `p7apps check`: runs the checks the config declares against what the
// server publishes now (each app's default version, or --version), deletes
// every run it made, and reports per app (human, markdown, json, junit).
// Wiring only: the work is src/checks/, the words src/render/check-*.
//
// Exit codes: 0 every check passed, 1 a check failed or could not run, 130 interrupted.

import type { Argv } from 'yargs';
import { withFormatOption, withReadingOptions, withTargetingOptions, type ConfigArgs, type OutputArgs, type ServerArgs, type TargetingArgs } from '../options.js';
import type { CommandFactory } from './index.js';

export const CHECK_FORMATS = ['human', 'markdown', 'json', 'junit'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export interface CheckArgs extends ConfigArgs, ServerArgs, OutputArgs, TargetingArgs {
  /** As typed (a number when not given): parallelismOrThrow reads it. */
  parallelism: number | string;
  /** As typed (a number when not given). */
  parallel: number | string;
  /** As typed. */
  version?: string;
  verbose?: boolean;
}

export const checkCommand: CommandFactory = (ctx) => ({
  command: 'check',
  describe: "Run the config's checks against the published apps; every run made is deleted",
  builder: (yargs: Argv) =>
    withFormatOption(withTargetingOptions(withReadingOptions(yargs)), CHECK_FORMATS, 'human')
      // --version here is the app version to check, not p7apps' own (which `p7apps --version` still prints).
      .version(false)
      // Read as text, so that a value that is not a number is named as typed (a number would be NaN by then).
      .option('version', { type: 'string', describe: 'Check this version of each app instead of its default version', requiresArg: true })
      .option('parallel', { type: 'string', default: 4 as number | string, describe: 'How many apps are checked at once (1 to 100)', requiresArg: true })
      .option('verbose', { type: 'boolean', describe: 'Also list the checks that passed' })
      .example('$0 check', "Run every app's checks against its default version")
      .example('$0 check --app "Beam calculator" --version 2', 'Check version 2 of one app')
      .example('$0 check --format junit > checks.xml', 'A JUnit report for CI dashboards: one test case per check')
      .epilogue(
        'The report goes to stdout; progress goes before it (human) or to stderr (other formats). With GITHUB_STEP_SUMMARY set, the Markdown report is also appended to that file.\n' +
          'Exit codes: 0 every check passed, 1 a check failed or could not run (or an error), 130 interrupted.',
      ),
  handler: async (args) => {
    ctx.delayOptimisingCompiler?.();
    const { runCheckCommand } = await import('./check-run.js');
    ctx.exitCode = await runCheckCommand(ctx, args as unknown as CheckArgs);
  },
});
