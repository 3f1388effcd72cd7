// Runs a TypeScript/JavaScript config in a worker thread (./sandbox-worker.ts)
// under a hard deadline: a config that loops, awaits for ever or waits for a
// promise nothing can settle ends in a clear error naming what it was doing,
// never in a hang and never in a silent exit. The worker is stopped
// (terminate() interrupts even `while (true) {}`) at the time limit or when
// the caller's signal aborts (Ctrl-C). What the config prints goes to
// standard error, so it cannot corrupt a plan or report on standard output,
// and a secret from the environment is masked in every message.

import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Redactor } from '../appshub/errors.js';
import type { BundleTokens } from './config-bundle.js';
import { ANSWERED, ModuleLoadError, STAGE, STAGE_CALLING, STAGE_MEMORY_BYTES, UNSETTLED, readSandboxAnswer, type EsbuildProcessNote, type SandboxCompiled, type SandboxRequest, type SandboxStandby, type StandbyMessage } from './sandbox-protocol.js';

export { ModuleLoadError } from './sandbox-protocol.js';

/** Named in messages; read by ./load.ts. Here too, so that this module does not import the loader. */
const CONFIG_TIMEOUT_ENV = 'P7APPS_CONFIG_TIMEOUT_MS';

export interface SandboxOptions {
  /** The time limit for evaluating the file and awaiting what its exported function returns. */
  timeoutMs: number;
  /** Stops the evaluation at once (the worker is terminated). */
  signal?: AbortSignal;
}

/** How long the worker may take to start, before the config's own time limit begins. */
const STARTUP_LIMIT_MS = 60_000;

let liveWorkers = 0;
let whenNoneLive: (() => void)[] = [];

/**
 * Config workers given a config and not yet ended. One that does not end
 * after terminate() is blocked in a system call (a config reading a FIFO, or
 * running a command that never returns), and process.exit() would wait for
 * it: the CLI then ends by its signal (src/cli/signals.ts), or without
 * waiting for threads (src/cli/process-exit.ts), instead.
 */
export function liveConfigWorkers(): number {
  return liveWorkers;
}

/** Settles once no config worker is left. */
export function configWorkersEnded(): Promise<void> {
  return liveWorkers === 0 ? Promise.resolve() : new Promise((resolve) => whenNoneLive.push(resolve));
}

/** `worker`, counted among the live ones until it ends. */
function counted(worker: Worker): Worker {
  liveWorkers += 1;
  worker.once('exit', () => {
    liveWorkers -= 1;
    if (liveWorkers > 0) return;
    const waiting = whenNoneLive;
    whenNoneLive = [];
    for (const resolve of waiting) resolve();
  });
  return worker;
}

/** When p7apps runs from its TypeScript source (its own tests), the worker is compiled by tsx too. */
const FROM_SOURCE = new URL(import.meta.url).pathname.endsWith('.ts');

// Node 26's deprecation of module.register(), which tsx calls, is held back as in ./module-loader.ts.
const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then(({ register }) => {
  const before = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return register({ namespace: 'p7apps-config-worker' });
  } finally {
    process.noDeprecation = before;
  }
}).then((tsx) => tsx.import(workerData.entry, workerData.entry));
`;

/** tsx's ES module API, as `import('tsx/esm/api')` would find it (require.resolve would give its CommonJS twin). */
function tsxEsmApi(): string {
  const manifestFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return path.join(path.dirname(manifestFile), manifest.exports['./esm/api']!.import.default);
}

/** The compiled worker, through Node's compile cache when this thread has it on (bin/p7apps.js turns it on). */
const CACHED_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require('node:module').enableCompileCache?.();
import(workerData.entry);
`;

function startWorker(data: SandboxRequest | SandboxStandby): Worker {
  const options = { stdout: true, workerData: data };
  const compiled = new URL('./sandbox-worker.js', import.meta.url);
  if (!FROM_SOURCE && compileCacheOn()) return new Worker(CACHED_BOOTSTRAP, { ...options, eval: true, workerData: { ...data, entry: compiled.href } });
  if (!FROM_SOURCE) return new Worker(compiled, options);
  const tsxApi = pathToFileURL(tsxEsmApi()).href;
  const entry = new URL('./sandbox-worker.ts', import.meta.url).href;
  return new Worker(SOURCE_BOOTSTRAP, { ...options, eval: true, workerData: { ...data, tsxApi, entry } });
}

/** A worker started ahead of need and not yet given a config; at most one. */
let standby: Worker | undefined;

/** esbuild processes config workers started and have not said ended. */
const workerProcesses = new Set<number>();

