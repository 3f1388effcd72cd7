// One run of the fault matrix: a fresh catalog and emulator, then two
// `p7apps apply --auto-approve` runs of the real CLI (in-process, over real
// loopback sockets) under the profile's faults, judged against the
// emulator's own state rather than against what p7apps says about itself.
//
// Definitions (the README's "Reliability" section repeats them):
// - planned: before each apply, with faults off, the library's plan() reads
//   the server and lists the publishes; per app and version, how many.
// - committed: per app and version, what the server shows the apply did: a
//   version that appeared counts 1 plus its revision number (a new version
//   starts at revision 0), a version that existed counts its revision
//   increase. Revision numbers survive a restart, so this holds across one.
// - duplicate: committed beyond planned, per app and version, per apply. A
//   second version where one was asked for, or two revisions where one was,
//   or any version the config never declared, each count 1. Must be 0.
// - difference: a declared fact the server does not hold: an app or version
//   missing, a version from another workflow or an outdated fingerprint, a
//   version not READY, another default, description, copy permission or
//   thumbnail. The deliberately failing app is left out.
// - converged after N: no difference after the Nth apply.
// - lost: differences left after the second apply. Must be 0.
// - false success: an apply that exited 0 while a difference was left.

import { setMaxListeners } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EmulatorSnapshot, FaultCounts, FaultSpec } from '../src/emulator/index.js';
import { plan as planFromServer } from '../src/operations.js';
import type { Plan } from '../src/plan/types.js';
import { runCli } from '../test/helpers/cli.js';
import { CHAOS_WORKSPACE, writeCatalog, type Catalog } from './chaos-catalog.js';
import type { FaultProfile } from './chaos-profiles.js';
import { addFaultCounts, ChaosStage, emptyFaultCounts } from './chaos-stage.js';

export interface RunSettings {
  apps: number;
  /** The emulator's publish-to-READY time. */
  readyAfterMs: number;
  /** Both applies together are interrupted after this (the CLI's signal). */
  timeLimitMs: number;
  /** Used instead of the profile's faults (the dense variants of the test). */
  faults?: FaultSpec;
  /** The emulator user's token (default: random), for a test that looks for it in the output. */
  token?: string;
  /** Every stdout and stderr of the CLI, for a test's secret sweep. */
  onOutput?: (label: string, text: string) => void;
  /** The late-commit window of profiles without `defaultWindow` (scaled, so that a 503 does not cost 2 minutes). */
  scaledWindowMs: number;
  /** Used for every profile instead, `defaultWindow` ones too (a test's small window). */
  windowMs?: number;
}

export interface ApplyOutcome {
  exitCode: number;
  plannedPublishes: number;
  /** `POST apps/` requests the server received, answered or not. */
  publishRequests: number;
  /** Every API request the server received during the apply. */
  requests: number;
  faults: FaultCounts;
  /** Requests held back 300 ms or more (the latency profile's spikes). */
  latencySpikes: number;
  /** Lost publish responses the applier noticed and checked on. */
  ambiguous: number;
  resends: number;
  duplicates: string[];
  differences: string[];
  /** The last lines of stderr, for reading a failure. */
  stderrTail: string;
  /** A race profile's first round: the other apply's exit code, and how each was stopped. */
  race?: RaceOutcome;
}

export interface RaceOutcome {
  otherExitCode: number;
  /** Applies refused by the lock (0 or 1). */
  lockRefused: number;
  /** Publishes not sent because the read before them saw the app changed. */
  stoppedByCheck: number;
  /** Publishes the applies themselves reported as duplicates. */
  reportedDuplicates: number;
}

export interface RunResult {
  profile: string;
  seed: number;
  apps: number;
  applies: ApplyOutcome[];
  convergedAfter: 1 | 2 | null;
  duplicates: number;
  lost: number;
  falseSuccesses: number;
  requests: number;
  faults: FaultCounts;
  latencySpikes: number;
  restarts: number;
  /** The failing-app profile: whether every apply reported that app's failure (exit 1 and a publish-failed event). */
  failingAppReported?: boolean;
  elapsedMs: number;
}

export const LATENCY_SPIKE_MS = 300;

const key = (app: string, version: number) => `${app} v${version}`;

/** Publishes the plan asks for, per app and version. */
export function plannedPerVersion(plan: Plan): Map<string, number> {
  const counts = new Map<string, number>();
  for (const app of plan.apps) {
    if (app.action !== 'create' && app.action !== 'update') continue;
    for (const p of app.publishes) counts.set(key(app.name, p.expect.version), (counts.get(key(app.name, p.expect.version)) ?? 0) + 1);
  }
  return counts;
}

