// The one module that knows AppsHub's JSON field names, in both directions:
// server records -> our types (types.ts), and PublishRequest -> the publish
// request's fields. Every choice the vendor's guide leaves open is marked
// `ASSUMPTION Ax:` (docs/wire-assumptions.md), so meeting a server that
// differs means changing this file and nothing else. A15-A19 are the choices
// for servers that answer differently from the shape p7apps assumes; A20 on
// concern publishing.
//
// Rules for reading: unknown extra fields are ignored; a field that is absent
// becomes UNKNOWN (a default would hide drift). A field p7apps cannot read
// (wrong type, not a URL) becomes unreadable(raw): unverifiable, carrying a
// short description of what the server sent, so that one odd field stops
// that field of that app and never the whole catalog (ASSUMPTION A19, see
// appRecordFromWire). Only what identifies a record (an app's `id` and
// `name`, a version's `id` and `version`) is required: without it nothing
// about the record can be trusted, and that is a WireFormatError naming the
// field, never a guess.

import { P7appsError } from '../errors.js';
import { AppsHubError } from './errors.js';
import type {
  AppRecord,
  Maybe,
  PublishRequest,
  PublishResult,
  VersionRecord,
  VersionSummary,
  WorkflowRecord,
  Workspace,
} from './types.js';
import { UNKNOWN, isUnknown, known, unreadable } from './types.js';

/** A server record that does not have the shape the API promises. */
export class WireFormatError extends P7appsError {
  constructor(
    /** Where in the body, e.g. `results[3].versions[1].version`. */
    readonly field: string,
    /** What it should be: `a string`, `present`. */
    readonly expected: string,
    /** A short description of what was there, from the server (not yet redacted). */
    readonly got: string,
  ) {
    super(`${field || 'the body'} should be ${expected}, got ${got}`);
  }
}

export type WireObject = Record<string, unknown>;

/** Where relative URLs in a body are read against (ASSUMPTION A15). */
export interface WireContext {
  /** The server's sign-in URL; without it, only absolute URLs can be read. */
  baseUrl?: string;
  /** Applied to what an unreadable field held before it is cut short (the client scrubs its token). */
  redact?: (text: string) => string;
}

/** `path.key` or `path[3]`: where in a body (shared with ./run-wire.ts, as are the readers below). */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** `"2"` (a string), `null`, `an object`: what a wrong value was, briefly. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * What the server sent where p7apps could not read it, as short JSON text on
 * one line: control, format and non-ASCII characters escaped, so that it is
 * safe to show; cut to about 80 characters.
 */
export function rawOf(value: unknown, ctx: WireContext = {}): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = describeValue(value);
  }
  const safe = (ctx.redact ? ctx.redact(text) : text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return safe.length > 80 ? `${safe.slice(0, 79)}…` : safe;
}

export function objectAt(value: unknown, path: string): WireObject {
  if (!isObject(value)) throw new WireFormatError(path, 'an object', describeValue(value));
  return value;
}

export function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How one field is read: `read` returns the value, or undefined when it
 * cannot make sense of what was sent.
 */
export type Reader<T> = { expected: string; read: (value: unknown, ctx: WireContext) => T | undefined };

function is<T>(expected: string, test: (v: unknown) => v is T): Reader<T> {
  return { expected, read: (v) => (test(v) ? v : undefined) };
}

export const aString = is('a string', (v): v is string => typeof v === 'string');
export const aNonEmptyString = is('a non-empty string', (v): v is string => typeof v === 'string' && v !== '');
export const aBoolean = is('true or false', (v): v is boolean => typeof v === 'boolean');

/** ASSUMPTION A18: a whole number sent as a decimal string (`"2"`) is read as the number. */
function wholeNumberFrom(min: number): Reader<number> {
  return {
    expected: `a whole number from ${min}`,
    read: (v) => {
      const n = typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v;
      return typeof n === 'number' && Number.isSafeInteger(n) && n >= min ? n : undefined;
    },
  };
}
const aVersionNumber = wholeNumberFrom(1);
const aRevisionNumber = wholeNumberFrom(0);

