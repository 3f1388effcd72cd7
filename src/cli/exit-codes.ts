// The exit codes of every command, like `terraform plan -detailed-exitcode`:
// in a module of their own so that commands need not import the entry point
// that imports them.

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** Changes present (plan) or drift (drift). */
export const EXIT_CHANGES = 2;
/** Stopped by SIGINT (Ctrl-C). */
export const EXIT_INTERRUPTED = 130;
/** Stopped by SIGTERM. */
export const EXIT_TERMINATED = 143;
