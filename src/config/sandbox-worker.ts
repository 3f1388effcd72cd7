// The config worker: evaluates one TypeScript/JavaScript config file in a
// thread of its own (started by ./sandbox.ts, which can stop it at any
// moment) and posts back either the config as plain data or why there is
// none. What the load is doing is kept in memory shared with the parent, so
// the parent knows it even when this thread is stuck in a loop or has
// nothing left to run.

import { parentPort, workerData } from 'node:worker_threads';
import { appLabels, formatPath } from './issue-path.js';
import { importConfigModule, type LoadStage } from './module-loader.js';
import { toPlainData } from './plain-data.js';
import type { ConfigBundle } from './config-bundle.js';
import { ModuleLoadError, STAGE, STAGE_CALLING, STAGE_LOADING, UNSETTLED, type SandboxAnswer, type SandboxCompiled, type SandboxRequest } from './sandbox-protocol.js';

const STAGES: Record<LoadStage, number> = { loading: STAGE_LOADING, calling: STAGE_CALLING };

/** Started as a worker: do the one load asked for. */
if (parentPort !== null && isRequest(workerData)) {
  const port = parentPort;
  const request = workerData;
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
  const load = (bundle: ConfigBundle | undefined) => importConfigModule(request.file, request.source, onStage, bundle).then(
    (value) => {
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
    (err: unknown) => {
      if (err instanceof ModuleLoadError) {
        answer({ kind: 'failed', message: err.message, ...(err.line === undefined ? {} : { line: err.line }), ...(err.column === undefined ? {} : { column: err.column }) });
      } else {
        answer({ kind: 'failed', message: `loading failed: ${err instanceof Error ? err.message : String(err)}` });
      }
    },
  );
  // The parent compiles the config while this thread starts, then says what came of it.
  port.once('message', (compiled: SandboxCompiled) => void load(compiled.kind === 'bundle' ? compiled : undefined));
}

/** Apps named by their names where they can be read: the value may be what failed to read. */
function labelsOf(value: unknown): Map<number, string> {
  try {
    return appLabels(value);
  } catch {
    return new Map();
  }
}

function isRequest(data: unknown): data is SandboxRequest {
  const request = data as Partial<SandboxRequest> | null;
  return typeof request?.file === 'string' && typeof request.source === 'string' && request.stage instanceof SharedArrayBuffer;
}
