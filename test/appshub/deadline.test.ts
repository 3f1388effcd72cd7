// The overall deadline of every request, over real loopback sockets: a server
// that trickles its answer one byte at a time passes every per-chunk timeout,
// so a read is cut at requestTimeoutMs (and retried like any slow read), a
// publish at publishTimeoutMs (and reported as maybe committed, never resent
// by the transport). Also the retry-wait rule shared with the applier.

import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppsHubClient, type AppsHubClientOptions } from '../../src/appshub/client.js';
import { DEFAULT_TIMEOUTS, REQUEST_DEADLINE_CODE, effectiveTimeouts } from '../../src/appshub/http.js';
import { DEFAULT_RETRY_WAIT_LIMITS, retryWait } from '../../src/appshub/retry-wait.js';
import { trickleServer, type TrickleServer } from '../helpers/trickle-server.js';
import { GUIDE_PUBLISH_REQUEST, TOKEN, rejection } from './helpers.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Parameters<typeof trickleServer>[0]): Promise<TrickleServer> {
  const s = await trickleServer(options);
  cleanups.push(() => s.close());
  return s;
}

function client(serverUrl: string, options: Partial<AppsHubClientOptions> = {}) {
  const c = createAppsHubClient({ serverUrl, token: TOKEN, onWarning: () => {}, pacing: false, sleep: async () => {}, ...options });
  cleanups.push(() => c.close());
  return c;
}

describe('the overall deadline of a read', () => {
  it.each([
    ['trickles its answer', 'trickle' as const],
    ['never answers', 'hang' as const],
  ])('cuts a GET whose server %s, retries it within the budget, and says what to do', async (_what, mode) => {
    const s = await server({ everyMs: 20, mode });
    const err = await rejection(client(s.url, { requestTimeoutMs: 300, retry: { maxAttempts: 2 } }).listApps());
    expect(err).toMatchObject({ kind: 'timeout', code: REQUEST_DEADLINE_CODE, ambiguous: false, attempts: 2 });
    expect(err.message).toBe('GET apps/ did not finish within 300ms; the server answered too slowly (after 2 attempts)');
    expect(err.hint).toBe('Raise --request-timeout (now 300ms) or check the server.');
    expect(s.requests).toEqual(['GET /appshub/.rest/v2/apps/', 'GET /appshub/.rest/v2/apps/']);
  });

  it('reads a slow answer that ends within the deadline', async () => {
    const slow = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      setTimeout(() => res.end(']'), 100);
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    cleanups.push(() => new Promise((resolve) => slow.close(resolve)));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    expect(await client(url, { requestTimeoutMs: 5000, retry: { maxAttempts: 1 } }).listApps()).toEqual([]);
  });
  it('holds a deadline longer than a timer can (Node fires such a timer at once)', async () => {
    const s = await server({ everyMs: 20, pathPrefix: '/nothing-is-slow/' });
    expect(await client(s.url, { requestTimeoutMs: 2 ** 32, retry: { maxAttempts: 1 } }).listApps()).toEqual([]);
  });
});

describe('the overall deadline of a publish', () => {
  it('cuts a trickling answer whose 201 came and reports it as committed (its details lost), sent once', async () => {
    const s = await server({ everyMs: 20, status: 201 });
    const err = await rejection(client(s.url, { publishTimeoutMs: 300 }).publish(GUIDE_PUBLISH_REQUEST));
    expect(err).toMatchObject({ kind: 'timeout', code: REQUEST_DEADLINE_CODE, ambiguous: true, committed: true, attempts: 1 });
    expect(err.message).toBe(
      'POST apps/ was not answered in full within 300ms (its 201 status came, the rest did not); the server accepted it, so it took effect',
    );
    expect(s.requests).toEqual(['POST /appshub/.rest/v2/apps/']);
  });

  it('gives a publish twice the read deadline unless told otherwise', async () => {
    const s = await server({ everyMs: 20, mode: 'hang' });
    const err = await rejection(client(s.url, { requestTimeoutMs: 150 }).publish(GUIDE_PUBLISH_REQUEST));
    expect(err.message).toMatch(/^POST apps\/ was not answered in full within 300ms; it may have taken effect/);
    // No status came: not known to be committed, only maybe.
    expect(err.committed).not.toBe(true);
  });
});

describe('effectiveTimeouts', () => {
  it.each([
    [{}, 60_000, 120_000, 120_000],
    [{ requestTimeoutMs: 5000 }, 5000, 10_000, 30_000],
    [{ requestTimeoutMs: 5000, publishTimeoutMs: 7000 }, 5000, 7000, 30_000],
    [{ publishTimeoutMs: 7000 }, 60_000, 7000, 60_000],
    [{ requestTimeoutMs: undefined }, 60_000, 120_000, 120_000],
    [{ requestTimeoutMs: 300_000 }, 300_000, 600_000, 600_000],
  ])('%j reads in %i ms, publishes in %i ms, and waits %i ms for headers and between chunks', (options, read, publish, chunk) => {
    expect(effectiveTimeouts(options)).toEqual({
      connectTimeoutMs: DEFAULT_TIMEOUTS.connectTimeoutMs,
      headersTimeoutMs: chunk,
      bodyTimeoutMs: chunk,
      requestTimeoutMs: read,
      publishTimeoutMs: publish,
    });
  });

  it('keeps per-chunk timeouts the caller set', () => {
    expect(effectiveTimeouts({ headersTimeoutMs: 200, bodyTimeoutMs: 300 })).toMatchObject({ headersTimeoutMs: 200, bodyTimeoutMs: 300 });
  });
});

describe('retryWait', () => {
  const limits = DEFAULT_RETRY_WAIT_LIMITS;
  it.each([
    ['no Retry-After', undefined, 2000, Infinity, 2000],
    ['Retry-After: 0', 0, 2000, Infinity, 1000],
    ['a short fallback', undefined, 10, Infinity, 1000],
    ['Retry-After: 7', 7000, 2000, Infinity, 7000],
    ['a Retry-After at the cap', 300_000, 2000, Infinity, 300_000],
  ])('waits after %s', (_what, retryAfterMs, fallbackMs, remainingMs, ms) => {
    expect(retryWait(retryAfterMs, fallbackMs, remainingMs, limits)).toEqual({ wait: true, ms });
  });

  it.each([
    ['a Retry-After beyond the cap', 86_400_000, Infinity, 'cap', 'the server asked to wait 24h (Retry-After), longer than the 5m p7apps waits'],
    ['a Retry-After beyond the time left', 30_000, 10_000, 'time-left', 'waiting 30s more would pass the time left (10s)'],
    ['the floor beyond the time left', 0, 500, 'time-left', 'waiting 1s more would pass the time left (500ms)'],
  ] as const)('stops at %s', (_what, retryAfterMs, remainingMs, limit, why) => {
    expect(retryWait(retryAfterMs, 2000, remainingMs, limits)).toEqual({ wait: false, limit, why });
  });
});
