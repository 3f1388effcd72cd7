// `p7apps show PLAN`: renders a plan saved by `p7apps plan --out FILE`, in
// the same formats and words as `plan`, without reading the server or the
// config: what a reviewer sees is exactly what `apply FILE` will carry out.

import type { Argv } from 'yargs';
import { planHasChanges, planHasConflicts, planIsWaiting } from '../../plan/types.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_OK } from '../exit-codes.js';
import { useColor, withFormatOption } from '../options.js';
import { PLAN_RENDERERS } from '../renderers.js';
import type { CommandFactory } from './index.js';
import { PLAN_FORMATS, type PlanFormat } from './plan.js';


interface ShowArgs {
  plan: string;
  format: PlanFormat;
  verbose?: boolean;
  color?: boolean;
}

export const showCommand: CommandFactory = (ctx) => ({
  command: 'show <plan>',
  describe: 'Show a saved plan (p7apps plan --out FILE) as plan would, without reading the server',
  builder: (yargs: Argv) =>
    withFormatOption(yargs, PLAN_FORMATS, 'human')
      .positional('plan', { type: 'string', describe: 'A plan saved by "p7apps plan --out FILE"' })
      .option('verbose', { type: 'boolean', describe: 'Also list unchanged apps and every note' })
      .usage('$0 show <plan> [--format human|json|markdown]\n\nShow a saved plan, exactly as "p7apps apply PLAN" would carry it out. Reads neither the server nor the config.')
      .example('$0 show plan.json', 'Review a plan saved by "p7apps plan --out plan.json"')
      .example('$0 show plan.json --format markdown', 'The same plan for a pull-request comment')
      .epilogue('Exit codes: 0 no changes, 2 changes present, 1 the plan cannot be read or has conflicts.'),
  handler: async (args) => {
    const shown = args as unknown as ShowArgs;
    // Imported here, not above: reading a saved plan loads zod, which no other command needs at start-up.
    const { readSavedPlan } = await import('../saved-plan-file.js');
    const { plan } = await readSavedPlan(ctx.cwd, shown.plan);
    // html: without thumbnails, which a saved plan does not hold.
    const render = await PLAN_RENDERERS[shown.format]();
    render(plan, ctx.stdout, { color: shown.format === 'human' && useColor(shown, ctx.stdout, ctx.env), verbose: shown.verbose === true });
    ctx.exitCode = planHasConflicts(plan) ? EXIT_ERROR : planHasChanges(plan) || planIsWaiting(plan) ? EXIT_CHANGES : EXIT_OK;
  },
});
