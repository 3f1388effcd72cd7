// The sign-in URL and the two API bases derived from it, checked once so that
// every request is built from a URL known to be http(s), credential-free and
// without a trailing slash.

import { P7appsError } from '../errors.js';
import { shownUrl } from '../redact.js';

const SIGN_IN_HINT = 'Give the pSeven Enterprise sign-in URL, the one you open in a browser, e.g. https://app.pseven.io';

/**
 * The sign-in URL without a trailing slash. `source` names where it came from
 * (`--server`, `P7APPS_URL`, ...) for the error.
 */
export function normaliseServerUrl(value: string, source: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new P7appsError(`${source} is not a URL: ${JSON.stringify(shownUrl(text))}`, { hint: SIGN_IN_HINT });
  }
  if (url.username !== '' || url.password !== '') {
    // Not echoed: it holds a password.
    throw new P7appsError(`${source} contains a user name or password`, {
      hint: 'Keep credentials out of the URL: set P7APPS_TOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new P7appsError(`${source} must be an http:// or https:// URL, not ${url.protocol}// (${shownUrl(text)})`, { hint: SIGN_IN_HINT });
  }
  if (url.search !== '' || url.hash !== '') {
    // Not echoed: a query can hold a token (?token=...).
    throw new P7appsError(`${source} must not have a ?query or #fragment (${shownUrl(text)})`, { hint: SIGN_IN_HINT });
  }
  const api = /^(.*?)\/(appshub|pseven)\/\.rest(\/|$)/.exec(url.pathname);
  if (api) {
    throw new P7appsError(`${source} is an API URL (${text}), not the sign-in URL`, {
      hint: `Use ${url.origin}${api[1]} instead: p7apps adds /appshub/.rest/v2/ and /pseven/.rest/v2/ itself.`,
    });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The app API and workflow API base URLs, each with its trailing slash. */
export function apiBaseUrls(serverUrl: string): { apps: string; workflows: string } {
  return { apps: `${serverUrl}/appshub/.rest/v2/`, workflows: `${serverUrl}/pseven/.rest/v2/` };
}