/**
 * ASSUMPTION A18: ids are strings (the guide: workspace ids "should be sent
 * and handled as strings"); an id sent as a JSON whole number (`7`) is read
 * as its decimal string (`"7"`).
 */
export const anId: Reader<string> = {
  expected: 'a non-empty string',
  read: (v) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? String(v) : undefined),
};

/**
 * ASSUMPTION A15: a URL is absolute http(s), or a reference relative to the
 * server (`/appshub/media/t.png`), read against the sign-in URL. Either way
 * the result is absolute, so the client's rule for the token (only to the
 * server's own origin) applies to it unchanged.
 */
export const aUrl: Reader<string> = {
  expected: 'an http(s) URL',
  read: (v, ctx) => {
    if (typeof v !== 'string' || v === '' || /[\s\\]/.test(v)) return undefined;
    const base = ctx.baseUrl === undefined ? undefined : `${ctx.baseUrl.replace(/\/+$/, '')}/`;
    // One parse per URL (a catalog's answers hold thousands): the constructor refuses what URL.canParse would.
    let url: URL;
    try {
      url = new URL(v, base);
    } catch {
      return undefined;
    }
    return /^https?:$/.test(url.protocol) ? url.href : undefined;
  },
};

export function orNull<T>(reader: Reader<T>): Reader<T | null> {
  return { expected: `${reader.expected} or null`, read: (v, ctx) => (v === null ? null : reader.read(v, ctx)) };
}

/** Built once: a record of a catalog's list is read thousands of times. */
const aStringOrNull = orNull(aString);
const aUrlOrNull = orNull(aUrl);

/** A field the record must carry: without it the record is unusable. */
export function required<T>(obj: WireObject, key: string, path: string, reader: Reader<T>, ctx: WireContext = {}): T {
  const value = obj[key];
  if (value === undefined) throw new WireFormatError(at(path, key), `present (${reader.expected})`, 'nothing');
  const read = reader.read(value, ctx);
  if (read === undefined) throw new WireFormatError(at(path, key), reader.expected, describeValue(value));
  return read;
}

/** A field the server may leave out: absent is UNKNOWN; unreadable is unreadable(raw) (A19), never an error. */
export function optional<T>(obj: WireObject, key: string, reader: Reader<T>, ctx: WireContext = {}): Maybe<T> {
  const value = obj[key];
  if (value === undefined) return UNKNOWN;
  const read = reader.read(value, ctx);
  return read === undefined ? unreadable(rawOf(value, ctx)) : read;
}

/** ASSUMPTION A11 (and A18 for a numeric id). Shared with the publish answer. */
function workspaceFromWire(obj: WireObject, ctx: WireContext): Maybe<Workspace> {
  if (obj.workspace === undefined) return UNKNOWN;
  const wire = obj.workspace;
  if (!isObject(wire)) return unreadable(rawOf(wire, ctx));
  const id = optional(wire, 'id', anId, ctx);
  const name = optional(wire, 'name', aString, ctx);
  if (isUnreadable(id) || isUnreadable(name)) return unreadable(rawOf(wire, ctx));
  // ASSUMPTION A11: a workspace missing its id or name is UNKNOWN as a whole: half of it cannot be compared.
  if (id === UNKNOWN || name === UNKNOWN) return UNKNOWN;
  return { id: id as string, name: name as string };
}

function isUnreadable(value: unknown): boolean {
  return isUnknown(value) && value.raw !== undefined;
}

/**
 * One version's details, from `GET apps/{id}@{v}/` (or the default version's
 * view that `GET apps/{id}/` gives).
 */
