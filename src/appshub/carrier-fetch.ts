// The carrier behind a proxy: undici's EnvHttpProxyAgent (CONNECT tunnels,
// proxy credentials, NO_PROXY rules) driven through the global fetch. A
// proxy is where corporate networks differ most, and undici's handling of
// them is the tested one; its extra CPU per request (fetch costs about three
// times node:http here) matters little next to a proxy's own hop. Direct
// connections go through carrier-socket.ts (or carrier-node.ts).

import { createRequire } from 'node:module';
import type { Dispatcher, EnvHttpProxyAgent as UndiciEnvHttpProxyAgent } from 'undici';
import { joinCapped, type Carrier, type CarrierAnswer, type CarrierRequest, type CarrierTimeouts, type TlsChoice } from './carrier.js';

export interface ProxyChoice {
  http?: string;
  https?: string;
  noProxy?: string;
}

const requireUndici = createRequire(import.meta.url);

/** The proxy dispatcher: explicit values (an empty string for "none"), so undici never falls back to process.env. */
export function buildProxyDispatcher(proxy: ProxyChoice, connections: number, timeouts: CarrierTimeouts, tls: TlsChoice): Dispatcher {
  // The whole package: a proxy tunnels with connect(), one of the methods its entry adds to every dispatcher.
  const { EnvHttpProxyAgent } = requireUndici('undici') as { EnvHttpProxyAgent: typeof UndiciEnvHttpProxyAgent };
  return new EnvHttpProxyAgent({
    connections,
    connectTimeout: timeouts.connectTimeoutMs,
    headersTimeout: timeouts.headersTimeoutMs,
    bodyTimeout: timeouts.bodyTimeoutMs,
    connect: tls,
    httpProxy: proxy.http ?? '',
    httpsProxy: proxy.https ?? '',
    noProxy: proxy.noProxy ?? '',
    requestTls: tls,
    proxyTls: tls,
  });
}

export class FetchCarrier implements Carrier {
  constructor(readonly dispatcher: Dispatcher) {}

  async send(req: CarrierRequest): Promise<CarrierAnswer> {
    // fetch stops through a signal: one per request here, where the proxy's own hop dwarfs its cost.
    const controller = new AbortController();
    req.stop.listen((reason) => controller.abort(reason));
    const init = {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: controller.signal,
      dispatcher: this.dispatcher,
      // Node's fetch is typed with its bundled undici's Dispatcher; the installed undici's is compatible at run time.
    } as unknown as RequestInit;
    let res: Response;
    try {
      // The global fetch, looked up per request: it is what test interceptors replace.
      res = await globalThis.fetch(req.url, init);
    } catch (err) {
      req.stop.unlisten();
      throw err;
    }
    const settle = async <T>(work: Promise<T>): Promise<T> => {
      try {
        return await work;
      } finally {
        req.stop.unlisten();
      }
    };
    return {
      status: res.status,
      headers: res.headers,
      read: (maxBytes, truncate) => settle(readCapped(res, maxBytes, truncate)),
      discard: () => settle(res.body?.cancel() ?? Promise.resolve()),
    };
  }

  async close(): Promise<void> {
    // Destroyed, not closed: close() waits for what is still under way, and a
    // tunnel a proxy accepted and never answered stays under way for ever
    // (its read has long ended at its deadline). As the other carriers do,
    // closing ends every connection, in use or not.
    await this.dispatcher.destroy();
  }
}

/**
 * The body, or undefined when it is larger than `maxBytes`. With `truncate`,
 * the first `maxBytes` are returned instead (error bodies are only summarised).
 */
async function readCapped(res: Response, maxBytes: number, truncate = false): Promise<Uint8Array | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (!truncate && Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      if (!truncate) return undefined;
      break;
    }
  }
  return joinCapped(chunks, total, maxBytes);
}
