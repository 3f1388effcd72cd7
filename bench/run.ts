// `npm run bench`: plan and apply at catalog scale, measured against the
// latency floor and a sequential client. The emulator runs in its own
// process with a generated catalog; p7apps is the built CLI, run as a child
// process the way users run it. Prints a table and writes bench/results.json.
//
//   npm run bench                 N=1000 apps x 3 versions, L=20 ms, R=500 ms, P=60, 3 runs
//   npm run bench -- --quick      N=200, one run: under a minute
//   npm run bench -- --apps 500 --latency-ms 50 --runs 5 ...
//
// Every loop is bounded, all traffic stays on loopback, and the emulator
// process is killed at the end, however the benchmark ends.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLL_SCHEDULE, pollDelay } from '../src/apply/backoff.js';
import { APPLY_CHAIN, applyChains, declaredCatalog, hasThumbnail, writeCatalog, type Catalog, type CatalogShape } from './catalog.js';
import { runCliProcess, type CliMeasurement } from './cli-process.js';
import { EmulatorProcess } from './emulator-process.js';
import {
  applyFloorMs,
  median,
  minimalPlanRequests,
  PUBLISH,
  pollRate,
  readFloorMs,
  requestDifference,
  sequentialFloorMs,
  THUMBNAIL,
  type ReadTarget,
} from './floor.js';
import { measurePlanCpu, type PlanCpu } from './plan-cpu.js';
import { bareFetchRead, sequentialRead, type ReferenceRead } from './reference-clients.js';
import { measureTypical, typicalTable, typicalTargets, type Contender } from './typical.js';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Params {
  apps: number;
  versions: number;
  latencyMs: number;
  readyAfterMs: number;
  publishes: number;
  parallelism: number;
  runs: number;
  sequentialRuns: number;
  thumbnailShare: number;
  driftShare: number;
  cpuApps: number;
  cpuRuns: number;
  typicalRuns: number;
  formatsRuns: number;
  quick: boolean;
  out: string;
  /** The CLI under test. */
  cli: string;
  /** Another build to compare with, side by side in the same run (--baseline). */
  baseline: string | undefined;
  /** Node binaries to run the typical and LAN measurements under, besides the running one (--node). */
  nodes: string[];
  /** Which measurements: the 1,000-app catalog (`catalog`), the typical catalogs and the LAN (`typical`). */
  sections: Set<string>;
}

const FLAGS: Record<string, { key: keyof Params; min: number; max: number; integer: boolean; help: string }> = {
  '--apps': { key: 'apps', min: 1, max: 5000, integer: true, help: 'apps in the catalog (default 1000, --quick 200)' },
  '--versions': { key: 'versions', min: 1, max: 50, integer: true, help: 'versions per app (default 3)' },
  '--latency-ms': { key: 'latencyMs', min: 0, max: 10_000, integer: true, help: 'latency the emulator adds to every request (default 20)' },
  '--ready-after-ms': { key: 'readyAfterMs', min: 0, max: 600_000, integer: true, help: 'publish to READY (default 500)' },
  '--publishes': { key: 'publishes', min: 1, max: 3000, integer: true, help: `publishes apply makes, ${APPLY_CHAIN} per new app (default 60)` },
  '--parallelism': { key: 'parallelism', min: 1, max: 100, integer: true, help: 'p7apps --parallelism (default 10)' },
  '--runs': { key: 'runs', min: 1, max: 50, integer: true, help: 'runs of each measurement; the median is reported (default 3, --quick 1)' },
  '--sequential-runs': { key: 'sequentialRuns', min: 1, max: 50, integer: true, help: 'runs of the sequential baseline (default: --runs)' },
  '--thumbnail-share': { key: 'thumbnailShare', min: 0, max: 1, integer: false, help: 'share of apps that declare a thumbnail (default 0.1)' },
  '--drift-share': { key: 'driftShare', min: 0, max: 1, integer: false, help: 'share of apps drifted for the second plan (default 0.1)' },
  '--cpu-apps': { key: 'cpuApps', min: 1, max: 5000, integer: true, help: 'apps for the computePlan CPU measurement (default 1000)' },
  '--typical-runs': { key: 'typicalRuns', min: 1, max: 50, integer: true, help: 'runs of each typical and LAN measurement (default 5, --quick 1)' },
  '--formats-runs': { key: 'formatsRuns', min: 1, max: 100, integer: true, help: 'rounds of the config formats (default 15, --quick 1)' },
  '--cpu-runs': { key: 'cpuRuns', min: 1, max: 1000, integer: true, help: 'computePlan runs (default 15)' },
};