export function versionRecordFromWire(body: unknown, path = '', ctx: WireContext = {}): VersionRecord {
  const obj = objectAt(body, path);
  const version = required(obj, 'version', path, aVersionNumber);
  // ASSUMPTION A6: the version's `workflow` object carries the `path` it was published from.
  let workflowPath: Maybe<string> = UNKNOWN;
  if (obj.workflow !== undefined) {
    workflowPath = isObject(obj.workflow) ? optional(obj.workflow, 'path', aNonEmptyString, ctx) : unreadable(rawOf(obj.workflow, ctx));
  }
  return {
    appId: required(obj, 'id', path, anId),
    version,
    revision: optional(obj, 'revision', aRevisionNumber, ctx),
    // ASSUMPTION A8: `state` is QUEUED_TO_INITIALIZE, INITIALIZING, READY or FAILED; others are passed on as they are (A23).
    state: optional(obj, 'state', aNonEmptyString, ctx),
    // ASSUMPTION A8: why a version FAILED (or ended in another failure state, A23) is in `state_detail`.
    stateDetail: optional(obj, 'state_detail', aStringOrNull, ctx),
    workflowPath,
    // ASSUMPTION A6: the version's `fingerprint` is its workflow's content fingerprint when this revision was published.
    workflowFingerprint: optional(obj, 'fingerprint', aStringOrNull, ctx),
    url: optional(obj, 'url', aUrl, ctx),
    updated: optional(obj, 'updated', aString, ctx),
  };
}

/** How apply treats a publishing state the server reports. */
export type VersionStateKind = 'ready' | 'in-progress' | 'failed' | 'unknown';

const IN_PROGRESS_STATES: ReadonlySet<string> = new Set(['QUEUED_TO_INITIALIZE', 'INITIALIZING']);
const FAILURE_STATES: ReadonlySet<string> = new Set(['FAILED', 'ERROR', 'FAILURE', 'CANCELLED', 'CANCELED', 'ABORTED', 'REJECTED']);

/**
 * ASSUMPTION A23: READY is the end of a publish; QUEUED_TO_INITIALIZE and
 * INITIALIZING are on the way there (these three spelled exactly so, as the
 * plan reads them); FAILED, ERROR, FAILURE, CANCELLED, CANCELED, ABORTED,
 * REJECTED and any name containing FAIL or ERROR, in any case, end a failed
 * one; anything else is a state p7apps does not know, which apply waits on
 * for a bounded time (src/apply/execute.ts).
 */
export function versionStateKind(state: string): VersionStateKind {
  if (state === 'READY') return 'ready';
  if (IN_PROGRESS_STATES.has(state)) return 'in-progress';
  const upper = state.toUpperCase();
  if (FAILURE_STATES.has(upper) || upper.includes('FAIL') || upper.includes('ERROR')) return 'failed';
  return 'unknown';
}

/**
 * ASSUMPTION A17 (extends A5): an entry of `versions` is a version number (or a
 * decimal string), a version URL whose path ends in `@{v}/`, or an object
 * with at least `version`. Undefined when it is none of these.
 */
function versionSummaryFromWire(entry: unknown, ctx: WireContext): VersionSummary | undefined {
  const number = aVersionNumber.read(entry, ctx);
  if (number !== undefined) return { version: number, revision: UNKNOWN, state: UNKNOWN };
  if (typeof entry === 'string') {
    const url = aUrl.read(entry, ctx);
    const match = url === undefined ? null : /@(\d{1,10})\/?$/.exec(new URL(url).pathname);
    const version = match ? aVersionNumber.read(match[1], ctx) : undefined;
    return version === undefined ? undefined : { version, revision: UNKNOWN, state: UNKNOWN };
  }
  if (!isObject(entry)) return undefined;
  const version = entry.version === undefined ? undefined : aVersionNumber.read(entry.version, ctx);
  if (version === undefined) return undefined;
  return { version, revision: optional(entry, 'revision', aRevisionNumber, ctx), state: optional(entry, 'state', aNonEmptyString, ctx) };
}

