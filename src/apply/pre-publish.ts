// The check just before a publish is sent: one cheap read that the app is
// still as the plan expects at this step. Another apply running at the same
// time (two CI jobs, two people) or a publish from Studio moves it; sending
// anyway would add a version or revision nobody asked for. Only the facts a
// publish depends on are read: whether the app exists (for a new app), whether
// the version is still free (for a new version), and the version's revision
// (for a new revision). This narrows the race between two runs; it cannot
// close it, which would need a lock on the server.

import { known, type AppRecord, type AppsHubApi, type VersionRecord } from '../appshub/types.js';
import type { PlannedPublish } from '../plan/types.js';
import { httpFacts } from './http-facts.js';

export interface PrePublishState {
  /** The app's id once known (null for an app this run has not created yet). */
  appId: string | null;
  /** Revisions this run has already made, by version: what the server should now report for them. */
  madeRevisions: ReadonlyMap<number, number>;
}

/**
 * App-list reads shared among the checks of one run. A caller joins the read
 * that has not been sent yet, or, when none is waiting, one that is sent on
 * the next microtask; a read already on the wire is never joined, so every
 * caller's answer was read after it asked (the same guarantee as a read of
 * its own). The next read is sent once the one on the wire has settled:
 * checks that arrive together while it is out (ten publishes of new apps at
 * the start of an apply) then cost one more read, not ten whole catalogs.
 */
export class SharedAppList {
  readonly #api: AppsHubApi;
  readonly #signal: AbortSignal | undefined;
  /** The read on the wire, or the last one. */
  #sent: Promise<unknown> = Promise.resolve();
  /** The read callers join: not yet sent. */
  #waiting: Promise<AppRecord[]> | undefined;

  /** `signal`: the run's; the shared read stops with it (each caller's own signal only stops that caller's wait). */
  constructor(api: AppsHubApi, signal?: AbortSignal) {
    this.#api = api;
    this.#signal = signal;
  }

  read(signal?: AbortSignal): Promise<AppRecord[]> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiting === undefined) {
      const after = this.#sent.then(
        () => undefined,
        () => undefined,
      );
      this.#waiting = after.then(() => {
        this.#waiting = undefined;
        const read = this.#api.listApps(this.#signal);
        this.#sent = read;
        return read;
      });
    }
    return untilAborted(this.#waiting, signal);
  }
}

/** The promise's outcome, or the signal's reason as soon as it aborts (the promise goes on for its other callers). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Why the app is no longer as planned, in words; null when the publish may
 * go. Read errors propagate. `appList` is the run's: it shares the catalog
 * reads of checks that ask together.
 */
export async function changedBeforePublish(
  api: AppsHubApi,
  appList: SharedAppList,
  publish: PlannedPublish,
  state: PrePublishState,
  signal?: AbortSignal,
): Promise<string | null> {
  const { expect, request } = publish;
  if (expect.creates === 'app' || state.appId === null) {
    const apps = await appList.read(signal);
    const found = apps.filter((a) => a.name === request.name);
    if (found.length === 0) return null;
    return `an app named ${JSON.stringify(request.name)} now exists on the server (id ${found.map((a) => a.id).join(', ')}), created after the plan was made`;
  }
  if (expect.creates === 'version') {
    const app = await api.getApp(state.appId, signal);
    if (known(app.versions)) {
      const numbers = app.versions.map((v) => v.version);
      if (known(app.defaultVersion)) numbers.push(app.defaultVersion);
      const highest = Math.max(0, ...numbers);
      if (numbers.includes(expect.version)) return `v${expect.version} now exists on the server; the plan was to create it`;
      if (highest > expect.version) return `the app now has v${highest}, so the server would not publish v${expect.version} as planned`;
      return null;
    }
    const record = await versionOrNull(api, state.appId, expect.version, signal);
    return record ? `v${expect.version} now exists on the server; the plan was to create it` : null;
  }
  const expected = state.madeRevisions.get(expect.version) ?? (known(expect.previousRevision) ? expect.previousRevision : null);
  const record = await versionOrNull(api, state.appId, expect.version, signal);
  if (!record) return `v${expect.version} is no longer on the server; the plan was to publish a new revision of it`;
  if (expected === null || !known(record.revision)) return null;
  if (record.revision !== expected) return `v${expect.version} is now at revision ${record.revision}; the plan expected revision ${expected}`;
  return null;
}

async function versionOrNull(api: AppsHubApi, appId: string, version: number, signal?: AbortSignal): Promise<VersionRecord | null> {
  try {
    return await api.getAppVersion(appId, version, signal);
  } catch (err) {
    if (httpFacts(err).status === 404) return null;
    throw err;
  }
}