function usage(): string {
  const lines = Object.entries(FLAGS).map(([flag, f]) => `  ${flag.padEnd(20)} ${f.help}`);
  return ['Usage: npm run bench -- [--quick] [options]', '', '  --quick              N=200 and one run: under a minute', ...lines, '  --out FILE           where the results go (default bench/results.json)', '  --cli FILE           the p7apps entry to measure (default bin/p7apps.js; another build to compare)',
    '  --baseline FILE      a second p7apps entry (e.g. the build this work started from), measured side by side in the typical and LAN runs',
    '  --node FILE          also run the typical and LAN measurements under this Node binary (repeatable)',
    '  --sections LIST      catalog,typical (default both): the 1,000-app catalog; the typical catalogs, config formats and the LAN',
  ].join('\n');
}

function parseArgs(argv: string[]): Params {
  const quick = argv.includes('--quick');
  const given: Partial<Params> = {};
  let out = path.join(repoDir, 'bench/results.json');
  let cli = path.join(repoDir, 'bin/p7apps.js');
  let baseline: string | undefined;
  const nodes: string[] = [];
  let sections = new Set(['catalog', 'typical']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') continue;
    if (arg === '--help' || arg === '-h') {
      console.log(usage());
      process.exit(0);
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? argv[++i];
    if (flag === '--out' || flag === '--cli' || flag === '--baseline' || flag === '--node') {
      if (!value) throw new Error(`${flag} needs a file`);
      if (flag === '--out') out = path.resolve(value);
      else if (flag === '--cli') cli = path.resolve(value);
      else if (flag === '--baseline') baseline = path.resolve(value);
      else nodes.push(path.resolve(value));
      continue;
    }
    if (flag === '--sections') {
      sections = new Set((value ?? '').split(',').map((x) => x.trim()));
      if ([...sections].some((x) => x !== 'catalog' && x !== 'typical') || sections.size === 0) throw new Error('--sections takes catalog, typical or both (comma-separated)');
      continue;
    }
    const spec = FLAGS[flag];
    if (!spec) throw new Error(`unknown option ${arg}\n${usage()}`);
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < spec.min || n > spec.max || (spec.integer && !Number.isInteger(n))) {
      throw new Error(`${flag} must be a ${spec.integer ? 'whole ' : ''}number from ${spec.min} to ${spec.max} (got ${value ?? 'nothing'})`);
    }
    (given as Record<string, number>)[spec.key] = n;
  }
  const runs = given.runs ?? (quick ? 1 : 3);
  return {
    apps: given.apps ?? (quick ? 200 : 1000),
    versions: given.versions ?? 3,
    latencyMs: given.latencyMs ?? 20,
    readyAfterMs: given.readyAfterMs ?? 500,
    publishes: given.publishes ?? 60,
    parallelism: given.parallelism ?? 10,
    runs,
    sequentialRuns: given.sequentialRuns ?? runs,
    thumbnailShare: given.thumbnailShare ?? 0.1,
    driftShare: given.driftShare ?? 0.1,
    cpuApps: given.cpuApps ?? 1000,
    cpuRuns: given.cpuRuns ?? 15,
    typicalRuns: given.typicalRuns ?? (quick ? 1 : 5),
    // The formats' differences are a few tens of milliseconds on a command of a few hundred: five rounds
    // left their median moving by 20-40 ms between benchmarks; a round costs about a second per Node and build.
    formatsRuns: given.formatsRuns ?? (quick ? 1 : 15),
    quick,
    out,
    cli,
    baseline,
    nodes,
    sections,
  };
}

