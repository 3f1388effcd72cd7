// HTTP/1.1 response framing for the socket carrier (carrier-socket.ts): the
// status line and header fields of a response, where its body ends (RFC 9112
// section 6.3), and the chunked transfer coding. Pure: bytes in, a head or a
// body's pieces out, no sockets and no clock.
//
// It is strict where leniency would let one answer be read as another:
// - an unreadable status line, a header field name that is not a token, a
//   control character in a value, or an obsolete folded line is refused;
// - Content-Length values that differ, or that are not plain digits, are
//   refused (a proxy and p7apps could otherwise split the stream in two
//   different places);
// - with both Transfer-Encoding and Content-Length, Transfer-Encoding
//   decides and the connection is not used again, as the RFC asks;
// - a body with no length ends when the server closes the connection, and
//   that connection is not used again either.
// The error codes are llhttp's (node:http's parser), so a damaged answer is
// named the same whichever carrier read it.

import { codedError } from './carrier.js';

/** The most a response head (status line and header fields) may take; a longer head is refused. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** The most a chunk-size line or the trailer section may take. */
const MAX_CHUNK_LINE_BYTES = 16 * 1024;

export interface ResponseHead {
  status: number;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: number;
  /** By lower-case name; a field sent more than once is joined with ", ". A Map: any name a server sends, `__proto__` too, is only a key. */
  fields: Map<string, string>;
}

/** A field name (RFC 9110 5.6.2): the same rule for the names p7apps sends and those it reads. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Field values: visible characters, spaces, tabs and obs-text; no other controls. */
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
/** The reason phrase: the same characters as a value. */
const BAD_REASON = BAD_VALUE;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const HTTP_SLASH = Buffer.from('HTTP/');

/**
 * The head at the start of `bytes` and how many bytes it took, or undefined
 * while it is incomplete. Throws (llhttp's codes) when it is malformed or
 * longer than MAX_HEAD_BYTES. `checked`: how many of the bytes an earlier
 * call already found incomplete but valid, so a head that arrives a byte at a
 * time costs time in proportion to its length, not its square.
 */
export function parseHead(bytes: Buffer, checked = 0): { head: ResponseHead; length: number } | undefined {
  const end = bytes.indexOf(CRLFCRLF, Math.max(0, checked - 3));
  if (end < 0) {
    if (bytes.length > MAX_HEAD_BYTES) throw codedError('HPE_HEADER_OVERFLOW', 'Header overflow');
    // What cannot become a head is refused at once rather than waited on until the headers timeout:
    // bytes that are not HTTP (a TLS alert, a banner), or a line ended by a bare LF.
    const prefix = Math.min(5, bytes.length);
    if (!bytes.subarray(0, prefix).equals(HTTP_SLASH.subarray(0, prefix))) throw codedError('HPE_INVALID_CONSTANT', 'Expected HTTP/');
    for (let lf = bytes.indexOf(10, checked); lf >= 0; lf = bytes.indexOf(10, lf + 1)) {
      if (lf === 0 || bytes[lf - 1] !== 13) throw codedError('HPE_LF_EXPECTED', 'Expected CRLF');
    }
    return undefined;
  }
  if (end + 4 > MAX_HEAD_BYTES) throw codedError('HPE_HEADER_OVERFLOW', 'Header overflow');
  const text = bytes.toString('latin1', 0, end);
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  const { status, minorVersion } = statusLine(text.slice(0, lineEnd));
  const fields = new Map<string, string>();
  while (lineEnd < text.length) {
    const start = lineEnd + 2;
    lineEnd = text.indexOf('\r\n', start);
    if (lineEnd < 0) lineEnd = text.length;
    const colon = text.indexOf(':', start);
    // A line starting with a space or tab is an obsolete fold; a name with a space before the colon is refused too (RFC 9112 5.1).
    if (colon <= start || colon >= lineEnd) throw codedError('HPE_INVALID_HEADER_TOKEN', 'Invalid header field name');
    const name = fieldName(text.slice(start, colon));
    const value = trimOws(text.slice(colon + 1, lineEnd));
    if (BAD_VALUE.test(value)) throw codedError('HPE_INVALID_HEADER_TOKEN', 'Invalid header field value');
    const before = fields.get(name);
    fields.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  return { head: { status, minorVersion, fields }, length: end + 4 };
}

/** `HTTP/1.x NNN reason`: the version's minor digit and the status; the reason phrase is not used, only checked. */
function statusLine(line: string): { status: number; minorVersion: number } {
  if (!line.startsWith('HTTP/1.')) throw codedError(line.startsWith('HTTP/') ? 'HPE_INVALID_STATUS' : 'HPE_INVALID_CONSTANT', 'Invalid response status line');
  const minor = line.charCodeAt(7) - 48;
  const status = Number(line.slice(9, 12));
  const valid =
    (minor === 0 || minor === 1) &&
    line.charCodeAt(8) === 32 &&
    /^[1-9]\d\d$/.test(line.slice(9, 12)) &&
    (line.length === 12 || (line.charCodeAt(12) === 32 && !BAD_REASON.test(line.slice(13))));
  if (!valid) throw codedError('HPE_INVALID_STATUS', 'Invalid response status line');
  return { status, minorVersion: minor };
}

/** Names checked and lower-cased before, by the exact text they came in: most answers repeat the same few. */
const knownNames = new Map<string, string>();

function fieldName(raw: string): string {
  const known = knownNames.get(raw);
  if (known !== undefined) return known;
  if (!TOKEN.test(raw)) throw codedError('HPE_INVALID_HEADER_TOKEN', 'Invalid header field name');
  const name = raw.toLowerCase();
  if (knownNames.size < 256) knownNames.set(raw, name);
  return name;
}

function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 9)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** Ends when the server closes the connection. */
  | { kind: 'close' };