/** ASSUMPTION A17: the whole list, or unreadable(raw) when any entry cannot be read: a list with a hole in it is not a list of the app's versions. */
function versionListFromWire(value: unknown, ctx: WireContext): Maybe<VersionSummary[]> {
  if (!Array.isArray(value)) return unreadable(rawOf(value, ctx));
  const summaries: VersionSummary[] = [];
  for (const entry of value) {
    const summary = versionSummaryFromWire(entry, ctx);
    if (summary === undefined) return unreadable(rawOf(value.length === 1 ? value : entry, ctx));
    summaries.push(summary);
  }
  return summaries;
}

/**
 * An app, from `GET apps/{id}/` or an entry of `GET apps/` (A9: the same
 * objects, or fewer fields of them). ASSUMPTION A19: a field of the app that
 * cannot be read is unreadable(raw) for that field alone; a list entry that
 * lacks the default version or the version list is completed with
 * `GET apps/{id}/`, only for the apps the config manages (src/observe/read.ts).
 */
export function appRecordFromWire(body: unknown, path = '', ctx: WireContext = {}): AppRecord {
  const obj = objectAt(body, path);
  const id = required(obj, 'id', path, anId);
  const name = required(obj, 'name', path, aNonEmptyString);
  const versions = obj.versions === undefined ? UNKNOWN : versionListFromWire(obj.versions, ctx);

  // ASSUMPTION A4: the app record describes its default version, so its `version` is the default's number.
  const defaultVersion = optional(obj, 'version', aVersionNumber, ctx);
  let current: Maybe<VersionRecord> = UNKNOWN;
  if (known(defaultVersion)) {
    const record = versionRecordFromWire({ ...obj, id }, path, ctx);
    // ASSUMPTION A13: the app record's `url` is the version's own URL only when it ends in `@{version}/`;
    // otherwise it is the app's URL and the default version's URL is not reported here.
    const ownUrl = typeof record.url === 'string' && new URL(record.url).pathname.endsWith(`@${record.version}/`);
    current = ownUrl ? record : { ...record, url: UNKNOWN };
  }

  return {
    id,
    name,
    url: optional(obj, 'url', aUrl, ctx),
    workspace: workspaceFromWire(obj, ctx),
    // ASSUMPTION A1: the description is `description`, a string or null.
    description: optional(obj, 'description', aStringOrNull, ctx),
    // ASSUMPTION A2: the copy permission is `allow_get_as_workflow`, a boolean.
    allowCopy: optional(obj, 'allow_get_as_workflow', aBoolean, ctx),
    // ASSUMPTION A3: `thumbnail` is null or the image's URL (A15: relative ones read against the server).
    thumbnailUrl: optional(obj, 'thumbnail', aUrlOrNull, ctx),
    defaultVersion,
    current,
    versions,
  };
}

/** An entry of the workflow API's `GET workflows/`. */
export function workflowRecordFromWire(body: unknown, path = '', ctx: WireContext = {}): WorkflowRecord {
  const obj = objectAt(body, path);
  return {
    id: required(obj, 'id', path, anId),
    name: required(obj, 'name', path, aString),
    path: required(obj, 'path', path, aNonEmptyString),
    url: optional(obj, 'url', aUrl, ctx),
    // ASSUMPTION A7: `fingerprint` is the workflow's current content fingerprint; it changes when the workflow is edited.
    fingerprint: optional(obj, 'fingerprint', aStringOrNull, ctx),
  };
}

/**
 * The `201` answer to `POST apps/`: the new version's "incomplete details".
 * ASSUMPTION A20: only the app id is required (A18: a number is read as its
 * decimal string); `version` is read when present (A18: a decimal string
 * too) and otherwise taken from a `url` whose path ends in `@{version}/`; any
 * other field is read if it can be, and is UNKNOWN when absent or null and
 * unreadable(raw) when it cannot be read, never an error: the publish
 * happened, and apply needs no more than the id to follow it. A relative
 * `url` is read (A15) against the URL the answer came from, `ctx.baseUrl`.
 */
