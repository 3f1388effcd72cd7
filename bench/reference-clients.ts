// The baseline: the same read as `p7apps plan`, done the way the vendor
// guide's examples do it, one request after another on one keep-alive
// connection. Same endpoints, same information gathered (both lists, the
// details of every declared version the list does not describe, a
// conditional request per declared thumbnail); nothing planned or rendered,
// so its time is the read alone.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

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

export interface SequentialRead {
  apps: number;
  versionDetails: { app: string; version: number; workflowPath: string; fingerprint: string | null; state: string }[];
  /** App name -> the thumbnail equals the config's (304) or the sha256 of what was downloaded. */
  thumbnails: Record<string, 'same' | string>;
  requests: number;
}

export async function sequentialRead(serverUrl: string, token: string, configPath: string): Promise<SequentialRead> {
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { apps: ConfigApp[] };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let requests = 0;
  const get = (url: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      requests += 1;
      const req = http.get(url, { agent, headers: { Authorization: `Token ${token}`, Accept: 'application/json', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`GET ${url} timed out`)));
      req.on('error', reject);
    });
  const json = async (url: string) => {
    const res = await get(url);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
    return JSON.parse(res.body.toString('utf8')) as unknown;
  };
  try {
    const appsApi = `${serverUrl}/appshub/.rest/v2/`;
    const listed = (await json(`${appsApi}apps/`)) as ListedApp[];
    await json(`${serverUrl}/pseven/.rest/v2/workflows/`);
    const byName = new Map(listed.map((a) => [a.name, a]));
    const read: SequentialRead = { apps: listed.length, versionDetails: [], thumbnails: {}, requests: 0 };
    const thumbnailTags = new Map<string, string>();
    for (const app of config.apps) {
      const server = byName.get(app.name);
      if (!server) continue;
      const existing = new Set(server.versions.map((v) => v.version));
      for (const { version } of app.versions) {
        if (version === server.version || !existing.has(version)) continue;
        const detail = (await json(`${appsApi}apps/${encodeURIComponent(server.id)}@${version}/`)) as {
          workflow: { path: string };
          fingerprint: string | null;
          state: string;
        };
        read.versionDetails.push({ app: app.name, version, workflowPath: detail.workflow.path, fingerprint: detail.fingerprint, state: detail.state });
      }
      if (app.thumbnail && server.thumbnail) {
        const file = path.resolve(path.dirname(configPath), app.thumbnail);
        let tag = thumbnailTags.get(file);
        if (tag === undefined) {
          tag = createHash('sha256').update(await readFile(file)).digest('hex');
          thumbnailTags.set(file, tag);
        }
        const res = await get(server.thumbnail, { 'If-None-Match': `"sha256-${tag}"` });
        if (res.status !== 304 && res.status !== 200) throw new Error(`GET ${server.thumbnail} answered ${res.status}`);
        read.thumbnails[app.name] = res.status === 304 ? 'same' : createHash('sha256').update(res.body).digest('hex');
      }
    }
    read.requests = requests;
    return read;
  } finally {
    agent.destroy();
  }
}
