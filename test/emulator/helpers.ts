// Shared pieces of the emulator tests: tiny real images, a started emulator
// that is closed after each test, and small fetch helpers that speak the
// guide's wire (token header, the three publish content types).

import { afterEach } from 'vitest';
import { createAppsHubClient, type AppsHubClient } from '../../src/appshub/client.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator, type SeedDocument } from '../../src/emulator/index.js';

export { pngBytes } from './png.js';

const running: RunningEmulator[] = [];
const clients: AppsHubClient[] = [];
afterEach(async () => {
  // Clients first: their connections end before the servers they talk to.
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((e) => e.close()));
});

/** The two workflows of toyAppSeed(). */
export const TOY_APP_WORKFLOWS = { toy: '/Users/1/Toy.p7wf', gear: '/Users/1/Gear.p7wf' } as const;

type SeedVersion = SeedDocument['apps'] extends (infer App)[] | undefined ? (App extends { versions: (infer V)[] } ? V : never) : never;

/**
 * One publisher signing in with `token`, the workspace "Toy apps", the
 * workflows Toy and Gear, and "Toy app" with version 1 from Toy and version
 * 2 from Gear, shaped further by `version2` (a state still publishing, say).
 */
export function toyAppSeed(token: string, version2: Partial<SeedVersion> = {}): SeedDocument {
  return {
    users: [{ username: 'user@work.org', password: 'secret', tokens: [token] }],
    workspaces: [{ id: '7', name: 'Toy apps', publishers: ['user@work.org'] }],
    workflows: [
      { path: TOY_APP_WORKFLOWS.toy, content: 'toy' },
      { path: TOY_APP_WORKFLOWS.gear, content: 'gear' },
    ],
    apps: [{ name: 'Toy app', workspace: 'Toy apps', versions: [{ version: 1, workflow: TOY_APP_WORKFLOWS.toy }, { version: 2, workflow: TOY_APP_WORKFLOWS.gear, ...version2 }] }],
  };
}

/** An emulator on a free port, closed after the test; small ready delay unless asked otherwise. */
export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ readyAfterMs: 0, ...options });
  running.push(emu);
  return emu;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body };
}

export type PublishFields = Record<string, string | boolean | number | null | Uint8Array | undefined>;
export type Encoding = 'multipart' | 'json' | 'urlencoded';

/** Fetch helpers bound to one emulator and token. */
export function client(emu: RunningEmulator, token: string | null = emu.token) {
  const auth: Record<string, string> = token === null ? {} : { Authorization: `Token ${token}` };
  return {
    get: async (pathOrUrl: string, headers: Record<string, string> = {}) =>
      answer(await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${emu.url}${pathOrUrl}`, { headers: { ...auth, ...headers } })),
    getApp: async (id: string, version?: number) => answer(await fetch(`${emu.appApiUrl}apps/${id}${version === undefined ? '' : `@${version}`}/`, { headers: auth })),
    listApps: async () => answer(await fetch(`${emu.appApiUrl}apps/`, { headers: auth })),
    publish: async (fields: PublishFields, encoding: Encoding = 'multipart') => {
      let body: string | URLSearchParams | FormData;
      const headers = { ...auth };
      const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
      if (encoding === 'json') {
        body = JSON.stringify(Object.fromEntries(entries));
        headers['Content-Type'] = 'application/json';
      } else if (encoding === 'urlencoded') {
        body = new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)]));
      } else {
        const form = new FormData();
        for (const [k, v] of entries) {
          if (v instanceof Uint8Array) form.append(k, new Blob([v]), `${k}.png`);
          else form.append(k, v === null ? '' : String(v));
        }
        body = form;
      }
      return answer(await fetch(`${emu.appApiUrl}apps/`, { method: 'POST', headers, body }));
    },
  };
}

/** The guide's example publish, with overrides. */
export function toyPublish(overrides: PublishFields = {}): PublishFields {
  return { 'workspace.name': 'Toy apps', name: 'Toy app', workflow_path: '/Users/1/ToyWorkflow.p7wf', ...overrides };
}

export const TOY_WORKFLOW = '/Users/1/ToyWorkflow.p7wf';
export const ANOTHER_TOY_WORKFLOW = '/Users/1/AnotherToyWorkflow.p7wf';

/** A clock the test moves by hand, so publishing states change only when told. */
export function manualClock(start = Date.UTC(2024, 1, 2, 10, 23, 19)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** Wait until a condition holds (polling; the test's own timeout bounds it). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** The user (token tok-1) and the workspace ("Toy apps", id 7) of the run and check tests' seeds, with their workflows and apps. */
export function runsSeed(workflows: SeedDocument['workflows'], apps: SeedDocument['apps']): SeedDocument {
  return {
    users: [{ username: 'u@work.org', password: 'p', tokens: ['tok-1'] }],
    workspaces: [{ id: '7', name: 'Toy apps', publishers: ['u@work.org'] }],
    workflows,
    apps,
  };
}

/** A workflow's run as the emulator plays it: parameter x (default 1) and result y, where x = 3 gives `y`, in `runTimeMs`. */
export function squareRun(y: number, runTimeMs: number, extra: Record<string, unknown> = {}) {
  return { parameters: [{ name: 'x', default: 1 }], results: [{ name: 'y', default: 1 }], cases: [{ when: { x: 3 }, then: { y } }], runTimeMs, ...extra };
}

/** The client the run tests drive `emu` with: its token, no real sleeping, retries at once; closed after the test. */
export function runsClient(emu: RunningEmulator): AppsHubClient {
  const client = createAppsHubClient({ serverUrl: emu.url, token: emu.token, sleep: async () => {}, retry: { baseDelayMs: 1 } });
  clients.push(client);
  return client;
}

