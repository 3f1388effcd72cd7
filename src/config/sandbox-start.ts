// Starts config workers (./sandbox-worker.ts) and keeps the one started
// early: a worker takes tens of milliseconds to start and compiling a
// TypeScript config about as long again, both far less than the CLI takes to
// load, so the CLI can start one for the config it will most likely load
// (./early-start.ts) and ./sandbox.ts then takes it over instead of waiting
// for a new one. A worker started early does nothing of the config's own
// until it is taken over: it compiles the file (esbuild only reads it), then
// waits for the request. Unclaimed, it keeps nothing alive and ends with the
// process. A YAML config is read early the same way, by ./yaml-worker.ts,
// for ./find.ts to take.
//
// Light on purpose: loaded before the rest of the CLI.

import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SandboxBoot } from './sandbox-protocol.js';
import type { YamlRead } from './yaml-read.js';
import type { EarlyYaml } from './yaml-worker.js';

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
  return startThread('sandbox-worker', boot, { stdout: true });
}

/** A thread running ./<name>.js (./<name>.ts from source), with `data` as its workerData. */
function startThread(name: 'sandbox-worker' | 'yaml-worker', data: object, extra: { stdout?: boolean } = {}): Worker {
  const options = { ...extra, workerData: data };
  const compiled = new URL(`./${name}.js`, import.meta.url);
  if (!FROM_SOURCE && compileCacheOn()) return new Worker(CACHED_BOOTSTRAP, { ...options, eval: true, workerData: { ...data, entry: compiled.href } });
  if (!FROM_SOURCE) return new Worker(compiled, options);
  const tsxApi = pathToFileURL(tsxEsmApi()).href;
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  return new Worker(SOURCE_BOOTSTRAP, { ...options, eval: true, workerData: { ...data, tsxApi, entry } });
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

/** A YAML config being read by ./yaml-worker.ts: what it posts, or declined should the thread fail or end first. */
let earlyYaml: { file: string; worker: Worker; answer: Promise<EarlyYaml> } | undefined;

/** Starts reading the YAML config `file` in a thread of its own, for ./find.ts to take. */
export function startYamlEarly(file: string): void {
  if (earlyYaml !== undefined) return;
  const worker = startThread('yaml-worker', { yamlFile: file });
  worker.unref();
  const answer = new Promise<EarlyYaml>((resolve) => {
    const declined = () => resolve({ kind: 'declined' });
    worker.once('message', resolve);
    worker.once('error', declined);
    worker.once('exit', declined);
  });
  earlyYaml = { file, worker, answer };
}

/**
 * What the thread read of `file`, if one was started for it and read the
 * same text as `content`; undefined otherwise (the caller reads it).
 */
export async function takeEarlyYaml(file: string, content: string): Promise<YamlRead | undefined> {
  const taken = earlyYaml;
  earlyYaml = undefined;
  if (taken?.file !== file) return undefined;
  // Waited for now: the thread keeps the process alive until it answers or ends.
  taken.worker.ref();
  const answer = await taken.answer;
  return answer.kind === 'read' && answer.text === content ? answer.read : undefined;
}
