// plan() requests the catalog's two lists while the config loads, when
// nothing the config says could change where they go (readsBeforeConfig in
// src/operations.ts): against the emulator on a real socket, with a config
// that takes 400 ms to load and notes when it finished. The lists must
// arrive before that, be requested once, serve the plan as if read after,
// and never be more than the lists: a config that fails is reported as
// itself, and the client closes.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { drift, plan, readsBeforeConfig, type PlanOptions } from '../../src/index.js';
import { AppsHubError } from '../../src/appshub/errors.js';
import type { AppRecord } from '../../src/appshub/types.js';
import { P7appsError } from '../../src/errors.js';
import { readObservedState, requestCatalogLists } from '../../src/observe/read.js';
import { FakeApi } from './fake-api.js';
import { makeProject } from '../config/project.js';
import type { SeedDocument } from '../../src/emulator/index.js';
import { emulator, TOY_APP_WORKFLOWS, toyAppSeed } from '../emulator/helpers.js';
import { sentWithoutConfig } from '../helpers/before-config.js';

const LOAD_MS = 400;

/** A config that loads in LOAD_MS, then writes the time it finished to `loaded` (and throws, when asked to). */
function slowConfig(body: string, options: { fails?: boolean } = {}): string {
  return [
    "import { writeFileSync } from 'node:fs';",
    'export default async () => {',
    `  await new Promise((resolve) => setTimeout(resolve, ${LOAD_MS}));`,
    "  writeFileSync(new URL('./loaded', import.meta.url), String(Date.now()));",
    options.fails ? "  throw new Error('the catalog service is down');" : '',
    `  return ${body};`,
    '};',
    '',
  ].join('\n');
}

const NO_APPS = '{ apps: [] }';
const { toy: TOY, gear: GEAR } = TOY_APP_WORKFLOWS;
const TOKEN = 'tok-early';

/** Toy app, whose version 2 is still publishing when `publishing` (READY after the emulator's readyAfterMs). */
const toySeed = (publishing = false): SeedDocument => toyAppSeed(TOKEN, publishing ? { state: 'QUEUED_TO_INITIALIZE' } : {});

/** The config managing Toy app's two versions, with `extra` fields (a description to change, a server). */
const toyConfig = (extra = '') =>
  `{ ${extra} defaults: { workspace: 'Toy apps' }, apps: [{ name: 'Toy app', description: 'Changed by the config.', versions: [{ version: 1, workflow: '${TOY}' }, { version: 2, workflow: '${GEAR}' }] }] }`;

async function site(config: string, files: Record<string, string> = {}) {
  const emu = await emulator();
  const cwd = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': config, ...files });
  const loadedAt = () => Number(readFileSync(path.join(cwd, 'loaded'), 'utf8'));
  const lists = () => emu.requestLog().filter((e) => e.endpoint === 'GET apps/' || e.endpoint === 'GET workflows/');
  return { emu, cwd, loadedAt, lists };
}

describe('readsBeforeConfig: when the lists may be requested before the config is known', () => {
  const TOKEN = { P7APPS_TOKEN: 'tok-1' };
  it.each<[string, Parameters<typeof readsBeforeConfig>[0], boolean]>([
    ['P7APPS_URL and a token', { env: { P7APPS_URL: 'https://p7.example.com', ...TOKEN } }, true],
    ['--server and a token', { server: 'https://p7.example.com', env: TOKEN }, true],
    ['DA__P7__REST_AUTHTOKEN as the token', { env: { P7APPS_URL: 'https://p7.example.com', DA__P7__REST_AUTHTOKEN: 'tok-2' } }, true],
    ['--server with an environment chosen: --server overrides its server anyway', { server: 'https://p7.example.com', environment: 'staging', env: TOKEN }, true],
    ['a config path to load', { config: 'p7apps.config.ts', env: { P7APPS_URL: 'https://p7.example.com', ...TOKEN } }, true],
    ['P7APPS_URL with an environment chosen: the environment may declare another server', { environment: 'staging', env: { P7APPS_URL: 'https://p7.example.com', ...TOKEN } }, false],
    ['the server only in the config', { env: TOKEN }, false],
    ['a blank --server and no P7APPS_URL', { server: '  ', env: TOKEN }, false],
    ['a username and password: signing in waits for the config', { env: { P7APPS_URL: 'https://p7.example.com', P7APPS_USERNAME: 'u', P7APPS_PASSWORD: 'p' } }, false],
    ['no credentials', { env: { P7APPS_URL: 'https://p7.example.com' } }, false],
    ['a token that cannot be one', { env: { P7APPS_URL: 'https://p7.example.com', P7APPS_TOKEN: 'two\nlines' } }, false],
    ['a config already loaded: nothing to overlap', { config: { apps: [] } as unknown as PlanOptions['config'], env: { P7APPS_URL: 'https://p7.example.com', ...TOKEN } }, false],
  ])('%s: %s', (_name, options, expected) => {
    expect(readsBeforeConfig(options)).toBe(expected);
  });
});

