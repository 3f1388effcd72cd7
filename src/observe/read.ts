// Reads what the planner needs from the server, and nothing more, through the
// AppsHubApi interface: the app and workflow lists once, then per managed app
// only the details the lists lack, in parallel up to a bound. The result is
// plain data (ObservedState) for the pure planner.
//
// Choices:
// - An app or version that the list showed but that answers 404 when read in
//   detail was removed while p7apps was reading. That is refused with a
//   message to plan again, rather than planned as missing: a plan computed
//   from a catalog that is changing under it would be stale at birth, and
//   "missing" would plan a create for an app that someone may be renaming.
// - A workflow list the server refuses (403) or does not serve (404) becomes
//   UNKNOWN: publishing does not need it, and the plan then says it cannot
//   verify workflow content. Every other failure propagates as it is: a list
//   that is not a list of workflows says the server is not what p7apps
//   thinks it is (single odd fields of an entry are only unreadable).
// - A thumbnail that cannot be read (an HTTP error such as 403, a network
//   failure, an answer too large) makes that app's thumbnail content
//   unverifiable, with the reason (wire.ts, ASSUMPTION A16); it stops nothing.
// - Unmanaged apps are listed only: their details are never read.
// - An id the list gives to more than one app is kept for each of them, and
//   none of them is read in detail (a read by that id could answer for any);
//   the planner makes each managed one a conflict naming them all.

import { AppsHubError } from '../appshub/errors.js';
import {
  UNKNOWN,
  isUnknown,
  known,
  type AppRecord,
  type AppsHubApi,
  type Maybe,
  type VersionRecord,
  type WorkflowRecord,
  unreadable,
} from '../appshub/types.js';
import { unreadableThumbnailReason } from '../appshub/wire.js';
import type { DesiredApp, DesiredState } from '../config/desired.js';
import { P7appsError } from '../errors.js';
import type { ObservedApp, ObservedState, ObservedThumbnail } from '../plan/observed.js';
import { byNameThenId, compareCodePoints } from '../plan/order.js';
import { createLimiter, failFastGroup, type Limiter } from './limit.js';

export interface ReadOptions {
  /** Requests in flight at most. */
  parallelism: number;
  signal?: AbortSignal;
  /** Read only these apps (by name); others are neither read nor reported. */
  onlyApps?: string[];
  /** The two lists, already requested (while the config loaded): used instead of requesting them again. */
  lists?: CatalogLists;
}

/** The catalog's two lists, requested ahead of the rest of the read. */
export interface CatalogLists {
  apps: Promise<AppRecord[]>;
  workflows: Promise<Maybe<Record<string, WorkflowRecord>>>;
  /** Stops whichever of the two is still under way. */
  abort(): void;
}

/**
 * Requests both lists now, before anything needs them (`plan` does so while
 * the config loads), as readObservedState would: at most `parallelism` at
 * once (with 1, the workflow list follows the app list), and the first
 * failure stops the other list and is what both report. Until they are
 * used, a failure is only kept: it surfaces where readObservedState awaits
 * it, as if requested then.
 */
export function requestCatalogLists(api: AppsHubApi, options: { parallelism: number; signal?: AbortSignal }): CatalogLists {
  const group = failFastGroup(options.signal);
  const limit = createLimiter(options.parallelism, group.signal);
  const firstFailure = <T>(read: Promise<T>): Promise<T> =>
    group.failFast(read).catch((err: unknown) => {
      throw group.cause(err);
    });
  const apps = firstFailure(limit(() => api.listApps(group.signal)));
  const workflows = firstFailure(limit(() => readWorkflows(api, group.signal)));
  apps.catch(() => undefined);
  workflows.catch(() => undefined);
  return { apps, workflows, abort: () => group.close() };
}

