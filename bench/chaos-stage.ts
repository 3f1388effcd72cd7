// The server side of a chaos run: an emulator that can be restarted mid-apply
// with its state kept, and whose faults can follow a schedule (bursts) keyed
// by the number of requests it has received.
//
// The emulator has no restart of its own, so the restart is done here: the
// world is snapshotted, the emulator closed (open connections are dropped,
// as a crashing server drops them), and a new emulator is started on the
// same port from a seed document rebuilt from the snapshot. What a seed
// cannot hold is lost, as it would be across a real restart that keeps only
// the database: earlier revisions' history (the current revision number is
// kept), the origin of each revision, and the request log (kept here).

import { FAULT_KINDS, startEmulator, type EmulatorSnapshot, type FaultCounts, type FaultSpec, type RequestLogEntry, type RunningEmulator, type SeedDocument } from '../src/emulator/index.js';

type SeedUser = SeedDocument['users'][number];
/** The four publishing states a seed can hold; the emulator's snapshot only ever reports these. */
type SeedState = NonNullable<NonNullable<SeedDocument['apps']>[number]['versions'][number]['state']>;

/**
 * A seed document that recreates the snapshot's world. `users` are given
 * again because a snapshot holds no passwords or tokens; `thumbnailFile` maps
 * an image's sha256 to a file (relative to the seed's base directory) with
 * those bytes, because a snapshot holds only the digest.
 */
export function seedFromSnapshot(snapshot: EmulatorSnapshot, users: SeedUser[], thumbnailFile: (sha256: string) => string): SeedDocument {
  return {
    users,
    workspaces: snapshot.workspaces.map((w) => ({ id: w.id, name: w.name, publishers: [...w.publishers] })),
    workflows: snapshot.workflows.map((w) => ({ id: w.id, name: w.name, path: w.path, fingerprint: w.fingerprint })),
    apps: snapshot.apps.map((a) => ({
      id: a.id,
      name: a.name,
      workspace: a.workspace.id,
      description: a.description,
      allowCopy: a.allowCopy,
      ...(a.thumbnail ? { thumbnail: thumbnailFile(a.thumbnail.sha256) } : {}),
      defaultVersion: a.defaultVersion,
      versions: a.versions.map((v) => ({
        version: v.version,
        revision: v.revision,
        workflow: v.workflowPath,
        fingerprint: v.fingerprint,
        state: v.state as SeedState,
        ...(v.state === 'FAILED' && v.stateDetail !== null ? { stateDetail: v.stateDetail } : {}),
        updated: v.updated,
      })),
    })),
  };
}

/** Extra faults during windows of requests: `length` requests out of every `every`. */
export interface FaultBursts {
  every: number;
  length: number;
  faults: FaultSpec;
}

export interface StageOptions {
  seed: SeedDocument;
  /** Where the seed's thumbnail paths are resolved. */
  baseDir: string;
  token: string;
  readyAfterMs: number;
  thumbnailBySha256: Map<string, string>;
}

export function emptyFaultCounts(): FaultCounts {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts;
}

export function addFaultCounts(into: FaultCounts, more: FaultCounts): FaultCounts {
  for (const kind of FAULT_KINDS) into[kind] += more[kind];
  return into;
}

export class ChaosStage {
  #emulator: RunningEmulator;
  readonly #options: StageOptions;
  /** Logs and fault counts of emulators already closed by a restart, since the last drain. */
  #earlierLog: RequestLogEntry[] = [];
  #earlierFaults: FaultCounts = emptyFaultCounts();
  #base: FaultSpec | null = null;
  #bursts: FaultBursts | undefined;
  #inBurst = false;
  #requests = 0;
  #posts = 0;
  #restartAfterPosts: number | undefined;
  #restarting: Promise<void> | undefined;
  restarts = 0;

  private constructor(emulator: RunningEmulator, options: StageOptions) {
    this.#emulator = emulator;
    this.#options = options;
  }

  static async start(options: StageOptions): Promise<ChaosStage> {
    const hook: { stage?: ChaosStage } = {};
    const emulator = await startEmulator({
      seed: options.seed,
      seedBaseDir: options.baseDir,
      token: options.token,
      readyAfterMs: options.readyAfterMs,
      onRequest: (entry) => hook.stage?.onRequest(entry),
    });
    hook.stage = new ChaosStage(emulator, options);
    return hook.stage;
  }

  get url(): string {
    return this.#emulator.url;
  }

  snapshot(): EmulatorSnapshot {
    return this.#emulator.snapshot();
  }

  /** Faults from now on: a base spec, optional bursts, and an optional restart after the Nth publish request. */
  setFaults(base: FaultSpec | null, options: { bursts?: FaultBursts; restartAfterPosts?: number } = {}): void {
    this.#base = base;
    this.#bursts = options.bursts;
    this.#restartAfterPosts = options.restartAfterPosts;
    this.#requests = 0;
    this.#posts = 0;
    this.#inBurst = false;
    this.#emulator.setFaults(base);
  }

  #currentSpec(): FaultSpec | null {
    if (!this.#inBurst || !this.#bursts) return this.#base;
    return { ...(this.#base ?? {}), ...this.#bursts.faults };
  }

  /** The emulator's per-request hook: moves burst windows and triggers the restart. */
  private onRequest(entry: RequestLogEntry): void {
    this.#requests += 1;
    if (this.#bursts) {
      const inBurst = this.#requests % this.#bursts.every < this.#bursts.length;
      if (inBurst !== this.#inBurst) {
        this.#inBurst = inBurst;
        this.#emulator.setFaults(this.#currentSpec());
      }
    }
    if (entry.endpoint === 'POST apps/') {
      this.#posts += 1;
      if (this.#posts === this.#restartAfterPosts && !this.#restarting) {
        // Not from inside the emulator's request handling: on the next turn of the event loop.
        this.#restarting = new Promise((resolve) => setImmediate(resolve)).then(() => this.restart());
      }
    }
  }

  /** Snapshot, close (dropping open connections), start again on the same port from the snapshot. */
  async restart(): Promise<void> {
    const old = this.#emulator;
    const snapshot = old.snapshot();
    await old.close();
    this.#earlierLog.push(...old.requestLog());
    addFaultCounts(this.#earlierFaults, old.faultCounts());
    const seed = seedFromSnapshot(snapshot, this.#options.seed.users, (sha) => {
      const file = this.#options.thumbnailBySha256.get(sha);
      if (file === undefined) throw new Error(`restart: no file holds the thumbnail with sha256 ${sha}`);
      return file;
    });
    this.#emulator = await startEmulator({
      port: old.port,
      seed,
      seedBaseDir: this.#options.baseDir,
      token: this.#options.token,
      readyAfterMs: this.#options.readyAfterMs,
      faults: this.#currentSpec() ?? undefined,
      onRequest: (entry) => this.onRequest(entry),
    });
    this.restarts += 1;
  }

  /** Waits for a restart under way, so that nothing is left half done. */
  async settle(): Promise<void> {
    await this.#restarting;
    this.#restarting = undefined;
  }

  /** The requests and faults since the last drain, across restarts; then starts counting afresh. */
  drain(): { requests: RequestLogEntry[]; faults: FaultCounts } {
    const requests = [...this.#earlierLog, ...this.#emulator.requestLog()];
    const faults = addFaultCounts(this.#earlierFaults, this.#emulator.faultCounts());
    this.#earlierLog = [];
    this.#earlierFaults = emptyFaultCounts();
    this.#emulator.clearLog();
    return { requests, faults };
  }

  close(): Promise<void> {
    return this.#emulator.close();
  }
}
