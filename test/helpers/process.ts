// Runs the built CLI (bin/p7apps.js, the bundle `npm run build` makes) as a
// real process, for behaviour that belongs to the process: its exit code,
// signals, and what happens when its event loop empties.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/p7apps.js');

export interface ProcessRun {
  /** The exit code; null when the process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface StartedCli {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr: () => string;
  done: Promise<ProcessRun>;
}

/** Starts `p7apps ...args` with only the given environment (and PATH). */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): StartedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<ProcessRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

export function runCliProcess(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ProcessRun> {
  return startCli(args, options).done;
}

/** Resolves once `check` holds, polling every 50 ms; rejects after `limitMs` with `what`. */
export async function waitUntil(check: () => boolean, what: string, limitMs = 25_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether `done` settles within `ms`: a generous bound on a process that must not hang, never a measure of speed. */
export async function settlesWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([done.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Ends `cli` however its reads of `fifos` stand: each FIFO is opened for
 * writing and closed again (a reader waiting on it then reads end-of-file)
 * until the process has ended, and a process that still has not ended is
 * killed. So a test of a FIFO ends even when p7apps does read it.
 */
export async function releaseFifos(cli: StartedCli, fifos: string[]): Promise<ProcessRun> {
  let ended = false;
  void cli.done.then(() => (ended = true));
  const end = Date.now() + 10_000;
  while (!ended && Date.now() < end) {
    for (const fifo of fifos) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // Nobody reads it now (ENXIO), or it is gone.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!ended) cli.child.kill('SIGKILL');
  return cli.done;
}
