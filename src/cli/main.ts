// The command line: yargs parsing and wiring only. Each command lives in
// ./commands/ and does its work through the library modules; this file maps
// errors to exit codes and keeps stack traces away from users.

import { setMaxListeners } from 'node:events';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { P7appsError } from '../errors.js';
import type { CliContext } from './context.js';
import { commands } from './commands/index.js';
import { errorText, redactedStream, usageErrorText } from './output.js';
import { Redactor } from '../redact.js';
import { liveConfigWorkers } from '../config/sandbox.js';
import { ConfigError } from '../config/errors.js';
import { displayPath } from '../config/files.js';
import { directoriesUp } from '../config/search-places.js';
import { isSpecialFile, NOT_A_REGULAR_FILE } from '../fs-read.js';
import { guardProcess, type ProcessGuard } from './signals.js';

export { EXIT_CHANGES, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
/** For bin/p7apps.js, which ends the process once main() has returned. */
export { endProcess } from './process-exit.js';
/** For bin/p7apps.js, which hands it to main() as its own process's (./v8-tiering.ts). */
export { delayOptimisingCompiler } from './v8-tiering.js';
import { EXIT_ERROR, EXIT_INTERRUPTED } from './exit-codes.js';
import { stopWorkflowCommands } from './workflow-commands.js';

/**
 * p7apps' own version, from its package.json: two folders up from this
 * module in dist/cli/, dist/bundle/ and src/cli/ alike. Not yargs' guess,
 * which looks above the node_modules holding yargs: in a project that
 * installs p7apps, that is the project's own package.json.
 */
function ownVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name === 'p7apps' && typeof manifest.version === 'string') return manifest.version;
  } catch {
    // Reported below as unknown rather than failing every command.
  }
  return 'unknown';
}

export function formatError(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  return errorText(err, env);
}

/** The command named on the command line, for messages about the process as a whole. */
function commandName(argv: string[]): string {
  const name = argv.find((arg) => !arg.startsWith('-'));
  return name === undefined ? 'the command' : `"${name.slice(0, 40)}"`;
}

export async function main(argv: string[], partial: Partial<CliContext> = {}): Promise<number> {
  const controller = new AbortController();
  // Every request and wait in flight listens to this signal (up to --parallelism, at most 100, each), which
  // is no leak: without this Node prints a MaxListenersExceededWarning on any apply of more than ten apps.
  setMaxListeners(1000, controller.signal);
  // A caller passing its own signal owns the process: no process-level handlers then.
  const guard = partial.signal
    ? undefined
    : guardProcess({
        command: commandName(argv),
        stderr: partial.stderr ?? process.stderr,
        onStop: (name) => controller.abort(new Error(`interrupted by ${name}`)),
        exitMayHang: () => liveConfigWorkers() > 0,
      });
  // In a GitHub Actions log, server text p7apps prints must not be read as workflow commands (./workflow-commands.ts).
  const stopped = stopWorkflowCommands(partial.stderr ?? process.stderr, partial.env ?? process.env);
  try {
    const code = await run(argv, partial, controller, guard);
    return guard ? guard.exitCode(code) : code;
  } finally {
    guard?.dispose();
    await stopped?.resume(partial.stdout ?? process.stdout);
  }
}

