// What ./sandbox.ts (the CLI's thread) and ./sandbox-worker.ts (the config's
// thread) say to each other, and the error a failed load ends in. Free of
// dependencies, so that either side loads it cheaply.

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

/**
 * What a config worker is started with (its workerData). A worker started
 * early (./early-start.ts), before the CLI knows for sure which config it
 * loads, is given the file it most likely is, to compile while the CLI loads.
 */
export interface SandboxBoot {
  compileFirst?: string;
}

/** The one load a worker is asked for, posted once it is wanted: the worker has done nothing of the config's before. */
export interface SandboxRequest {
  file: string;
  source: string;
  /**
   * Two Int32s, written by the worker and read by the parent even while the worker is busy or gone:
   * [STAGE] a STAGE_* value, [UNSETTLED] 1 once the worker ran out of things to do before the config was there.
   */
  stage: SharedArrayBuffer;
  /** The config compiled by the parent (./config-bundle.ts); absent, the worker compiles it, or uses what it compiled first. */
  compiled?: SandboxCompiled;
}

/** The config as one bundle to run from memory, or none (the worker then loads the file through tsx). */
export type SandboxCompiled = { kind: 'bundle'; code: string; selfToken: string; wholeToken: string } | { kind: 'no-bundle' };

export type SandboxAnswer =
  /** The worker is ready and evaluates the config now: its time limit starts. */
  | { kind: 'started' }
  | { kind: 'config'; value: unknown }
  | { kind: 'failed'; message: string; line?: number; column?: number; at?: string };

export const STAGE = 0;
export const UNSETTLED = 1;
export const STAGE_MEMORY_BYTES = 8;

export const STAGE_LOADING = 1;
/** The file is loaded; its exported function runs, or the promise it returned is awaited. */
export const STAGE_CALLING = 2;
