// Defaults of the emulator that the CLI shows in --help: kept apart from the
// emulator itself so that every p7apps command can start without loading it.

/** Milliseconds from a publish to READY. */
export const DEFAULT_READY_AFTER_MS = 1000;

/**
 * How long a run stays in the states a workflow does not decide: 200 ms
 * QUEUED_TO_INITIALIZE after a deploy, 100 ms QUEUED_TO_RUN after the run
 * command, and 1 s RUNNING for a workflow whose seed gives no runTimeMs.
 */
export const DEFAULT_RUN_TIMING = Object.freeze({ deployMs: 200, queueMs: 100, runMs: 1000 });