export function publishResultFromWire(body: unknown, path = '', ctx: WireContext = {}): PublishResult {
  const obj = objectAt(body, path);
  const given = <T>(key: string, reader: Reader<T>): Maybe<T> => (obj[key] === null ? UNKNOWN : optional(obj, key, reader, ctx));
  const url = given('url', aUrl);
  let version: Maybe<number> = obj.version === undefined || obj.version === null ? UNKNOWN : required(obj, 'version', path, aVersionNumber);
  if (!known(version) && typeof url === 'string') {
    const own = /@(\d{1,10})\/$/.exec(new URL(url).pathname);
    version = (own && aVersionNumber.read(own[1], ctx)) ?? UNKNOWN;
  }
  return {
    appId: required(obj, 'id', path, anId),
    name: given('name', aNonEmptyString),
    version,
    revision: given('revision', aRevisionNumber),
    state: given('state', aNonEmptyString),
    url,
    workspace: obj.workspace === null ? UNKNOWN : workspaceFromWire(obj, ctx),
  };
}

/** One page of a list endpoint. */
export interface ListPage {
  items: unknown[];
  /** Where the items are in the body: `results` for a DRF page, '' for a bare array. */
  itemsPath: string;
  /** The next page's URL as the server wrote it; null on the last page. */
  next: string | null;
}

/**
 * ASSUMPTION A9: `GET apps/` and `workflows/` return a JSON array; a Django
 * REST framework page (`{"count", "next", "previous", "results"}`) is also
 * accepted, and its `next` followed by the client.
 */
export function listPageFromWire(body: unknown): ListPage {
  if (Array.isArray(body)) return { items: body, itemsPath: '', next: null };
  if (typeof body !== 'object' || body === null || !Array.isArray((body as WireObject).results)) {
    const got = typeof body === 'object' && body !== null ? 'an object without a `results` list' : describeValue(body);
    throw new WireFormatError('', 'a list, or a page with a `results` list', got);
  }
  const page = body as WireObject;
  const next = page.next === undefined ? null : page.next;
  if (next !== null && typeof next !== 'string') throw new WireFormatError('next', 'a URL or null', describeValue(next));
  return { items: page.results as unknown[], itemsPath: 'results', next: next === '' ? null : next };
}

/** The answer to `POST auth/login/`: `{"token": "..."}`. */
export function loginTokenFromWire(body: unknown): string {
  return required(objectAt(body, ''), 'token', '', aNonEmptyString);
}

/**
 * ASSUMPTION A16: a thumbnail URL that answers an error (403, 404...), cannot
 * be reached, or sends what p7apps cannot read leaves that app's thumbnail
 * content unverifiable; it stops nothing else. Returns why, as shown to
 * people, or undefined when the failure is not the image's (the run was
 * cancelled, or a bug) and must propagate.
 */
export function unreadableThumbnailReason(err: unknown): string | undefined {
  if (err instanceof AppsHubError) {
    if (err.kind === 'aborted') return undefined;
    return rawOf(err.status !== undefined ? `HTTP ${err.status}` : err.message);
  }
  return err instanceof P7appsError ? rawOf(err.message) : undefined;
}

/** ASSUMPTION A3: the validator sent for a thumbnail p7apps holds; a 304 means the server holds those bytes. */
export function thumbnailIfNoneMatch(sha256Hex: string): string {
  return `"sha256-${sha256Hex.toLowerCase()}"`;
}

/**
 * ASSUMPTION A22: a version is polled at the `url` the publish answer gave
 * (as the guide says), when that URL is on the server's own origin and under
 * the app API base (`appsBaseUrl`); otherwise, and once a poll there has
 * failed (src/apply/execute.ts), at `apps/{id}@{v}/`. Returns the URL to
 * poll, or undefined when the built one is to be used.
 */
export function pollableVersionUrl(versionUrl: string | undefined, appsBaseUrl: string): URL | undefined {
  if (versionUrl === undefined || !URL.canParse(versionUrl)) return undefined;
  const url = new URL(versionUrl);
  const base = new URL(appsBaseUrl);
  return url.origin === base.origin && `${url.origin}${url.pathname}`.startsWith(base.href) ? url : undefined;
}

