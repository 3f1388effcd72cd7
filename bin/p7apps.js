#!/usr/bin/env node
// The published entry point: runs the compiled CLI from dist/, so no TypeScript
// toolchain is needed to run p7apps.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() reports every expected failure itself; reaching here is a bug.
    process.stderr.write(`p7apps: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
