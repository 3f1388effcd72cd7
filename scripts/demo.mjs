#!/usr/bin/env node
// The README demo: the whole GitOps story against the bundled AppsHub
// emulator, with no server and no credentials from the user. It starts the
// emulator (seeded from examples/demo/seed.yaml), then runs the real CLI as a
// user would: plan, apply (the beam calculator's new version fails its check,
// so it is published but never made default), a fix in Studio, plan, apply
// (the fixed version passes and is promoted), check, an edit behind the
// tool's back through the emulator's control API, drift, apply, and drift. It stops the
// emulator when done, also on failure or Ctrl-C.
//
// Run it with `npm run demo` (which builds first). Exit code 0 when every
// step did what the story expects.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'p7apps.js');

let emulatorModule;
try {
  emulatorModule = await import(path.join(root, 'dist', 'emulator', 'index.js'));
} catch {
  process.stderr.write('The demo runs the built CLI: run "npm run build" first (npm run demo does).\n');
  process.exit(1);
}

const bold = process.stdout.isTTY && !process.env.NO_COLOR ? (t) => `\u001b[1m${t}\u001b[22m` : (t) => t;
const say = (text) => process.stdout.write(`\n${bold(`==> ${text}`)}\n`);

const emulator = await emulatorModule.startEmulator({
  seed: path.join(root, 'examples', 'demo', 'seed.yaml'),
  readyAfterMs: Number(process.env.P7APPS_DEMO_READY_AFTER_MS ?? 800),
});

let child;
const stop = async (code) => {
  child?.kill('SIGTERM');
  await emulator.close();
  process.exit(code);
};
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(130));

/** Runs `p7apps ARGS` as a user would, streaming its output; resolves with its exit code. */
function p7apps(args) {
  process.stdout.write(`\n$ p7apps ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token, P7APPS_USERNAME: '', P7APPS_PASSWORD: '' },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function step(args, expected, why) {
  const code = await p7apps(args);
  if (code !== expected) throw new Error(`"p7apps ${args.join(' ')}" exited ${code}; the demo expected ${expected} (${why})`);
}

/** An edit behind the tool's back, through the emulator's control API (as Studio or a colleague would). */
async function control(route, body, method = 'POST') {
  const response = await fetch(`${emulator.controlUrl}${route}`, {
    method,
    headers: { Authorization: `Token ${emulator.controlToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`control API ${route} answered ${response.status}: ${await response.text()}`);
}

/** What the beam workflow's runs do once its solver is fixed (as the seed's first draft). */
const FIXED_BEAM_RUN = {
  parameters: [
    { name: 'length', default: 2.0, labels: { type: 'real', unit: 'm' } },
    { name: 'load', default: 100, labels: { type: 'real', unit: 'N' } },
  ],
  results: [
    { name: 'deflection', default: 0.0125, labels: { type: 'real', unit: 'mm' } },
    { name: 'stress', default: 1.5, labels: { type: 'real', unit: 'MPa' } },
  ],
  cases: [{ when: { length: 4.0, load: 100 }, then: { deflection: 0.1, stress: 3.0 } }],
  runTimeMs: 1500,
};

const started = Date.now();
let exitCode = 0;
try {
  say(`An AppsHub emulator is serving ${emulator.url} (seeded from examples/demo/seed.yaml).`);
  process.stdout.write('    The commands below get P7APPS_URL and P7APPS_TOKEN from the demo, as CI would from its secrets.\n');

  say('Check the config in p7apps.config.ts, offline.');
  await step(['validate'], 0, 'the config is valid');

  say('Plan: what would make the server match the config? (exit code 2: changes present)');
  await step(['plan'], 2, 'the server does not match the config yet');

  say('Apply: publish, wait until every version is READY, run the checks before a version becomes default.');
  process.stdout.write('    Beam calculator v2 is broken: it is published, fails its check, and v1 stays default (exit code 1).\n');
  await step(['apply', '--auto-approve'], 1, 'the new beam calculator version fails its check and is not made default');

  say('Someone fixes the solver of the beam workflow in Studio.');
  await control('workflows/run', { path: '/Users/1/BeamCalculatorV2.p7wf', run: FIXED_BEAM_RUN }, 'PUT');

  say('Plan: a new revision of v2, checked before it becomes default (exit code 2).');
  await step(['plan'], 2, 'the fixed workflow is to be published and promoted');

  say('Apply: the fixed version passes its check and is made default.');
  await step(['apply', '--auto-approve'], 0, 'apply converges');

  say('Plan again: nothing to do (exit code 0).');
  await step(['plan'], 0, 'the server matches the config after apply');

  say('The nightly check: does every app still run? (exit code 0)');
  await step(['check'], 0, 'every check passes');

  say('Meanwhile, someone edits the description of "Toy app" in AppsHub and the beam workflow in Studio.');
  await control('apps/drift', { name: 'Toy app', description: 'Edited by hand in AppsHub.' });
  await control('workflows/edit', { path: '/Users/1/BeamCalculatorV2.p7wf', content: 'beam calculator, edited in Studio' });

  say('The nightly drift report notices (exit code 2: drift).');
  await step(['drift'], 2, 'the edits are drift');

  say('Apply brings the server back to the config.');
  await step(['apply', '--auto-approve'], 0, 'apply converges again');

  say('And the drift report is clean again.');
  await step(['drift'], 0, 'no drift after apply');

  say(`Demo done in ${((Date.now() - started) / 1000).toFixed(1)}s. Read README.md to point p7apps at your own server.`);
} catch (err) {
  process.stderr.write(`\nThe demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = 1;
} finally {
  await stop(exitCode);
}
