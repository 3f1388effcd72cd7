// What ./sandbox.ts (the CLI's thread) and ./sandbox-worker.ts (the config's
// thread) say to each other, how the CLI reads the worker's answers, and the
// error a failed load ends in. Free of runtime dependencies (types and one
// small reader), so that either side loads it cheaply.

import type { BundleTokens } from './config-bundle.js';
import type { CompiledModule } from './thread-compile.js';

export class ModuleLoadError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
    /** The place inside the config the message is about, e.g. `apps["Toy"].versions`; none for the file as a whole. */
    readonly at?: string,
  ) {
    super(message);
  }
}

export interface SandboxRequest {
  file: string;
  source: string;
  /**
   * Int32s written by the worker and read by the parent even while the worker is busy or gone:
   * [STAGE] a STAGE_* value, [UNSETTLED] 1 once the worker ran out of things to do before the config was there,
   * [ANSWERED] 1 once the worker has posted its answer (which a config that closed parentPort keeps from arriving).
   */
  stage: SharedArrayBuffer;
}

/**
 * What a worker started ahead of need (./sandbox.ts prepareConfigWorker) is
 * given to start with: the file the CLI will most likely load, which it
 * compiles at once, running none of it. It then waits for a StandbyRequest.
 * Meanwhile it may post EsbuildProcessNotes.
 */
export interface SandboxStandby {
  standby: true;
  guess: string;
  /** What stands for p7apps in what it compiles. */
  tokens: BundleTokens;
}

/** The one message a standby worker waits for: the load to do. */
export interface StandbyRequest {
  kind: 'request';
  request: SandboxRequest;
}

/** What a standby worker is told: the load to do, or that none will come (it then ends its compiler's process, and itself). */
export type StandbyMessage = StandbyRequest | { kind: 'discard' };

/**
 * The parent's second word, once it has compiled the config while the worker started: its modules
 * (./thread-compile.ts) or one bundle (./config-bundle.ts) to run from memory, none (the worker then
 * loads the file through tsx), or why the config must not be loaded at all (the worker then answers
 * that, running nothing). Modules carry the tokens for esbuild's compile, should Node reject them.
 */
export type SandboxCompiled =
  | { kind: 'modules'; modules: CompiledModule[]; selfToken: string; wholeToken: string }
  | { kind: 'bundle'; code: string; selfToken: string; wholeToken: string }
  | { kind: 'no-bundle' }
  | { kind: 'refused'; message: string };

export type SandboxAnswer =
  /** The worker is ready and evaluates the config now: its time limit starts. */
  | { kind: 'started' }
  /**
   * A process the worker started (esbuild's executable) runs, or has ended: the CLI's thread ends
   * one still running when p7apps exits, which a stopped worker thread no longer can (one blocked on
   * a FIFO would otherwise outlive p7apps).
   */
  | EsbuildProcessNote
  | { kind: 'config'; value: unknown }
  | { kind: 'failed'; message: string; line?: number; column?: number; at?: string };

export interface EsbuildProcessNote {
  kind: 'esbuild-process';
  pid: number;
  ended: boolean;
}

/**
 * `message` as an answer of the worker, or undefined when it is not one as
 * ./sandbox-worker.ts writes them. The worker's port is the config's too: a
 * config can post on worker_threads' parentPort, and what it posts must
 * neither crash the CLI's thread nor pass for a failure, a place in the file
 * or a process it is not.
 */
export function readSandboxAnswer(message: unknown): SandboxAnswer | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const fields = message as Record<string, unknown>;
  switch (fields.kind) {
    case 'started':
      return { kind: 'started' };
    case 'config':
      return 'value' in fields ? { kind: 'config', value: fields.value } : undefined;
    case 'esbuild-process': {
      const { pid, ended } = fields;
      return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 && typeof ended === 'boolean' ? { kind: 'esbuild-process', pid, ended } : undefined;
    }
    case 'failed': {
      const { message: text, line, column, at } = fields;
      const place = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0);
      if (typeof text !== 'string' || !place(line) || !place(column) || (at !== undefined && typeof at !== 'string')) return undefined;
      return {
        kind: 'failed',
        message: text,
        ...(line === undefined ? {} : { line: line as number }),
        ...(column === undefined ? {} : { column: column as number }),
        ...(at === undefined ? {} : { at: at as string }),
      };
    }
    default:
      return undefined;
  }
}

export const STAGE = 0;
export const UNSETTLED = 1;
export const ANSWERED = 2;
export const STAGE_MEMORY_BYTES = 12;

export const STAGE_LOADING = 1;
/** The file is loaded; its exported function runs, or the promise it returned is awaited. */
export const STAGE_CALLING = 2;
