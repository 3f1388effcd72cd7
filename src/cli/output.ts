// What the CLI writes, made safe in one place each: its two streams and the
// files it writes pass through the run's Redactor (src/redact.ts), so the
// token and the password never leave p7apps whatever field a server or a
// config puts them in; and errors are printed with every line through
// terminalLine (src/render/text.ts), so server text in a message can neither
// drive the terminal nor forge a line of output.

import { appendFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { P7appsError } from '../errors.js';
import { AppsHubError } from '../appshub/errors.js';
import type { Redactor } from '../redact.js';
import { escapeUnsafe } from '../render/escape.js';
import { terminalLine } from '../render/text.js';
import type { CliContext } from './context.js';

type Stream = CliContext['stdout'];

/** A stream that forwards every write, redacted, to `target`; it reports the target's TTY and width. */
class RedactingStream extends Writable {
  constructor(
    readonly target: Stream,
    readonly redactor: Redactor,
  ) {
    super({ decodeStrings: false });
  }

  get isTTY(): boolean | undefined {
    return this.target.isTTY;
  }

  get columns(): number | undefined {
    return this.target.columns;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    this.target.write(this.redactor.redact(text));
    done();
  }
}

/** The stream, with every secret the redactor knows (now or later) replaced before it is written. */
export function redactedStream<T extends Stream>(target: T, redactor: Redactor): T {
  return new RedactingStream(target, redactor) as unknown as T;
}

/** Text for a file p7apps writes (a saved plan, a job summary): the secrets replaced. */
export function redactedFileText(ctx: Pick<CliContext, 'secrets'>, text: string): string {
  return ctx.secrets.redact(text);
}

/** Appends a Markdown report to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions), redacted; `what` names the report in errors. */
export async function appendJobSummary(ctx: Pick<CliContext, 'secrets' | 'env'>, what: string, markdown: () => string | Promise<string>): Promise<void> {
  const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
  if (summaryFile === undefined || summaryFile === '') return;
  try {
    await appendFile(summaryFile, `${redactedFileText(ctx, await markdown())}\n`, 'utf8');
  } catch (err) {
    throw new P7appsError(`cannot append the ${what} to GITHUB_STEP_SUMMARY (${summaryFile}): ${(err as Error).message}`, {
      hint: 'Unset GITHUB_STEP_SUMMARY outside GitHub Actions, or make the file writable.',
      cause: err,
    });
  }
}

/** Each line of a message through terminalLine; a message not multiline (P7appsError.multiline) is one line, so its newlines came from a value. */
function messageLines(message: string, oneLine: boolean): string[] {
  return oneLine ? [terminalLine(message)] : message.split('\n').map(terminalLine);
}

/** An error as the CLI prints it: "Error: ..." and the hint, no stack trace unless P7APPS_DEBUG; nothing raw. */
export function errorText(err: unknown, env: NodeJS.ProcessEnv): string {
  if (err instanceof P7appsError) {
    const oneLine = !err.multiline || err instanceof AppsHubError;
    const lines = messageLines(`Error: ${err.message}`, oneLine);
    if (err.hint) lines.push(...messageLines(err.hint, oneLine).map((line) => `  ${line}`));
    return `${lines.join('\n')}\n`;
  }
  const message = err instanceof Error ? err.message : String(err);
  const stack = env.P7APPS_DEBUG && err instanceof Error && err.stack ? err.stack.split('\n').map(escapeUnsafe) : [];
  return [
    ...messageLines(`Error: unexpected failure: ${message}`, false),
    ...stack,
    '  This is a bug in p7apps; please report it with the command you ran.',
    '',
  ].join('\n');
}

/** A usage error from the argument parser, which may quote what was typed. */
export function usageErrorText(message: string): string {
  return `${messageLines(`Error: ${message}`, false).join('\n')}\n  Run "p7apps --help" or "p7apps <command> --help" for usage.\n`;
}
