// The one base class for failures a user can act on. The CLI prints these as
// a message (and a hint) with exit code 1 and no stack trace; anything else
// reaching the top is a bug and is labelled as one.

export class P7appsError extends Error {
  /** What the person should do about it, shown on its own line. */
  readonly hint: string | undefined;
  /**
   * Whether the line breaks in the message and hint are the error's own
   * (a list, each line built to be shown). Otherwise the CLI shows each as
   * one line, a line break in it escaped: one there came from a value put
   * into the text (a path the person typed, a name from a server), and must
   * not start a line of its own that could pass for p7apps' output.
   */
  readonly multiline: boolean;

  constructor(message: string, options?: { hint?: string; cause?: unknown; multiline?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
    this.multiline = options?.multiline === true;
  }
}

/** A usage error: a bad flag or argument. Names the flag. */
export class UsageError extends P7appsError {}
