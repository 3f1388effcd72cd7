// The emulator under the benchmark, in its own process (`p7apps emulator`
// from the built CLI), so its work per request is not charged to the process
// measured, and the control API calls the benchmark makes to reset it, drift
// it and read its request log. The process is killed when the benchmark
// ends, however it ends.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RequestLogEntry } from '../src/emulator/index.js';

export interface EmulatorProcessOptions {
  repoDir: string;
  seedPath: string;
  token: string;
  controlToken: string;
  latencyMs: number;
  readyAfterMs: number;
  /** How long the emulator may take to load the seed and listen. */
  startTimeoutMs?: number;
}

export interface EmulatorLog {
  entries: RequestLogEntry[];
  counts: Record<string, number>;
}

const running = new Set<ChildProcess>();

/** Last resort: a benchmark that dies still takes its emulators with it. */
function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export class EmulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly controlToken: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
    const args = [
      path.join(options.repoDir, 'bin/p7apps.js'),
      'emulator',
      '--port', '0',
      '--seed', options.seedPath,
      '--token', options.token,
      '--control-token', options.controlToken,
      '--latency-ms', String(options.latencyMs),
      '--ready-after-ms', String(options.readyAfterMs),
    ];
    const child = spawn(process.execPath, args, { cwd: options.repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not print its URL within ${options.startTimeoutMs ?? 60_000} ms`), options.startTimeoutMs ?? 60_000);
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`the emulator ${why}\n${stderr}`));
      };
      child.stdout!.on('data', (chunk: string) => {
        if (stdout.length < 64 * 1024) stdout += chunk;
        const match = /Sign-in URL:\s+(\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
    });
    child.removeAllListeners('exit');
    child.once('exit', () => running.delete(child));
    // Keep draining its output so it never blocks on a full pipe.
    child.stdout!.resume();
    return new EmulatorProcess(child, url, options.controlToken);
  }

  private async control<T>(method: string, endpoint: string, body?: unknown): Promise<T | undefined> {
    const res = await fetch(`${this.url}/_emulator/${endpoint}`, {
      method,
      headers: { Authorization: `Token ${this.controlToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`control ${method} ${endpoint} answered ${res.status}: ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as T);
  }

  /** Back to the seeded world, with an empty log. */
  async reset(): Promise<void> {
    await this.control('POST', 'reset');
  }

  async clearLog(): Promise<void> {
    await this.control('DELETE', 'log');
  }

  async log(): Promise<EmulatorLog> {
    const log = await this.control<EmulatorLog & { faults: unknown }>('GET', 'log');
    return { entries: log!.entries, counts: log!.counts };
  }

  /** Edit an app's description behind the tool's back, as a person in AppsHub would. */
  async editDescription(app: string, description: string): Promise<void> {
    await this.control('POST', 'apps/drift', { name: app, description });
  }

  /** Stop the process: SIGTERM (it closes cleanly), SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
