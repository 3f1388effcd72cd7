// The config worker: evaluates one TypeScript/JavaScript config file in a
// thread of its own (started by ./sandbox.ts, which can stop it at any
// moment) and posts back either the config as plain data or why there is
// none. What the load is doing is kept in memory shared with the parent, so
// the parent knows it even when this thread is stuck in a loop or has
// nothing left to run.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { appLabels, formatPath } from './issue-path.js';
import { importConfigModule, type CompiledConfig, type LoadStage, type Recompile } from './module-loader.js';
import { toPlainData } from './plain-data.js';
import { BINARY_BUILD_GRACE_MS, startBinaryBundle, type BinaryBuild } from './binary-bundle.js';
import { BundleRefused, bundleOrNone, compiledFromCurrent, warmEsbuild, type BundleTokens, type ConfigBundle, type WarmEsbuild } from './config-bundle.js';
import { compileInThread, ThreadCompileDeclined, type ConfigModules } from './thread-compile.js';
import { ANSWERED, ModuleLoadError, STAGE, STAGE_CALLING, STAGE_LOADING, UNSETTLED, type SandboxAnswer, type SandboxCompiled, type SandboxRequest, type SandboxStandby, type StandbyMessage } from './sandbox-protocol.js';

const STAGES: Record<LoadStage, number> = { loading: STAGE_LOADING, calling: STAGE_CALLING };

/** Started as a worker: do the one load asked for, with the config the parent compiled while this thread started. */
if (parentPort !== null && isRequest(workerData)) {
  const port = parentPort;
  const request = workerData;
  const load = serve(port, request);
  port.once('message', (compiled: SandboxCompiled) => {
    if (compiled.kind === 'modules') {
      const tokens = { selfToken: compiled.selfToken, wholeToken: compiled.wholeToken };
      void load({ modules: compiled.modules }, undefined, () => bundleOnce(request.file, tokens));
    } else {
      void load(compiled.kind === 'bundle' ? compiled : compiled.kind === 'refused' ? new BundleRefused(compiled.message) : undefined);
    }
  });
} else if (parentPort !== null && isStandby(workerData)) {
  // Started ahead of need, while the CLI itself starts: the file the CLI
  // will most likely load is compiled at once, in this thread
  // (./thread-compile.ts), or by esbuild's executable (./binary-bundle.ts)
  // where that compile declines it; none of it runs before the CLI asks.
  // The result is used only for that file, and only if the file and each
  // one read to compile it still read the same. What both decline is
  // compiled through esbuild's API (./config-bundle.ts), started then.
  const port = parentPort;
  const { guess, tokens } = workerData;
  const inThread = compileInThread(guess);
  const early = inThread instanceof ThreadCompileDeclined ? startBinaryBundle(guess, tokens) : undefined;
  const earlyNoted = early === undefined ? Promise.resolve() : noteProcess(port, early);
  let api: WarmEsbuild | undefined;
  const throughApi = (file: string) => {
    api ??= warmEsbuild();
    return bundleOrNone(file, tokens, api?.esbuild);
  };
  const compileFresh = (file: string): Promise<CompiledConfig | BundleRefused | undefined> => {
    const modules = compileInThread(file);
    return modules instanceof ThreadCompileDeclined ? throughApi(file) : Promise.resolve(modules);
  };
  // esbuild's processes are ended before this thread is: while the config runs, or when no config comes.
  const stopEsbuild = async () => {
    await early?.stop();
    await earlyNoted;
    await api?.stop().catch(() => undefined);
  };
  port.once('message', (message: StandbyMessage) => {
    if (message.kind === 'discard') {
      void stopEsbuild().then(() => process.exit(0));
      return;
    }
    if (message.kind !== 'request' || !isRequest(message.request)) return;
    const request = message.request;
    const load = serve(port, request);
    const current = <T extends ConfigBundle | ConfigModules>(compiled: T): T | undefined => (compiledFromCurrent(compiled, request.file, request.source) ? compiled : undefined);
    let compiled: Promise<CompiledConfig | BundleRefused | undefined>;
    if (request.file !== guess) compiled = compileFresh(request.file);
    else if (early === undefined) compiled = Promise.resolve((inThread instanceof ThreadCompileDeclined ? undefined : current(inThread)) ?? compileFresh(request.file));
    else compiled = withinGrace(early).then((bundle) => (isBundle(bundle) ? current(bundle) : undefined) ?? compileFresh(request.file));
    // The answer waits for esbuild's processes to end, since the parent stops this thread on the answer.
    void compiled.then((bundle) => load(bundle, stopEsbuild(), () => bundleOnce(request.file, tokens)));
  });
}

/**
 * Tells the CLI's thread of esbuild's process while it runs (it ends one
 * left running when p7apps exits); settles once the end is told. Told before
 * any answer, which the CLI may stop this thread on: a process the CLI still
 * counted when its id may have been given to another would be killed.
 */
function noteProcess(port: MessagePort, build: BinaryBuild): Promise<void> {
  const pid = build.pid;
  if (pid === undefined) return Promise.resolve();
  port.postMessage({ kind: 'esbuild-process', pid, ended: false } satisfies SandboxAnswer);
  return build.result.then(() => port.postMessage({ kind: 'esbuild-process', pid, ended: true } satisfies SandboxAnswer));
}

