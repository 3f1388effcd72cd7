// The caller's abort signal over many requests, on a real loopback socket (no
// nock): fetch keeps its listener on the signal it is handed until the
// request is garbage collected, so the transport hands it a signal of the
// request's own and leaves nothing behind on the caller's.

import { getEventListeners, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { AppsHubError } from '../../src/appshub/errors.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  cleanups.push(() => {
    s.closeAllConnections();
    return new Promise((resolve) => s.close(resolve));
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function client(serverUrl: string) {
  const c = createAppsHubClient({ serverUrl, token: 'signal-test-token', connections: 4 });
  cleanups.push(() => c.close());
  return c;
}

describe('the abort signal a caller passes', () => {
  it('holds no listener once its requests are done, however many there were', async () => {
    const url = await server((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('[]');
    });
    const api = client(url);
    const controller = new AbortController();
    await Promise.all(Array.from({ length: 40 }, () => api.listApps(controller.signal)));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('still cancels a request in flight', async () => {
    const url = await server(() => {
      // Never answers.
    });
    const api = client(url);
    const controller = new AbortController();
    const pending = api.listApps(controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 20);
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppsHubError);
    expect((err as AppsHubError).kind).toBe('aborted');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