export async function readObservedState(api: AppsHubApi, desired: DesiredState, options: ReadOptions): Promise<ObservedState> {
  const group = failFastGroup(options.signal);
  const { signal, failFast } = group;
  const limit = createLimiter(options.parallelism, signal);

  try {
    // Both lists go out together, but the apps' own reads need only the app
    // list: they start as soon as it is in, while the workflow list (often
    // the larger) is still arriving. Its failure is handled where it is
    // awaited; until then a handler keeps it from counting as unhandled.
    // Lists requested earlier hold a slot until they are in, as if sent
    // now, so that the apps' reads keep to the parallelism; and a failure
    // here stops them as it stops the reads sent now.
    const early = options.lists;
    if (early) signal.addEventListener('abort', () => early.abort(), { once: true });
    const appsListed = failFast(limit(() => early?.apps ?? api.listApps(signal)));
    const workflowsRead = failFast(limit(() => early?.workflows ?? readWorkflows(api, signal)));
    workflowsRead.catch(() => undefined);
    const listed = await appsListed;

    const only = options.onlyApps ? new Set(options.onlyApps) : undefined;
    const desiredByName = new Map(desired.apps.filter((a) => !only || only.has(a.name)).map((a) => [a.name, a]));
    const reported = only ? listed.filter((record) => only.has(record.name)) : listed;

    const idCounts = new Map<string, number>();
    for (const record of listed) idCounts.set(record.id, (idCounts.get(record.id) ?? 0) + 1);
    const apps = await Promise.all(
      reported.map((record) => {
        const want = desiredByName.get(record.name);
        const shared = idCounts.get(record.id)! > 1;
        return want && !shared ? failFast(readManagedApp(api, record, want, limit, signal)) : Promise.resolve(listedOnly(record));
      }),
    );
    return { serverUrl: api.serverUrl, apps: apps.sort(byNameThenId), workflows: await workflowsRead };
  } catch (err) {
    throw group.cause(err);
  } finally {
    group.close();
    // A failure elsewhere stops an early list still arriving, as it stops the reads it started (settled ones ignore it).
    options.lists?.abort();
  }
}

/** The workflow list by path; UNKNOWN when the server will not show it (403/404). Shared with import. */
export async function readWorkflows(api: AppsHubApi, signal: AbortSignal): Promise<Maybe<Record<string, WorkflowRecord>>> {
  let list: WorkflowRecord[];
  try {
    list = await api.listWorkflows(signal);
  } catch (err) {
    if (err instanceof AppsHubError && (err.status === 403 || err.status === 404)) return UNKNOWN;
    throw err;
  }
  // Sorted by id so that a path listed twice resolves the same way every time.
  const byPath: Record<string, WorkflowRecord> = {};
  for (const workflow of [...list].sort((a, b) => compareCodePoints(a.id, b.id))) byPath[workflow.path] ??= workflow;
  return byPath;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof AppsHubError && err.status === 404;
}

/** A 404 for something the server had just listed: the catalog moved under the reader. */
export function changedWhileReading(what: string, err: unknown, again = 'Plan'): P7appsError {
  return new P7appsError(`${what} was listed by the server but is gone now (404): the catalog changed while p7apps was reading it`, {
    hint: `${again} again once nobody is changing these apps.`,
    cause: err,
  });
}

/** A version is fully described when the plan can judge it: its workflow path and fingerprint are known. */
function fullyDescribed(record: Maybe<VersionRecord>): record is VersionRecord {
  return known(record) && known(record.workflowPath) && known(record.workflowFingerprint);
}

/** The app as `GET apps/{id}/` describes it, read only when the list entry lacks the default version or the version list. Shared with import. */
export async function appDetails(api: AppsHubApi, listed: AppRecord, limit: Limiter, signal: AbortSignal, again = 'Plan'): Promise<AppRecord> {
  if (known(listed.current) && known(listed.versions)) return listed;
  try {
    return await limit(() => api.getApp(listed.id, signal));
  } catch (err) {
    if (isNotFound(err)) throw changedWhileReading(`App "${listed.name}" (${listed.id})`, err, again);
    throw err;
  }
}

