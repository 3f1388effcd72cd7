// Runs the built CLI (`node bin/p7apps.js ...`) as a child process, the way
// users run it, and measures it from outside: wall time from spawn to exit,
// and (through a preloaded probe) its peak RSS and CPU time.

import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';

export interface CliMeasurement {
  exitCode: number | null;
  wallMs: number;
  peakRssMb: number;
  cpuMs: number;
  stderr: string;
}

export interface CliRunOptions {
  /** The Node binary that runs it; default: the one running the benchmark. */
  node?: string;
  /** The CLI's entry, e.g. bin/p7apps.js. */
  cli: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Where standard output goes (a file: output is written, not measured). */
  stdoutFile: string;
  /** A bound: the child is killed after this. */
  timeoutMs: number;
}

export async function runCliProcess(options: CliRunOptions): Promise<CliMeasurement> {
  const probeFile = `${options.stdoutFile}.probe.json`;
  await rm(probeFile, { force: true });
  const probe = new URL('./rss-probe.mjs', import.meta.url).href;
  const out = openSync(options.stdoutFile, 'w');
  const started = process.hrtime.bigint();
  const child = spawn(options.node ?? process.execPath, ['--import', probe, options.cli, ...options.args], {
    cwd: options.cwd,
    // Only what the CLI needs: no proxy variables, so all traffic stays on loopback.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...options.env, P7APPS_BENCH_PROBE_FILE: probeFile },
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    if (stderr.length < 64 * 1024) stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearTimeout(timer);
  const probed = JSON.parse(await readFile(probeFile, 'utf8').catch(() => '{}')) as { maxRssKb?: number; userCpuUs?: number; systemCpuUs?: number };
  await rm(probeFile, { force: true });
  return {
    exitCode,
    wallMs,
    peakRssMb: (probed.maxRssKb ?? Number.NaN) / 1024,
    cpuMs: ((probed.userCpuUs ?? Number.NaN) + (probed.systemCpuUs ?? 0)) / 1000,
    stderr,
  };
}
