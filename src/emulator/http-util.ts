// Reading request bodies into one field map, whatever their content type
// (the three the guide allows for a publish), and writing JSON answers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import type { BodyFields } from './publish-input.js';

export const MAX_BODY_BYTES = 16 * 1024 * 1024;

const NO_BODY = Buffer.alloc(0);

/** Read the whole body; a body over the limit is answered 413 without reading further. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw ApiError.detail(413, 'Request body is too large.');
  // Neither Content-Length nor Transfer-Encoding: there is no body (RFC 9112, 6.3), as
  // with nearly every GET; answered without setting up a stream iterator per request.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return NO_BODY;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw ApiError.detail(413, 'Request body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `multipart/form-data` from `multipart/form-data; boundary=…`: the media type alone, lower case. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Parse a JSON, urlencoded or multipart body into fields, answering as DRF's parsers do when it cannot. */
export async function parseFields(body: Buffer, contentType: string | undefined): Promise<BodyFields> {
  const fields: BodyFields = new Map();
  const type = mediaType(contentType);
  // An empty body is no fields whatever its declared type, as DRF reads it: the guide deploys
  // a run with `-H "Content-Type: application/json"` and no body at all.
  if (body.length === 0) return fields;
  if (type === 'application/json') {
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw ApiError.detail(400, `JSON parse error - ${(err as Error).message}`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      const got = Array.isArray(data) ? 'list' : data === null ? 'null' : typeof data === 'string' ? 'str' : typeof data;
      throw new ApiError(400, { non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] });
    }
    for (const [k, v] of Object.entries(data)) fields.set(k, { kind: 'json', value: v });
    return fields;
  }
  if (type === 'application/x-www-form-urlencoded') {
    // Repeated keys: the last value wins, as with Django's QueryDict.get().
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) fields.set(k, { kind: 'text', value: v });
    return fields;
  }
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(body, { headers: { 'content-type': contentType! } }).formData();
    } catch {
      throw ApiError.detail(400, 'Multipart form parse error - Invalid boundary in multipart or malformed body.');
    }
    for (const [k, v] of form) {
      if (typeof v === 'string') fields.set(k, { kind: 'text', value: v });
      else fields.set(k, { kind: 'file', bytes: new Uint8Array(await v.arrayBuffer()), filename: v.name });
    }
    return fields;
  }
  throw ApiError.detail(415, `Unsupported media type "${contentType ?? ''}" in request.`);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, head = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(head ? undefined : text);
}

/** The Authorization header's token, read as DRF's TokenAuthentication reads it. */
export function tokenFrom(header: string | undefined): { token?: string; error?: string } {
  if (!header) return {};
  const parts = header.trim().split(/\s+/);
  if (parts[0]!.toLowerCase() !== 'token') return {};
  if (parts.length === 1) return { error: 'Invalid token header. No credentials provided.' };
  if (parts.length > 2) return { error: 'Invalid token header. Token string should not contain spaces.' };
  return { token: parts[1]! };
}

/** Does an If-None-Match header name this entity tag (weak comparison, as for GET)? */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}
