// How a failed conversation with AppsHub is reported: one error type,
// AppsHubError, whose message names the request (`GET apps/`) and what went
// wrong, and whose fields let the applier tell a definite failure from a write
// that may have been committed. Everything the server or the network says
// passes through a Redactor first, so the token and password never reach a
// message, a field, a cause chain or `JSON.stringify(error)`.

import { isUtf8 } from 'node:buffer';
import { P7appsError } from '../errors.js';
import type { Redactor } from '../redact.js';

// Not an ES import of node:http: see STATUS_CODES in http.ts.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

// The Redactor lives in src/redact.ts, the one place for redaction; the client takes it from here.
export { Redactor } from '../redact.js';

export type AppsHubErrorKind =
  /** The server answered with a 4xx/5xx status. */
  | 'http'
  /** No answer: refused, reset, DNS, proxy... */
  | 'network'
  /** A connect, headers or body timeout fired. */
  | 'timeout'
  /** TLS failed: the certificate was not trusted, or the port does not speak TLS. Not retried. */
  | 'tls'
  /** The server answered with a redirect, which is not followed with the token. */
  | 'redirect'
  /** The server answered, but not with what the API promises. */
  | 'malformed'
  /** The response was larger than p7apps reads. */
  | 'too-large'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** The proxy refused to open a tunnel to the server (407, 403...); retrying will not help. */
  | 'proxy';

export interface AppsHubErrorInit {
  method: string;
  /** The endpoint relative to its API base (`apps/`, `apps/abc@2/`), or an absolute URL without its query. */
  path: string;
  kind?: AppsHubErrorKind;
  status?: number;
  /** What the server said, redacted and summarised. */
  detail?: string;
  retryAfterMs?: number;
  /** The request may have taken effect on the server although it failed. */
  ambiguous?: boolean;
  /** The server accepted the write (2xx) but its answer could not be read: it took effect (wire.ts A21). */
  committed?: boolean;
  /** The origin the request went to (`https://host`). */
  origin?: string;
  /** The network or TLS error code (`ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`). */
  code?: string;
  /** How many times the request was sent. */
  attempts?: number;
  /** Overrides the message built from the fields (the attempts suffix is still added). */
  message?: string;
  hint?: string;
  /** Must already be redacted: see sanitizeCause. */
  cause?: unknown;
}

export class AppsHubError extends P7appsError {
  readonly kind: AppsHubErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly detail: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly ambiguous: boolean;
  readonly committed: boolean;
  readonly origin: string | undefined;
  readonly code: string | undefined;
  readonly attempts: number;

  constructor(init: AppsHubErrorInit) {
    const kind = init.kind ?? (init.status !== undefined ? 'http' : 'network');
    const base = init.message ?? defaultMessage(kind, init);
    const suffix = (init.attempts ?? 1) > 1 ? ` (after ${init.attempts} attempts)` : '';
    const ambiguity = init.committed
      ? '; the server accepted it, so it took effect'
      : init.ambiguous
        ? '; it may have taken effect on the server'
        : '';
    super(`${base}${ambiguity}${suffix}`, { hint: init.hint, cause: init.cause });
    this.kind = kind;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.detail = init.detail;
    this.retryAfterMs = init.retryAfterMs;
    this.ambiguous = init.ambiguous ?? false;
    this.committed = init.committed ?? false;
    this.origin = init.origin;
    this.code = init.code;
    this.attempts = init.attempts ?? 1;
    this.#init = init;
  }

  /** The fields this error was made from, to derive a copy (more attempts, another hint). */
  readonly #init: AppsHubErrorInit;

