// `p7apps plan`: load the config, read the server, compute the plan, show it
// (human, JSON or Markdown), optionally save it for `p7apps apply FILE`.
// Wiring only: what to publish is decided in src/plan, how the server is read
// in src/observe, and the words are in src/render.
//
// Exit codes, like `terraform plan -detailed-exitcode`: 0 nothing to do,
// 2 changes present, 1 an error or a conflict a person must resolve.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { writeFileAtomically } from '../../fs-atomic.js';
import { plan as planFromServer } from '../../operations.js';
import { plural } from '../../plan/describe.js';
import { planDocumentText } from '../../plan/document.js';
import { planHasChanges, type Plan } from '../../plan/types.js';
import { renderPlanHuman } from '../../render/plan-human.js';
import { renderPlanJson } from '../../render/plan-json.js';
import { renderPlanMarkdown } from '../../render/plan-markdown.js';
import type { PlanRenderer } from '../../render/types.js';
import type { CliContext } from '../context.js';
import { EXIT_CHANGES, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import {
  parallelismOrThrow,
  serverOptions,
  shellWord,
  useColor,
  withFormatOption,
  withReadingOptions,
  type ConfigArgs,
  type OutputArgs,
  type ServerArgs,
} from '../options.js';
import type { CommandFactory } from './index.js';

const RENDERERS = { human: renderPlanHuman, json: renderPlanJson, markdown: renderPlanMarkdown } satisfies Record<string, PlanRenderer>;
type Format = keyof typeof RENDERERS;

interface PlanArgs extends ConfigArgs, ServerArgs, OutputArgs {
  app?: string[];
  parallelism: number;
  verbose?: boolean;
  out?: string;
}

export const planCommand: CommandFactory = (ctx) => ({
  command: 'plan',
  describe: 'Read the server and show which publishes would make it match the config, and why',
  builder: (yargs: Argv) =>
    withFormatOption(withReadingOptions(yargs), Object.keys(RENDERERS), 'human')
      .option('verbose', { type: 'boolean', describe: 'Also list unchanged apps and every note' })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe: 'Save the plan to FILE (JSON, no credentials) for "p7apps apply FILE"; not saved when it has conflicts',
      })
      .example('$0 plan', 'Show what apply would publish and why; exit code 2 when there are changes')
      .example('$0 plan --out plan.json && $0 apply plan.json', 'Review a plan, then apply exactly it')
      .example('$0 plan --format markdown >> "$GITHUB_STEP_SUMMARY"', 'Show the plan in a GitHub Actions job summary')
      .epilogue('Exit codes: 0 no changes, 2 changes present, 1 error or conflict, 130 interrupted.'),
  handler: async (args) => {
    ctx.exitCode = await runPlan(ctx, args as unknown as PlanArgs);
  },
});

async function runPlan(ctx: CliContext, args: PlanArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  const format = formatOrThrow(args.format);
  const outFile = args.out === undefined ? undefined : await checkedOutFile(ctx.cwd, args.out);
  let plan: Plan;
  try {
    ({ plan } = await planFromServer({
      ...serverOptions(ctx, args, parallelism),
      config: args.config,
      apps: args.app,
    }));
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted while reading the server; nothing was saved.\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  }

  RENDERERS[format](plan, ctx.stdout, { color: format === 'human' && useColor(args, ctx.stdout, ctx.env), verbose: args.verbose === true });

  if (plan.summary.conflict > 0) {
    const apps = plan.apps.filter((a) => a.action === 'conflict').map((a) => JSON.stringify(a.name));
    ctx.stderr.write(
      `Error: ${plural(apps.length, 'app')} cannot be planned until a person resolves ${apps.length === 1 ? 'its conflict' : 'their conflicts'}: ${apps.join(', ')}\n` +
        `  Each conflict above says what to do.${outFile ? ` The plan was not saved to ${outFile}.` : ''}\n`,
    );
    return EXIT_ERROR;
  }
  if (outFile) {
    await writeFileAtomically(outFile, planDocumentText(plan));
    ctx.stderr.write(`Saved the plan to ${outFile}. Apply exactly it with: p7apps apply ${shellWord(args.out as string)}\n`);
  }
  return planHasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
}

/** Checked here as well as by yargs' `choices`, so that a bad --format never reaches the server. */
function formatOrThrow(format: string): Format {
  if (!Object.hasOwn(RENDERERS, format)) {
    throw new UsageError(`--format must be one of ${Object.keys(RENDERERS).join(', ')} (got ${JSON.stringify(format)})`);
  }
  return format as Format;
}

/** --out resolved against the working directory, checked before the server is read: its folder must exist. */
async function checkedOutFile(cwd: string, given: string): Promise<string> {
  if (given.trim() === '') throw new UsageError('--out needs a file name');
  const file = path.resolve(cwd, given);
  const dir = path.dirname(file);
  const folder = await stat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--out ${given}: the folder ${dir} does not exist`);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`--out ${given}: ${file} is a folder; name a file`);
  return file;
}
