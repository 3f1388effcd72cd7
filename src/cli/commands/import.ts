// `p7apps import`: adopt an existing AppsHub catalog. Reads the server and
// writes a config that reproduces it, with APP.md files and thumbnails
// beside it, all or nothing. Wiring only: reading is src/import/read.ts,
// every decision about what the config holds is src/import/files.ts, and
// writing is src/import/write.ts.

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import { displayPath } from '../../config/files.js';
import { SEARCH_PLACES } from '../../config/find.js';
import type { ImportFiles } from '../../import/files.js';
import { plural } from '../../plan/describe.js';
import { terminalLine, terminalLines } from '../../render/text.js';
import type { CliContext } from '../context.js';
import { EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js';
import { parallelismOrThrow, serverOptions, shellWord, withAppFilterOption, withParallelismOption, withServerOptions, type ServerArgs } from '../options.js';
import type { CommandFactory } from './index.js';

interface ImportArgs extends ServerArgs {
  app?: string[];
  workspace?: string[];
  out?: string;
  format?: string;
  force?: boolean;
  /** As typed (a number when not given): parallelismOrThrow reads it. */
  parallelism: number | string;
}

export const importCommand: CommandFactory = (ctx) => ({
  command: 'import',
  describe: 'Read the server and write a config that reproduces its apps (adopt an existing catalog)',
  builder: (yargs: Argv) =>
    withAppFilterOption(withParallelismOption(withServerOptions(yargs)))
      .usage(
        '$0 import [options]\n\n' +
          'Read the apps on the server and write a config that reproduces them: workspaces, versions and the workflow each was ' +
          'published from, the default version, copy permission, descriptions (long ones into apps/<app>/APP.md) and thumbnails ' +
          '(into apps/<app>/). What the server does not report is left out, so it stays unmanaged. ' +
          'Never overwrites a file without --force; writes every file or none.\n\n' +
          'Exit codes: 0 imported, 1 error (nothing written).',
      )
      .option('workspace', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'Limit to the apps in this workspace, by name or id (repeatable)',
      })
      .option('out', {
        type: 'string',
        requiresArg: true,
        describe: 'The config file to write, its folder created if missing; the folder receives apps/ (default: p7apps.config.ts, .yaml or .json by --format)',
      })
      .option('format', {
        type: 'string',
        choices: ['ts', 'yaml', 'json'],
        requiresArg: true,
        describe: 'Config format (default: from the --out extension: .ts/.mts -> ts, .yaml/.yml -> yaml, .json -> json)',
      })
      .option('force', { type: 'boolean', describe: 'Overwrite existing files (never folders)' })
      .epilogue('')
      .example('$0 import && $0 plan', 'Adopt every app into ./p7apps.config.ts and ./apps/; plan then reports no changes')
      .example('$0 import --workspace "Toy apps" --format yaml', 'Adopt the apps of one workspace into ./p7apps.config.yaml')
      .example('$0 import --app "Beam calculator" --force', 'Import one app again, replacing the files written before'),
  handler: async (args) => {
    ctx.delayOptimisingCompiler?.();
    ctx.exitCode = await runImport(ctx, args as unknown as ImportArgs);
  },
});

async function runImport(ctx: CliContext, args: ImportArgs): Promise<number> {
  const parallelism = parallelismOrThrow(args.parallelism);
  // Checked before the server is read: a typo in --out should not cost a catalog read.
  // Loaded here, not at start-up: every other command would pay for it.
  const [{ importCatalog, resolveImportOutput, writeImport }, { describeCounts }] = await Promise.all([
    import('../../import/index.js'),
    import('../../import/files.js'),
  ]);
  const { outFile, format } = await resolveImportOutput({ out: args.out, format: args.format, cwd: ctx.cwd });
  let files: ImportFiles;
  try {
    files = await importCatalog({
      ...serverOptions(ctx, args, parallelism),
      out: outFile,
      format,
      apps: args.app,
      workspaces: args.workspace,
    });
  } catch (err) {
    if (ctx.signal.aborted) {
      ctx.stderr.write('Interrupted while reading the server; nothing was written.\n');
      return EXIT_INTERRUPTED;
    }
    throw err;
  }

  for (const warning of files.warnings) ctx.stderr.write(`${terminalLine(`Warning: app ${JSON.stringify(warning.app)}: ${warning.message}`)}\n`);
  const result = await writeImport(files, { force: args.force === true, cwd: ctx.cwd });

  const shown = displayPath(outFile, ctx.cwd);
  const counts = describeCounts(files.summary);
  const lines = [`Imported ${counts.apps} (${counts.versions}) from ${files.serverUrl} into ${shown}, ${counts.descriptionFiles}, ${counts.thumbnails}.`];
  if (result.overwritten.length > 0) lines.push(`Replaced ${plural(result.overwritten.length, 'existing file')} (--force).`);
  if (files.summary.skippedApps > 0) {
    lines.push(`${plural(files.summary.skippedApps, 'app')} could not be imported (see the warnings above); they stay unmanaged.`);
  }
  const plan = `p7apps plan${(await foundBySearch(outFile, ctx.cwd)) ? '' : ` --config ${shellWord(shown)}`}`;
  const changes = files.warnings.some((w) => w.kind === 'plan-will-change');
  lines.push(`Run ${plan}: it should report no changes${changes ? ' other than those the warnings above name' : ''}.`);
  const committed = files.files.length > 1 ? `${shown} and ${displayPath(path.join(path.dirname(outFile), 'apps'), ctx.cwd)}/` : shown;
  lines.push(`Then commit ${committed} to git.`);
  ctx.stdout.write(`${terminalLines(lines)}\n`);
  return EXIT_OK;
}

/** Whether a plain `p7apps plan` here finds this config, and only it. */
async function foundBySearch(outFile: string, cwd: string): Promise<boolean> {
  if (path.dirname(outFile) !== path.resolve(cwd)) return false;
  const places = new Set<string>(SEARCH_PLACES.filter((place) => place !== 'package.json'));
  if (!places.has(path.basename(outFile))) return false;
  const present = (await readdir(cwd).catch(() => [] as string[])).filter((name) => places.has(name));
  return present.length === 1;
}
