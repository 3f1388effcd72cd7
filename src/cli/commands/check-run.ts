// What `p7apps check` does once its arguments are parsed (./check.ts declares
// them): read the apps, run their checks, report, append to the job summary.
// Ctrl-C stops starting checks; the runs already made are still deleted,
// within the time the process guard (../signals.ts) allows after a signal.

import { fanOut } from '../../apply/events.js';
import { catalogPassed, checkTargets, runCatalogChecks, type CheckCatalogReport } from '../../checks/catalog.js';
import { DEFAULT_CLEANUP_TIMEOUT_MS } from '../../checks/run.js';
import { UsageError } from '../../errors.js';
import { loadDesiredState, openServer } from '../../operations.js';
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
import { appSelection, parallelismOrThrow, serverOptions, useColor } from '../options.js';
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
  const parallel = args.parallel;
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 100) throw new UsageError(`--parallel must be a whole number from 1 to 100 (got ${String(parallel)})`);
  if (args.version !== undefined && (!Number.isInteger(args.version) || args.version < 1)) {
    throw new UsageError(`--version must be a version number, 1 or more (got ${String(args.version)})`);
  }
  const format = args.format as CheckFormat;
  const desired = await loadDesiredState({ config: args.config, cwd: ctx.cwd, signal: ctx.signal, ...appSelection(args) });
  const api = await openServer({ ...serverOptions(ctx, args, parallelism), configServerUrl: desired.serverUrl });
  let report: CheckCatalogReport;
  try {
    let apps;
    try {
      apps = await api.listApps(ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) {
        ctx.stderr.write('Interrupted while reading the server; no check was started.\n');
        return EXIT_INTERRUPTED;
      }
      throw err;
    }
    const targets = checkTargets(desired, apps, args.version);
    // Progress before a human report on stdout, as apply does; beside a machine-readable report, on stderr.
    const progress = progressLines(format === 'human' ? ctx.stdout : ctx.stderr);
    report = await runCatalogChecks(api, targets, {
      parallelism: parallel,
      signal: ctx.signal,
      hooks: fanOut(progress),
      serverUrl: api.serverUrl,
      configPath: desired.configPath,
      ...(args.version !== undefined ? { version: args.version } : {}),
      runOptions: { cleanupTimeoutMs: DEFAULT_CLEANUP_TIMEOUT_MS, interruptedCleanupMs: CLEANUP_AFTER_STOP_MS },
    });
  } finally {
    await api.close();
  }
  const options = { color: format === 'human' && useColor(args, ctx.stdout, ctx.env), verbose: args.verbose === true };
  RENDERERS[format](report, ctx.stdout, options);

  await appendJobSummary(ctx, 'check report', () => renderToString((out) => renderCheckMarkdown(report, out, { color: false, verbose: false })));
  if (report.interrupted) return EXIT_INTERRUPTED;
  return catalogPassed(report) ? EXIT_OK : EXIT_ERROR;
}
