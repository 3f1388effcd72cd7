// What every command gets from the entry point: its streams and environment,
// injected so that tests run commands in-process and capture every byte.

import type { Writable } from 'node:stream';
import type { Redactor } from '../redact.js';

export interface CliContext {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Set by the command's handler; main() returns it. */
  exitCode: number;
  /** Set by a command that runs until it is stopped (the emulator): a stop signal is then its ordinary end, not an interruption. */
  endsBySignal?: boolean;
  /** Aborted on the first SIGINT/SIGTERM (see ./signals.ts, which also ends the process if stopping hangs); long-running commands watch it. */
  signal: AbortSignal;
  /** The run's secrets: stdout and stderr are redacted with it, and so is every file the CLI writes (./output.ts). */
  secrets: Redactor;
  /** Sends the "SIGINT received" message somewhere else than stderr (a live progress view); undefined gives it back. Absent when the caller owns signals. */
  announceSignals?: (say: ((text: string) => void) | undefined) => void;
  /** Given by the process's entry point (bin/p7apps.js) only: a command that reads the server calls it first (./v8-tiering.ts). In-process callers leave it out, so their V8 is never retuned. */
  delayOptimisingCompiler?: () => void;
}
