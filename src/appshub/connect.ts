// Where the server and the credentials come from, and a signed-in client
// built from them. The URL: --server, then P7APPS_URL, then the config's
// server.url. The credentials come from the environment only: a token, or a
// username and password exchanged for one through auth/login/.

import { P7appsError } from '../errors.js';
import { type AppsHubClient, createAppsHubClient, tokenProblem } from './client.js';
import type { TransportOptions } from './http.js';
import { normaliseServerUrl } from './server-url.js';
import type { Redactor } from '../redact.js';

function given(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/** The sign-in URL to use, normalised without a trailing slash. */
export function resolveServerUrl(options: { server?: string; env: NodeJS.ProcessEnv; configServerUrl?: string }): string {
  if (given(options.server)) return normaliseServerUrl(options.server, '--server');
  if (given(options.env.P7APPS_URL)) return normaliseServerUrl(options.env.P7APPS_URL, 'P7APPS_URL');
  if (given(options.configServerUrl)) return normaliseServerUrl(options.configServerUrl, 'server.url in the config');
  throw new P7appsError('No server given: pass --server URL, set P7APPS_URL, or set server.url in the config', {
    hint: 'The URL is the pSeven Enterprise sign-in URL, e.g. https://app.pseven.io',
  });
}

export type TokenSource = 'P7APPS_TOKEN' | 'DA__P7__REST_AUTHTOKEN';

/**
 * Credentials from the environment. The token and the password are
 * non-enumerable, so logging or serialising the object does not reveal them.
 */
export type Credentials =
  | { readonly kind: 'token'; readonly source: TokenSource; readonly token: string }
  | { readonly kind: 'password'; readonly username: string; readonly password: string };

function withSecret<T extends object>(visible: T, key: string, secret: string): T {
  return Object.freeze(Object.defineProperty(visible, key, { value: secret, enumerable: false }));
}

const CREDENTIALS_HINT = 'Set P7APPS_TOKEN (or DA__P7__REST_AUTHTOKEN) to an API token, or P7APPS_USERNAME and P7APPS_PASSWORD.';

export function resolveCredentials(env: NodeJS.ProcessEnv): Credentials {
  for (const source of ['P7APPS_TOKEN', 'DA__P7__REST_AUTHTOKEN'] as const) {
    const value = env[source];
    if (!given(value)) continue;
    const token = value.trim();
    const problem = tokenProblem(token);
    if (problem) throw new P7appsError(`${source} cannot be used as a token: ${problem}`, { hint: CREDENTIALS_HINT });
    return withSecret({ kind: 'token', source } as Credentials, 'token', token);
  }
  const username = env.P7APPS_USERNAME;
  // A password is taken as it is: spaces may belong to it.
  const password = env.P7APPS_PASSWORD;
  const hasUser = given(username);
  const hasPassword = password !== undefined && password !== '';
  if (hasUser && hasPassword) return withSecret({ kind: 'password', username: username.trim() } as Credentials, 'password', password);
  if (hasUser) throw new P7appsError('P7APPS_USERNAME is set but P7APPS_PASSWORD is not', { hint: CREDENTIALS_HINT });
  if (hasPassword) throw new P7appsError('P7APPS_PASSWORD is set but P7APPS_USERNAME is not', { hint: CREDENTIALS_HINT });
  throw new P7appsError('No credentials: set P7APPS_TOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD', {
    hint: 'Get a token from the user menu in pSeven Enterprise Studio (API token). DA__P7__REST_AUTHTOKEN works too.',
  });
}

export interface ConnectOptions extends Omit<TransportOptions, 'env'> {
  /** --server */
  server?: string;
  /** The config's server.url. */
  configServerUrl?: string;
  /** Read for P7APPS_URL, the credentials and the proxy variables. */
  env: NodeJS.ProcessEnv;
  /** Cancels the sign-in with a username and password. */
  signal?: AbortSignal;
  /** Passed to the client: learns the token and the password (src/redact.ts). */
  redactor?: Redactor;
}

/** A client for the resolved server, signed in with the resolved credentials. */
export async function connect(options: ConnectOptions): Promise<AppsHubClient> {
  const { server, configServerUrl, signal, ...transport } = options;
  const serverUrl = resolveServerUrl({ server, env: options.env, configServerUrl });
  const credentials = resolveCredentials(options.env);
  const client = createAppsHubClient({ ...transport, serverUrl, token: credentials.kind === 'token' ? credentials.token : undefined });
  if (credentials.kind === 'password') {
    try {
      await client.login(credentials.username, credentials.password, signal);
    } catch (err) {
      await client.close();
      throw err;
    }
  }
  return client;
}
