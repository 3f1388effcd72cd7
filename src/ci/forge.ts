// What the CI flows need from a code forge (GitHub, GitLab), and the one
// JSON-over-HTTP helper both speak through (global fetch). A forge's answer is
// untrusted: errors name the request and the status, and quote the forge's
// message only escaped and cut short.

import { escapeUnsafe } from '../render/escape.js';

export class CiError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CiError';
  }
}

/** A comment on a pull request, a note on a merge request. */
export interface ForgeComment {
  id: string;
  body: string;
  author: string;
}

/** The pull request (merge request) a merge commit came from. */
export interface MergedChange {
  number: string;
  /** Its last commit when it was merged. */
  head: string;
}

export interface Forge {
  /** "GitHub" or "GitLab", for messages. */
  readonly name: string;
  /** "pull request" or "merge request". */
  readonly changeWord: string;
  /** Characters one comment may hold. */
  readonly commentLimit: number;
  /** Who the comments we write are by: only those are edited or trusted. */
  author(): Promise<string>;
  listComments(change: string): Promise<ForgeComment[]>;
  createComment(change: string, body: string): Promise<void>;
  updateComment(change: string, id: string, body: string): Promise<void>;
  /** The change that `sha` merged, or null when it merged none. */
  changeMergedBy(sha: string): Promise<MergedChange | null>;
  /** The saved plan stored under `artifact` (see PlanMarker), or a CiError saying why not. */
  downloadPlan(artifact: string, maxBytes: number): Promise<Buffer>;
}

export interface HttpOptions {
  fetch: typeof globalThis.fetch;
  /** Per request; generous, as a forge under load answers slowly. */
  timeoutMs: number;
}

/** The forge's own message from an error body, escaped and cut short, or ''. */
function forgeMessage(text: string): string {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const value = parsed.message ?? parsed.error;
    if (typeof value === 'string') message = value;
    else if (value !== undefined) message = JSON.stringify(value);
  } catch {
    // Not JSON: the text itself, cut short below.
  }
  message = escapeUnsafe(message.trim());
  return message.length > 200 ? `${message.slice(0, 200)}...` : message;
}

/** Sends one request and returns the response; a network fault or a non-2xx status is a CiError naming `what`. */
export async function send(http: HttpOptions, what: string, url: string, init: RequestInit, allow: number[] = []): Promise<Response> {
  let res: Response;
  try {
    res = await http.fetch(url, { ...init, signal: AbortSignal.timeout(http.timeoutMs) });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${Math.round(http.timeoutMs / 1000)} s` : escapeUnsafe((err as Error).message);
    throw new CiError(`${what} failed: ${reason}`);
  }
  if ((res.status < 200 || res.status >= 300) && !allow.includes(res.status)) {
    const message = forgeMessage(await res.text().catch(() => ''));
    throw new CiError(`${what} failed: HTTP ${res.status}${message ? ` (${message})` : ''}`, hintFor(res.status));
  }
  return res;
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'The token was refused: check the token input.';
  if (status === 403 || status === 404) return 'Check the token\'s permissions (docs/ci-gitops.md lists what each step needs).';
  return undefined;
}

/** Sends one request and parses its JSON answer. */
export async function sendJson<T>(http: HttpOptions, what: string, url: string, init: RequestInit = {}): Promise<T> {
  const res = await send(http, what, url, init);
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CiError(`${what} failed: the answer is not JSON`);
  }
}

/** An API's root address without its trailing slashes, then `path`. */
export function apiAddress(apiUrl: string, path: string): string {
  return `${apiUrl.replace(/\/+$/, '')}${path}`;
}

/** A comment's text as both forges take it, new (POST) or edited (PATCH on GitHub, PUT on GitLab): JSON `{ "body": ... }`. */
export async function sendComment(http: HttpOptions, what: string, url: string, method: 'POST' | 'PATCH' | 'PUT', headers: Record<string, string>, body: string): Promise<void> {
  await send(http, what, url, { method, headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ body }) });
}

/** Comments read a page at a time, and at most this many pages. */
const COMMENTS_PER_PAGE = 100;
const MAX_COMMENT_PAGES = 100;

/**
 * Every comment of a change, as the forge's own JSON objects: `listUrl` (the
 * list's address, with or without a query) read page after page, 100 a
 * page, until a page comes back short.
 */
export async function readComments<T>(http: HttpOptions, what: string, listUrl: string, headers: Record<string, string>): Promise<T[]> {
  const all: T[] = [];
  const joiner = listUrl.includes('?') ? '&' : '?';
  for (let page = 1; page <= MAX_COMMENT_PAGES; page++) {
    const items = await sendJson<T[]>(http, what, `${listUrl}${joiner}per_page=${COMMENTS_PER_PAGE}&page=${page}`, { headers });
    if (!Array.isArray(items)) throw new CiError('a list request did not answer with a list');
    all.push(...items);
    if (items.length < COMMENTS_PER_PAGE) break;
  }
  return all;
}
