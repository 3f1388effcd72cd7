// Runs the p7apps CLI in-process with captured streams, so tests can assert
// on exit codes and every byte written, without spawning a process.

import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string; isTTY?: boolean; signal?: AbortSignal; onStdout?: (text: string) => void } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => {
    out += c.toString();
    options.onStdout?.(out);
  });
  stderr.on('data', (c) => (err += c.toString()));
  (stdout as PassThrough & { isTTY?: boolean }).isTTY = options.isTTY ?? false;
  (stderr as PassThrough & { isTTY?: boolean }).isTTY = options.isTTY ?? false;
  (stdin as PassThrough & { isTTY?: boolean }).isTTY = options.isTTY ?? false;
  if (options.stdin !== undefined) stdin.end(options.stdin);
  else stdin.end();
  const code = await main(args, {
    stdout,
    stderr,
    stdin,
    env: { NO_COLOR: '1', ...(options.env ?? {}) },
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out, stderr: err };
}
