// The exit codes of every command, like `terraform plan -detailed-exitcode`:
// in a module of their own so that commands need not import the entry point
// that imports them.

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
/** Changes present (plan) or drift (drift). */
export const EXIT_CHANGES = 2;
export const EXIT_INTERRUPTED = 130;