export interface Framing {
  body: BodyFraming;
  /** May the connection carry another request once this answer is read? */
  reusable: boolean;
}

/** Where the body of a (final, non-1xx) response ends, and whether its connection may be used again (RFC 9112 6.3, 9.3). */
export function framingOf(head: ResponseHead, method: string): Framing {
  const connection = head.fields.get('connection');
  let reusable = head.minorVersion === 1 ? !hasToken(connection, 'close') : hasToken(connection, 'keep-alive');
  if (method === 'HEAD' || head.status === 204 || head.status === 304) return { body: { kind: 'none' }, reusable };
  const transfer = head.fields.get('transfer-encoding');
  if (transfer !== undefined) {
    const codings = tokens(transfer);
    const chunked = codings.filter((c) => c === 'chunked').length;
    // Chunked applied twice is never valid (RFC 9112 6.1).
    if (chunked > 1) throw codedError('HPE_INVALID_TRANSFER_ENCODING', 'Invalid Transfer-Encoding header value');
    // Both headers: Transfer-Encoding decides, and the connection is closed after (a sign of smuggling or a confused proxy).
    if (head.fields.get('content-length') !== undefined) reusable = false;
    if (codings[codings.length - 1] === 'chunked') return { body: { kind: 'chunked' }, reusable };
    // Chunked not last, or not there: the body runs until the server closes the connection.
    return { body: { kind: 'close' }, reusable: false };
  }
  const declared = head.fields.get('content-length');
  if (declared !== undefined) return { body: { kind: 'length', length: contentLength(declared) }, reusable };
  return { body: { kind: 'close' }, reusable: false };
}

/** Does a comma-separated list hold the token (any case)? */
function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const lower = value.toLowerCase();
  if (lower === token) return true;
  return lower.includes(token) && tokens(lower).includes(token);
}

function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((t) => trimOws(t).toLowerCase())
    .filter((t) => t !== '');
}

/** A Content-Length: digits only; sent more than once (joined with ", "), the values must agree. */
function contentLength(value: string): number {
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const values = value.split(',').map(trimOws);
  const first = values[0]!;
  if (!/^\d{1,15}$/.test(first) || values.some((v) => v !== first && !(/^\d{1,15}$/.test(v) && Number(v) === Number(first)))) {
    throw codedError('HPE_INVALID_CONTENT_LENGTH', 'Invalid Content-Length header value');
  }
  return Number(first);
}

/** What feeding bytes to a body reader gave: body bytes, and whether the body is complete (with any bytes past its end). */
export interface BodyStep {
  data: Buffer[];
  done: boolean;
  /** Bytes that came after the end of the body: never a valid part of a request-response exchange. */
  extra: number;
}

/** Reads a body framed by length, chunks or close, bytes in, body pieces out. */
export class BodyReader {
  readonly #framing: BodyFraming;
  #remaining: number;
  readonly #chunks: ChunkedDecoder | undefined;

  constructor(framing: BodyFraming) {
    this.#framing = framing;
    this.#remaining = framing.kind === 'length' ? framing.length : 0;
    this.#chunks = framing.kind === 'chunked' ? new ChunkedDecoder() : undefined;
  }

