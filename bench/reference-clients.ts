// Reference clients for the read `p7apps plan` makes, all sending the
// same requests (both lists, the details of every declared version the list
// does not describe, a conditional request per declared thumbnail) and
// gathering the same information, with nothing planned or rendered, so their
// time is the read alone:
// - the sequential one, the way the vendor guide's examples do it: one
//   request after another on one keep-alive connection (node:http);
// - the bare fetch one: global fetch over an undici Agent at p7apps'
//   parallelism (p7apps' transport until it moved to node:http), which
//   shows what a plain client pays on this machine;
// - the bare node:http one: node:http at p7apps' parallelism, no retries,
//   mapping or checks: p7apps' own way of sending without p7apps, whose CPU
//   per request is the floor of the client's CPU on a fast network.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { Agent } from 'undici';

interface ConfigApp {
  name: string;
  thumbnail?: string;
  versions: { version: number }[];
}

interface ListedApp {
  id: string;
  name: string;
  version: number;
  thumbnail: string | null;
  versions: { version: number }[];
}

interface Read {
  url: string;
  headers: Record<string, string>;
  /** The app, and its version or its thumbnail. */
  app: string;
  version?: number;
}

export interface ReferenceRead {
  apps: number;
  versionDetails: { app: string; version: number; workflowPath: string; fingerprint: string | null; state: string }[];
  /** App name -> 'same' (304) or the sha256 of the image downloaded. */
  thumbnails: Record<string, string>;
  requests: number;
}

type Get = (url: string, headers?: Record<string, string>) => Promise<{ status: number; body: Buffer }>;

/** The reads after the lists: every declared version the list does not describe, and the declared thumbnails. */
async function readsAfterLists(listed: ListedApp[], configPath: string, appsApi: string): Promise<Read[]> {
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { apps: ConfigApp[] };
  const byName = new Map(listed.map((a) => [a.name, a]));
  const tags = new Map<string, string>();
  const reads: Read[] = [];
  for (const app of config.apps) {
    const server = byName.get(app.name);
    if (!server) continue;
    const existing = new Set(server.versions.map((v) => v.version));
    for (const { version } of app.versions) {
      if (version === server.version || !existing.has(version)) continue;
      reads.push({ url: `${appsApi}apps/${encodeURIComponent(server.id)}@${version}/`, headers: {}, app: app.name, version });
    }
    if (app.thumbnail && server.thumbnail) {
      const file = path.resolve(path.dirname(configPath), app.thumbnail);
      let tag = tags.get(file);
      if (tag === undefined) {
        tag = createHash('sha256').update(await readFile(file)).digest('hex');
        tags.set(file, tag);
      }
      reads.push({ url: server.thumbnail, headers: { 'If-None-Match': `"sha256-${tag}"` }, app: app.name });
    }
  }
  return reads;
}

/** Both lists, then `reads` with at most `parallelism` at once; every answer checked and kept as p7apps keeps it. */
async function referenceRead(serverUrl: string, configPath: string, get: Get, parallelism: number, listsTogether: boolean): Promise<ReferenceRead> {
  let requests = 0;
  const counted: Get = (url, headers) => {
    requests += 1;
    return get(url, headers);
  };
  const json = async (url: string) => {
    const res = await counted(url);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    return JSON.parse(res.body.toString('utf8')) as unknown;
  };
  const appsApi = `${serverUrl}/appshub/.rest/v2/`;
  const workflowsUrl = `${serverUrl}/pseven/.rest/v2/workflows/`;
  let listed: ListedApp[];
  if (listsTogether) {
    [listed] = (await Promise.all([json(`${appsApi}apps/`), json(workflowsUrl)])) as [ListedApp[], unknown];
  } else {
    listed = (await json(`${appsApi}apps/`)) as ListedApp[];
    await json(workflowsUrl);
  }
  const reads = await readsAfterLists(listed, configPath, appsApi);
  const result: ReferenceRead = { apps: listed.length, versionDetails: [], thumbnails: {}, requests: 0 };
  let next = 0;
  const worker = async () => {
    while (next < reads.length) {
      const read = reads[next++]!;
      if (read.version !== undefined) {
        const detail = (await json(read.url)) as { workflow: { path: string }; fingerprint: string | null; state: string };
        result.versionDetails.push({ app: read.app, version: read.version, workflowPath: detail.workflow.path, fingerprint: detail.fingerprint, state: detail.state });
      } else {
        const res = await counted(read.url, read.headers);
        if (res.status !== 304 && res.status !== 200) throw new Error(`GET ${read.url} answered ${res.status}`);
        result.thumbnails[read.app] = res.status === 304 ? 'same' : createHash('sha256').update(res.body).digest('hex');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, Math.max(1, reads.length)) }, worker));
  result.requests = requests;
  return result;
}

/** GET through node:http on `agent`, with the token; bounded by a 60 s socket timeout. */
function httpGet(agent: http.Agent, token: string): Get {
  return (url, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent, headers: { Authorization: `Token ${token}`, Accept: 'application/json', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`GET ${url} timed out`)));
      req.on('error', reject);
    });
}

/** One request after another on one keep-alive connection. */
export async function sequentialRead(serverUrl: string, token: string, configPath: string): Promise<ReferenceRead> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await referenceRead(serverUrl, configPath, httpGet(agent, token), 1, false);
  } finally {
    agent.destroy();
  }
}

/** node:http with `parallelism` kept-alive connections, `parallelism` requests at once. */
export async function bareHttpRead(serverUrl: string, token: string, configPath: string, parallelism: number): Promise<ReferenceRead> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallelism });
  try {
    return await referenceRead(serverUrl, configPath, httpGet(agent, token), parallelism, true);
  } finally {
    agent.destroy();
  }
}

/** fetch over an undici Agent of `parallelism` connections, `parallelism` requests at once. */
export async function bareFetchRead(serverUrl: string, token: string, configPath: string, parallelism: number): Promise<ReferenceRead> {
  // undici's own header and body timeouts (300 s each) bound every request.
  const agent = new Agent({ connections: parallelism });
  const get: Get = async (url, headers = {}) => {
    const res = await fetch(url, {
      headers: { Authorization: `Token ${token}`, Accept: 'application/json', ...headers },
      dispatcher: agent,
      // Node's fetch is typed with its bundled undici's Dispatcher; the installed one's works at run time, as in src/appshub/http.ts.
    } as unknown as RequestInit);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };
  try {
    return await referenceRead(serverUrl, configPath, get, parallelism, true);
  } finally {
    await agent.close();
  }
}
