// Retries on virtual time: which failures a GET is retried on, how long it
// waits (full-jitter backoff, Retry-After in seconds or as a date, capped),
// the bounds on attempts and total time, and that a POST is sent exactly once.

import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, parseRetryAfter } from '../../src/appshub/http.js';
import { APPS, SERVER, rejection } from './helpers.js';
import { netError, useNockedClients } from './nock-helpers.js';

const client = useNockedClients();

const publishRequest = { name: 'A', workspaceName: 'W', workflowPath: '/w.p7wf', setVersionAsDefault: false };

describe('backoffDelayMs', () => {
  it.each([
    [1, 0.5, 250],
    [2, 0.5, 500],
    [3, 0.5, 1000],
    [6, 0.5, 5000],
    [10, 0.999, 9990],
    [1, 0, 0],
  ])('attempt %i with random %f waits %i ms (full jitter under a doubling, capped ceiling)', (attempt, random, ms) => {
    expect(backoffDelayMs(attempt, DEFAULT_RETRY_POLICY, () => random)).toBe(ms);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-02-02T10:00:00Z');
  it.each([
    ['7', 7000],
    ['0', 0],
    ['Fri, 02 Feb 2024 10:00:12 GMT', 12_000],
    ['Fri, 02 Feb 2024 09:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
  ])('reads %j as %s', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
  it('reads nothing as undefined', () => expect(parseRetryAfter(null, now)).toBeUndefined());
});

describe('GET retries', () => {
  it.each([429, 502, 503, 504])('retries %i and succeeds, after at least the 1 s floor for a busy server', async (status) => {
    const scope = nock(SERVER).get(`${APPS}/apps/`).reply(status, { detail: 'busy' }).get(`${APPS}/apps/`).reply(200, []);
    const c = client();
    expect(await c.client.listApps()).toEqual([]);
    scope.done();
    expect(c.sleeps).toEqual([1000]);
    expect(c.requests.map((r) => [r.attempt, r.status])).toEqual([
      [1, status],
      [2, 200],
    ]);
  });

  it('retries network errors with growing waits', async () => {
    const scope = nock(SERVER)
      .get(`${APPS}/apps/`)
      .replyWithError(netError({ code: 'ECONNRESET', message: 'socket hang up' }))
      .get(`${APPS}/apps/`)
      .replyWithError(netError({ code: 'UND_ERR_HEADERS_TIMEOUT', message: 'Headers Timeout Error' }))
      .get(`${APPS}/apps/`)
      .reply(200, []);
    const c = client();
    await c.client.listApps();
    scope.done();
    expect(c.sleeps).toEqual([250, 500]);
    expect(c.requests.map((r) => r.status)).toEqual([undefined, undefined, 200]);
  });

  it.each([400, 401, 403, 404, 409, 500])('does not retry %i', async (status) => {
    nock(SERVER).get(`${APPS}/apps/`).reply(status, { detail: 'no' });
    const c = client();
    const err = await rejection(c.client.listApps());
    expect(err).toMatchObject({ status, attempts: 1 });
    expect(c.sleeps).toEqual([]);
  });

  it.each([
    ['an untrusted certificate', 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['https:// to a port that does not speak TLS', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number'],
    ['a TLS protocol error', 'EPROTO', 'write EPROTO'],
  ])('does not retry %s: asking again meets the same answer', async (_what, code, message) => {
    nock(SERVER).get(`${APPS}/apps/`).replyWithError(netError({ code, message }));
    const c = client();
    const err = await rejection(c.client.listApps());
    expect(err).toMatchObject({ kind: 'tls', code, attempts: 1 });
    expect(c.sleeps).toEqual([]);
  });

  it('reports a publish that met a port not speaking TLS as not sent, not as a lost answer', async () => {
    nock(SERVER).post(`${APPS}/apps/`).replyWithError(netError({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }));
    const err = await rejection(client().client.publish(publishRequest));
    expect(err).toMatchObject({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', ambiguous: false });
  });

  it('waits as long as Retry-After says, in seconds or as a date', async () => {
    const c = client();
    // 19 s from now: 12 s from when it is read, after the first 7 s wait.
    const date = new Date(c.clock.now + 19_000).toUTCString();
    nock(SERVER)
      .get(`${APPS}/apps/`)
      .reply(429, {}, { 'retry-after': '7' })
      .get(`${APPS}/apps/`)
      .reply(503, {}, { 'retry-after': date })
      .get(`${APPS}/apps/`)
      .reply(200, []);
    await c.client.listApps();
    expect(c.sleeps).toEqual([7000, 12_000]);
  });

  it('stops at a Retry-After beyond the cap instead of waiting for it, and says why', async () => {
    const scope = nock(SERVER).get(`${APPS}/apps/`).reply(503, {}, { 'retry-after': '86400' }).get(`${APPS}/apps/`).reply(200, []);
    const c = client();
    const err = await rejection(c.client.listApps());
    expect(c.sleeps).toEqual([]);
    expect(err).toMatchObject({ status: 503, attempts: 1 });
    expect(err.hint).toMatch(/^Stopped retrying: the server asked to wait 24h \(Retry-After\), longer than the 30s p7apps waits\./);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  it('honours a Retry-After up to the cap', async () => {
    nock(SERVER).get(`${APPS}/apps/`).reply(503, {}, { 'retry-after': '30' }).get(`${APPS}/apps/`).reply(200, []);
    const c = client();
    await c.client.listApps();
    expect(c.sleeps).toEqual([DEFAULT_RETRY_POLICY.maxRetryAfterMs]);
  });

  // A Retry-After of 0, negative, unreadable or in the past must not turn the retries into a flood.
  it.each([
    [429, '0'],
    [429, '-1'],
    [429, 'soon'],
    [429, 'Thu, 01 Jan 1970 00:00:00 GMT'],
    [503, '0'],
    [503, '-1'],
    [503, 'garbage'],
    [503, 'Thu, 01 Jan 1970 00:00:00 GMT'],
  ])('waits at least the floor after a %i with Retry-After %j', async (status, retryAfter) => {
    const scope = nock(SERVER).get(`${APPS}/apps/`).times(5).reply(status, {}, { 'retry-after': retryAfter });
    const c = client({ random: () => 0 });
    const err = await rejection(c.client.listApps());
    scope.done();
    expect(err).toMatchObject({ status, attempts: 5 });
    expect(c.sleeps).toEqual([1000, 1000, 1000, 1000]);
  });

  it('takes its floor from the policy', async () => {
    nock(SERVER).get(`${APPS}/apps/`).reply(429, {}, { 'retry-after': '0' }).get(`${APPS}/apps/`).reply(200, []);
    const c = client({ retry: { minBusyWaitMs: 2500 } });
    await c.client.listApps();
    expect(c.sleeps).toEqual([2500]);
  });

  it('keeps the jittered backoff, with no floor, after a lost connection', async () => {
    nock(SERVER).get(`${APPS}/apps/`).replyWithError(netError({ code: 'ECONNRESET', message: 'socket hang up' })).get(`${APPS}/apps/`).reply(200, []);
    const c = client({ random: () => 0 });
    await c.client.listApps();
    expect(c.sleeps).toEqual([0]);
  });

  it('gives up after the attempt bound and says so', async () => {
    const scope = nock(SERVER).get(`${APPS}/apps/`).times(5).reply(503, { detail: 'Service unavailable.' });
    const c = client();
    const err = await rejection(c.client.listApps());
    scope.done();
    expect(err).toMatchObject({ status: 503, attempts: 5, ambiguous: false });
    expect(err.message).toBe('503 Service Unavailable on GET apps/: Service unavailable. (after 5 attempts)');
    expect(c.sleeps).toEqual([1000, 1000, 1000, 2000]);
  });

  it('honours a smaller attempt bound', async () => {
    const scope = nock(SERVER).get(`${APPS}/apps/`).times(2).reply(502);
    const c = client({ retry: { maxAttempts: 2 } });
    expect(await rejection(c.client.listApps())).toMatchObject({ attempts: 2 });
    scope.done();
  });

  it('gives up when the next wait would pass the total time bound', async () => {
    const scope = nock(SERVER).get(`${APPS}/apps/`).times(3).reply(503, {}, { 'retry-after': '25' });
    const c = client();
    const err = await rejection(c.client.listApps());
    scope.done();
    // 25 s + 25 s waited; a third wait would end past 60 s.
    expect(c.sleeps).toEqual([25_000, 25_000]);
    expect(err).toMatchObject({ attempts: 3, retryAfterMs: 25_000 });
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    nock(SERVER).get(`${APPS}/apps/`).reply(503);
    const c = client({
      sleep: async () => {
        controller.abort();
      },
    });
    const err = await rejection(c.client.listApps(controller.signal));
    expect(err).toMatchObject({ kind: 'aborted', ambiguous: false });
    expect(err.message).toBe('Cancelled GET apps/');
  });
});

describe('POST is never retried', () => {
  it.each([
    ['503', (s: nock.Interceptor) => s.reply(503, { detail: 'down' }), true],
    ['504', (s: nock.Interceptor) => s.reply(504), true],
    ['429 with Retry-After', (s: nock.Interceptor) => s.reply(429, { detail: 'slow down' }, { 'retry-after': '9' }), false],
    ['a reset connection', (s: nock.Interceptor) => s.replyWithError(netError({ code: 'ECONNRESET', message: 'socket hang up' })), true],
    ['a body timeout', (s: nock.Interceptor) => s.replyWithError(netError({ code: 'UND_ERR_BODY_TIMEOUT', message: 'Body Timeout Error' })), true],
  ])('a publish that meets %s is sent once', async (_, reply, ambiguous) => {
    const interceptor = nock(SERVER).post(`${APPS}/apps/`).times(2);
    reply(interceptor);
    const c = client();
    const err = await rejection(c.client.publish(publishRequest));
    expect(c.requests).toHaveLength(1);
    expect(c.sleeps).toEqual([]);
    expect(err).toMatchObject({ method: 'POST', path: 'apps/', ambiguous, attempts: 1 });
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it('exposes Retry-After of a refused publish to the applier', async () => {
    nock(SERVER).post(`${APPS}/apps/`).reply(429, { detail: 'slow down' }, { 'retry-after': '9' });
    expect(await rejection(client().client.publish(publishRequest))).toMatchObject({ status: 429, retryAfterMs: 9000, ambiguous: false });
  });

  it('a login is retried like a read: signing in commits nothing', async () => {
    nock(SERVER).post('/pseven/.rest/v2/auth/login/').reply(503).post('/pseven/.rest/v2/auth/login/').reply(200, { token: 'fresh-token-1' });
    const c = client({ token: undefined });
    expect(await c.client.login('u', 'p')).toBe('fresh-token-1');
    expect(c.requests).toHaveLength(2);
  });

  it('a login refused with 400 (wrong password) is not retried', async () => {
    nock(SERVER).post('/pseven/.rest/v2/auth/login/').reply(400, { non_field_errors: ['Unable to log in with provided credentials.'] });
    const c = client({ token: undefined });
    expect(await rejection(c.client.login('u', 'p'))).toMatchObject({ status: 400 });
    expect(c.requests).toHaveLength(1);
  });
});