/**
 * Whether a write answered with this error status may still have been
 * committed. ASSUMPTION A10: a 409 (a version of the app still initialising,
 * with Retry-After) commits nothing, like every 4xx; a 5xx may come after
 * the commit.
 *
 * ASSUMPTION A24: a server may instead never answer 409 and accept (201) a
 * publish while a version is initialising, queueing it; such a publish is
 * visible at once as the version its answer names (QUEUED_TO_INITIALIZE), so
 * reading the app back after a lost answer finds it and it is not resent.
 */
export function writeMayHaveCommitted(status: number): boolean {
  return status >= 500;
}

/**
 * ASSUMPTION A21: a write answered 2xx was committed, whether or not its
 * answer can be read; what it did is learned by reading the app back, and it
 * is never sent again.
 */
export function writeCommitted(status: number): boolean {
  return status >= 200 && status < 300;
}

/** The publish request's field names, exactly as the guide spells them. */
export const PUBLISH_FIELD = {
  workspaceName: 'workspace.name',
  workspaceId: 'workspace.id',
  name: 'name',
  workflowPath: 'workflow_path',
  description: 'description',
  version: 'version',
  setVersionAsDefault: 'set_version_as_default',
  allowGetAsWorkflow: 'allow_get_as_workflow',
  thumbnail: 'thumbnail',
} as const;

/**
 * The publish request's fields other than the thumbnail, in the guide's order,
 * as form values. ASSUMPTION A12: every publish is sent as multipart/form-data
 * with these text fields, thumbnail or not, as all of the guide's examples
 * send it (curl `-F`, Python `data=` and `files=`): a server is not asked to
 * read JSON with dotted keys, which some read as nested objects and refuse.
 * Booleans are `True`/`False` (the Python examples' spelling), the version a
 * decimal number. Fields undefined in the request are left out: on the
 * server, an omitted description, thumbnail or copy permission means "keep";
 * an omitted version means "the next one". `set_version_as_default` is always
 * present: omitting it would mean True.
 */
export function publishFormFields(request: PublishRequest): Array<[name: string, value: string]> {
  const fields: Array<[name: string, value: string]> = [];
  const add = (name: string, value: string | number | boolean | undefined) => {
    if (value === undefined) return;
    fields.push([name, typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value)]);
  };
  add(PUBLISH_FIELD.workspaceName, request.workspaceName);
  // The guide: workspace ids are sent as strings.
  add(PUBLISH_FIELD.workspaceId, request.workspaceId);
  add(PUBLISH_FIELD.name, request.name);
  add(PUBLISH_FIELD.workflowPath, request.workflowPath);
  add(PUBLISH_FIELD.description, request.description);
  if (request.version !== undefined && !(Number.isSafeInteger(request.version) && request.version >= 1)) {
    throw new RangeError(`a publish's version must be a whole number from 1, got ${request.version}`);
  }
  add(PUBLISH_FIELD.version, request.version);
  add(PUBLISH_FIELD.setVersionAsDefault, request.setVersionAsDefault);
  add(PUBLISH_FIELD.allowGetAsWorkflow, request.allowGetAsWorkflow);
  return fields;
}

/** The thumbnail's file part of a publish. */
export interface PublishFile {
  field: string;
  filename: string;
  mediaType: string;
  bytes: Uint8Array;
}

/**
 * A multipart/form-data body built byte for byte, with the file part last
 * when there is one. Not FormData: its HTML serialisation rewrites every \n
 * in a text field as \r\n, so a description would reach the server with
 * other line endings than the config's. Field names are the guide's (no
 * quotes or line breaks to escape); the file name is escaped as browsers do.
 */
export function publishMultipartBody(
  fields: Array<[name: string, value: string]>,
  file: PublishFile | undefined,
  boundary: string,
): { body: Uint8Array; contentType: string } {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const [name, value] of fields) {
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    const filename = file.filename.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    parts.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${filename}"\r\nContent-Type: ${file.mediaType}\r\n\r\n`,
      ),
      file.bytes,
      encoder.encode('\r\n'),
    );
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.length;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