describe('plan() with the server and a token from outside the config', () => {
  it('requests both lists while the config loads, once each, and plans as if it had read them after', async () => {
    const emu = await emulator({ seed: toySeed() });
    const cwd = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': slowConfig(toyConfig()) });
    const outcome = await plan({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: TOKEN } });
    const lists = emu.requestLog().filter((e) => e.endpoint === 'GET apps/' || e.endpoint === 'GET workflows/');
    expect(lists.map((e) => e.endpoint).sort()).toEqual(['GET apps/', 'GET workflows/']);
    const loaded = Number(readFileSync(path.join(cwd, 'loaded'), 'utf8'));
    for (const entry of lists) expect(entry.at).toBeLessThan(loaded);
    // Everything else is read after the config, as before.
    for (const entry of emu.requestLog().filter((e) => !lists.some((l) => l.seq === e.seq))) expect(entry.at).toBeGreaterThanOrEqual(loaded);
    // The same plan as with the server named by the config, where nothing can be read early.
    const late = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': slowConfig(toyConfig(`server: { url: ${JSON.stringify(emu.url)} },`)) });
    const after = await plan({ cwd: late, env: { P7APPS_TOKEN: TOKEN } });
    expect(outcome.plan.apps).toEqual(after.plan.apps);
    expect(outcome.plan.summary).toEqual(after.plan.summary);
    expect(outcome.plan.apps.map((a) => [a.name, a.action])).toEqual([['Toy app', 'update']]);
  });

  it.each<[string, (url: string, token: string) => Partial<PlanOptions>, string]>([
    ['the server only in the config', (url, token) => ({ env: { P7APPS_TOKEN: token }, configUrl: url }) as Partial<PlanOptions>, 'server.url'],
    ['P7APPS_URL with an environment chosen', (url, token) => ({ env: { P7APPS_URL: url, P7APPS_TOKEN: token }, environment: 'staging' }), 'environments'],
  ])('reads nothing before the config with %s', async (_name, given, shape) => {
    const emu = await emulator();
    const options = given(emu.url, emu.token) as Partial<PlanOptions> & { configUrl?: string };
    const body =
      shape === 'server.url'
        ? `{ server: { url: ${JSON.stringify(options.configUrl)} }, apps: [] }`
        : `{ apps: [], environments: { staging: {} } }`;
    const cwd = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': slowConfig(body) });
    const { configUrl: _url, ...planOptions } = options;
    await plan({ cwd, ...planOptions });
    const loaded = Number(readFileSync(path.join(cwd, 'loaded'), 'utf8'));
    expect(emu.requestLog().length).toBeGreaterThan(0);
    for (const entry of emu.requestLog()) expect(entry.at).toBeGreaterThanOrEqual(loaded);
  });

  it('a config that fails after the lists went out is reported as itself; nothing but the lists was sent', async () => {
    const { emu, cwd, lists } = await site(slowConfig(NO_APPS, { fails: true }));
    const failed = await plan({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token } }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(P7appsError);
    expect(String((failed as Error).message)).toMatch(/p7apps\.config\.ts.*the catalog service is down/s);
    expect(lists().length).toBeGreaterThan(0);
    expect(sentWithoutConfig('plan', emu.requestLog())).toEqual([]);
  });

  it('a config that fails while the lists are refused reports the config, not the server', async () => {
    const { emu, cwd } = await site(slowConfig(NO_APPS, { fails: true }));
    const failed = await plan({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: 'not-the-token' } }).catch((err: unknown) => err);
    expect(String((failed as Error).message)).toContain('the catalog service is down');
    expect(String((failed as Error).message)).not.toMatch(/Invalid token|403/);
    expect(emu.requestLog().length).toBeGreaterThan(0);
    expect(emu.requestLog().every((e) => e.status === 403)).toBe(true);
  });

  it("a config that loads reports the server's refusal of the early lists as it would any", async () => {
    const { emu, cwd } = await site(slowConfig(NO_APPS));
    const failed = await plan({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: 'not-the-token' } }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(P7appsError);
    expect(String((failed as Error).message)).toMatch(/^403 Forbidden on GET apps\/: Invalid token/);
  });

  it('stops the early lists when the caller aborts while the config loads', async () => {
    const emu = await emulator({ latencyMs: 5000 });
    const cwd = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': slowConfig(NO_APPS) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the test')), 100);
    const started = Date.now();
    const failed = await plan({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token }, signal: controller.signal }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(Error);
    // Not held until the lists' answers (5 s) arrive: they were abandoned with the config.
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('drift reads the lists early too', async () => {
    const { emu, cwd, loadedAt, lists } = await site(slowConfig(NO_APPS));
    const report = await drift({ cwd, env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token } });
    expect(report.summary).toBeDefined();
    expect(lists().length).toBe(2);
    for (const entry of lists()) expect(entry.at).toBeLessThan(loadedAt());
  });

  it('a plan that waits for a version still publishing reads the lists afresh for each later look', async () => {
    const emu = await emulator({ readyAfterMs: 1500, seed: toySeed(true) });
    const cwd = await makeProject({ 'package.json': '{"type": "module"}', 'p7apps.config.ts': slowConfig(toyConfig()) });
    const waited: string[][] = [];
    const { plan: settled } = await plan({
      cwd,
      env: { P7APPS_URL: emu.url, P7APPS_TOKEN: TOKEN },
      waitForPublishing: { timeoutMs: 20_000, onWaiting: (versions) => waited.push(versions) },
    });
    expect(waited.length).toBeGreaterThan(0);
    expect(settled.summary.waiting ?? 0).toBe(0);
    expect(settled.apps.map((a) => [a.name, a.action])).toEqual([['Toy app', 'update']]);
    const looks = emu.requestLog().filter((e) => e.endpoint === 'GET apps/');
    expect(looks.length).toBeGreaterThanOrEqual(2);
    expect(looks[0]!.at).toBeLessThan(Number(readFileSync(path.join(cwd, 'loaded'), 'utf8')));
  });
});