/**
 * esbuild's compile of `file` through its API, its process ended before this
 * returns: for modules Node rejected once the load had begun, when a process
 * started can no longer be told to the CLI's thread (./sandbox.ts trusts
 * such notes only until the config may run).
 */
async function bundleOnce(file: string, tokens: BundleTokens): Promise<ConfigBundle | BundleRefused | undefined> {
  const api = warmEsbuild();
  try {
    return await bundleOrNone(file, tokens, api?.esbuild);
  } finally {
    await api?.stop().catch(() => undefined);
  }
}

/** What the build gives, once the CLI has asked: stopped (and so declined) when it is not done within the grace. */
async function withinGrace(build: BinaryBuild): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), BINARY_BUILD_GRACE_MS)));
  const first = await Promise.race([build.result, late]);
  clearTimeout(timer);
  if (first !== 'late') return first;
  await build.stop();
  return build.result;
}

/**
 * The load of `request`: answers the parent once the config, compiled or not
 * (then through tsx), is there or has failed, or at once when the compile
 * refused it, and `first` (work of this thread's own that must end before
 * the parent stops it) has settled.
 */
function serve(port: MessagePort, request: SandboxRequest): (bundle: CompiledConfig | BundleRefused | undefined, first?: Promise<unknown>, recompile?: Recompile) => Promise<void> {
  const stage = new Int32Array(request.stage);
  let answered = false;
  // What the config printed reaches the CLI before its answer does: the CLI stops this thread on the answer,
  // and output still on its way (on the thread's own port, which the answer's does not wait for) was lost.
  const answer = async (message: SandboxAnswer) => {
    answered = true;
    await printedOutput();
    Atomics.store(stage, ANSWERED, 1);
    port.postMessage(message);
  };
  process.on('beforeExit', () => {
    if (!answered) Atomics.store(stage, UNSETTLED, 1);
  });
  const onStage = (now: LoadStage) => {
    Atomics.store(stage, STAGE, STAGES[now]);
    if (now === 'loading') port.postMessage({ kind: 'started' } satisfies SandboxAnswer);
  };
  return async (bundle, first = Promise.resolve(), recompile) => {
    if (bundle instanceof BundleRefused) {
      await first;
      await answer({ kind: 'failed', message: bundle.message });
      return;
    }
    return importConfigModule(request.file, request.source, onStage, bundle, recompile).then(
      async (value) => {
        await first;
        const plain = toPlainData(value);
        if (!plain.ok) {
          await answer({ kind: 'failed', message: plain.message, at: formatPath(plain.path, labelsOf(value)) });
          return;
        }
        try {
          await answer({ kind: 'config', value: plain.value });
        } catch (err) {
          // What the copy kept as it is (a Map holding a function, say), or nesting too deep to copy.
          const deep = err instanceof RangeError;
          await answer({ kind: 'failed', message: deep ? 'the config is nested too deeply to pass on; no config needs more than a few levels' : `the config cannot be passed on: ${(err as Error).message}` });
        }
      },
      async (err: unknown) => {
        await first;
        if (err instanceof ModuleLoadError) {
          await answer({ kind: 'failed', message: err.message, ...(err.line === undefined ? {} : { line: err.line }), ...(err.column === undefined ? {} : { column: err.column }) });
        } else {
          await answer({ kind: 'failed', message: `loading failed: ${err instanceof Error ? err.message : String(err)}` });
        }
      },
    );
  };
}

/** Longest the answer waits for the config's output to reach the CLI: a config that broke its own standard streams still gets its answer. */
const PRINTED_OUTPUT_WAIT_MS = 1000;

/**
 * Settles once everything this thread wrote to stdout and stderr has reached
 * the CLI's thread (a worker's write calls back when the other side has
 * taken the bytes), or after PRINTED_OUTPUT_WAIT_MS. Asked even when
 * nothing seems to be on its way: a worker's write can call back before the
 * CLI's thread has taken its bytes (when that thread starts reading, it asks
 * for more data, which runs the callbacks of writes made just before), so
 * only an empty write made now is acknowledged by the CLI's thread itself.
 */
function printedOutput(): Promise<void> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      // A stream the config ended or destroyed takes no more writes (one would be an error of the thread's).
      if (stream.writableEnded || stream.destroyed) return resolve();
      try {
        stream.write('', () => resolve());
      } catch {
        resolve();
      }
    });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, PRINTED_OUTPUT_WAIT_MS)));
  return Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => undefined), late]).finally(() => clearTimeout(timer));
}

/** Apps named by their names where they can be read: the value may be what failed to read. */
function labelsOf(value: unknown): Map<number, string> {
  try {
    return appLabels(value);
  } catch {
    return new Map();
  }
}

function isBundle(value: unknown): value is ConfigBundle {
  return typeof (value as Partial<ConfigBundle> | null)?.code === 'string';
}

function isStandby(data: unknown): data is SandboxStandby {
  const standby = data as Partial<SandboxStandby> | null;
  return standby?.standby === true && typeof standby.guess === 'string' && typeof standby.tokens?.selfToken === 'string' && typeof standby.tokens.wholeToken === 'string';
}

function isRequest(data: unknown): data is SandboxRequest {
  const request = data as Partial<SandboxRequest> | null;
  return typeof request?.file === 'string' && typeof request.source === 'string' && request.stage instanceof SharedArrayBuffer;
}
