import { describe, expect, it } from 'vitest';
import { AppsHubError } from '../../src/appshub/errors.js';
import { UNKNOWN, unreadable, type AppRecord, type AppsHubApi, type VersionRecord } from '../../src/appshub/types.js';
import type { DesiredApp, DesiredState } from '../../src/config/desired.js';
import { P7appsError } from '../../src/errors.js';
import { createLimiter } from '../../src/observe/limit.js';
import { readObservedState, requestCatalogLists } from '../../src/observe/read.js';
import { FakeApi, appWithVersions, type FakeCatalog } from './fake-api.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function desiredOf(...apps: DesiredApp[]): DesiredState {
  return { configPath: '/repo/p7apps.config.ts', apps };
}

function want(name: string, versions: number[], extra: Partial<DesiredApp> = {}): DesiredApp {
  return { name, workspace: { name: 'Engineering' }, versions: versions.map((v) => ({ version: v, workflow: `/W/${name}-${v}.p7wf` })), ...extra };
}

function thumbnail(sha256: string): DesiredApp['thumbnail'] {
  return { path: '/repo/t.png', filename: 't.png', mediaType: 'image/png', sha256, declaredAs: 't.png', size: 3 };
}

function catalogOf(...entries: { app: AppRecord; versions: Record<string, VersionRecord> }[]): FakeCatalog {
  return {
    apps: entries.map((e) => e.app),
    versions: Object.assign({}, ...entries.map((e) => e.versions)),
    workflows: [{ id: 'w1', name: 'Beam', path: '/W/Beam-1.p7wf', url: UNKNOWN, fingerprint: 'fp-/W/Beam-1.p7wf' }],
    thumbnails: {},
  };
}

