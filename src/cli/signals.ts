// The process-level promises of the CLI, whatever the command does:
// - the first SIGINT/SIGTERM starts an orderly stop (the command's
//   AbortSignal aborts: no new work, requests in flight may finish);
// - a second signal exits at once;
// - a watchdog ends the process at most STOP_GRACE_MS after the first
//   signal, even if the orderly stop hangs;
// - if the event loop empties while the command has not finished (a promise
//   nothing can settle), the process exits with an error, never with 0.
// Exit codes follow the shell's convention: 130 after SIGINT, 143 after SIGTERM.

import type { Writable } from 'node:stream';
import { EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED } from './exit-codes.js';

/** How long an orderly stop may take before the watchdog ends the process. */
export const STOP_GRACE_MS = 10_000;
/** What an orderly stop may spend cleaning up (deleting check runs) before the watchdog's deadline. */
export const CLEANUP_AFTER_STOP_MS = STOP_GRACE_MS - 2_000;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof SIGNALS)[number];

/** The parts of `process` the guard uses; tests pass their own. */
export interface GuardedProcess {
  readonly pid: number;
  exitCode?: number | string | null | undefined;
  on(event: StopSignal | 'beforeExit', listener: (...args: never[]) => void): unknown;
  off(event: StopSignal | 'beforeExit', listener: (...args: never[]) => void): unknown;
  listenerCount(event: StopSignal): number;
  exit(code: number): void;
  kill(pid: number, signal: StopSignal): unknown;
}

export interface ProcessGuardOptions {
  /** The command being run, for the message when the process would otherwise exit without finishing it. */
  command: string;
  stderr: Pick<Writable, 'write'>;
  /** Starts the orderly stop: called once, on the first signal. */
  onStop: (signal: StopSignal) => void;
  /** True while something may make process.exit() wait (a thread blocked in a system call): a forced stop then ends by the signal. */
  exitMayHang?: () => boolean;
  graceMs?: number;
  process?: GuardedProcess;
  setTimer?: (run: () => void, ms: number) => { unref?: () => unknown };
  clearTimer?: (timer: ReturnType<NonNullable<ProcessGuardOptions['setTimer']>>) => void;
}

export interface ProcessGuard {
  /** The first signal received, if any. */
  readonly received: StopSignal | undefined;
  /** The command's exit code as the process should end with it: "interrupted" becomes 143 after SIGTERM. */
  exitCode(code: number): number;
  /** Call when the command has finished: removes every listener and the watchdog. */
  dispose(): void;
  /**
   * Where the first signal's message goes (default: stderr). A live progress
   * view that redraws the terminal takes it, so that its next redraw does
   * not overwrite the line; `undefined` gives it back to stderr.
   */
  announceTo(say: ((text: string) => void) | undefined): void;
}

export function signalExitCode(signal: StopSignal): number {
  return signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED;
}

export function guardProcess(options: ProcessGuardOptions): ProcessGuard {
  const proc = options.process ?? (process as unknown as GuardedProcess);
  const graceMs = options.graceMs ?? STOP_GRACE_MS;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as NodeJS.Timeout));
  let received: StopSignal | undefined;
  let watchdog: ReturnType<typeof setTimer> | undefined;
  let disposed = false;
  let announce: ((text: string) => void) | undefined;

  const removeListeners = () => {
    for (const name of SIGNALS) proc.off(name, onSignal);
    proc.off('beforeExit', onBeforeExit);
  };

  /** Ends the process now: by exit code, or (when even that may be stuck) by the signal itself. */
  const exitNow = (signal: StopSignal, force: boolean) => {
    removeListeners();
    // A thread blocked in a system call (a config running a command that never ends) makes process.exit()
    // wait for it; the signal's default action does not wait, and shells report it as the same 130/143.
    if (force && proc.listenerCount(signal) === 0) proc.kill(proc.pid, signal);
    proc.exit(signalExitCode(signal));
  };

  function onSignal(signal: StopSignal) {
    if (received !== undefined) {
      options.stderr.write(`\n${signal} received again: stopping at once.\n`);
      exitNow(signal, options.exitMayHang?.() ?? false);
      return;
    }
    received = signal;
    const text = `${signal} received: finishing requests already in flight. Press Ctrl-C again to stop at once.`;
    if (announce) announce(text);
    else options.stderr.write(`\n${text}\n`);
    watchdog = setTimer(() => {
      options.stderr.write(`p7apps did not stop within ${graceMs / 1000} s of ${signal}; stopping now.\n`);
      exitNow(signal, true);
    }, graceMs);
    // The watchdog never keeps a finished command alive.
    watchdog.unref?.();
    options.onStop(signal);
  }

  function onBeforeExit() {
    if (disposed) return;
    // Nothing is left that could finish the command: exiting now would look like success.
    options.stderr.write(
      `Error: p7apps stopped before ${options.command} finished: nothing was left running that could finish it; this is a bug in p7apps or a config that never settles.\n`,
    );
    removeListeners();
    proc.exitCode = received === undefined ? EXIT_ERROR : signalExitCode(received);
  }

  for (const name of SIGNALS) proc.on(name, onSignal);
  proc.on('beforeExit', onBeforeExit);

  return {
    get received() {
      return received;
    },
    exitCode(code) {
      return code === EXIT_INTERRUPTED && received !== undefined ? signalExitCode(received) : code;
    },
    announceTo(say) {
      announce = say;
    },
    dispose() {
      disposed = true;
      removeListeners();
      if (watchdog !== undefined) clearTimer(watchdog);
    },
  };
}