function shapeOf(p: Params, apps: number): CatalogShape {
  return { apps, versions: p.versions, thumbnailShare: p.thumbnailShare, newAppChains: applyChains(p.publishes) };
}

/** The minimal reads of the catalog's plan: every declared app is on the server as declared. */
function planTargets(shape: CatalogShape): ReadTarget[] {
  return declaredCatalog(shape).apps.map((app, i) => ({
    declaredVersions: app.versions.map((v) => v.version),
    serverVersions: app.versions.map((v) => v.version),
    serverDefaultVersion: app.defaultVersion,
    thumbnailCompared: hasThumbnail(i, shape.thumbnailShare),
  }));
}

/** Apply's reads: before, none of its apps exists; after, each exists as declared. */
function applyTargets(shape: CatalogShape, after: boolean): ReadTarget[] {
  return declaredCatalog(shape).newApps.map((app) => ({
    declaredVersions: app.versions.map((v) => v.version),
    serverVersions: after ? app.versions.map((v) => v.version) : [],
    serverDefaultVersion: after ? app.defaultVersion : null,
    thumbnailCompared: false,
  }));
}

interface PlanRun extends CliMeasurement {
  counts: Record<string, number>;
  thumbnailStatuses: Record<string, number>;
}

interface SequentialRun {
  wallMs: number;
  counts: Record<string, number>;
}

interface ApplyRun extends CliMeasurement {
  counts: Record<string, number>;
  publishes: number;
  ready: number;
  polls: number;
  converged: boolean;
}

class Bench {
  constructor(
    readonly p: Params,
    readonly catalog: Catalog,
    readonly emulator: EmulatorProcess,
  ) {}

  private env(): Record<string, string> {
    return { P7APPS_URL: this.emulator.url, P7APPS_TOKEN: this.catalog.token };
  }

  private timeoutMs(floorMs: number): number {
    return Math.max(120_000, floorMs * 20);
  }

  async plan(drifted: boolean, floorMs: number): Promise<PlanRun> {
    await this.emulator.reset();
    if (drifted) {
      const every = Math.max(1, Math.round(1 / this.p.driftShare));
      for (let i = 0; i < this.catalog.appNames.length; i += every) {
        await this.emulator.editDescription(this.catalog.appNames[i]!, `Edited in AppsHub behind the config's back (${i}).`);
      }
    }
    await this.emulator.clearLog();
    const run = await runCliProcess({
      cli: this.p.cli,
      args: ['plan', '--config', this.catalog.configPath, '--format', 'json', '--parallelism', String(this.p.parallelism)],
      env: this.env(),
      cwd: this.catalog.dir,
      stdoutFile: path.join(this.catalog.dir, drifted ? 'plan-drifted.json' : 'plan.json'),
      timeoutMs: this.timeoutMs(floorMs),
    });
    const expectedExit = drifted && this.p.driftShare > 0 ? 2 : 0;
    if (run.exitCode !== expectedExit) throw new Error(`p7apps plan exited ${run.exitCode}, expected ${expectedExit}:\n${run.stderr}`);
    const log = await this.emulator.log();
    const thumbnailStatuses: Record<string, number> = {};
    for (const e of log.entries) if (e.endpoint === THUMBNAIL) thumbnailStatuses[String(e.status)] = (thumbnailStatuses[String(e.status)] ?? 0) + 1;
    return { ...run, counts: log.counts, thumbnailStatuses };
  }

  /** One of the reference clients' reads, timed, with the requests the emulator saw. */
  async reference(read: () => Promise<ReferenceRead>): Promise<SequentialRun> {
    await this.emulator.reset();
    await this.emulator.clearLog();
    const started = performance.now();
    const result = await read();
    const wallMs = performance.now() - started;
    const log = await this.emulator.log();
    if (result.requests !== log.entries.length) throw new Error(`a reference client sent ${result.requests} requests but the emulator logged ${log.entries.length}`);
    return { wallMs, counts: log.counts };
  }