describe('readObservedState', () => {
  it('reads each list once and only the declared versions the default record does not describe', async () => {
    const api = new FakeApi(catalogOf(appWithVersions('Beam', 3), appWithVersions('Unmanaged', 4)));
    const state = await readObservedState(api, desiredOf(want('Beam', [1, 2])), { parallelism: 4 });
    expect([...api.calls].sort()).toEqual(['getAppVersion id-Beam@2', 'listApps', 'listWorkflows']);
    expect(state.serverUrl).toBe('https://pseven.example.com');
    const beam = state.apps.find((a) => a.name === 'Beam');
    expect(beam?.versions.map((v) => [v.version, v.workflowPath])).toEqual([
      [1, '/W/Beam-1.p7wf'],
      [2, '/W/Beam-2.p7wf'],
      [3, UNKNOWN],
    ]);
    expect(state.workflows).toEqual({ '/W/Beam-1.p7wf': expect.objectContaining({ id: 'w1' }) });
  });

  it('keeps both apps the server lists under one id, and reads neither by that id', async () => {
    const catalog = catalogOf(appWithVersions('Beam', 2), appWithVersions('Gear', 2));
    catalog.apps = catalog.apps.map((a) => ({ ...a, id: 'same', current: UNKNOWN }));
    const api = new FakeApi(catalog);
    const state = await readObservedState(api, desiredOf(want('Beam', [1, 2]), want('Gear', [1])), { parallelism: 2 });
    expect(state.apps.map((a) => [a.name, a.id])).toEqual([
      ['Beam', 'same'],
      ['Gear', 'same'],
    ]);
    expect([...api.calls].sort()).toEqual(['listApps', 'listWorkflows']);
  });

  it('lists unmanaged apps without reading their details, and sorts apps by name', async () => {
    const api = new FakeApi(catalogOf(appWithVersions('Zeta', 2), appWithVersions('Alpha', 2), appWithVersions('Beam', 1)));
    const state = await readObservedState(api, desiredOf(want('Beam', [1])), { parallelism: 2 });
    expect(state.apps.map((a) => a.name)).toEqual(['Alpha', 'Beam', 'Zeta']);
    expect(api.calls.filter((c) => c.includes('Zeta') || c.includes('Alpha'))).toEqual([]);
  });

  it('reads an app in detail only when the list record lacks the default version or the version list', async () => {
    const catalog = catalogOf(appWithVersions('Beam', 2), appWithVersions('Gear', 1));
    catalog.listView = (app) => (app.name === 'Beam' ? { ...app, current: UNKNOWN, versions: UNKNOWN } : app);
    const api = new FakeApi(catalog);
    const state = await readObservedState(api, desiredOf(want('Beam', [1, 2]), want('Gear', [1])), { parallelism: 3 });
    expect(api.count('getApp ')).toBe(1);
    expect(api.calls).toContain('getApp id-Beam');
    expect(api.calls).toContain('getAppVersion id-Beam@2');
    expect(api.count('getAppVersion id-Beam@1')).toBe(0);
    expect(state.apps[0]?.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it.each([
    { name: 'equal bytes answer 304 and are not downloaded', server: SHA_A, desired: SHA_A, expected: SHA_A },
    { name: 'different bytes are read and hashed', server: SHA_B, desired: SHA_A, expected: SHA_B },
  ])('thumbnails: $name', async ({ server, desired, expected }) => {
    const url = 'https://pseven.example.com/media/beam.png';
    const catalog = catalogOf(appWithVersions('Beam', 1, { thumbnailUrl: url }));
    catalog.thumbnails[url] = server;
    const api = new FakeApi(catalog);
    const state = await readObservedState(api, desiredOf(want('Beam', [1], { thumbnail: thumbnail(desired) })), { parallelism: 2 });
    expect(api.calls).toContain(`fetchThumbnail ${url} ${desired}`);
    expect(state.apps[0]?.thumbnail).toEqual({ url, sha256: expected });
  });

  it('thumbnails: not read when the config declares none, or the server has none', async () => {
    const url = 'https://pseven.example.com/media/gear.png';
    const api = new FakeApi(catalogOf(appWithVersions('Beam', 1, { thumbnailUrl: null }), appWithVersions('Gear', 1, { thumbnailUrl: url })));
    const state = await readObservedState(api, desiredOf(want('Beam', [1], { thumbnail: thumbnail(SHA_A) }), want('Gear', [1])), { parallelism: 2 });
    expect(api.count('fetchThumbnail')).toBe(0);
    expect(state.apps.map((a) => a.thumbnail)).toEqual([null, { url, sha256: UNKNOWN }]);
  });

  // The lists requested ahead (while plan's config loads) count as if requested with the rest.
  it.each([
    [3, 'read now'],
    [1, 'read now'],
    [3, 'requested ahead'],
    [1, 'requested ahead'],
  ] as const)('never has more requests in flight than the parallelism (%i) allows, lists %s', async (parallelism, lists) => {
    const entries = Array.from({ length: 12 }, (_, i) => appWithVersions(`App${String(i).padStart(2, '0')}`, 3));
    const api = new FakeApi(catalogOf(...entries));
    const desired = desiredOf(...entries.map((e) => want(e.app.name, [1, 2, 3])));
    const ahead = lists === 'requested ahead' ? { lists: requestCatalogLists(api, { parallelism }) } : {};
    await readObservedState(api, desired, { parallelism, ...ahead });
    expect(api.count('getAppVersion')).toBe(24);
    expect(api.count('list')).toBe(2);
    expect(api.maxInFlight).toBe(parallelism);
  });

  it('reads only the apps named by onlyApps, and reports no others', async () => {
    const api = new FakeApi(catalogOf(appWithVersions('Beam', 2), appWithVersions('Gear', 2), appWithVersions('Other', 1)));
    const state = await readObservedState(api, desiredOf(want('Beam', [1, 2]), want('Gear', [1, 2])), { parallelism: 2, onlyApps: ['Gear'] });
    expect(state.apps.map((a) => a.name)).toEqual(['Gear']);
    expect(api.calls.filter((c) => c.includes('Beam'))).toEqual([]);
  });

  it('refuses an app that disappears between the list and the detail read', async () => {
    const catalog = catalogOf(appWithVersions('Beam', 1));
    catalog.listView = (app) => ({ ...app, current: UNKNOWN });
    catalog.fail = (call) => (call === 'getApp id-Beam' ? new AppsHubError({ method: 'GET', path: 'apps/id-Beam/', status: 404 }) : undefined);
    const api = new FakeApi(catalog);
    const failure = readObservedState(api, desiredOf(want('Beam', [1])), { parallelism: 2 });
    await expect(failure).rejects.toThrow(P7appsError);
    await expect(failure).rejects.toThrow(/App "Beam" \(id-Beam\) was listed by the server but is gone now \(404\)/);
  });

  it('without a version list, looks the declared versions up and marks the list as not known', async () => {
    const entry = appWithVersions('Beam', 2);
    const api = new FakeApi(catalogOf({ app: { ...entry.app, versions: UNKNOWN, current: UNKNOWN, defaultVersion: UNKNOWN }, versions: entry.versions }));
    const state = await readObservedState(api, desiredOf(want('Beam', [1, 2, 3])), { parallelism: 2 });
    expect(api.calls.filter((c) => c.startsWith('getAppVersion')).sort()).toEqual(['getAppVersion id-Beam@1', 'getAppVersion id-Beam@2', 'getAppVersion id-Beam@3']);
    expect(state.apps[0]?.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(state.apps[0]?.versionsListed).toBe(false);
  });

  it('counts the default version as existing even when the list of versions is empty (the guide\'s own example)', async () => {
    const entry = appWithVersions('Beam', 1);
    const api = new FakeApi(catalogOf({ app: { ...entry.app, versions: [] }, versions: entry.versions }));
    const state = await readObservedState(api, desiredOf(want('Beam', [1])), { parallelism: 2 });
    expect(state.apps[0]?.versions.map((v) => v.version)).toEqual([1]);
    expect(api.count('getAppVersion')).toBe(0);
  });

  it.each([403, 404])('a workflow list answered %i becomes UNKNOWN', async (status) => {
    const catalog = catalogOf(appWithVersions('Beam', 1));
    catalog.fail = (call) => (call === 'listWorkflows' ? new AppsHubError({ method: 'GET', path: 'workflows/', status }) : undefined);
    const state = await readObservedState(new FakeApi(catalog), desiredOf(want('Beam', [1])), { parallelism: 2 });
    expect(state.workflows).toBe(UNKNOWN);
  });

  it('lets other errors through as they are, and starts nothing after the first', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => appWithVersions(`App${i}`, 3));
    const catalog = catalogOf(...entries);
    const boom = new AppsHubError({ method: 'GET', path: 'apps/id-App0@2/', status: 500, detail: 'boom' });
    catalog.fail = (call) => (call === 'getAppVersion id-App0@2' ? boom : undefined);
    const api = new FakeApi(catalog);
    await expect(readObservedState(api, desiredOf(...entries.map((e) => want(e.app.name, [1, 2, 3]))), { parallelism: 1 })).rejects.toBe(boom);
    // With one request at a time, the failing read is the first version read, and nothing follows it.
    expect(api.calls.at(-1)).toBe('getAppVersion id-App0@2');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

describe('createLimiter', () => {
  it('runs tasks in arrival order with at most N at once, and never starts a task after an abort', async () => {
    const controller = new AbortController();
    const limit = createLimiter(2, controller.signal);
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      limit(
        () =>
          new Promise<number>((resolve) => {
            started.push(i);
            releases.push(() => resolve(i));
          }),
      ),
    );
    expect(started).toEqual([0, 1]);
    releases[0]?.();
    await tasks[0];
    await waitFor(() => started.length === 3);
    expect(started).toEqual([0, 1, 2]);
    controller.abort(new Error('stop'));
    releases[1]?.();
    await expect(tasks[3]).rejects.toThrow('stop');
    expect(started).toEqual([0, 1, 2]);
  });

  it('rejects a slot count that would stall', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });

  // A16: a thumbnail that cannot be read is that app's thumbnail unverifiable, with why; the other apps are read as usual.
  it.each([
    ['a 403', new AppsHubError({ method: 'GET', path: 'x', status: 403 }), '"HTTP 403"'],
    ['a 404', new AppsHubError({ method: 'GET', path: 'x', status: 404 }), '"HTTP 404"'],
    ['a network failure', new AppsHubError({ method: 'GET', path: 'x', kind: 'network', message: 'connection refused' }), '"connection refused"'],
  ])('makes a thumbnail that answers %s unverifiable, not a failure', async (_, error, raw) => {
    const url = 'https://pseven.example.com/t/beam.png';
    const catalog = catalogOf(appWithVersions('Beam', 1, { thumbnailUrl: url }), appWithVersions('Gear', 1));
    catalog.fail = (call) => (call.startsWith('fetchThumbnail') ? error : undefined);
    const state = await readObservedState(new FakeApi(catalog), desiredOf(want('Beam', [1], { thumbnail: thumbnail(SHA_A) }), want('Gear', [1])), { parallelism: 2 });
    expect(state.apps.find((a) => a.name === 'Beam')?.thumbnail).toEqual({ url, sha256: unreadable(raw) });
    expect(state.apps.map((a) => a.name)).toEqual(['Beam', 'Gear']);
  });

  it('still stops when the caller aborts during a thumbnail read', async () => {
    const url = 'https://pseven.example.com/t/beam.png';
    const controller = new AbortController();
    const catalog = catalogOf(appWithVersions('Beam', 1, { thumbnailUrl: url }));
    catalog.fail = (call) => {
      if (!call.startsWith('fetchThumbnail')) return undefined;
      controller.abort(new Error('interrupted'));
      return new AppsHubError({ method: 'GET', path: 'x', kind: 'aborted', message: 'Cancelled' });
    };
    const read = readObservedState(new FakeApi(catalog), desiredOf(want('Beam', [1], { thumbnail: thumbnail(SHA_A) })), { parallelism: 2, signal: controller.signal });
    await expect(read).rejects.toThrow();
  });

  it('says what the server sent as a version list it cannot read, and looks the declared versions up one by one', async () => {
    const catalog = catalogOf(appWithVersions('Beam', 2, { versions: unreadable('"all"') }));
    const api = new FakeApi(catalog);
    const state = await readObservedState(api, desiredOf(want('Beam', [1, 2, 3])), { parallelism: 2 });
    const beam = state.apps[0]!;
    expect(beam.versionsListed).toBe(false);
    expect(beam.versionsUnreadable).toBe('"all"');
    expect(api.calls).toEqual(expect.arrayContaining(['getAppVersion id-Beam@2', 'getAppVersion id-Beam@3']));
  });
});

describe('a read that fails', () => {
  it('reports the first failure, not the cancellations it caused in reads still under way', async () => {
    const refused = Object.assign(new Error('Could not reach http://127.0.0.1:1 (ECONNREFUSED) on GET workflows/'), { code: 'ECONNREFUSED' });
    const api = {
      serverUrl: 'http://127.0.0.1:1',
      // Answers only when cancelled, as a request in flight does.
      listApps: (signal?: AbortSignal) =>
        new Promise<never>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('Cancelled GET apps/')), { once: true })),
      listWorkflows: () => Promise.reject(refused),
    } as unknown as AppsHubApi;
    await expect(readObservedState(api, { configPath: '/repo/p7apps.config.json', apps: [] }, { parallelism: 2 })).rejects.toBe(refused);
  });
});
