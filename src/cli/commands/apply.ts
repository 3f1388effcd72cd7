// `p7apps apply [PLAN]`: plan afresh (or take a saved plan), confirm, publish
// through the executor while one of three listeners shows progress, then read
// the server again and say whether it converged. Wiring only: the decisions
// live in src/plan (what to publish), src/apply (how) and src/render (words).

import type { Argv } from 'yargs';
import { withFormatOption, withReadingOptions, withTargetingOptions, type ConfigArgs, type OutputArgs, type ServerArgs, type StrictArgs, type TargetingArgs } from '../options.js';
import type { CommandFactory } from './index.js';

export interface ApplyArgs extends ConfigArgs, ServerArgs, OutputArgs, TargetingArgs, StrictArgs {
  plan?: string;
  'expect-plan'?: string;
  'auto-approve'?: boolean;
  force?: boolean;
  /** One name, or several when the flag is repeated. */
  'allow-protected'?: string | string[];
  /** As typed (a number when not given): parallelismOrThrow reads it. */
  parallelism: number | string;
  timeout: string;
  'late-commit-window': string;
  grace?: string;
  app?: string[];
}

export const applyCommand: CommandFactory = (ctx) => ({
  command: 'apply [plan]',
  describe: 'Publish what the plan says, wait until each version is READY, check the server then matches the config',
  builder: (yargs: Argv) =>
    withFormatOption(withTargetingOptions(withReadingOptions(yargs)), ['human', 'json'], 'human')
      .positional('plan', {
        type: 'string',
        describe: 'A plan saved by "p7apps plan --out FILE": applied as it stands, without asking, to apps unchanged since',
      })
      .option('expect-plan', {
        type: 'string',
        requiresArg: true,
        describe: 'A plan reviewed earlier (p7apps plan --out FILE): plan afresh, and refuse unless the fresh plan publishes the same versions, the same way, in the same order, on the same server',
      })
      .option('auto-approve', { type: 'boolean', describe: 'Apply without asking for confirmation (needed when not on a terminal)' })
      .option('force', { type: 'boolean', describe: 'Apply even a plan that puts new revisions on a large share of existing apps' })
      .option('allow-protected', {
        type: 'string',
        requiresArg: true,
        describe: 'Let the plan change this app although the config marks it protect: true (repeatable)',
      })
      .option('timeout', {
        type: 'string',
        default: '15m',
        describe: 'How long each publish may take, from its first send to READY (a request still on the wire then gets --grace): 90s, 15m, 1h or milliseconds',
        requiresArg: true,
      })
      .option('grace', {
        type: 'string',
        describe: 'After --timeout or Ctrl-C, how long a publish already sent may still be answered before it is abandoned and reported as maybe committed (default 5s, at most 8s)',
        requiresArg: true,
      })
      .option('late-commit-window', {
        type: 'string',
        default: '120s',
        describe:
          'After a publish whose answer was lost (a gateway timeout), how long the app must stay unchanged before the publish is sent again; longer than your gateway\'s timeout',
        requiresArg: true,
      })
      .example('$0 apply', 'Plan, show the changes, ask, then publish and wait for READY')
      .example('$0 plan --out plan.json && $0 apply plan.json', 'Apply exactly a reviewed plan; apps changed on the server since are refused')
      .example('$0 apply --auto-approve --expect-plan plan.json', 'Plan afresh; apply only if it publishes what the reviewed plan.json did (in CI: the plan saved on the pull request)')
      .example('$0 apply --auto-approve --format json > out.jsonl', 'Unattended, in CI (P7APPS_URL and P7APPS_TOKEN from its secrets): one JSON event per line'),
  handler: async (args) => {
    // Loaded when the command runs, so other commands (and --help) do not pay for publishing.
    const { runApply } = await import('./apply-run.js');
    ctx.exitCode = await runApply(ctx, args as unknown as ApplyArgs);
  },
});