/** What the server shows was committed between two snapshots, per app and version. */
export function committedPerVersion(before: EmulatorSnapshot, after: EmulatorSnapshot): Map<string, number> {
  const counts = new Map<string, number>();
  for (const app of after.apps) {
    const earlier = before.apps.find((a) => a.name === app.name);
    for (const v of app.versions) {
      const was = earlier?.versions.find((e) => e.version === v.version);
      const committed = was ? v.revision - was.revision : 1 + v.revision;
      if (committed > 0) counts.set(key(app.name, v.version), committed);
    }
  }
  return counts;
}

export function duplicatesOf(planned: Map<string, number>, committed: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [where, n] of committed) {
    const asked = planned.get(where) ?? 0;
    if (n > asked) out.push(`${where}: ${n} publishes committed, ${asked} planned`);
  }
  return out;
}

/** Every declared fact the server does not hold, app by app (the excluded app left out). */
export function differencesFrom(catalog: Catalog, snapshot: EmulatorSnapshot, exclude?: string): string[] {
  const out: string[] = [];
  const fingerprints = new Map(snapshot.workflows.map((w) => [w.path, w.fingerprint]));
  for (const { declared, thumbnailSha256 } of catalog.apps) {
    if (declared.name === exclude) continue;
    const app = snapshot.apps.find((a) => a.name === declared.name);
    const differ = (what: string) => out.push(`${declared.name}: ${what}`);
    if (!app) {
      differ('missing');
      continue;
    }
    if (app.workspace.name !== CHAOS_WORKSPACE.name) differ(`in workspace ${app.workspace.name}`);
    for (const { version, workflow } of declared.versions) {
      const v = app.versions.find((e) => e.version === version);
      if (!v) differ(`v${version} missing`);
      else if (v.workflowPath !== workflow) differ(`v${version} published from ${v.workflowPath}`);
      else if (v.fingerprint !== fingerprints.get(workflow)) differ(`v${version} published from an older ${workflow}`);
      else if (v.state !== 'READY') differ(`v${version} is ${v.state}`);
    }
    if (declared.defaultVersion !== undefined && app.defaultVersion !== declared.defaultVersion) differ(`default v${app.defaultVersion}, not v${declared.defaultVersion}`);
    if (declared.description !== undefined && app.description !== declared.description) differ('description differs');
    if (declared.allowCopy !== undefined && app.allowCopy !== declared.allowCopy) differ(`allowCopy ${app.allowCopy}`);
    if (thumbnailSha256 !== undefined && app.thumbnail?.sha256 !== thumbnailSha256) differ('thumbnail differs');
  }
  return out;
}

interface ApplyEvents {
  ambiguous: number;
  resends: number;
  failedApps: Set<string>;
  stoppedByCheck: number;
  reportedDuplicates: number;
}

function readEvents(stdout: string): ApplyEvents {
  const events: ApplyEvents = { ambiguous: 0, resends: 0, failedApps: new Set(), stoppedByCheck: 0, reportedDuplicates: 0 };
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    let event: { type?: string; app?: string; error?: string; totals?: { resends?: number } };
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.type === 'publish-ambiguous') events.ambiguous += 1;
    if (event.type === 'publish-failed' && event.app) events.failedApps.add(event.app);
    if (event.type === 'publish-failed' && event.error?.startsWith('not publishing ')) events.stoppedByCheck += 1;
    if (event.type === 'publish-failed' && event.error?.startsWith('duplicate publish ')) events.reportedDuplicates += 1;
    if (event.type === 'apply-done') events.resends = event.totals?.resends ?? 0;
  }
  return events;
}

/** A second checkout of the catalog (config and files), as another CI runner would have. */
async function copyCheckout(catalog: Catalog): Promise<string> {
  const other = `${catalog.dir}-other`;
  await cp(catalog.dir, other, { recursive: true });
  return path.join(other, path.relative(catalog.dir, catalog.configPath));
}

