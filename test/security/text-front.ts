// A loopback server in front of a real emulator that puts chosen text into
// every text field of the emulator's JSON answers (app and workspace names,
// descriptions, the workflow paths of versions, states, state details), or answers
// one endpoint with an error whose detail is that text. It stands for a
// hostile server, or one that echoes what it was sent, for end-to-end tests
// of the real CLI.

import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

/** The fields whose strings the front rewrites, by their wire names. */
const TEXT_FIELDS = new Set(['name', 'description', 'path', 'workflow_path', 'state_detail', 'state']);

export interface TextFront {
  url: string;
  /** Appended to every text field (not to READY, so that a publish can finish); '' leaves answers alone. */
  suffix: string;
  /** When set, `GET workflows/` answers 400 with this as its detail. */
  errorDetail: string | undefined;
  close(): Promise<void>;
}

function rewrite(value: unknown, suffix: string, key = ''): unknown {
  if (typeof value === 'string') return TEXT_FIELDS.has(key) && !(key === 'state' && value === 'READY') ? `${value}${suffix}` : value;
  if (Array.isArray(value)) return value.map((item) => rewrite(item, suffix, key === 'results' || key === 'versions' ? '' : key));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, suffix, k)]));
  return value;
}

export async function startTextFront(emulator: RunningEmulator): Promise<TextFront> {
  const front: TextFront = { url: '', suffix: '', errorDetail: undefined, close: async () => {} };
  const server = http.createServer((req, res) => {
    (async () => {
      if (front.errorDetail !== undefined && req.url?.includes('/workflows/')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: front.errorDetail }));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(`${emulator.url}${req.url}`, { method: req.method, headers, ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}) });
      const type = upstream.headers.get('content-type') ?? '';
      let body = (await upstream.text()).split(emulator.url).join(front.url);
      // The workflow list is left alone, so that the config's workflows exist and a plan can be saved.
      if (type.includes('json') && front.suffix !== '' && !req.url?.includes('/auth/') && !req.url?.includes('/workflows/')) body = JSON.stringify(rewrite(JSON.parse(body), front.suffix));
      res.writeHead(upstream.status, { 'content-type': type });
      res.end(body);
    })().catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () => new Promise((resolve) => server.close(() => resolve()));
  return front;
}

const flow = (name: string) => `/Users/1/${name}.p7wf`;

export interface TextWorld {
  emulator: RunningEmulator;
  front: TextFront;
  /** Holds p7apps.config.json, declaring Alpha with a new description. */
  dir: string;
  close(): Promise<void>;
}

/**
 * An emulator with apps Alpha (in the config, whose description differs)
 * and Unmanaged (not in it) in workspace "Toy apps", the text front before
 * it, and a project folder with the config.
 */
export async function startTextWorld(users: { username: string; password: string; tokens: string[] }[]): Promise<TextWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-text-world-'));
  const emulator = await startEmulator({
    readyAfterMs: 10,
    seed: {
      users,
      workspaces: [{ id: '7', name: 'Toy apps', publishers: users.map((u) => u.username) }],
      workflows: ['Alpha', 'Beta'].map((f) => ({ path: flow(f) })),
      apps: [
        { name: 'Alpha', workspace: 'Toy apps', description: 'First', versions: [{ version: 1, workflow: flow('Alpha') }] },
        { name: 'Unmanaged', workspace: 'Toy apps', versions: [{ version: 1, workflow: flow('Beta') }] },
      ],
    },
  });
  const front = await startTextFront(emulator);
  await writeFile(
    path.join(dir, 'p7apps.config.json'),
    JSON.stringify({ defaults: { workspace: 'Toy apps' }, apps: [{ name: 'Alpha', description: 'Second', versions: [{ version: 1, workflow: flow('Alpha') }] }] }),
  );
  return {
    emulator,
    front,
    dir,
    close: async () => {
      await front.close();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
