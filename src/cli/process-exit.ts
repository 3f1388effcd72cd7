// How the p7apps process ends once its command has finished (bin/p7apps.js):
// with the command's exit code, and promptly, whatever a config's worker
// thread is doing. process.exit() waits for every worker thread to stop, and
// a thread blocked in a system call (a config reading a FIFO nobody writes
// to, or running a command synchronously that never ends) stops only when
// that call returns: after the config's time limit has been reported, the
// process would then never end. Such a process ends through WASI's
// proc_exit instead, which Node documents as ending the process with the
// code given (`returnOnExit: false`) and which waits for no thread.

import { killWorkerProcesses, liveConfigWorkers, configWorkersEnded } from '../config/sandbox.js';

/** How long a config worker that is being stopped may take to end before the process ends without it. */
export const THREAD_STOP_GRACE_MS = 1_000;

export interface ProcessEnd {
  /** Whether a config worker thread has not ended yet. */
  threadsAlive: () => boolean;
  /** Settles once no config worker thread is left. */
  threadsEnded: () => Promise<void>;
  /** Ends the process the ordinary way (process.exit). */
  exit: (code: number) => void;
  /** Ends the process at once, waiting for no thread. */
  exitAtOnce: (code: number) => void;
  graceMs: number;
  setTimer: (run: () => void, ms: number) => unknown;
}

/**
 * Ends the process with `code`: at once when no config worker is left, else
 * as soon as the last one has ended, or after `graceMs` without waiting for
 * it (it is stuck in a system call). Call it once what the command wrote has
 * been handed over.
 */
export function endProcess(code: number, options: Partial<ProcessEnd> = {}): void {
  const threadsAlive = options.threadsAlive ?? (() => liveConfigWorkers() > 0);
  const exit = options.exit ?? ((exitCode: number) => process.exit(exitCode));
  if (!threadsAlive()) {
    exit(code);
    return;
  }
  const exitAtOnce = options.exitAtOnce ?? exitWithoutWaitingForThreads;
  const setTimer = options.setTimer ?? ((run: () => void, ms: number) => setTimeout(run, ms));
  let ended = false;
  const end = (how: (exitCode: number) => void) => {
    if (ended) return;
    ended = true;
    how(code);
  };
  setTimer(() => end(exitAtOnce), options.graceMs ?? THREAD_STOP_GRACE_MS);
  void (options.threadsEnded ?? configWorkersEnded)().then(() => end(exit));
}

/**
 * A WebAssembly module whose `_start` calls WASI's `proc_exit(code)`: the
 * one way Node offers to end the process with an exit code without first
 * joining its worker threads.
 */
export function procExitModule(code: number): Uint8Array {
  if (!Number.isInteger(code) || code < 0 || code > 255) throw new RangeError(`an exit code is 0 to 255, not ${code}`);
  const name = (text: string) => [text.length, ...Buffer.from(text, 'latin1')];
  const section = (id: number, content: number[]) => [id, content.length, ...content];
  // i32.const takes a signed LEB128: 0-63 in one byte, 64-255 in two.
  const immediate = code < 64 ? [code] : [(code & 0x7f) | 0x80, code >> 7];
  const body = [0x00, 0x41, ...immediate, 0x10, 0x00, 0x0b]; // no locals; i32.const code; call 0 (proc_exit); end
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
    ...section(1, [0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x00]), // types: (i32) -> (), () -> ()
    ...section(2, [0x01, ...name('wasi_snapshot_preview1'), ...name('proc_exit'), 0x00, 0x00]), // import function 0 of type 0
    ...section(3, [0x01, 0x01]), // function 1 of type 1
    ...section(5, [0x01, 0x00, 0x01]), // one memory of one page (WASI requires one exported)
    ...section(7, [0x02, ...name('memory'), 0x02, 0x00, ...name('_start'), 0x00, 0x01]),
    ...section(10, [0x01, body.length, ...body]),
  ]);
}

/** As much of WebAssembly as is used here: the compiler's libraries for Node declare none of it. */
export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => object;
}

export const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Ends the process with `code` now, waiting for no thread. Writes nothing: flush first. */
export function exitWithoutWaitingForThreads(code: number): void {
  // Emits no 'exit': esbuild processes a config worker left running are ended here instead.
  killWorkerProcesses();
  // Taken when needed: loading node:wasi announces an experimental feature on some Node versions, which
  // is printed on the next tick, which a process ending here never reaches.
  const { WASI } = process.getBuiltinModule('node:wasi');
  const wasi = new WASI({ version: 'preview1', returnOnExit: false });
  const instance = new wasm.Instance(new wasm.Module(procExitModule(code)), wasi.getImportObject());
  wasi.start(instance);
  // Not reached; should WASI ever return instead, the ordinary way remains.
  process.exit(code);
}
