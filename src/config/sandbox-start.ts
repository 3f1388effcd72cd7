// Starts config workers (./sandbox-worker.ts) and keeps the one started
// early: a worker takes tens of milliseconds to start and compiling a
// TypeScript config about as long again, both far less than the CLI takes to
// load, so the CLI can start one for the config it will most likely load
// (./early-start.ts) and ./sandbox.ts then takes it over instead of waiting
// for a new one. A worker started early does nothing of the config's own
// until it is taken over: it compiles the file (esbuild only reads it), then
// waits for the request. Unclaimed, it keeps nothing alive and ends with the
// process.
//
// Light on purpose: loaded before the rest of the CLI.

import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SandboxBoot } from './sandbox-protocol.js';

/** When p7apps runs from its TypeScript source (its own tests), the worker is compiled by tsx too. */
const FROM_SOURCE = new URL(import.meta.url).pathname.endsWith('.ts');

const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then(({ register }) => register({ namespace: 'p7apps-config-worker' }).import(workerData.entry, workerData.entry));
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

/** A config worker; its standard output is handed to the caller, who passes it on. */
export function startWorker(boot: SandboxBoot): Worker {
  const options = { stdout: true, workerData: boot };
  const compiled = new URL('./sandbox-worker.js', import.meta.url);
  if (!FROM_SOURCE && compileCacheOn()) return new Worker(CACHED_BOOTSTRAP, { ...options, eval: true, workerData: { ...boot, entry: compiled.href } });
  if (!FROM_SOURCE) return new Worker(compiled, options);
  const tsxApi = pathToFileURL(tsxEsmApi()).href;
  const entry = new URL('./sandbox-worker.ts', import.meta.url).href;
  return new Worker(SOURCE_BOOTSTRAP, { ...options, eval: true, workerData: { ...boot, tsxApi, entry } });
}

function compileCacheOn(): boolean {
  const cache = (Module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir;
  return typeof cache === 'function' && cache() !== undefined;
}

/** The worker started early and not yet taken over, if it is still there. */
let early: Worker | undefined;

/**
 * Starts a worker now, compiling `file`, for the next load to take over.
 * Idle, it does not keep the process alive; one that fails to start is
 * simply not used.
 */
export function startWorkerEarly(file: string): void {
  if (early !== undefined) return;
  const worker = startWorker({ compileFirst: file });
  worker.unref();
  const forget = () => {
    if (early === worker) early = undefined;
  };
  worker.once('error', forget);
  worker.once('exit', forget);
  early = worker;
}

/** The worker started early, now the caller's (kept alive while in use), or undefined when there is none. */
export function takeEarlyWorker(): Worker | undefined {
  const worker = early;
  early = undefined;
  worker?.ref();
  return worker;
}
