// The config worker: evaluates one TypeScript/JavaScript config file in a
// thread of its own (started by ./sandbox.ts, which can stop it at any
// moment) and posts back either the config as plain data or why there is
// none. What the load is doing is kept in memory shared with the parent, so
// the parent knows it even when this thread is stuck in a loop or has
// nothing left to run.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { appLabels, formatPath } from './issue-path.js';
import { importConfigModule, type LoadStage } from './module-loader.js';
import { toPlainData } from './plain-data.js';
import { BundleRefused, bundleOrNone, compiledFromCurrent, warmEsbuild, type ConfigBundle } from './config-bundle.js';
import { ModuleLoadError, STAGE, STAGE_CALLING, STAGE_LOADING, UNSETTLED, type SandboxAnswer, type SandboxCompiled, type SandboxRequest, type SandboxStandby, type StandbyMessage } from './sandbox-protocol.js';

const STAGES: Record<LoadStage, number> = { loading: STAGE_LOADING, calling: STAGE_CALLING };

/** Started as a worker: do the one load asked for, with the config the parent compiled while this thread started. */
if (parentPort !== null && isRequest(workerData)) {
  const port = parentPort;
  const load = serve(port, workerData);
  port.once('message', (compiled: SandboxCompiled) =>
    void load(compiled.kind === 'bundle' ? compiled : compiled.kind === 'refused' ? new BundleRefused(compiled.message) : undefined),
  );
} else if (parentPort !== null && isStandby(workerData)) {
  // Started ahead of need, while the CLI itself starts: esbuild's process
  // starts now too, and the file the CLI will most likely load is compiled
  // at once (none of it runs before the CLI asks), so that it is ready when
  // the CLI has found its config. It is used only for that file, and only if
  // the file and each one compiled into it still read the same.
  const port = parentPort;
  const warm = warmEsbuild();
  const esbuild = warm?.esbuild;
  // esbuild's process is ended before this thread is: while the config runs, or when no config comes.
  const stopEsbuild = async () => warm?.stop().catch(() => undefined);
  const { guess, tokens } = workerData;
  const early = bundleOrNone(guess, tokens, esbuild);
  port.once('message', (message: StandbyMessage) => {
    if (message.kind === 'discard') {
      void stopEsbuild().then(() => process.exit(0));
      return;
    }
    if (message.kind !== 'request' || !isRequest(message.request)) return;
    const request = message.request;
    const load = serve(port, request);
    const afresh = () => bundleOrNone(request.file, tokens, esbuild);
    const current = async (bundle: ConfigBundle | BundleRefused | undefined) =>
      bundle !== undefined && !(bundle instanceof BundleRefused) && (await compiledFromCurrent(bundle, request.file, request.source));
    const compiled = request.file === guess ? early.then(async (bundle) => ((await current(bundle)) ? bundle : afresh())) : afresh();
    // esbuild's process ends while the config runs; the answer waits for it, since the parent
    // stops this thread on the answer.
    void compiled.then((bundle) => load(bundle, stopEsbuild()));
  });
}

/**
 * The load of `request`: answers the parent once the config, compiled or not
 * (then through tsx), is there or has failed, or at once when the compile
 * refused it, and `first` (work of this thread's own that must end before
 * the parent stops it) has settled.
 */
function serve(port: MessagePort, request: SandboxRequest): (bundle: ConfigBundle | BundleRefused | undefined, first?: Promise<unknown>) => Promise<void> {
  const stage = new Int32Array(request.stage);
  let answered = false;
  const answer = (message: SandboxAnswer) => {
    answered = true;
    port.postMessage(message);
  };
  process.on('beforeExit', () => {
    if (!answered) Atomics.store(stage, UNSETTLED, 1);
  });
  const onStage = (now: LoadStage) => {
    Atomics.store(stage, STAGE, STAGES[now]);
    if (now === 'loading') port.postMessage({ kind: 'started' } satisfies SandboxAnswer);
  };
  return async (bundle, first = Promise.resolve()) => {
    if (bundle instanceof BundleRefused) {
      await first;
      answer({ kind: 'failed', message: bundle.message });
      return;
    }
    return importConfigModule(request.file, request.source, onStage, bundle).then(
      async (value) => {
        await first;
        const plain = toPlainData(value);
        if (!plain.ok) {
          answer({ kind: 'failed', message: plain.message, at: formatPath(plain.path, labelsOf(value)) });
          return;
        }
        try {
          answer({ kind: 'config', value: plain.value });
        } catch (err) {
          // What the copy kept as it is (a Map holding a function, say), or nesting too deep to copy.
          const deep = err instanceof RangeError;
          answer({ kind: 'failed', message: deep ? 'the config is nested too deeply to pass on; no config needs more than a few levels' : `the config cannot be passed on: ${(err as Error).message}` });
        }
      },
      async (err: unknown) => {
        await first;
        if (err instanceof ModuleLoadError) {
          answer({ kind: 'failed', message: err.message, ...(err.line === undefined ? {} : { line: err.line }), ...(err.column === undefined ? {} : { column: err.column }) });
        } else {
          answer({ kind: 'failed', message: `loading failed: ${err instanceof Error ? err.message : String(err)}` });
        }
      },
    );
  };
}

/** Apps named by their names where they can be read: the value may be what failed to read. */
function labelsOf(value: unknown): Map<number, string> {
  try {
    return appLabels(value);
  } catch {
    return new Map();
  }
}

function isStandby(data: unknown): data is SandboxStandby {
  const standby = data as Partial<SandboxStandby> | null;
  return standby?.standby === true && typeof standby.guess === 'string' && typeof standby.tokens?.selfToken === 'string' && typeof standby.tokens.wholeToken === 'string';
}

function isRequest(data: unknown): data is SandboxRequest {
  const request = data as Partial<SandboxRequest> | null;
  return typeof request?.file === 'string' && typeof request.source === 'string' && request.stage instanceof SharedArrayBuffer;
}
