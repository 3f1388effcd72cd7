// `npm run chaos`: the full fault matrix. Every profile of ./chaos-profiles.ts
// is applied to a 50-app catalog for several seeds, each run against its own
// in-process emulator on a loopback port; the table is printed and the whole
// result written to bench/chaos-results.json. Bounded: a fixed number of
// runs, each interrupted after --run-limit seconds, and no run started after
// --max-minutes. Exits 1 if any run created a duplicate, lost a change or
// reported success without converging.
//
//   npm run chaos -- --seeds 10 --apps 50 --concurrency 3 --profiles 503,restart
//   npm run chaos -- --seeds 2 --profiles late-5s,late-30s,late-120s,race-same-checkout,race-two-checkouts
//   npm run chaos -- --profiles hostile-strings,unsettled-configs
//
// Besides the fault profiles, two adversarial scenarios (./chaos-adversarial.ts)
// run once each: hostile strings through every command and format, and
// configs that never settle or loop, under every command and under signals.

import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ADVERSARIAL, renderAdversarial, violations as adversarialViolations, type AdversarialTally } from './chaos-adversarial.js';
import { PROFILES, profileNamed, type FaultProfile } from './chaos-profiles.js';
import { renderFaultKinds, renderTable, summarise } from './chaos-report.js';
import { runChaos, type RunResult, type RunSettings } from './chaos-run.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    apps: { type: 'string', default: '50' },
    profiles: { type: 'string' },
    concurrency: { type: 'string', default: '3' },
    'ready-after-ms': { type: 'string', default: '50' },
    'run-limit': { type: 'string', default: '300' },
    'scaled-window-ms': { type: 'string', default: '3000' },
    'max-minutes': { type: 'string', default: '30' },
    out: { type: 'string', default: path.join(import.meta.dirname, 'chaos-results.json') },
  },
});

function whole(name: string, text: string | undefined, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max} (got ${text})`);
    process.exit(2);
  }
  return n;
}

const seeds = whole('seeds', values.seeds, 1, 1000);
const concurrency = whole('concurrency', values.concurrency, 1, 16);
const maxMinutes = whole('max-minutes', values['max-minutes'], 1, 600);
const settings: RunSettings = {
  apps: whole('apps', values.apps, 2, 1000),
  readyAfterMs: whole('ready-after-ms', values['ready-after-ms'], 0, 60_000),
  timeLimitMs: whole('run-limit', values['run-limit'], 10, 3600) * 1000,
  // The late-commit profiles use the real 120 s window; the others a scaled one, or every 503 to a publish would cost 2 minutes.
  scaledWindowMs: whole('scaled-window-ms', values['scaled-window-ms'], 0, 600_000),
};
let profiles: FaultProfile[];
let scenarios: (keyof typeof ADVERSARIAL)[];
try {
  const named = values.profiles?.split(',').map((name) => name.trim());
  const isScenario = (name: string): name is keyof typeof ADVERSARIAL => Object.hasOwn(ADVERSARIAL, name);
  scenarios = named ? named.filter(isScenario) : (Object.keys(ADVERSARIAL) as (keyof typeof ADVERSARIAL)[]);
  profiles = named ? named.filter((name) => !isScenario(name)).map((name) => profileNamed(name)) : [...PROFILES];
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

// Seeds in the outer loop, so that a run cut short by --max-minutes still covers every profile.
const queue = Array.from({ length: seeds }, (_, i) => profiles.map((profile) => ({ profile, seed: i + 1 }))).flat();
const results = new Map<string, RunResult[]>(profiles.map((p) => [p.name, []]));
const started = Date.now();
const deadline = started + maxMinutes * 60_000;
let skipped = 0;
let done = 0;

if (profiles.length > 0) {
  console.log(
    `Fault matrix: ${profiles.length} profiles x ${seeds} seeds, ${settings.apps} apps each, READY after ${settings.readyAfterMs} ms, ` +
      `${concurrency} runs at once (Node ${process.version}, ${os.cpus().length} cores).`,
  );
}

async function worker(): Promise<void> {
  for (let job = queue.shift(); job; job = queue.shift()) {
    if (Date.now() > deadline) {
      skipped += 1;
      continue;
    }
    const result = await runChaos(job.profile, job.seed, settings);
    results.get(job.profile.name)!.push(result);
    done += 1;
    const bad = result.duplicates + result.lost + result.falseSuccesses > 0 ? '  <-- FAILED AN INVARIANT' : '';
    console.log(
      `[${done}/${seeds * profiles.length}] ${job.profile.name} seed ${job.seed}: converged after ${result.convergedAfter ?? 'neither'} apply, ` +
        `${result.duplicates} duplicates, ${result.lost} lost, ${result.requests} requests, ${(result.elapsedMs / 1000).toFixed(1)} s${bad}`,
    );
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));

const summaries = profiles.map((p) => summarise(p, results.get(p.name)!));
if (summaries.length > 0) console.log(`\n${renderTable(summaries)}\n\n${renderFaultKinds(summaries)}`);
if (skipped > 0) console.log(`\n${skipped} runs were not started: --max-minutes ${maxMinutes} was reached.`);

const adversarial: AdversarialTally[] = [];
for (const name of scenarios) {
  console.log(`\nAdversarial scenario ${name}...`);
  adversarial.push(await ADVERSARIAL[name]());
}
if (adversarial.length > 0) console.log(`\n${renderAdversarial(adversarial)}`);

const violations =
  summaries.reduce((n, s) => n + s.duplicates + s.lost + s.falseSuccesses + (s.failingAppReported !== undefined ? s.runs - s.failingAppReported : 0), 0) +
  adversarial.reduce((n, t) => n + adversarialViolations(t), 0);
const document = {
  generatedAt: new Date().toISOString(),
  command: ['npm run chaos', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  environment: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cores: os.cpus().length },
  settings: { ...settings, seeds, concurrency, maxMinutes, profiles: profiles.map((p) => p.name) },
  elapsedSeconds: Math.round((Date.now() - started) / 1000),
  runsNotStarted: skipped,
  invariantsHeld: violations === 0,
  profiles: summaries,
  adversarial,
  runs: [...results.values()].flat().map(({ faults, applies, ...run }) => ({
    ...run,
    faults: Object.fromEntries(Object.entries(faults).filter(([, n]) => n > 0)),
    applies: applies.map(({ faults: _perApply, stderrTail, ...apply }) => ({ ...apply, ...(stderrTail ? { stderrTail } : {}) })),
  })),
};
// One line per run, so that the file stays readable and small.
const { runs, ...head } = document;
const runLines = runs.map((run) => `    ${JSON.stringify(run)}`).join(',\n');
await writeFile(values.out!, `${JSON.stringify(head, null, 2).replace(/\n}$/, `,\n  "runs": [\n${runLines}\n  ]\n}`)}\n`);
console.log(`\nWrote ${path.relative(process.cwd(), values.out!)} (${document.elapsedSeconds} s).`);
if (violations > 0) {
  console.error(`${violations} invariant violations: see the runs in ${values.out}.`);
  process.exitCode = 1;
}
