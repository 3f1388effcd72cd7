// Helpers for the nock-based AppsHub tests: per-file hooks that forbid real
// network and close clients, and readers of what nock captured.

import nock, { type ReplyFnContext } from 'nock';
import { afterEach, beforeEach } from 'vitest';
import type { AppsHubClientOptions } from '../../src/appshub/client.js';
import { testClient, type TestClient } from './helpers.js';

/** The exact bytes a request carried, as nock saw them. */
export function requestBytes(context: ReplyFnContext): Buffer {
  const req = context.req as unknown as { requestBodyBuffers: Buffer[] };
  return Buffer.concat(req.requestBodyBuffers);
}

/** The multipart fields of a captured request, parsed the standard way. */
export async function multipartFields(context: ReplyFnContext): Promise<Array<[string, string | File]>> {
  const contentType = String(context.req.headers['content-type']);
  const form = await new Response(requestBytes(context), { headers: { 'content-type': contentType } }).formData();
  return [...form.entries()];
}

/**
 * The environment that puts a client on node:http, the HTTP client nock
 * intercepts. p7apps' own socket client (the default) is not visible to
 * nock: its requests are compared byte for byte with node:http's in
 * test/appshub/carrier-socket.test.ts, so what these tests pin holds for both.
 */
export const NOCKABLE_ENV: NodeJS.ProcessEnv = { P7APPS_HTTP_CLIENT: 'node' };

/**
 * Registers hooks for a file of nock tests: no real network, interceptors
 * cleared and clients closed after each test. Returns the client factory
 * (its clients on node:http, see NOCKABLE_ENV).
 */
export function useNockedClients(): (options?: Partial<AppsHubClientOptions>) => TestClient {
  let clients: TestClient[] = [];
  beforeEach(() => nock.disableNetConnect());
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await Promise.all(clients.map((c) => c.client.close()));
    clients = [];
  });
  return (options = {}) => {
    const c = testClient({ ...options, env: { ...NOCKABLE_ENV, ...options.env } });
    clients.push(c);
    return c;
  };
}

/**
 * A network fault for nock's replyWithError: an Error carrying its code.
 * nock passes a plain object through to fetch, but drops it silently for a
 * node:http request (the request then waits for a timeout); only an Error
 * instance reaches it.
 */
export function netError(fault: { code: string; message: string }): Error & { code: string } {
  return Object.assign(new Error(fault.message), { code: fault.code });
}
