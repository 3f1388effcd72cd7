// The caller's abort signal over many requests, on a real loopback socket (no
// nock): fetch keeps its listener on the signal it is handed until the
// request is garbage collected, so the transport hands it a signal of the
// request's own, and the caller's signal holds one listener however many
// requests follow it.

import { getEventListeners, once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppsHubClient } from '../../src/appshub/client.js';
import { AppsHubError } from '../../src/appshub/errors.js';

const cleanups: Array<() => unknown> = [];
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

function client(serverUrl: string, connections: number) {
  const c = createAppsHubClient({ serverUrl, token: 'signal-test-token', connections });
  cleanups.push(() => c.close());
  return c;
}

function collectWarnings(): string[] {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  cleanups.push(() => process.off('warning', onWarning));
  return warnings;
}

describe('the abort signal a caller passes', () => {
  it('holds one listener with 30 requests in flight and after 200 done, and Node warns of nothing', async () => {
    const warnings = collectWarnings();
    let waiting: http.ServerResponse[] = [];
    let answerAll = () => {};
    const allIn = new Promise<void>((resolve) => (answerAll = resolve));
    const url = await server((_req, res) => {
      waiting.push(res);
      if (waiting.length === 30) answerAll();
    });
    const api = client(url, 30);
    const controller = new AbortController();
    const first = Array.from({ length: 30 }, () => api.listApps(controller.signal));
    await allIn;
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
    for (const res of waiting) res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
    waiting = [];
    await Promise.all(first);

    const answerAtOnce = await server((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]'));
    const again = client(answerAtOnce, 10);
    await Promise.all(Array.from({ length: 200 }, () => again.listApps(controller.signal)));
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([]);
  });

  it('still cancels a request in flight', async () => {
    const url = await server(() => {
      // Never answers.
    });
    const api = client(url, 4);
    const controller = new AbortController();
    const pending = api.listApps(controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 20);
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppsHubError);
    expect((err as AppsHubError).kind).toBe('aborted');
  });
});