function tail(text: string, lines = 6): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function runChaos(profile: FaultProfile, seed: number, settings: RunSettings): Promise<RunResult> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-chaos-'));
  try {
    const catalog = await writeCatalog(dir, settings.apps, { token: settings.token });
    const stage = await ChaosStage.start({
      seed: catalog.seed,
      baseDir: dir,
      token: catalog.token,
      readyAfterMs: profile.readyAfterMs ?? settings.readyAfterMs,
      thumbnailBySha256: catalog.thumbnailBySha256,
    });
    try {
      return await applyTwice(profile, seed, settings, catalog, stage, started);
    } finally {
      await stage.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}-other`, { recursive: true, force: true });
  }
}

async function applyTwice(profile: FaultProfile, seed: number, settings: RunSettings, catalog: Catalog, stage: ChaosStage, started: number): Promise<RunResult> {
  const faults: FaultSpec = {
    ...(settings.faults ?? profile.faults),
    seed,
    ...(profile.failingApp ? { failPublishApps: [catalog.failingApp] } : {}),
  };
  const failing = profile.failingApp ? catalog.failingApp : undefined;
  const env = { P7APPS_URL: stage.url, P7APPS_TOKEN: catalog.token };
  const signal = AbortSignal.timeout(settings.timeLimitMs);
  // Each request and wait of the apply listens to it, as they do to the CLI's own signal.
  setMaxListeners(1000, signal);
  const applies: ApplyOutcome[] = [];
  let failingAppReported = true;

  for (const round of [1, 2]) {
    stage.setFaults(null);
    const before = stage.snapshot();
    const { plan } = await planFromServer({ config: catalog.configPath, cwd: catalog.dir, server: stage.url, env: { P7APPS_TOKEN: catalog.token } });
    stage.drain();
    const restartAfterPosts = round === 1 && profile.restartAfterPost ? profile.restartAfterPost(seed, plan.summary.publishes) : undefined;
    stage.setFaults(faults, { bursts: profile.bursts, restartAfterPosts });

    const windowMs = settings.windowMs ?? (profile.defaultWindow ? undefined : settings.scaledWindowMs);
    const window = windowMs === undefined ? [] : ['--late-commit-window', `${windowMs}ms`];
    const applyIn = (config: string) =>
      runCli(['apply', '--auto-approve', '--force', '--format', 'json', '--timeout', '60s', ...window, '--config', config], { env, cwd: path.dirname(config), signal });
    let run: Awaited<ReturnType<typeof runCli>>;
    let race: RaceOutcome | undefined;
    if (round === 1 && profile.race) {
      const otherConfig = profile.race === 'same-checkout' ? catalog.configPath : await copyCheckout(catalog);
      const [one, other] = await Promise.all([applyIn(catalog.configPath), applyIn(otherConfig)]);
      settings.onOutput?.(`${profile.name} seed ${seed} apply ${round} (other) stdout`, other.stdout);
      settings.onOutput?.(`${profile.name} seed ${seed} apply ${round} (other) stderr`, other.stderr);
      const [a, b] = [readEvents(one.stdout), readEvents(other.stdout)];
      race = {
        otherExitCode: other.code,
        lockRefused: [one, other].filter((r) => /another apply is running for this config/.test(r.stderr)).length,
        stoppedByCheck: a.stoppedByCheck + b.stoppedByCheck,
        reportedDuplicates: a.reportedDuplicates + b.reportedDuplicates,
      };
      run = one;
    } else {
      run = await applyIn(catalog.configPath);
    }
    await stage.settle();
    stage.setFaults(null);
    const { requests, faults: injected } = stage.drain();
    settings.onOutput?.(`${profile.name} seed ${seed} apply ${round} stdout`, run.stdout);
    settings.onOutput?.(`${profile.name} seed ${seed} apply ${round} stderr`, run.stderr);

    const after = stage.snapshot();
    const events = readEvents(run.stdout);
    if (failing !== undefined && (run.code !== 1 || !events.failedApps.has(failing))) failingAppReported = false;
    applies.push({
      exitCode: run.code,
      plannedPublishes: plan.summary.publishes,
      publishRequests: requests.filter((r) => r.endpoint === 'POST apps/').length,
      requests: requests.length,
      faults: injected,
      latencySpikes: requests.filter((r) => r.delayMs >= LATENCY_SPIKE_MS).length,
      ambiguous: events.ambiguous,
      resends: events.resends,
      duplicates: duplicatesOf(plannedPerVersion(plan), committedPerVersion(before, after)),
      differences: differencesFrom(catalog, after, failing),
      stderrTail: tail(run.stderr),
      ...(race ? { race } : {}),
    });
  }

  const [first, second] = applies as [ApplyOutcome, ApplyOutcome];
  const result: RunResult = {
    profile: profile.name,
    seed,
    apps: settings.apps,
    applies,
    convergedAfter: first.differences.length === 0 ? 1 : second.differences.length === 0 ? 2 : null,
    duplicates: first.duplicates.length + second.duplicates.length,
    lost: second.differences.length,
    // An exit 0 while something is left or doubled, by either apply of a race too.
    falseSuccesses: applies.filter((a) => (a.exitCode === 0 || a.race?.otherExitCode === 0) && (a.differences.length > 0 || a.duplicates.length > 0)).length,
    requests: first.requests + second.requests,
    faults: addFaultCounts(addFaultCounts(emptyFaultCounts(), first.faults), second.faults),
    latencySpikes: first.latencySpikes + second.latencySpikes,
    restarts: stage.restarts,
    elapsedMs: Date.now() - started,
  };
  if (failing !== undefined) result.failingAppReported = failingAppReported;
  return result;
}