/**
 * Keeps track of the processes a worker says it started (EsbuildProcessNote),
 * and kills any still running when p7apps exits or is stopped by a signal:
 * a worker's own cleanup does not run when its thread is stopped, and
 * esbuild blocked on opening a FIFO never ends by itself. A signal that ends
 * p7apps by its default action (before the CLI handles signals, or the CLI
 * ending by the signal itself) emits no 'exit': hence the signal listeners,
 * held only while such a process runs.
 */
function noteProcess(note: EsbuildProcessNote): void {
  if (note.ended) {
    workerProcesses.delete(note.pid);
    if (workerProcesses.size === 0) watchForEnd(false);
    return;
  }
  if (workerProcesses.size === 0) watchForEnd(true);
  workerProcesses.add(note.pid);
}

/** The signals that end p7apps by their default action, unless the CLI handles them (src/cli/signals.ts). */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function watchForEnd(on: boolean): void {
  for (const signal of ENDING_SIGNALS) process[on ? 'on' : 'off'](signal, onEndingSignal);
  process[on ? 'on' : 'off']('exit', killWorkerProcesses);
}

function onEndingSignal(signal: NodeJS.Signals): void {
  killWorkerProcesses();
  // No other listener: the signal's default action ends p7apps, as it would have without this one.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Kills the esbuild processes config workers started and have not said ended. */
export function killWorkerProcesses(): void {
  watchForEnd(false);
  for (const pid of workerProcesses) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Ended meanwhile.
    }
  }
  workerProcesses.clear();
}

/**
 * Starts a config worker ahead of need: bin/p7apps.js calls this before the
 * CLI's own modules load when the command will most likely load a
 * TypeScript/JavaScript config. Starting a thread and esbuild's process
 * takes longer than anything else a TypeScript config costs; begun here,
 * they run on another core while the CLI starts and finds the config, and
 * the next evaluateConfigFile() takes this worker instead of starting one.
 * The worker runs nothing of the config until then, and keeps nothing alive:
 * a command that does not use it ends as it would without.
 */
export function prepareConfigWorker(likelyFile: string): void {
  if (standby !== undefined) return;
  let worker: Worker;
  try {
    worker = startWorker({ standby: true, guess: likelyFile, tokens: bundleTokens() });
  } catch {
    return; // Only a head start: evaluateConfigFile() starts a worker of its own.
  }
  worker.unref();
  // Once the config runs ('started'), its code can post on the same port: from then on a note can only
  // say that a process ended, never add one, which p7apps would otherwise kill when it exits.
  let configRuns = false;
  worker.on('message', (message: unknown) => {
    const answer = readSandboxAnswer(message);
    if (answer?.kind === 'started') configRuns = true;
    else if (answer?.kind === 'esbuild-process' && (answer.ended || !configRuns)) noteProcess(answer);
  });
  const forget = () => {
    if (standby === worker) standby = undefined;
  };
  worker.once('error', forget);
  worker.once('exit', forget);
  standby = worker;
}

/** Whether a worker started ahead of need waits for a config. */
export function configWorkerStandingBy(): boolean {
  return standby !== undefined;
}

/**
 * Stops the worker started ahead of need when no config took it (the config
 * found is JSON, say). Asked, not terminated: it ends esbuild's process
 * first, which a terminated thread would leave behind as a zombie.
 */
export function discardConfigWorker(): void {
  const worker = standby;
  standby = undefined;
  worker?.postMessage({ kind: 'discard' } satisfies StandbyMessage);
}

