// plan() requests the server's lists while the config loads when --server or
// P7APPS_URL names the server, and only then; a config that fails is still
// the error reported. Shown with the emulator over real sockets and a config
// that finishes loading only once the emulator has seen both lists (no
// timing involved).

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { plan } from '../../src/operations.js';
import { makeProject } from '../config/project.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ readyAfterMs: 0 });
});
afterAll(async () => {
  await emulator.close();
});

const APP = "{ name: 'Early app', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/Early.p7wf' }] }";

/** A config whose loading waits until `go` exists (bounded: it gives up after about a minute). */
const WAITING_CONFIG = `import { access } from 'node:fs/promises';
export default async () => {
  for (let i = 0; i < 6000; i++) {
    if (await access(new URL('./go', import.meta.url)).then(() => true, () => false)) return { apps: [${APP}] };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('never told to go');
};
`;

const lists = () => {
  const counts = emulator.counts();
  return (counts['GET apps/'] ?? 0) + (counts['GET workflows/'] ?? 0);
};

describe('the lists travel while the config loads', () => {
  it.each([
    ['P7APPS_URL', () => ({ env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: emulator.token } })],
    ['--server', () => ({ server: emulator.url, env: { P7APPS_TOKEN: emulator.token } })],
  ])('when %s names the server: both lists are requested before the config has loaded, and only once', async (_name, server) => {
    emulator.clearLog();
    const root = await makeProject({ 'p7apps.config.ts': WAITING_CONFIG });
    const planned = plan({ cwd: root, ...server() });
    // The config is still waiting: whatever reached the server was sent before it loaded.
    for (let i = 0; i < 3000 && lists() < 2; i++) await delay(10);
    expect(lists()).toBe(2);
    await writeFile(path.join(root, 'go'), '');
    const { plan: computed } = await planned;
    // Planned from those lists and the config that loaded after them.
    expect(computed.apps.map((app) => app.name)).toContain('Early app');
    expect(emulator.counts()['GET apps/']).toBe(1);
    expect(emulator.counts()['GET workflows/']).toBe(1);
  });

  it('waits for the config when the server URL may come from it', async () => {
    emulator.clearLog();
    const root = await makeProject({ 'p7apps.config.ts': WAITING_CONFIG.replace('return { apps:', `return { server: { url: ${JSON.stringify(emulator.url)} }, apps:`) });
    const planned = plan({ cwd: root, env: { P7APPS_TOKEN: emulator.token } });
    // Long enough for early requests to have arrived, had there been any.
    await delay(200);
    expect(emulator.requestLog()).toEqual([]);
    await writeFile(path.join(root, 'go'), '');
    await planned;
    expect(lists()).toBe(2);
  });

  it('reports a config that fails, not what the server answered meanwhile, and leaves nothing open', async () => {
    const root = await makeProject({ 'p7apps.config.ts': 'export default { apps: [{ name: 1 }] };\n' });
    const failed = await plan({ cwd: root, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: 'not-the-token' } }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(ConfigError);
    expect(emulator.activeRequests()).toBe(0);
  });
});
