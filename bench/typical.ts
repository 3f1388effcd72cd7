// The benchmark's measurements of where people wait, besides the 1,000-app
// catalog of ./run.ts:
// - typical catalogs: `plan` of 10, 50 and 200 apps x V versions on a
//   TypeScript config behind L=20 ms, each as wall time, its latency floor
//   and the fixed part (wall - floor: start-up, config, planning, output);
// - the 50-app catalog as .ts, .yaml and .json: `validate`, the cost of
//   loading the config alone;
// - a LAN: `plan` of 1,000 apps at L=1 ms, where the client's CPU is what
//   the rounds wait for, with the client CPU per request.
// Each measurement runs every CLI given (the build under test and, with
// --baseline, the build it is compared with) under every Node given,
// interleaved run by run so that the machine's noise falls on all alike.

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { BENCH_WORKSPACE, declaredCatalog, hasThumbnail, writeCatalog, type Catalog, type CatalogShape } from './catalog.js';
import { runCliProcess, type CliMeasurement } from './cli-process.js';
import { EmulatorProcess } from './emulator-process.js';
import { median, minimalPlanRequests, readFloorMs, type ReadTarget } from './floor.js';
import { bareHttpRead } from './reference-clients.js';

export interface Contender {
  /** How tables name it: `new`, `base`. */
  label: string;
  cli: string;
}

export interface TypicalParams {
  repoDir: string;
  dir: string;
  contenders: Contender[];
  /** Node binaries the CLIs run under (the first is the one running the benchmark). */
  nodes: { version: string; execPath: string }[];
  typicalSizes: number[];
  versions: number;
  typicalLatencyMs: number;
  formatsApps: number;
  lanApps: number;
  lanLatencyMs: number;
  parallelism: number;
  thumbnailShare: number;
  runs: number;
  /** Rounds of the config formats (each runs every format once). */
  formatsRuns: number;
  /** Progress goes here. */
  progress: (text: string) => void;
}

const CONFIG_KINDS = ['ts', 'yaml', 'json'] as const;
type ConfigKind = (typeof CONFIG_KINDS)[number];

/**
 * The catalog's config written as a user would keep it, next to the JSON
 * config ./catalog.ts wrote (the thumbnail paths stay inside its folder):
 * TypeScript split into a config importing `defineConfig` from p7apps and a
 * module of apps, or one YAML or JSON file.
 */
export async function writeConfigAs(catalog: Catalog, shape: CatalogShape, kind: ConfigKind): Promise<string> {
  const { apps } = declaredCatalog(shape);
  const config = { defaults: { workspace: BENCH_WORKSPACE.name }, apps };
  if (kind === 'json') return catalog.configPath;
  if (kind === 'yaml') {
    await writeFile(path.join(catalog.dir, 'p7apps.config.yaml'), stringify(config));
    return path.join(catalog.dir, 'p7apps.config.yaml');
  }
  await writeFile(path.join(catalog.dir, 'apps.ts'), `import type { AppConfig } from 'p7apps';\n\nexport const apps: AppConfig[] = ${JSON.stringify(apps, null, 2)};\n`);
  await writeFile(
    path.join(catalog.dir, 'p7apps.config.ts'),
    `import { defineConfig } from 'p7apps';\nimport { apps } from './apps';\n\nexport default defineConfig({ defaults: { workspace: ${JSON.stringify(BENCH_WORKSPACE.name)} }, apps });\n`,
  );
  return path.join(catalog.dir, 'p7apps.config.ts');
}

function planTargets(shape: CatalogShape): ReadTarget[] {
  return declaredCatalog(shape).apps.map((app, i) => ({
    declaredVersions: app.versions.map((v) => v.version),
    serverVersions: app.versions.map((v) => v.version),
    serverDefaultVersion: app.defaultVersion,
    thumbnailCompared: hasThumbnail(i, shape.thumbnailShare),
  }));
}

interface Run extends CliMeasurement {
  requests: number;
}

const seconds = (ms: number) => Math.round(ms) / 1000;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

class Site {
  private constructor(
    readonly catalog: Catalog,
    readonly shape: CatalogShape,
    readonly emulator: EmulatorProcess,
  ) {}

  static async open(p: TypicalParams, apps: number, latencyMs: number): Promise<Site> {
    const shape: CatalogShape = { apps, versions: p.versions, thumbnailShare: p.thumbnailShare, newAppChains: [] };
    const tokens = { token: `bench-${randomBytes(12).toString('hex')}`, controlToken: `bench-control-${randomBytes(12).toString('hex')}` };
    const catalog = await writeCatalog(path.join(p.dir, `site-${apps}-${latencyMs}`), shape, tokens);
    const emulator = await EmulatorProcess.start({ repoDir: p.repoDir, seedPath: catalog.seedPath, ...tokens, latencyMs, readyAfterMs: 0 });
    return new Site(catalog, shape, emulator);
  }

