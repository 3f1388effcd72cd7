// Work a command will need that can begin before the CLI's own modules have
// loaded: bin/p7apps.js calls headStart() first, then imports the CLI. Today
// that is the config worker (../config/sandbox.ts prepareConfigWorker) for a
// command that will most likely run a TypeScript/JavaScript config: its
// thread and esbuild's process then start on another core while the CLI
// loads (about 70 ms), instead of after it. Everything here is a guess from
// the command line and the file names around; a wrong guess costs a thread
// that is stopped unused, never a different result. yargs (./main.ts)
// remains the only parser of the command line.

import { availableParallelism } from 'node:os';
import { prepareConfigWorker } from '../config/sandbox.js';
import { likelyModuleConfig } from '../config/search-places.js';

/** The commands that load the config (they take --config). */
const CONFIG_COMMANDS = new Set(['validate', 'plan', 'apply', 'drift', 'check', 'doctor']);

/** Options yargs answers itself, running no command: help, the version, shell completions. */
const ANSWERED_BY_YARGS = new Set(['--help', '-h', '--version', '--get-yargs-completions']);

export interface CommandGuess {
  /** The first word that is not an option: the command, on every command line yargs accepts without options before it. */
  command?: string;
  /** What --config / -c names, when given. */
  configPath?: string;
}

/** A rough reading of `argv`, for guessing only. */
export function guessCommand(argv: readonly string[]): CommandGuess {
  const guess: CommandGuess = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--config' || arg === '-c') {
      const value = argv[i + 1];
      if (value !== undefined) guess.configPath = value;
      i += 1;
    } else if (arg.startsWith('--config=')) {
      guess.configPath = arg.slice('--config='.length);
    } else if (!arg.startsWith('-') && guess.command === undefined) {
      guess.command = arg;
    }
  }
  return guess;
}

/**
 * Starts, for `argv` run in `cwd`, what the command will most likely need
 * first. Never throws. Not on a machine with one CPU, where nothing can run
 * beside the CLI's loading: starting early would only add the guess's cost.
 */
export function headStart(argv: readonly string[], cwd: string, cpus: number = availableParallelism()): void {
  try {
    if (cpus < 2) return;
    const { command, configPath } = guessCommand(argv);
    if (command === undefined || !CONFIG_COMMANDS.has(command)) return;
    if (argv.some((arg) => ANSWERED_BY_YARGS.has(arg))) return;
    const file = likelyModuleConfig(configPath, cwd);
    if (file !== undefined) prepareConfigWorker(file);
  } catch {
    // Only a head start: the command does the same work when it needs it.
  }
}