async function run(argv: string[], partial: Partial<CliContext>, controller: AbortController, guard: ProcessGuard | undefined): Promise<number> {
  const env = partial.env ?? process.env;
  const secrets = partial.secrets ?? Redactor.fromEnv(env);
  const ctx: CliContext = {
    stdout: redactedStream(partial.stdout ?? process.stdout, secrets),
    stderr: redactedStream(partial.stderr ?? process.stderr, secrets),
    stdin: partial.stdin ?? process.stdin,
    env,
    cwd: partial.cwd ?? process.cwd(),
    exitCode: 0,
    signal: partial.signal ?? controller.signal,
    secrets,
    ...(guard ? { announceSignals: (say: ((text: string) => void) | undefined) => guard.announceTo(say) } : {}),
    ...(partial.delayOptimisingCompiler ? { delayOptimisingCompiler: partial.delayOptimisingCompiler } : {}),
  };

  // Before yargs starts and reads it with a read that a FIFO would block for ever.
  const manifest = packageJsonYargsReads();
  if (manifest !== undefined && isSpecialFile(manifest)) {
    const message = `this is ${NOT_A_REGULAR_FILE}, and p7apps reads it as it starts; make it a regular file or remove it`;
    ctx.stderr.write(formatError(new ConfigError([{ file: displayPath(manifest, ctx.cwd), path: '', message }]), ctx.env));
    return EXIT_ERROR;
  }

  let failed: unknown;
  const parser = yargs(argv)
    .scriptName('p7apps')
    .usage('$0 <command> [options]\n\nReconcile pSeven Enterprise AppsHub apps with the catalog you keep in git.')
    .strict()
    .demandCommand(1, 'Name a command (validate, plan, show, apply, drift, import, doctor, emulator, completion).')
    .recommendCommands()
    // yargs answers --get-yargs-completions; the `completion` command that
    // prints the scripts is ours (commands/completion.ts), so this one is hidden.
    .completion('yargs-completion-script', false)
    .help()
    .alias('h', 'help')
    .version(ownVersion())
    .wrap(helpWidth(process.stdout.columns))
    .epilogue(
      'Exit codes: 0 no changes (or success), 2 changes present or drift (plan, drift) or limits (doctor), 1 error or conflict, 130 interrupted (143 after SIGTERM).\n' +
        'Credentials come from the environment only: P7APPS_TOKEN (or DA__P7__REST_AUTHTOKEN), or P7APPS_USERNAME + P7APPS_PASSWORD.',
    )
    .fail((msg, err) => {
      // Throwing stops yargs before any handler runs: a usage error must
      // never let `apply --auto-approve --typo` reach the server.
      // yargs' own parse errors (YError, e.g. a flag given without its value)
      // are usage errors too, not bugs of ours.
      if (!err || err.name === 'YError') throw new UsageErrorFromYargs(usageMessage(msg ?? err?.message ?? 'invalid usage'));
      throw err;
    })
    .exitProcess(false);

  for (const make of commands) parser.command(make(ctx));
  skipHelpRendering(parser);

  let helpText = '';
  try {
    await parser.parseAsync(argv, {}, (err, _argv, output) => {
      if (err && !failed) failed = err;
      helpText = output;
    });
  } catch (err) {
    failed ??= err;
  }
  if (helpText) ctx.stdout.write(helpText.endsWith('\n') ? helpText : `${helpText}\n`);
  if (failed) {
    if (failed instanceof UsageErrorFromYargs) {
      ctx.stderr.write(usageErrorText(failed.message));
    } else {
      ctx.stderr.write(formatError(failed, ctx.env));
    }
    // A failure after Ctrl-C or SIGTERM (a config load stopped, say) is the interruption, not a problem to fix.
    return controller.signal.aborted ? EXIT_INTERRUPTED : EXIT_ERROR;
  }
  // A command that ended well after Ctrl-C or SIGTERM was still stopped: it said so ("SIGTERM received"), and
  // a caller must not take it for a finished run (`validate` whose config loaded as the signal came exited 0).
  // Only a command that runs until it is stopped (the emulator) ends well by a signal.
  if (controller.signal.aborted && ctx.endsBySignal !== true) return EXIT_INTERRUPTED;
  return ctx.exitCode;
}

class UsageErrorFromYargs extends P7appsError {}

/**
 * The package.json yargs reads whenever it starts (to guess a version,
 * which p7apps then sets itself): the first one up from the folder that
 * holds the node_modules p7apps runs from, or, when it runs from none (a
 * checkout), up from the working directory, as yargs' own lookup goes.
 */
export function packageJsonYargsReads(moduleFile: string = fileURLToPath(import.meta.url), cwd: string = process.cwd()): string | undefined {
  const inNodeModules = moduleFile.lastIndexOf('node_modules');
  const start = path.resolve(inNodeModules >= 0 ? moduleFile.slice(0, inNodeModules) : cwd);
  return directoriesUp(start)
    .map((dir) => path.join(dir, 'package.json'))
    .find((file) => {
      try {
        lstatSync(file);
        return true;
      } catch {
        return false; // Not here: the folder above.
      }
    });
}

/**
 * yargs lays out a command's whole help text every time the command runs
 * (to have it at hand should the command fail), in the same tick as the
 * handler's start: about a fifth of the CPU of a `validate`, on the way to
 * the first request. p7apps never prints help for a failed command (its
 * fail() handler throws), and `--help` lays the text out when asked, so the
 * eager copy is skipped. An internal of yargs: left alone if it is not there.
 */
function skipHelpRendering(parser: unknown): void {
  const usage = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

/** yargs' wording, made to name the flag as a user types it. */
export function usageMessage(message: string): string {
  const missing = /^Not enough arguments following: (\S+)$/.exec(message);
  if (missing) return `--${missing[1]} needs a value`;
  return message;
}

/** The width help is laid out for: wide enough that no example command is broken in two (yargs gives examples half of it). */
export const HELP_WIDTH = 110;

/**
 * 110 columns, or no wrapping at all on a narrower terminal: the terminal's
 * own soft wrap keeps a command one line when copied, where yargs would break
 * it with a newline. A terminal that reports 0 columns (`script`,
 * `docker -t`) counts as unknown.
 */
export function helpWidth(columns: number | undefined): number | null {
  if (!columns || columns >= HELP_WIDTH) return HELP_WIDTH;
  return null;
}
