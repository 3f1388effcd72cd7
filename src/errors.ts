// The one base class for failures a user can act on. The CLI prints these as
// a message (and a hint) with exit code 1 and no stack trace; anything else
// reaching the top is a bug and is labelled as one.

export class P7appsError extends Error {
  /** What the person should do about it, shown on its own line. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** A usage error: a bad flag or argument. Names the flag. */
export class UsageError extends P7appsError {}
