// A server on 127.0.0.1 that answers too slowly on purpose: it sends the
// status and headers, then one byte of the body every `everyMs`, for ever
// (or until the client goes away), or never answers at all; optionally only
// for some paths, answering the others at once. Every trickle
// stops when its connection closes, and close() ends them all.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type TrickleMode = 'trickle' | 'hang';

export interface TrickleServer {
  url: string;
  /** Requests received, as "METHOD /path". */
  requests: string[];
  close(): Promise<void>;
}

export interface TrickleOptions {
  everyMs: number;
  status?: number;
  mode?: TrickleMode;
  /** Only paths that start with this are slow; the others are answered `[]` at once. */
  pathPrefix?: string;
}

export async function trickleServer(options: TrickleOptions): Promise<TrickleServer> {
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    if (options.pathPrefix !== undefined && !(req.url ?? '').startsWith(options.pathPrefix)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
      return;
    }
    if (options.mode === 'hang') return;
    res.writeHead(options.status ?? 200, { 'content-type': 'application/json' });
    res.write('[');
    const timer = setInterval(() => res.write(' '), options.everyMs);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
