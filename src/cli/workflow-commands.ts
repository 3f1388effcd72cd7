// GitHub Actions reads workflow commands (`::error::`, `::add-mask::`,
// `::stop-commands::`, and the older `##[error]`) from the lines of a step's
// output, after any leading white space, and `##[` anywhere in a line. Text
// from a server that p7apps prints (a description's line in a plan's diff, a
// state detail in apply's progress) is escaped for a terminal, but a plain
// `::error::` in it is not a control character: in a GitHub log it would forge
// an annotation, hide log text behind a mask, or stop the commands of the
// steps around it. So when GITHUB_ACTIONS is true, p7apps stops the runner's
// command processing for as long as it runs (`::stop-commands::` with a token
// nobody can guess) and resumes it as it ends. p7apps prints no workflow
// command of its own (p7apps-ci writes its `::error::` from its own process).
//
// The markers go to standard error only: standard output may be a JSON
// document or a pipe (`plan --format json | jq`). The runner reads both
// streams of a step, and the stop comes before anything from the server. The
// resume comes once everything written to standard output has been handed
// to the pipe; the runner reads the two pipes apart, so it is not certain to
// have read the last of standard output by then (docs/security.md says so).

/** The token: this prefix and 16 random bytes in hex. */
const TOKEN_PREFIX = 'p7apps-';

/** Lines this module writes (the stop and the resume), for a caller that quotes p7apps' output elsewhere than the log. */
export const WORKFLOW_COMMAND_MARKERS = new RegExp(String.raw`^(?:::stop-commands::${TOKEN_PREFIX}[0-9a-f]{32}|::${TOKEN_PREFIX}[0-9a-f]{32}::)
`, 'gm');

export interface StoppedCommands {
  /** Resumes the runner's command processing, once whatever p7apps wrote to `stdout` has been handed over. */
  resume(stdout: NodeJS.WritableStream): Promise<void>;
}

/** Stops workflow commands in a GitHub Actions log; undefined elsewhere (nothing is written). */
export function stopWorkflowCommands(stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv): StoppedCommands | undefined {
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  // Loaded only here: node:crypto costs a plain start-up several milliseconds.
  const { randomBytes } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  const token = `${TOKEN_PREFIX}${randomBytes(16).toString('hex')}`;
  stderr.write(`::stop-commands::${token}\n`);
  // A process that ends without finishing its command (a second Ctrl-C) resumes them on its way out, so that
  // what the step prints after p7apps (p7apps-ci's own ::error::) is read again.
  const onExit = () => {
    try {
      process.getBuiltinModule('node:fs').writeSync(2, `::${token}::\n`);
    } catch {
      // Standard error is gone: nothing can be resumed, nor read.
    }
  };
  const ownStderr = stderr === process.stderr;
  if (ownStderr) process.once('exit', onExit);
  return {
    async resume(stdout) {
      await new Promise<void>((resolve) => {
        try {
          stdout.write('', () => resolve());
        } catch {
          resolve();
        }
      });
      if (ownStderr) process.removeListener('exit', onExit);
      stderr.write(`::${token}::\n`);
    },
  };
}