  sequential(): Promise<SequentialRun> {
    return this.reference(() => sequentialRead(this.emulator.url, this.catalog.token, this.catalog.configPath));
  }

  bare(): Promise<SequentialRun> {
    return this.reference(() => bareFetchRead(this.emulator.url, this.catalog.token, this.catalog.configPath, this.p.parallelism));
  }

  async apply(floorMs: number): Promise<ApplyRun> {
    await this.emulator.reset();
    await this.emulator.clearLog();
    const eventsFile = path.join(this.catalog.dir, 'apply-events.jsonl');
    const run = await runCliProcess({
      cli: this.p.cli,
      args: ['apply', '--config', this.catalog.applyConfigPath, '--auto-approve', '--format', 'json', '--parallelism', String(this.p.parallelism)],
      env: this.env(),
      cwd: path.dirname(this.catalog.applyConfigPath),
      stdoutFile: eventsFile,
      timeoutMs: this.timeoutMs(floorMs),
    });
    if (run.exitCode !== 0) throw new Error(`p7apps apply exited ${run.exitCode}:\n${run.stderr}`);
    const events = (await readFile(eventsFile, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { type: string; publishes?: { outcome: string; polls: number }[]; converged?: boolean });
    const done = events.find((e) => e.type === 'apply-done');
    const converged = events.find((e) => e.type === 'converge-done')?.converged === true;
    if (!done?.publishes) throw new Error('p7apps apply printed no apply-done event');
    const log = await this.emulator.log();
    return {
      ...run,
      counts: log.counts,
      publishes: done.publishes.length,
      ready: done.publishes.filter((x) => x.outcome === 'ready').length,
      polls: done.publishes.reduce((sum, x) => sum + x.polls, 0),
      converged,
    };
  }
}

const seconds = (ms: number) => Math.round(ms) / 1000;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const same = (a: Record<string, number>, b: Record<string, number>) => Object.keys(requestDifference(a, b)).length === 0;

async function main(): Promise<void> {
  const p = parseArgs(process.argv.slice(2));
  const shape = shapeOf(p, p.apps);
  const planRequests = minimalPlanRequests(planTargets(shape));
  const planFloor = readFloorMs(planRequests, p.parallelism, p.latencyMs);
  const sequentialFloor = sequentialFloorMs(planRequests, p.latencyMs);
  const chains = applyChains(p.publishes);
  const applyFloor = applyFloorMs({
    chains,
    parallelism: p.parallelism,
    latencyMs: p.latencyMs,
    readyAfterMs: p.readyAfterMs,
    planRequests: minimalPlanRequests(applyTargets(shape, false)),
    convergeRequests: minimalPlanRequests(applyTargets(shape, true)),
  });

  console.log(
    `p7apps benchmark: ${p.apps} apps x ${p.versions} versions, latency ${p.latencyMs} ms, READY after ${p.readyAfterMs} ms, ` +
      `parallelism ${p.parallelism}, ${p.publishes} publishes on ${chains.length} new apps, ${p.runs} run${p.runs === 1 ? '' : 's'}${p.quick ? ' (--quick)' : ''}`,
  );
  const loadAtStart = loadavg()[0]!;
  const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-bench-'));
  // Also when Ctrl-C ends the benchmark (emulator-process.ts kills the emulator then).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  let emulator: EmulatorProcess | undefined;
  let results: Record<string, unknown> = {};
  try {
    if (p.sections.has('catalog')) {
      const tokens = { token: `bench-${randomBytes(12).toString('hex')}`, controlToken: `bench-control-${randomBytes(12).toString('hex')}` };
      const catalog = await writeCatalog(dir, shape, tokens);
      emulator = await EmulatorProcess.start({ repoDir, seedPath: catalog.seedPath, ...tokens, latencyMs: p.latencyMs, readyAfterMs: p.readyAfterMs });
      const measured = await measureCatalog(p, catalog, emulator, { planRequests, planFloor, sequentialFloor, applyFloor, chains }, dir, tokens);
      await emulator.stop();
      emulator = undefined;
      const withLoad = { ...measured, parameters: { ...measured.parameters, load_average_1min: [round(loadAtStart), round(loadavg()[0]!)] }, figures: figures(measured) };
      printTable(withLoad);
      printFigures(withLoad.figures, p.apps === 1000 && p.versions === 3 && p.latencyMs === 20 && p.readyAfterMs === 500 && p.publishes === 60 && p.parallelism === 10);
      results = withLoad;
      // Written now too: a later section that fails does not lose these figures.
      await writeFile(p.out, `${JSON.stringify(results, null, 2)}\n`);
    }
    if (p.sections.has('typical')) {
      const contenders: Contender[] = [{ label: 'new', cli: p.cli }, ...(p.baseline ? [{ label: 'base', cli: p.baseline }] : [])];
      const nodes = [{ version: process.version, execPath: process.execPath }, ...p.nodes.map((execPath) => ({ version: nodeVersion(execPath), execPath }))];
      process.stdout.write('\ntypical catalogs and LAN:');
      const typical = await measureTypical({
        // The emulator of the build under test (the same for every contender).
        repoDir: path.resolve(path.dirname(p.cli), '..'),
        dir: path.join(dir, 'typical'),
        contenders,
        nodes,
        typicalSizes: p.quick ? [10, 50] : [10, 50, 200],
        versions: p.versions,
        typicalLatencyMs: 20,
        formatsApps: 50,
        lanApps: p.quick ? 200 : 1000,
        lanLatencyMs: 1,
        parallelism: p.parallelism,
        thumbnailShare: p.thumbnailShare,
        runs: p.typicalRuns,
        formatsRuns: p.formatsRuns,
        progress: (text) => process.stdout.write(text),
      });
      process.stdout.write(' done.\n\n');
      for (const line of typicalTable(typical, contenders)) console.log(line);
      const typicalFigures = typicalTargets(typical, contenders);
      for (const { target, measured, met } of typicalFigures) console.log(`${met ? 'met    ' : 'NOT MET'}  ${target}: ${measured}`);
      results = {
        ...results,
        typical: { ...typical.typical, parameters: { contenders: contenders.map((c) => ({ label: c.label, cli: path.relative(repoDir, c.cli) })), nodes: nodes.map((n) => n.version), runs: p.typicalRuns, formats_runs: p.formatsRuns, latency_ms: 20, cpus: cpus().length } },
        lan: { ...typical.lan, bare_node_http: typical.lan_reference, parameters: { apps: p.quick ? 200 : 1000, latency_ms: 1, runs: p.typicalRuns } },
        typical_figures: typicalFigures,
      };
    }
    await writeFile(p.out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nWrote ${path.relative(process.cwd(), p.out) || p.out}`);
  } finally {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
    process.off('exit', removeDir);
  }
}

function nodeVersion(execPath: string): string {
  const out = spawnSync(execPath, ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`--node ${execPath} does not run: ${out.stderr}`);
  return out.stdout.trim();
}

/** The 1,000-app catalog: plan (in sync and drifted), the reference clients, apply, and computePlan's CPU. */
async function measureCatalog(
  p: Params,
  catalog: Catalog,
  emulator: EmulatorProcess,
  floors: Floors,
  dir: string,
  tokens: { token: string; controlToken: string },
): Promise<Results> {
  const { planFloor, applyFloor } = floors;
  const bench = new Bench(p, catalog, emulator);
  // One untimed plan first, so that no measured run pays for a cold file cache.
  process.stdout.write('warming up...');
  await bench.plan(false, planFloor);
  const plans: PlanRun[] = [];
  const drifted: PlanRun[] = [];
  const sequential: SequentialRun[] = [];
  const bare: SequentialRun[] = [];
  const applies: ApplyRun[] = [];
  // Interleaved, so that noise from the machine falls on every measurement alike.
  for (let run = 0; run < Math.max(p.runs, p.sequentialRuns); run++) {
    if (run < p.runs) {
      process.stdout.write(` run ${run + 1}: plan`);
      plans.push(await bench.plan(false, planFloor));
      process.stdout.write(', drifted plan');
      drifted.push(await bench.plan(true, planFloor));
      process.stdout.write(', bare fetch');
      bare.push(await bench.bare());
    }
    if (run < p.sequentialRuns) {
      process.stdout.write(', sequential');
      sequential.push(await bench.sequential());
    }
    if (run < p.runs) {
      process.stdout.write(', apply');
      applies.push(await bench.apply(applyFloor));
    }
    process.stdout.write(';');
  }
  process.stdout.write(' computePlan CPU...');
  const cpuCatalog =
    p.cpuApps === p.apps
      ? catalog
      : await writeCatalog(path.join(dir, 'cpu'), shapeOf(p, p.cpuApps), { token: tokens.token, controlToken: tokens.controlToken });
  const cpu = await measurePlanCpu(cpuCatalog, p.cpuRuns);
  process.stdout.write(' done.\n\n');

  return summarise(p, floors, { plans, drifted, sequential, bare, applies, cpu });
}

interface Floors {
  planRequests: Record<string, number>;
  planFloor: number;
  sequentialFloor: number;
  applyFloor: number;
  chains: number[];
}

interface Measured {
  plans: PlanRun[];
  drifted: PlanRun[];
  sequential: SequentialRun[];
  bare: SequentialRun[];
  applies: ApplyRun[];
  cpu: PlanCpu;
}

/** The counts of the runs, or of the first one with a note when the runs disagree. */
function countsOf(runs: { counts: Record<string, number> }[]): { counts: Record<string, number>; consistent: boolean } {
  const first = runs[0]!.counts;
  return { counts: first, consistent: runs.every((r) => same(r.counts, first)) };
}

function summarise(p: Params, f: Floors, m: Measured) {
  const planWall = median(m.plans.map((r) => r.wallMs));
  const driftedWall = median(m.drifted.map((r) => r.wallMs));
  const sequentialWall = median(m.sequential.map((r) => r.wallMs));
  const bareWall = median(m.bare.map((r) => r.wallMs));
  const applyWall = median(m.applies.map((r) => r.wallMs));
  const planCounts = countsOf(m.plans);
  const driftedCounts = countsOf(m.drifted);
  const sequentialCounts = countsOf(m.sequential);
  const applyCounts = countsOf(m.applies);
  const publishes = m.applies[0]!.publishes;
  const polls = median(m.applies.map((r) => r.polls / r.publishes));
  const schedule = (n: number) => pollDelay(n, () => 0.5, DEFAULT_POLL_SCHEDULE);
  const thumbnails = m.plans[0]!.thumbnailStatuses;
  return {
    parameters: {
      apps: p.apps,
      versions: p.versions,
      latency_ms: p.latencyMs,
      ready_after_ms: p.readyAfterMs,
      publishes: p.publishes,
      new_apps: f.chains.length,
      parallelism: p.parallelism,
      runs: p.runs,
      sequential_runs: p.sequentialRuns,
      thumbnail_share: p.thumbnailShare,
      drift_share: p.driftShare,
      cpu_apps: p.cpuApps,
      cpu_runs: p.cpuRuns,
      quick: p.quick,
      cli: path.relative(repoDir, p.cli),
      node: process.version,
      cpus: cpus().length,
    },
    plan: {
      wall_s: seconds(planWall),
      wall_runs_s: m.plans.map((r) => seconds(r.wallMs)),
      floor_s: seconds(f.planFloor),
      ratio_to_floor: round(planWall / f.planFloor),
      sequential_wall_s: seconds(sequentialWall),
      sequential_wall_runs_s: m.sequential.map((r) => seconds(r.wallMs)),
      sequential_floor_s: seconds(f.sequentialFloor),
      speedup_vs_sequential: round(sequentialWall / planWall, 1),
      requests: planCounts.counts,
      requests_total: total(planCounts.counts),
      requests_minimal: f.planRequests,
      requests_extra: requestDifference(planCounts.counts, f.planRequests),
      requests_same_every_run: planCounts.consistent,
      thumbnail_answers: thumbnails,
      thumbnails_downloaded: thumbnails['200'] ?? 0,
      sequential_requests_equal: same(sequentialCounts.counts, planCounts.counts),
      // The same requests by a bare fetch loop in the benchmark's process: the wire and the server alone.
      bare_fetch_wall_s: seconds(bareWall),
      bare_fetch_ratio_to_floor: round(bareWall / f.planFloor),
      bare_fetch_requests_equal: m.bare.every((r) => same(r.counts, planCounts.counts)),
      peak_rss_mb: round(Math.max(...m.plans.map((r) => r.peakRssMb)), 1),
      cpu_s: seconds(median(m.plans.map((r) => r.cpuMs))),
      drifted: {
        wall_s: seconds(driftedWall),
        wall_runs_s: m.drifted.map((r) => seconds(r.wallMs)),
        floor_s: seconds(f.planFloor),
        ratio_to_floor: round(driftedWall / f.planFloor),
        speedup_vs_sequential: round(sequentialWall / driftedWall, 1),
        requests: driftedCounts.counts,
        requests_extra: requestDifference(driftedCounts.counts, f.planRequests),
        peak_rss_mb: round(Math.max(...m.drifted.map((r) => r.peakRssMb)), 1),
      },
    },
    apply: {
      wall_s: seconds(applyWall),
      wall_runs_s: m.applies.map((r) => seconds(r.wallMs)),
      floor_s: seconds(f.applyFloor),
      ratio_to_floor: round(applyWall / f.applyFloor),
      publishes,
      ready: m.applies[0]!.ready,
      converged: m.applies.every((r) => r.converged),
      longest_chain: Math.max(...f.chains),
      polls_per_publish: round(polls),
      // From the poll schedule apply uses (jitter at its mean), for a version unready for a minute.
      schedule_polls_per_s_after_5s: round(pollRate(schedule, 5000, 60_000)),
      requests: applyCounts.counts,
      publish_requests: applyCounts.counts[PUBLISH] ?? 0,
      peak_rss_mb: round(Math.max(...m.applies.map((r) => r.peakRssMb)), 1),
    },
    compute_plan: {
      apps: m.cpu.apps,
      runs: m.cpu.runs,
      median_ms: round(m.cpu.medianMs, 1),
      min_ms: round(m.cpu.minMs, 1),
      first_call_ms: round(m.cpu.firstMs, 1),
    },
  };
}

type Results = ReturnType<typeof summarise>;

/** The targets the benchmark is held to, each with what was measured and whether it is met. */
function figures(r: Results) {
  const figure = (target: string, measured: number | string, met: boolean) => ({ target, measured, met });
  return {
    plan_ratio_to_floor: figure('plan within 1.3x of the latency floor', r.plan.ratio_to_floor, r.plan.ratio_to_floor <= 1.3),
    plan_speedup_vs_sequential: figure('plan at least 8x faster than the sequential client', r.plan.speedup_vs_sequential, r.plan.speedup_vs_sequential >= 8),
    plan_peak_rss_mb: figure('plan peak RSS under 200 MB', r.plan.peak_rss_mb, r.plan.peak_rss_mb < 200),
    plan_requests_extra: figure('no request beyond the minimal set', total(r.plan.requests_extra), Object.keys(r.plan.requests_extra).length === 0),
    plan_thumbnails_downloaded: figure('no thumbnail downloaded when the server answers 304', r.plan.thumbnails_downloaded, r.plan.thumbnails_downloaded === 0),
    apply_ratio_to_floor: figure('apply within 1.5x of its floor', r.apply.ratio_to_floor, r.apply.ratio_to_floor <= 1.5),
    apply_poll_rate: figure('at most 1 poll/s per waiting version after the first seconds', r.apply.schedule_polls_per_s_after_5s, r.apply.schedule_polls_per_s_after_5s <= 1),
    compute_plan_ms: figure(`computePlan under 50 ms for ${r.compute_plan.apps} apps`, r.compute_plan.median_ms, r.compute_plan.median_ms < 50),
  };
}

function printFigures(f: ReturnType<typeof figures>, atTargetSize: boolean): void {
  console.log('');
  if (!atTargetSize) console.log('(the targets are set for the default size: 1000 apps x 3 versions, L=20 ms, R=500 ms, 60 publishes, parallelism 10)');
  for (const { target, measured, met } of Object.values(f)) console.log(`${met ? 'met    ' : 'NOT MET'}  ${target}: ${measured}`);
}

function printTable(r: Results & { parameters: { load_average_1min: number[] } }): void {
  const rows: string[][] = [
    ['', 'wall (median)', 'floor', 'x floor', 'requests', 'peak RSS'],
    ['plan, in sync', `${r.plan.wall_s.toFixed(2)} s`, `${r.plan.floor_s.toFixed(2)} s`, r.plan.ratio_to_floor.toFixed(2), String(r.plan.requests_total), `${r.plan.peak_rss_mb} MB`],
    ['plan, drifted', `${r.plan.drifted.wall_s.toFixed(2)} s`, `${r.plan.drifted.floor_s.toFixed(2)} s`, r.plan.drifted.ratio_to_floor.toFixed(2), String(total(r.plan.drifted.requests)), `${r.plan.drifted.peak_rss_mb} MB`],
    ['bare fetch loop', `${r.plan.bare_fetch_wall_s.toFixed(2)} s`, `${r.plan.floor_s.toFixed(2)} s`, r.plan.bare_fetch_ratio_to_floor.toFixed(2), String(r.plan.requests_total), ''],
    ['sequential client', `${r.plan.sequential_wall_s.toFixed(2)} s`, `${r.plan.sequential_floor_s.toFixed(2)} s`, (r.plan.sequential_wall_s / r.plan.sequential_floor_s).toFixed(2), String(r.plan.requests_total), ''],
    ['apply', `${r.apply.wall_s.toFixed(2)} s`, `${r.apply.floor_s.toFixed(2)} s`, r.apply.ratio_to_floor.toFixed(2), String(total(r.apply.requests)), `${r.apply.peak_rss_mb} MB`],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  const extra = Object.entries(r.plan.requests_extra);
  console.log('');
  console.log(`plan speed-up over the sequential client: ${r.plan.speedup_vs_sequential}x (drifted: ${r.plan.drifted.speedup_vs_sequential}x)`);
  console.log(`plan requests: ${Object.entries(r.plan.requests).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `  beyond the minimal set: ${extra.length === 0 ? 'none' : extra.map(([k, v]) => `${k} ${v > 0 ? '+' : ''}${v}`).join(', ')}; ` +
      `thumbnails answered ${Object.entries(r.plan.thumbnail_answers).map(([s, n]) => `${s} x${n}`).join(', ') || 'never asked'}, downloaded ${r.plan.thumbnails_downloaded}`,
  );
  console.log(`apply: ${r.apply.publishes} publishes (${r.apply.ready} READY, converged: ${r.apply.converged}), ${r.apply.polls_per_publish} polls per publish; ` +
    `the poll schedule makes ${r.apply.schedule_polls_per_s_after_5s} polls/s per waiting version after 5 s`);
  console.log(`computePlan, ${r.compute_plan.apps} apps: median ${r.compute_plan.median_ms} ms over ${r.compute_plan.runs} runs (first call ${r.compute_plan.first_call_ms} ms)`);
  console.log(`p7apps plan CPU time: ${r.plan.cpu_s} s; load average at start and end: ${r.parameters.load_average_1min.join(', ')} (${r.parameters.cpus} CPUs)`);
}

main().catch((err: unknown) => {
  console.error(`\nbenchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
