// Defaults of the emulator that the CLI shows in --help: kept apart from the
// emulator itself so that every p7apps command can start without loading it.

/** Milliseconds from a publish to READY. */
export const DEFAULT_READY_AFTER_MS = 1000;
