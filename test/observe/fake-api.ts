// An in-memory AppsHubApi that counts every call and how many run at once.
// Each call yields to the event loop a few times before answering, so calls
// overlap the way network calls do, without any timer.

import { AppsHubError } from '../../src/appshub/errors.js';
import {
  UNKNOWN,
  type AppRecord,
  type AppsHubApi,
  type PublishRequest,
  type PublishResult,
  type ThumbnailFetch,
  type VersionRecord,
  type WorkflowRecord,
} from '../../src/appshub/types.js';

export interface FakeCatalog {
  apps: AppRecord[];
  /** Details by `${appId}@${version}`. */
  versions: Record<string, VersionRecord>;
  workflows: WorkflowRecord[];
  /** sha256 of the bytes at each thumbnail URL. */
  thumbnails: Record<string, string>;
  /** What `GET apps/` shows of each app; default: the full record. */
  listView?: (app: AppRecord) => AppRecord;
  /** Fail a call: return an error to throw it. */
  fail?: (call: string) => Error | undefined;
}

const yieldTurns = async (n: number) => {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
};

export class FakeApi implements AppsHubApi {
  readonly serverUrl = 'https://pseven.example.com';
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly catalog: FakeCatalog) {}

  private async call<T>(name: string, answer: () => T): Promise<T> {
    this.calls.push(name);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await yieldTurns(3);
      const failure = this.catalog.fail?.(name);
      if (failure) throw failure;
      return answer();
    } finally {
      this.inFlight -= 1;
    }
  }

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }

  listApps(): Promise<AppRecord[]> {
    return this.call('listApps', () => this.catalog.apps.map(this.catalog.listView ?? ((a) => a)));
  }

  getApp(appId: string): Promise<AppRecord> {
    return this.call(`getApp ${appId}`, () => {
      const app = this.catalog.apps.find((a) => a.id === appId);
      if (!app) throw notFound(`apps/${appId}/`);
      return app;
    });
  }

  getAppVersion(appId: string, version: number): Promise<VersionRecord> {
    return this.call(`getAppVersion ${appId}@${version}`, () => {
      const record = this.catalog.versions[`${appId}@${version}`];
      if (!record) throw notFound(`apps/${appId}@${version}/`);
      return record;
    });
  }

  listWorkflows(): Promise<WorkflowRecord[]> {
    return this.call('listWorkflows', () => this.catalog.workflows);
  }

  fetchThumbnail(url: string, options?: { expectSha256?: string }): Promise<ThumbnailFetch> {
    return this.call(`fetchThumbnail ${url} ${options?.expectSha256 ?? '-'}`, () => {
      const sha256 = this.catalog.thumbnails[url];
      if (!sha256) throw notFound(url);
      if (options?.expectSha256 === sha256) return { status: 'not-modified', sha256 };
      return { status: 'fetched', sha256, bytes: new Uint8Array([1, 2, 3]) };
    });
  }

  publish(_request: PublishRequest): Promise<PublishResult> {
    throw new Error('the observer must never publish');
  }
}

export function notFound(path: string): AppsHubError {
  return new AppsHubError({ method: 'GET', path, status: 404, detail: 'Not found.' });
}

export function versionDetails(appId: string, version: number, workflow: string, extra: Partial<VersionRecord> = {}): VersionRecord {
  return {
    appId,
    version,
    revision: 0,
    state: 'READY',
    stateDetail: null,
    workflowPath: workflow,
    workflowFingerprint: `fp-${workflow}`,
    url: `https://pseven.example.com/appshub/.rest/v2/apps/${appId}@${version}/`,
    updated: '2024-02-02T10:23:19Z',
    ...extra,
  };
}

/** An app whose default is version 1, with `count` versions published from /W/{name}-{n}.p7wf. */
export function appWithVersions(name: string, count: number, extra: Partial<AppRecord> = {}): { app: AppRecord; versions: Record<string, VersionRecord> } {
  const id = `id-${name}`;
  const versions: Record<string, VersionRecord> = {};
  for (let n = 1; n <= count; n += 1) versions[`${id}@${n}`] = versionDetails(id, n, `/W/${name}-${n}.p7wf`);
  const app: AppRecord = {
    id,
    name,
    url: `https://pseven.example.com/appshub/.rest/v2/apps/${id}/`,
    workspace: { id: '7', name: 'Engineering' },
    description: null,
    allowCopy: true,
    thumbnailUrl: null,
    defaultVersion: 1,
    current: versions[`${id}@1`] ?? UNKNOWN,
    versions: Object.keys(versions).map((_, i) => ({ version: i + 1, revision: 0, state: 'READY' })),
    ...extra,
  };
  return { app, versions };
}
