// `p7apps plan`: load the config, read the server, compute the plan, show it
// (human, JSON, Markdown or an HTML page), optionally save it for `p7apps apply FILE`.
// Wiring only: what to publish is decided in src/plan, how the server is read
// in src/observe, and the words are in src/render.
//
// Exit codes, like `terraform plan -detailed-exitcode`: 0 nothing to do,
// 2 changes present (or an app waits for a version still publishing: plan
// again), 1 an error or a conflict a person must resolve.

import type { Argv } from 'yargs';
import { withFormatOption, withReadingOptions, withTargetingOptions, type ConfigArgs, type OutputArgs, type ServerArgs, type StrictArgs, type TargetingArgs } from '../options.js';
import type { CommandFactory } from './index.js';

export const PLAN_FORMATS = ['human', 'json', 'markdown', 'html'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface PlanArgs extends ConfigArgs, ServerArgs, OutputArgs, TargetingArgs, StrictArgs {
  app?: string[];
  /** As typed (a number when not given): parallelismOrThrow reads it. */
  parallelism: number | string;
  verbose?: boolean;
  out?: string;
  wait?: boolean;
  timeout?: string;
}

export const planCommand: CommandFactory = (ctx) => ({
  command: 'plan',
  describe: 'Read the server and show which publishes would make it match the config, and why',
  builder: (yargs: Argv) =>
    withFormatOption(withTargetingOptions(withReadingOptions(yargs)), PLAN_FORMATS, 'human')
      .option('verbose', { type: 'boolean', describe: 'Also list unchanged apps and every note' })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe: 'Save the plan to FILE (JSON, no credentials) for "p7apps apply FILE"; not saved when it has conflicts',
      })
      .option('wait', {
        type: 'boolean',
        describe: 'When a version is still publishing, wait for it to be READY (or fail), up to --timeout, then plan',
      })
      .option('timeout', {
        type: 'string',
        requiresArg: true,
        describe: 'With --wait, how long to wait for versions still publishing (default 15m): 90s, 15m, 1h or milliseconds',
      })
      .example('$0 plan', 'Show what apply would publish and why; exit code 2 when there are changes')
      .example('$0 plan --out plan.json && $0 apply plan.json', 'Review a plan, then apply exactly it')
      .example('$0 plan --format markdown >> "$GITHUB_STEP_SUMMARY"', 'Show the plan in a GitHub Actions job summary')
      .example('$0 plan --format html > plan.html', 'One self-contained page with thumbnails side by side, to open in a browser')
      .example('$0 plan --wait --timeout 5m', 'Wait up to 5 minutes for versions still publishing, then plan')
      .epilogue('Exit codes: 0 no changes, 2 changes present (or a version still publishing: plan again), 1 error or conflict, 130 interrupted.'),
  handler: async (args) => {
    ctx.delayOptimisingCompiler?.();
    // Loaded when the command runs, so other commands (and --help) do not pay for reading a server.
    const { runPlan } = await import('./plan-run.js');
    ctx.exitCode = await runPlan(ctx, args as unknown as PlanArgs);
  },
});
