// A rough reading of the command line, for what bin/p7apps.js does before
// the CLI loads: the config worker's head start (./head-start.ts) and V8's
// tiering (./v8-tiering.ts). A module of its own, with no imports, so that
// what runs before the CLI loads stays small. yargs (./main.ts) remains the
// only parser of the command line: a wrong guess may only cost speed.

/** Options yargs answers itself, running no command: help, the version, shell completions. */
export const ANSWERED_BY_YARGS: ReadonlySet<string> = new Set(['--help', '-h', '--version', '--get-yargs-completions']);

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
