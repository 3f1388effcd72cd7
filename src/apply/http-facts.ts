// What the applier needs to know about a failed request, read from the
// client's error by shape (AppsHubError's status, retryAfterMs, ambiguous) so
// that fakes in tests and the real client are treated alike.

import { UNREACHABLE_CODES } from '../appshub/carrier.js';
import { P7appsError } from '../errors.js';

export interface HttpFacts {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** The server's Retry-After, in milliseconds. */
  retryAfterMs?: number;
  /** The request was sent but its outcome is unknown (lost response, 502/503/504). */
  ambiguous: boolean;
  /** The server accepted the write (2xx) but its answer could not be read: committed, details unknown. */
  committed: boolean;
  /** The connection was never made (refused, no route, no such host): the server saw nothing. */
  notSent: boolean;
}

/** `notSent`: the code is one of the transport's UNREACHABLE_CODES (refused, no route, no host, connect timeout). */
export function httpFacts(err: unknown): HttpFacts {
  if (typeof err !== 'object' || err === null) return { ambiguous: false, committed: false, notSent: false };
  const fields = err as { status?: unknown; retryAfterMs?: unknown; ambiguous?: unknown; committed?: unknown; code?: unknown };
  const notSent = fields.ambiguous !== true && fields.status === undefined && typeof fields.code === 'string' && UNREACHABLE_CODES.has(fields.code);
  const facts: HttpFacts = { ambiguous: fields.ambiguous === true, committed: fields.committed === true, notSent };
  if (typeof fields.status === 'number') facts.status = fields.status;
  if (typeof fields.retryAfterMs === 'number' && Number.isFinite(fields.retryAfterMs) && fields.retryAfterMs >= 0) {
    facts.retryAfterMs = fields.retryAfterMs;
  }
  return facts;
}

/** The message to show for an error: ours as written, anything else marked as unexpected. */
export function describeError(err: unknown): string {
  if (err instanceof P7appsError) return err.message;
  if (err instanceof Error) return `unexpected error: ${err.message}`;
  return `unexpected error: ${String(err)}`;
}