describe("the client's warnings while the config loads", () => {
  const INSECURE = /^TLS certificate verification is off \(--insecure\)/;

  it.each([
    ['fails: only the config is reported', true, 0],
    ['loads: said once, after it', false, 1],
  ] as const)('a config that %s', async (_name, fails, said) => {
    const { emu, cwd } = await site(slowConfig(NO_APPS, { fails }));
    const warnings: string[] = [];
    const outcome = await plan({ cwd, insecure: true, onWarning: (message) => warnings.push(message), env: { P7APPS_URL: emu.url, P7APPS_TOKEN: emu.token } }).catch(
      (err: unknown) => err,
    );
    expect(outcome instanceof Error).toBe(fails);
    expect(warnings.filter((w) => INSECURE.test(w))).toHaveLength(said);
    expect(warnings).toHaveLength(said);
  });
});

/** A FakeApi whose app list is answered only when the test says so, and is abandoned when its signal aborts. */
class HeldAppList extends FakeApi {
  appsAborted = false;
  answerApps: (outcome: AppRecord[] | Error) => void = () => {};

  override listApps(signal?: AbortSignal): Promise<AppRecord[]> {
    this.calls.push('listApps');
    return new Promise((resolve, reject) => {
      this.answerApps = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
      signal?.addEventListener('abort', () => {
        this.appsAborted = true;
        reject(signal.reason);
      });
    });
  }
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
};

describe('lists requested ahead fail as lists read with the rest do', () => {
  const refused = new AppsHubError({ method: 'GET', path: 'workflows/', status: 500, detail: 'Broken.' });
  const held = () => new HeldAppList({ apps: [], versions: {}, workflows: [], thumbnails: {}, fail: (call) => (call === 'listWorkflows' ? refused : undefined) });
  const desired = { configPath: '/repo/p7apps.config.ts', apps: [] };

  it('the workflow list failing stops the app list at once, and is what the read reports', async () => {
    const api = held();
    const lists = requestCatalogLists(api, { parallelism: 10 });
    const read = readObservedState(api, desired, { parallelism: 10, lists }).catch((err: unknown) => err);
    // Not held until the app list answers (or times out): a read of both now would have stopped it.
    const first = await Promise.race([read, lists.workflows.catch(() => turns(20)).then(() => 'still reading')]);
    expect(first).toBe(refused);
    expect(api.appsAborted).toBe(true);
  });

  it('the first failure is reported even when the other list failed as well before the read', async () => {
    const api = held();
    const lists = requestCatalogLists(api, { parallelism: 10 });
    await lists.workflows.catch(() => undefined);
    // Read now, the app list would have been stopped by now; requested ahead, it fails on its own unless it was.
    api.answerApps(new AppsHubError({ method: 'GET', path: 'apps/', status: 503, detail: 'Later.' }));
    await turns(5);
    await expect(readObservedState(api, desired, { parallelism: 10, lists })).rejects.toBe(refused);
  });
});

describe('what the tests count as sent without a config', () => {
  const log = (...endpoints: string[]) => endpoints.map((endpoint, i) => ({ seq: i + 1, endpoint }));
  it.each<[string, string, ReturnType<typeof log>, string[]]>([
    ['plan: nothing', 'plan', log(), []],
    ['plan: the two lists', 'plan', log('GET apps/', 'GET workflows/'), []],
    ['plan: a list in pages, and a retry', 'plan', log('GET apps/', 'GET apps/', 'GET workflows/', 'GET workflows/'), []],
    ['plan: a version read', 'plan', log('GET apps/', 'GET apps/{id}@{v}/'), ['GET apps/{id}@{v}/']],
    ['drift: a publish', 'drift', log('GET workflows/', 'POST apps/'), ['POST apps/']],
    ['apply: even the lists', 'apply', log('GET apps/'), ['GET apps/']],
    ['validate: even the lists', 'validate', log('GET workflows/'), ['GET workflows/']],
  ])('%s', (_name, command, sent, counted) => {
    expect(sentWithoutConfig(command, sent).map((entry) => entry.endpoint)).toEqual(counted);
  });
});