function compileCacheOn(): boolean {
  const cache = (Module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir;
  return typeof cache === 'function' && cache() !== undefined;
}

/**
 * Random stand-ins for p7apps in a compiled config. They need only be unlike
 * any specifier a config writes, not secret (the config is the user's own
 * code, run with the user's rights): 96 bits of Math.random, which V8 seeds
 * from the system's entropy for each thread. node:crypto would cost the head
 * start 5-12 ms before the worker could start (it loads OpenSSL's bindings).
 */
export function bundleTokens(): BundleTokens {
  return { selfToken: `p7apps-self-${randomHex()}`, wholeToken: `p7apps-whole-${randomHex()}` };
}

/** 24 hexadecimal digits. */
function randomHex(): string {
  let hex = '';
  for (let i = 0; i < 3; i += 1) hex += Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return hex;
}

/**
 * The config as modules or one bundle to run from memory, none when both
 * ways decline it (the worker then uses tsx), or why it must not be loaded.
 */
async function compile(file: string): Promise<SandboxCompiled> {
  const tokens = bundleTokens();
  const { compileInThread, ThreadCompileDeclined } = await import('./thread-compile.js');
  const modules = compileInThread(file);
  if (!(modules instanceof ThreadCompileDeclined)) return { kind: 'modules', modules: modules.modules, ...tokens };
  const { bundleOrNone, BundleRefused } = await import('./config-bundle.js');
  const bundle = await bundleOrNone(file, tokens);
  if (bundle === undefined) return { kind: 'no-bundle' };
  if (bundle instanceof BundleRefused) return { kind: 'refused', message: bundle.message };
  return { kind: 'bundle', code: bundle.code, selfToken: bundle.selfToken, wholeToken: bundle.wholeToken };
}

/** 30000 -> "30 s", 2500 -> "2.5 s", 300 -> "300 ms". */
function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The config the file exports (its function called and awaited), as plain
 * data; a ModuleLoadError saying what went wrong and what to do otherwise.
 */
export function evaluateConfigFile(file: string, source: string, options: SandboxOptions): Promise<unknown> {
  const stageMemory = new SharedArrayBuffer(STAGE_MEMORY_BYTES);
  const stage = new Int32Array(stageMemory);
  // The token and password a config can read from the environment and put into an error.
  const redactor = Redactor.fromEnv(process.env);
  const limit = duration(options.timeoutMs);
  const raise = `if it really needs longer, raise the limit with ${CONFIG_TIMEOUT_ENV} (milliseconds; now ${options.timeoutMs})`;

  return new Promise<unknown>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ModuleLoadError(interrupted(options.signal)));
      return;
    }
    const request: SandboxRequest = { file, source, stage: stageMemory };
    const ahead = standby;
    standby = undefined;
    const worker = counted(ahead ?? startWorker(request));
    let settled = false;
    if (ahead !== undefined) {
      // Started ahead of need with its compiler warm: it compiles the config itself.
      ahead.ref();
      ahead.postMessage({ kind: 'request', request } satisfies StandbyMessage);
    } else {
      // Compiled here while the worker starts: each waits for the other only as long as it must.
      void compile(file).then((compiled) => {
        if (!settled) worker.postMessage(compiled);
      });
    }
    const finish = (outcome: { value: unknown } | { error: ModuleLoadError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever the config left running (timers, sockets) ends with its thread.
      worker.unref();
      const stopped = worker.terminate().catch(() => {});
      if ('value' in outcome) resolve(outcome.value);
      // Ctrl-C waits for the thread to stop, so the process can then exit at once.
      else if (options.signal?.aborted) void stopped.then(() => reject(outcome.error));
      else reject(outcome.error);
    };
    const fail = (message: string, position: { line?: number; column?: number; at?: string } = {}) =>
      finish({ error: new ModuleLoadError(redactor.redact(message), position.line, position.column, position.at === undefined ? undefined : redactor.redact(position.at)) });

    // Starting the worker and its compiler is not the config's time: bounded apart, generously.
    let timer = setTimeout(() => fail(`the config worker did not start within ${duration(STARTUP_LIMIT_MS)}; is the machine overloaded?`), STARTUP_LIMIT_MS);
    const startClock = () => {
      clearTimeout(timer);
      timer = setTimeout(onDeadline, options.timeoutMs);
    };
    const onDeadline = () => {
      fail(
        Atomics.load(stage, STAGE) === STAGE_CALLING
          ? `the config function did not return the config within ${limit}; it must return the config object or a promise that settles; ${raise}`
          : `loading the file did not finish within ${limit} (does it loop, or wait for something?); ${raise}`,
      );
    };
    const onAbort = () => fail(interrupted(options.signal!));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    worker.on('message', (message: unknown) => {
      const answer = readSandboxAnswer(message);
      if (answer === undefined) {
        fail("the config's thread sent p7apps a message it does not understand; a config must not post messages on worker_threads' parentPort");
        return;
      }
      // Only a worker started ahead of need notes processes, to the listener prepareConfigWorker gave it.
      if (answer.kind === 'esbuild-process') return;
      if (answer.kind === 'started') startClock();
      else if (answer.kind === 'config') finish({ value: answer.value });
      else fail(answer.message, answer);
    });
    worker.on('error', (err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      fail(`the config threw an error outside its loading (from a callback or timer): ${text.split('\n')[0]}`);
    });
    worker.on('exit', (code) => {
      if (Atomics.load(stage, ANSWERED) === 1) {
        // Answered, but the answer never came: the config closed the port it goes over.
        fail("the config's thread answered, but the answer never reached p7apps; a config must not close or replace worker_threads' parentPort");
      } else if (Atomics.load(stage, UNSETTLED) !== 1) {
        fail(`the config stopped its own loading (process.exit(${code})) before returning the config; a config must not call process.exit`);
      } else if (Atomics.load(stage, STAGE) === STAGE_CALLING) {
        fail("the config function's promise never settles: nothing is left running that could settle it; return the config object or a promise that resolves to it");
      } else {
        fail('loading the file never finished: a top-level await waits for a promise that nothing can settle; make every promise it awaits resolve or reject');
      }
    });
  });
}

function interrupted(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : 'interrupted';
  return `loading the config was stopped: ${why}`;
}