  with(changes: Partial<AppsHubErrorInit>): AppsHubError {
    return new AppsHubError({ ...this.#init, ...changes });
  }

  /** JSON form: the fields, message and hint; never a stack or cause. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      hint: this.hint,
      kind: this.kind,
      method: this.method,
      path: this.path,
      status: this.status,
      detail: this.detail,
      retryAfterMs: this.retryAfterMs,
      ambiguous: this.ambiguous,
      committed: this.committed,
      origin: this.origin,
      code: this.code,
      attempts: this.attempts,
    };
  }
}

function defaultMessage(kind: AppsHubErrorKind, init: AppsHubErrorInit): string {
  const on = `${init.method} ${init.path}`;
  if (init.status !== undefined) {
    const reason = STATUS_CODES[init.status] ?? 'Unknown Status';
    return `${init.status} ${reason} on ${on}${init.detail ? `: ${init.detail}` : ''}`;
  }
  const where = init.origin ?? 'the server';
  if (kind === 'aborted') return `Cancelled ${on}`;
  return `Could not reach ${where} (${init.code ?? 'network error'}) on ${on}`;
}


/**
 * A copy of an error chain keeping only names, codes and redacted messages:
 * library errors may carry request objects, and servers echo what they got.
 */
export function sanitizeCause(err: unknown, redactor: Redactor, depth = 0): Error | undefined {
  if (err === undefined || err === null || depth > 4) return undefined;
  const source = typeof err === 'object' ? (err as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown }) : { message: err };
  const copy = new Error(redactor.redact(String(source.message ?? '')));
  if (typeof source.name === 'string') copy.name = source.name;
  if (typeof source.code === 'string') Object.defineProperty(copy, 'code', { value: source.code, enumerable: true });
  const inner = sanitizeCause(source.cause, redactor, depth + 1);
  if (inner) Object.defineProperty(copy, 'cause', { value: inner, enumerable: false });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

const DETAIL_MAX_CHARS = 300;

/**
 * A short, readable account of an error body: DRF's `{"detail": ...}`, field
 * errors (`{"workflow_path": ["..."]}`) flattened, an HTML page by its title,
 * text by its first line. Never the whole body.
 */
export function summariseBody(bytes: Uint8Array, contentType: string | null): string | undefined {
  if (bytes.length === 0) return undefined;
  const text = decodeUtf8(bytes);
  if (text === undefined) return `${bytes.length} bytes of ${contentType || 'binary data'}`;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let parsed: unknown;
  let isJson = false;
  try {
    parsed = JSON.parse(trimmed);
    isJson = true;
  } catch {
    // Not JSON: described below.
  }
  if (isJson) return clip(describeJsonError(parsed));
  if (/html/i.test(contentType ?? '') || /^<(!doctype|html|head|body|\?xml)/i.test(trimmed)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
    const words = title?.replace(/\s+/g, ' ').trim();
    return words ? `an HTML page titled "${clip(words, 80)}"` : `an HTML page (${bytes.length} bytes)`;
  }
  return clip(trimmed.replace(/\s+/g, ' '));
}

function describeJsonError(body: unknown): string {
  if (typeof body === 'string') return body;
  if (Array.isArray(body)) return body.map(describeJsonError).join(' ');
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    if ('detail' in record) return describeJsonError(record.detail);
    return Object.entries(record)
      .flatMap(([key, value]) => flattenFieldErrors(key, value))
      .join('; ');
  }
  return JSON.stringify(body);
}

/** `{"workspace": {"name": ["Unknown."]}}` -> `workspace.name: Unknown.`; DRF's non_field_errors stand alone. */
function flattenFieldErrors(key: string, value: unknown): string[] {
  const label = key === 'non_field_errors' ? '' : `${key}: `;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([inner, v]) =>
      flattenFieldErrors(key === 'non_field_errors' ? inner : `${key}.${inner}`, v),
    );
  }
  return [`${label}${describeJsonError(value)}`];
}

function clip(text: string, max = DETAIL_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The text of a body, or undefined when it is not UTF-8 text. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  // isUtf8 and a Buffer's decoding: the same strictness as a fatal TextDecoder, at a fraction of its cost per call.
  if (!isUtf8(bytes)) return undefined;
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // As TextDecoder does: a byte-order mark is not part of the text.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.includes('\u0000') ? undefined : text;
}

/** What a person should try for a status on a given request. */
export function hintForStatus(method: string, path: string, status: number, tokenSent: boolean): string | undefined {
  const isLogin = path === 'auth/login/';
  if (isLogin && (status === 400 || status === 401 || status === 403)) {
    return 'Check P7APPS_USERNAME and P7APPS_PASSWORD.';
  }
  if (status === 401 || status === 403) {
    if (!tokenSent) return 'The token is sent only to the server\'s own origin, so this host got no credentials.';
    const role = method === 'POST' ? ', and that its user has the "Publish apps" role in the workspace' : '';
    return `Check P7APPS_TOKEN (or DA__P7__REST_AUTHTOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD)${role}.`;
  }
  if (status === 404) {
    if (path === 'apps/' || path === 'workflows/') {
      return 'Check the server URL (--server, P7APPS_URL or server.url): it must be the pSeven Enterprise sign-in URL, e.g. https://app.pseven.io.';
    }
    return 'It is no longer on the server; run p7apps plan again.';
  }
  if (status === 400 && method === 'POST') return 'The server rejected the fields named above; check the config and run p7apps plan again.';
  if (status === 409) return 'Another version of this app is still being published; wait and try again.';
  if (status === 429) return 'The server is limiting requests; try again later or lower --parallelism.';
  if (status >= 500) return 'The server failed; try again later, or ask its administrator.';
  return undefined;
}
