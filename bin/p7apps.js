#!/usr/bin/env node
// The published entry point: runs the compiled CLI, bundled into
// dist/bundle/ (scripts/bundle.mjs) so that it starts quickly; no TypeScript
// toolchain is needed to run p7apps.
import module from 'node:module';

// Node's compile cache (Node 22.1 and later): the bundle's code is compiled
// once, not on every run. It lives in Node's default place (the OS temporary
// directory, or NODE_COMPILE_CACHE); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
// Where it cannot be written, Node runs without it.
try {
  module.enableCompileCache?.();
} catch {
  // A cache is only a speed-up: never a reason to fail.
}

// Work the command will need that can start before the CLI loads: a
// TypeScript config's worker thread starts on another core meanwhile
// (src/cli/head-start.ts). A guess from the command line; it never throws.
const { headStart } = await import('../dist/bundle/head-start.js');
headStart(process.argv.slice(2), process.cwd());

// Imported after the cache is on, so that the bundle is what it caches.
const { main, endProcess, delayOptimisingCompiler } = await import('../dist/bundle/p7apps.js');

/**
 * Exits once stdout and stderr have handed over what was written, so a timer
 * or socket left open by a user's config cannot keep a finished command
 * alive, and piped output is never cut short. A config worker stuck in a
 * system call (stopped at the time limit while reading a FIFO, say) does not
 * keep it alive either (src/cli/process-exit.ts).
 */
function exitAfterFlush(code) {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) endProcess(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// A reader that goes away (`p7apps plan | head`) is not an error of ours: no
// stack trace, and what is written to that stream afterwards is dropped (the
// stream is destroyed). The command still runs to its end and exits with its
// own code: stopping at once left an apply abandoned halfway (publishes sent,
// none waited for) with exit 0, which `set -o pipefail` took for success.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') return;
    throw err;
  });
}

// This process is the CLI's own: a command that reads the server may retune
// when V8 optimises (src/cli/v8-tiering.ts).
main(process.argv.slice(2), { delayOptimisingCompiler }).then(exitAfterFlush, (err) => {
  // main() reports every expected failure itself; reaching here is a bug.
  process.stderr.write(`p7apps: internal error: ${err && err.message ? err.message : String(err)}\n`);
  exitAfterFlush(1);
});