  async run(node: string, cli: string, command: 'plan' | 'validate', configPath: string, parallelism: number): Promise<Run> {
    await this.emulator.clearLog();
    const args = command === 'plan' ? ['plan', '--config', configPath, '--format', 'json', '--parallelism', String(parallelism)] : ['validate', '--config', configPath];
    const run = await runCliProcess({
      node,
      cli,
      args,
      env: { P7APPS_URL: this.emulator.url, P7APPS_TOKEN: this.catalog.token },
      cwd: path.dirname(configPath),
      stdoutFile: path.join(this.catalog.dir, `${command}.out`),
      timeoutMs: 300_000,
    });
    if (run.exitCode !== 0) throw new Error(`${cli} ${command} exited ${run.exitCode}:\n${run.stderr}`);
    const log = await this.emulator.log();
    return { ...run, requests: log.entries.length };
  }

  close(): Promise<void> {
    return this.emulator.stop();
  }
}

/** Runs `measure` for every Node and contender, `runs` times (by default the typical runs), interleaved; the runs per Node and contender. */
async function interleaved<T>(p: TypicalParams, measure: (node: string, cli: string) => Promise<T>, runs = p.runs): Promise<Map<string, Map<string, T[]>>> {
  const out = new Map<string, Map<string, T[]>>();
  for (let run = 0; run < runs; run++) {
    for (const node of p.nodes) {
      for (const c of p.contenders) {
        const byCli = out.get(node.version) ?? new Map<string, T[]>();
        out.set(node.version, byCli);
        const runs = byCli.get(c.label) ?? [];
        byCli.set(c.label, runs);
        runs.push(await measure(node.execPath, c.cli));
      }
    }
  }
  return out;
}

export interface PlanFigure {
  apps: number;
  wall_s: number;
  wall_runs_s: number[];
  floor_s: number;
  fixed_s: number;
  requests: number;
  cpu_s: number;
}

export interface FormatFigure {
  wall_s: number;
  wall_runs_s: number[];
  cpu_s: number;
  /** The median over rounds of this format's wall time less JSON's in the same round (not for JSON itself). */
  over_json_ms?: number;
}

export interface LanFigure {
  apps: number;
  wall_s: number;
  wall_runs_s: number[];
  floor_s: number;
  requests: number;
  plan_cpu_s: number;
  /** CPU of validating the same config: what plan spends before its reads. */
  validate_cpu_s: number;
  /** (plan CPU - validate CPU) / requests: the client's CPU per request, reading and planning. */
  cpu_per_request_ms: number;
}

/** The same read by a bare node:http client in the benchmark's own process (running Node): the floor of the client's CPU per request. */
export interface LanReference {
  node: string;
  cpu_per_request_ms: number;
  cpu_per_request_runs_ms: number[];
  requests: number;
}

type ByNode<T> = Record<string, Record<string, T>>;

function collect<T, F>(runs: Map<string, Map<string, T[]>>, figure: (runs: T[]) => F): ByNode<F> {
  const out: ByNode<F> = {};
  for (const [node, byCli] of runs) {
    out[node] = {};
    for (const [label, list] of byCli) out[node]![label] = figure(list);
  }
  return out;
}

