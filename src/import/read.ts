// Reads the catalog `p7apps import` adopts, through the AppsHubApi interface:
// the app and workflow lists once, then for each selected app the details
// the list lacks, every version (the app record describes only the default
// one) and the thumbnail's bytes, in parallel up to a bound. Reads only.
//
// Choices:
// - A version listed but gone when read (404) means the catalog changed while
//   it was read: refused, with a message to import again, rather than
//   imported half-old, half-new.
// - A thumbnail the server will not hand over (an HTTP error, too large, a
//   redirect) or that cannot be reached (refused, reset, timed out, TLS: a
//   thumbnail may be served from another host) is recorded as a problem, not
//   a failure, as plan reads it (A16): the app is still imported, with its
//   thumbnail unmanaged, which a later import can take up. Only an
//   interruption, or a proxy that refuses p7apps, stops the import.
// - A workflow list the server refuses (403) or lacks (404) is UNKNOWN: it
//   only serves to warn about versions a plan would publish again.

import { AppsHubError } from '../appshub/errors.js';
import { isUnknown, known, type AppRecord, type AppsHubApi, type Maybe, type VersionRecord } from '../appshub/types.js';
import { UsageError, P7appsError } from '../errors.js';
import { createLimiter, failFastGroup, type Limiter } from '../observe/limit.js';
import { appDetails, changedWhileReading, isNotFound, readWorkflows } from '../observe/read.js';
import { joinWords } from '../plan/describe.js';
import { byNameThenId, compareCodePoints } from '../plan/order.js';
import type { CatalogApp, CatalogThumbnail, ServerCatalog } from './catalog.js';

export interface ReadCatalogOptions {
  /** Only these apps, by exact name; a name the server lacks is a usage error. */
  apps?: string[];
  /** Only apps in these workspaces, each given by name or id; one the server's apps are not in is a usage error. */
  workspaces?: string[];
  /** Requests in flight at most. Default 10. */
  parallelism?: number;
  signal?: AbortSignal;
}

/** How many names an error message lists before it says "and N more". */
const NAMES_SHOWN = 10;

export async function readCatalog(api: AppsHubApi, options: ReadCatalogOptions = {}): Promise<ServerCatalog> {
  // The first failure stops the rest: a partial catalog is never imported.
  const group = failFastGroup(options.signal);
  const { signal, failFast } = group;
  const limit = createLimiter(options.parallelism ?? 10, signal);

  try {
    const [listed, workflows] = await Promise.all([
      failFast(limit(() => api.listApps(signal))),
      failFast(limit(() => readWorkflows(api, signal))),
    ]);
    const selected = selectApps(listed, options, api.serverUrl);
    const apps = await Promise.all(selected.map((record) => failFast(readApp(api, record, limit, signal))));
    return { serverUrl: api.serverUrl, apps: apps.sort(byNameThenId), workflows };
  } catch (err) {
    throw group.cause(err);
  } finally {
    group.close();
  }
}

/** The listed apps the filters select; a filter that selects nothing it names is a usage error. */
export function selectApps(listed: AppRecord[], options: Pick<ReadCatalogOptions, 'apps' | 'workspaces'>, serverUrl: string): AppRecord[] {
  let selected = listed;
  const workspaces = options.workspaces ?? [];
  if (workspaces.length > 0) {
    const inWorkspace = (record: AppRecord, given: string) =>
      known(record.workspace) && (record.workspace.name === given || record.workspace.id === given);
    const unknownWorkspaces = workspaces.filter((given) => !listed.some((record) => inWorkspace(record, given)));
    if (unknownWorkspaces.length > 0) {
      const seen = [...new Set(listed.flatMap((r) => (known(r.workspace) ? [`${JSON.stringify(r.workspace.name)} (id ${r.workspace.id})`] : [])))];
      throw new UsageError(`--workspace ${quoted(unknownWorkspaces)}: no app on ${serverUrl} is in such a workspace`, {
        hint: seen.length > 0 ? `The server's apps are in: ${someOf(seen.sort(compareCodePoints))}.` : 'The server reports no workspaces for its apps.',
      });
    }
    selected = selected.filter((record) => workspaces.some((given) => inWorkspace(record, given)));
  }
  const names = options.apps ?? [];
  if (names.length > 0) {
    const missing = names.filter((name) => !selected.some((record) => record.name === name));
    if (missing.length > 0) {
      const where = workspaces.length > 0 ? ` in workspace ${quoted(workspaces, ' or ')}` : '';
      const candidates = [...new Set(selected.map((r) => r.name))].sort(compareCodePoints);
      const nearly = missing.flatMap((name) => candidates.filter((c) => c.toLowerCase() === name.toLowerCase() && c !== name));
      throw new UsageError(`--app ${quoted(missing)}: no such app on ${serverUrl}${where}`, {
        hint:
          nearly.length > 0
            ? `Names are compared exactly; did you mean ${quoted(nearly, ' or ')}?`
            : candidates.length > 0
              ? `The server has: ${someOf(candidates.map((c) => JSON.stringify(c)))}.`
              : `The server has no apps${where}.`,
      });
    }
    selected = selected.filter((record) => names.includes(record.name));
  }
  return selected;
}