  /** Complete before any byte arrived (no body, or a zero length). */
  get done(): boolean {
    return this.#framing.kind === 'none' || (this.#framing.kind === 'length' && this.#remaining === 0) || this.#chunks?.done === true;
  }

  feed(bytes: Buffer): BodyStep {
    switch (this.#framing.kind) {
      case 'none':
        return { data: [], done: true, extra: bytes.length };
      case 'close':
        return { data: bytes.length > 0 ? [bytes] : [], done: false, extra: 0 };
      case 'length': {
        const take = Math.min(this.#remaining, bytes.length);
        this.#remaining -= take;
        return { data: take > 0 ? [take === bytes.length ? bytes : bytes.subarray(0, take)] : [], done: this.#remaining === 0, extra: bytes.length - take };
      }
      case 'chunked':
        return this.#chunks!.feed(bytes);
    }
  }

  /** The connection closed: was that the end of the body? */
  endsAtClose(): boolean {
    return this.#framing.kind === 'close' || this.done;
  }
}

type ChunkState = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/** The chunked transfer coding (RFC 9112 7.1): sizes in hex with optional extensions, data, CRLF; a zero size, then trailer fields (ignored), then an empty line. */
export class ChunkedDecoder {
  #state: ChunkState = 'size';
  #remaining = 0;
  /** The part of a line (size or trailer) that has arrived. */
  #line = '';
  /** Trailer bytes seen, against MAX_CHUNK_LINE_BYTES. */
  #trailerBytes = 0;

  get done(): boolean {
    return this.#state === 'done';
  }

  feed(bytes: Buffer): BodyStep {
    const data: Buffer[] = [];
    let i = 0;
    while (i < bytes.length && this.#state !== 'done') {
      if (this.#state === 'data') {
        const take = Math.min(this.#remaining, bytes.length - i);
        data.push(bytes.subarray(i, i + take));
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'data-end';
        continue;
      }
      if (this.#state === 'data-end') {
        // Exactly CRLF after a chunk's data, judged byte by byte: anything else is refused at once, not waited on.
        const expected = this.#line === '' ? 13 : 10;
        if (bytes[i] !== expected) throw codedError('HPE_STRICT', 'Expected CRLF after chunk');
        i++;
        if (expected === 13) this.#line = '\r';
        else {
          this.#line = '';
          this.#state = 'size';
        }
        continue;
      }
      // Lines: a chunk size or a trailer field.
      const lf = bytes.indexOf(10, i);
      const stop = lf < 0 ? bytes.length : lf + 1;
      this.#line += bytes.toString('latin1', i, stop);
      i = stop;
      if (this.#line.length > MAX_CHUNK_LINE_BYTES) throw codedError('HPE_CHUNK_EXTENSIONS_OVERFLOW', 'Chunk extensions overflow');
      if (lf < 0) continue;
      const line = this.#line;
      this.#line = '';
      if (!line.endsWith('\r\n')) throw codedError('HPE_STRICT', 'Expected CRLF');
      const content = line.slice(0, -2);
      if (this.#state === 'size') {
        this.#remaining = chunkSize(content);
        this.#state = this.#remaining === 0 ? 'trailer' : 'data';
      } else {
        this.#trailerBytes += line.length;
        if (this.#trailerBytes > MAX_CHUNK_LINE_BYTES) throw codedError('HPE_HEADER_OVERFLOW', 'Trailer overflow');
        if (content === '') this.#state = 'done';
        else if (content.indexOf(':') <= 0 || !TOKEN.test(content.slice(0, content.indexOf(':')))) throw codedError('HPE_INVALID_HEADER_TOKEN', 'Invalid trailer field');
      }
    }
    // One piece per read, however many chunks it held: a body of one-byte chunks kept as one view each would cost
    // some hundred bytes of memory per byte of body, far past any cap the reader sets.
    return { data: data.length > 1 ? [Buffer.concat(data)] : data, done: this.#state === 'done', extra: bytes.length - i };
  }
}

/** A chunk-size line: hex digits, optional whitespace, optional ";extensions" (ignored). */
function chunkSize(line: string): number {
  const semicolon = line.indexOf(';');
  const size = trimOws(semicolon < 0 ? line : line.slice(0, semicolon));
  // At most 12 hex digits (256 TiB): any body cap refuses far less; more would lose precision.
  if (!/^[0-9a-fA-F]{1,12}$/.test(size)) throw codedError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size');
  return parseInt(size, 16);
}
