// Runs the built CLI (bin/p7apps.js, the bundle `npm run build` makes) as a
// real process, for behaviour that belongs to the process: its exit code,
// signals, and what happens when its event loop empties.

import { spawn, type ChildProcess } from 'node:child_process';
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