function quoted(values: string[], last = ' and '): string {
  const words = values.map((v) => JSON.stringify(v));
  return last === ' and ' ? joinWords(words) : words.join(last);
}

function someOf(items: string[]): string {
  if (items.length <= NAMES_SHOWN) return items.join(', ');
  return `${items.slice(0, NAMES_SHOWN).join(', ')} and ${items.length - NAMES_SHOWN} more`;
}

const changedWhileImporting = (what: string, err: unknown) => changedWhileReading(what, err, 'Import');

async function readApp(api: AppsHubApi, listed: AppRecord, limit: Limiter, signal: AbortSignal): Promise<CatalogApp> {
  const record = await appDetails(api, listed, limit, signal, 'Import');

  const numbers = new Set(known(record.versions) ? record.versions.map((v) => v.version) : []);
  // The guide's own example lists `"versions": []` for an app that has version 1: the default always exists.
  if (known(record.defaultVersion)) numbers.add(record.defaultVersion);
  const current = known(record.current) && known(record.current.workflowPath) ? record.current : undefined;

  const versionReads = [...numbers]
    .sort((a, b) => a - b)
    .map(async (n): Promise<VersionRecord> => {
      if (current?.version === n) return current;
      try {
        return await limit(() => api.getAppVersion(record.id, n, signal));
      } catch (err) {
        if (isNotFound(err)) throw changedWhileImporting(`Version ${n} of app "${record.name}" (${record.id})`, err);
        throw err;
      }
    });
  const [thumbnail, ...versions] = await Promise.all([readThumbnail(api, record.thumbnailUrl, limit, signal), ...versionReads]);

  return {
    id: record.id,
    name: record.name,
    workspace: record.workspace,
    description: record.description,
    allowCopy: record.allowCopy,
    thumbnail: thumbnail as Maybe<CatalogThumbnail | null>,
    defaultVersion: record.defaultVersion,
    versions: versions as VersionRecord[],
    versionsListed: known(record.versions),
  };
}

async function readThumbnail(api: AppsHubApi, url: Maybe<string | null>, limit: Limiter, signal: AbortSignal): Promise<Maybe<CatalogThumbnail | null>> {
  if (isUnknown(url) || url === null) return url;
  try {
    const fetched = await limit(() => api.fetchThumbnail(url, { signal }));
    if (fetched.status !== 'fetched') return { url, problem: 'the server answered 304 Not Modified to a request that asked for the image' };
    return { url, bytes: fetched.bytes };
  } catch (err) {
    if (signal.aborted || !thumbnailProblem(err)) throw err;
    return { url, problem: (err as Error).message };
  }
}

/** Failures that concern only this image: refused, unusable, or out of reach. An interruption or a refusing proxy is not one. */
function thumbnailProblem(err: unknown): boolean {
  if (err instanceof AppsHubError) return err.kind !== 'aborted' && err.kind !== 'proxy';
  // The client refuses a thumbnail URL that is not http(s) before sending anything.
  return err instanceof P7appsError;
}
