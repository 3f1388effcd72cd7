#!/usr/bin/env node
// The CI steps of the GitOps loop (src/ci/main.ts): run by the GitHub Action
// (action.yml) and the GitLab recipe, from the p7apps installed in the
// project, so the loop uses the same p7apps as the project's own commands.
import { runCi } from '../dist/bundle/ci.js';

runCi(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // runCi reports every expected failure itself; reaching here is a bug.
    process.stderr.write(`p7apps-ci: internal error: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