export async function measureTypical(p: TypicalParams): Promise<{
  typical: { plan: Record<string, ByNode<PlanFigure>>; config_formats: Record<ConfigKind, ByNode<FormatFigure>> };
  lan: ByNode<LanFigure>;
  lan_reference: LanReference;
}> {
  const plan: Record<string, ByNode<PlanFigure>> = {};
  for (const apps of p.typicalSizes) {
    p.progress(` typical ${apps} apps:`);
    const site = await Site.open(p, apps, p.typicalLatencyMs);
    try {
      const config = await writeConfigAs(site.catalog, site.shape, 'ts');
      const floorMs = readFloorMs(minimalPlanRequests(planTargets(site.shape)), p.parallelism, p.typicalLatencyMs);
      // One untimed run first, so that no measured run pays for a cold file cache.
      await site.run(p.nodes[0]!.execPath, p.contenders[0]!.cli, 'plan', config, p.parallelism);
      const runs = await interleaved(p, (node, cli) => site.run(node, cli, 'plan', config, p.parallelism));
      plan[String(apps)] = collect(runs, (list): PlanFigure => {
        const wall = median(list.map((r) => r.wallMs));
        return {
          apps,
          wall_s: seconds(wall),
          wall_runs_s: list.map((r) => seconds(r.wallMs)),
          floor_s: seconds(floorMs),
          fixed_s: seconds(wall - floorMs),
          requests: list[0]!.requests,
          cpu_s: seconds(median(list.map((r) => r.cpuMs))),
        };
      });
    } finally {
      await site.close();
    }
  }

  p.progress(` config formats (${p.formatsApps} apps):`);
  const config_formats = {} as Record<ConfigKind, ByNode<FormatFigure>>;
  const formatsSite = await Site.open(p, p.formatsApps, p.typicalLatencyMs);
  try {
    const configs = {} as Record<ConfigKind, string>;
    for (const kind of CONFIG_KINDS) {
      configs[kind] = await writeConfigAs(formatsSite.catalog, formatsSite.shape, kind);
      await formatsSite.run(p.nodes[0]!.execPath, p.contenders[0]!.cli, 'validate', configs[kind], p.parallelism);
    }
    // Every format in each round, one after the other: a format's cost over JSON is then the difference
    // within a round, not between rounds minutes apart on a machine whose speed drifts.
    const runs = await interleaved(p, async (node, cli) => {
      const round = {} as Record<ConfigKind, Run>;
      for (const kind of CONFIG_KINDS) round[kind] = await formatsSite.run(node, cli, 'validate', configs[kind], p.parallelism);
      return round;
    }, p.formatsRuns);
    for (const kind of CONFIG_KINDS) {
      config_formats[kind] = collect(runs, (list): FormatFigure => ({
        wall_s: seconds(median(list.map((r) => r[kind].wallMs))),
        wall_runs_s: list.map((r) => seconds(r[kind].wallMs)),
        cpu_s: seconds(median(list.map((r) => r[kind].cpuMs))),
        ...(kind === 'json' ? {} : { over_json_ms: Math.round(median(list.map((r) => r[kind].wallMs - r.json.wallMs))) }),
      }));
    }
  } finally {
    await formatsSite.close();
  }

  p.progress(` LAN (${p.lanApps} apps at ${p.lanLatencyMs} ms):`);
  const lanSite = await Site.open(p, p.lanApps, p.lanLatencyMs);
  let lan: ByNode<LanFigure>;
  let lanReference: LanReference;
  try {
    const config = await writeConfigAs(lanSite.catalog, lanSite.shape, 'json');
    const floorMs = readFloorMs(minimalPlanRequests(planTargets(lanSite.shape)), p.parallelism, p.lanLatencyMs);
    await lanSite.run(p.nodes[0]!.execPath, p.contenders[0]!.cli, 'plan', config, p.parallelism);
    const runs = await interleaved(p, async (node, cli) => ({
      plan: await lanSite.run(node, cli, 'plan', config, p.parallelism),
      validate: await lanSite.run(node, cli, 'validate', config, p.parallelism),
    }));
    lan = collect(runs, (list): LanFigure => {
      const planCpu = median(list.map((r) => r.plan.cpuMs));
      const validateCpu = median(list.map((r) => r.validate.cpuMs));
      const requests = list[0]!.plan.requests;
      return {
        apps: p.lanApps,
        wall_s: seconds(median(list.map((r) => r.plan.wallMs))),
        wall_runs_s: list.map((r) => seconds(r.plan.wallMs)),
        floor_s: seconds(floorMs),
        requests,
        plan_cpu_s: seconds(planCpu),
        validate_cpu_s: seconds(validateCpu),
        cpu_per_request_ms: round((planCpu - validateCpu) / requests, 3),
      };
    });
    lanReference = await measureBareHttp(p, lanSite, config);
  } finally {
    await lanSite.close();
  }
  return { typical: { plan, config_formats }, lan, lan_reference: lanReference };
}

/** The bare node:http read of the LAN catalog, `p.runs` times in this process: its CPU per request (median). */
async function measureBareHttp(p: TypicalParams, site: Site, configPath: string): Promise<LanReference> {
  const perRequest: number[] = [];
  let requests = 0;
  for (let run = 0; run < p.runs; run++) {
    const before = process.cpuUsage();
    const read = await bareHttpRead(site.emulator.url, site.catalog.token, configPath, p.parallelism);
    const used = process.cpuUsage(before);
    requests = read.requests;
    perRequest.push((used.user + used.system) / 1000 / read.requests);
  }
  return { node: process.version, cpu_per_request_ms: round(median(perRequest), 3), cpu_per_request_runs_ms: perRequest.map((x) => round(x, 3)), requests };
}