async function readManagedApp(api: AppsHubApi, listed: AppRecord, want: DesiredApp, limit: Limiter, signal: AbortSignal): Promise<ObservedApp> {
  const record = await appDetails(api, listed, limit, signal);

  const details = new Map<number, VersionRecord>();
  if (known(record.current)) details.set(record.current.version, record.current);
  const listedVersions = completeVersionList(record);
  const exists = (n: number) => listedVersions?.has(n) || (known(record.defaultVersion) && record.defaultVersion === n);

  const versionReads = want.versions
    .filter((v) => (listedVersions ? exists(v.version) : true) && !fullyDescribed(details.get(v.version) ?? UNKNOWN))
    .map(async (v) => {
      try {
        details.set(v.version, await limit(() => api.getAppVersion(record.id, v.version, signal)));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // Without a version list, looking a version up is how its absence is learnt.
        if (listedVersions) throw changedWhileReading(`Version ${v.version} of app "${record.name}" (${record.id})`, err);
      }
    });
  const thumbnailRead = readThumbnail(api, record, want, limit, signal);
  const [thumbnail] = await Promise.all([thumbnailRead, ...versionReads]);

  const app = observedFrom(record, details, thumbnail);
  if (!listedVersions) app.versionsListed = false;
  if (isUnknown(record.versions) && record.versions.raw !== undefined) app.versionsUnreadable = record.versions.raw;
  return app;
}

/**
 * The app's version numbers when its list can be trusted as complete. A list
 * that leaves out the default version (the guide's own publish answer says
 * `"versions": []` for an app that has version 1) has shown it omits
 * versions: then each declared version is looked up, and a 404 means absent.
 * Trusting such a list would plan an existing version as missing, and the
 * server would publish it under the next number, a duplicate.
 */
function completeVersionList(record: AppRecord): Set<number> | undefined {
  if (isUnknown(record.versions)) return undefined;
  const numbers = new Set(record.versions.map((v) => v.version));
  if (known(record.defaultVersion) && !numbers.has(record.defaultVersion)) return undefined;
  return numbers;
}

/** The thumbnail's content, read only when the config declares one to compare with; a 304 means it is equal. */
async function readThumbnail(api: AppsHubApi, record: AppRecord, want: DesiredApp, limit: Limiter, signal: AbortSignal): Promise<Maybe<ObservedThumbnail | null>> {
  const url = record.thumbnailUrl;
  if (isUnknown(url) || url === null) return url;
  if (!want.thumbnail) return { url, sha256: UNKNOWN };
  const expectSha256 = want.thumbnail.sha256;
  try {
    const fetched = await limit(() => api.fetchThumbnail(url, { expectSha256, signal }));
    return { url, sha256: fetched.sha256.toLowerCase() };
  } catch (err) {
    const why = signal.aborted ? undefined : unreadableThumbnailReason(err);
    if (why === undefined) throw err;
    return { url, sha256: unreadable(why) };
  }
}

function listedOnly(record: AppRecord): ObservedApp {
  const details = new Map<number, VersionRecord>();
  if (known(record.current)) details.set(record.current.version, record.current);
  const thumbnail = isUnknown(record.thumbnailUrl) || record.thumbnailUrl === null ? record.thumbnailUrl : { url: record.thumbnailUrl, sha256: UNKNOWN };
  const app = observedFrom(record, details, thumbnail);
  if (isUnknown(record.versions)) app.versionsListed = false;
  return app;
}

/**
 * Every version the server reported, ascending: listed ones, the default, and
 * any found by looking them up; with details where they were read.
 */
function observedFrom(record: AppRecord, details: ReadonlyMap<number, VersionRecord>, thumbnail: Maybe<ObservedThumbnail | null>): ObservedApp {
  const summaries = new Map((known(record.versions) ? record.versions : []).map((v) => [v.version, v]));
  const numbers = new Set([...summaries.keys(), ...details.keys()]);
  // The guide's own example lists `"versions": []` for an app that has version 1: the default always exists.
  if (known(record.defaultVersion)) numbers.add(record.defaultVersion);
  const versions = [...numbers]
    .sort((a, b) => a - b)
    .map((n): VersionRecord => {
      const detail = details.get(n);
      if (detail) return detail;
      const summary = summaries.get(n);
      return {
        appId: record.id,
        version: n,
        revision: summary?.revision ?? UNKNOWN,
        state: summary?.state ?? UNKNOWN,
        stateDetail: UNKNOWN,
        workflowPath: UNKNOWN,
        workflowFingerprint: UNKNOWN,
        url: UNKNOWN,
        updated: UNKNOWN,
      };
    });
  return {
    id: record.id,
    name: record.name,
    workspace: record.workspace,
    description: record.description,
    allowCopy: record.allowCopy,
    thumbnail,
    defaultVersion: record.defaultVersion,
    versions,
  };
}
