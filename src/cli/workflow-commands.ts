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
// streams of a step, and the marker comes before anything from the server.

export interface StoppedCommands {
  /** Resumes the runner's command processing, once whatever p7apps wrote to `stdout` has been handed over. */
  resume(stdout: NodeJS.WritableStream): Promise<void>;
}

/** Stops workflow commands in a GitHub Actions log; undefined elsewhere (nothing is written). */
export function stopWorkflowCommands(stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv): StoppedCommands | undefined {
  if (env.GITHUB_ACTIONS !== 'true') return undefined;
  // Loaded only here: node:crypto costs a plain start-up several milliseconds.
  const { randomBytes } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  const token = `p7apps-${randomBytes(16).toString('hex')}`;
  stderr.write(`::stop-commands::${token}\n`);
  return {
    async resume(stdout) {
      await new Promise<void>((resolve) => {
        try {
          stdout.write('', () => resolve());
        } catch {
          resolve();
        }
      });
      stderr.write(`::${token}::\n`);
    },
  };
}