/** The table of these figures, new against the baseline where there is one. */
export function typicalTable(r: Awaited<ReturnType<typeof measureTypical>>, contenders: Contender[]): string[] {
  const lines: string[] = [];
  const [mine, base] = [contenders[0]!.label, contenders[1]?.label];
  const vs = (a: number, b: number | undefined) => (b === undefined ? '' : ` (${base} ${b.toFixed(2)}, ${(b / a).toFixed(2)}x)`);
  for (const [apps, byNode] of Object.entries(r.typical.plan)) {
    for (const [node, f] of Object.entries(byNode)) {
      const m = f[mine]!;
      const b = base ? f[base] : undefined;
      lines.push(`plan ${apps} apps, ${node}: wall ${m.wall_s.toFixed(2)} s${vs(m.wall_s, b?.wall_s)}, floor ${m.floor_s.toFixed(2)} s, fixed ${m.fixed_s.toFixed(2)} s${vs(m.fixed_s, b?.fixed_s)}`);
    }
  }
  for (const [kind, byNode] of Object.entries(r.typical.config_formats) as [ConfigKind, ByNode<FormatFigure>][]) {
    for (const [node, f] of Object.entries(byNode)) {
      const m = f[mine]!;
      const b = base ? f[base] : undefined;
      const over = kind === 'json' ? '' : `${overJson(r, kind, node, mine)} ms over .json; `;
      lines.push(`validate .${kind}, ${node}: ${m.wall_s.toFixed(3)} s (${over}CPU ${m.cpu_s.toFixed(3)} s)${vs(m.wall_s, b?.wall_s)}`);
    }
  }
  for (const [node, f] of Object.entries(r.lan)) {
    const m = f[mine]!;
    const b = base ? f[base] : undefined;
    lines.push(
      `LAN plan ${m.apps} apps, ${node}: wall ${m.wall_s.toFixed(2)} s${vs(m.wall_s, b?.wall_s)}, floor ${m.floor_s.toFixed(2)} s, ` +
        `client CPU ${m.cpu_per_request_ms.toFixed(3)} ms per request${b ? ` (${base} ${b.cpu_per_request_ms.toFixed(3)})` : ''}`,
    );
  }
  const ref = r.lan_reference;
  lines.push(`LAN bare node:http read (no p7apps), ${ref.node}: ${ref.cpu_per_request_ms.toFixed(3)} ms CPU per request, the floor of the figure above`);
  return lines;
}

/** What a config format costs over JSON, in ms: paired within rounds where measured so, else the difference of the medians. */
function overJson(r: Awaited<ReturnType<typeof measureTypical>>, kind: ConfigKind, node: string, label: string): number {
  const figure = r.typical.config_formats[kind][node]![label]!;
  return figure.over_json_ms ?? Math.round((figure.wall_s - r.typical.config_formats.json[node]![label]!.wall_s) * 1000);
}

/** The targets of these measurements, per Node: each with what was measured and whether it is met. */
export function typicalTargets(r: Awaited<ReturnType<typeof measureTypical>>, contenders: Contender[]): { target: string; measured: number | string; met: boolean }[] {
  const [mine, base] = [contenders[0]!.label, contenders[1]?.label];
  const out: { target: string; measured: number | string; met: boolean }[] = [];
  for (const [node, f] of Object.entries(r.typical.plan['50'] ?? {})) {
    const b = base ? f[base] : undefined;
    if (b) out.push({ target: `${node}: 50-app plan at 20 ms, fixed part at most a third of ${base}'s (${b.fixed_s.toFixed(2)} s)`, measured: f[mine]!.fixed_s, met: f[mine]!.fixed_s <= b.fixed_s / 3 });
  }
  for (const node of Object.keys(r.typical.config_formats.ts)) {
    const over = overJson(r, 'ts', node, mine);
    out.push({ target: `${node}: the .ts config at most 60 ms over .json (ms)`, measured: over, met: over <= 60 });
  }
  for (const [node, f] of Object.entries(r.lan)) {
    out.push({ target: `${node}: LAN plan at most 0.3 ms client CPU per request`, measured: f[mine]!.cpu_per_request_ms, met: f[mine]!.cpu_per_request_ms <= 0.3 });
    const b = base ? f[base] : undefined;
    if (b) out.push({ target: `${node}: LAN plan at least 1.6x faster than ${base}`, measured: round(b.wall_s / f[mine]!.wall_s), met: b.wall_s / f[mine]!.wall_s >= 1.6 });
  }
  return out;
}
