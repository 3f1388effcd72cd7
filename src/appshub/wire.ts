// The one module that knows AppsHub's JSON field names, in both directions:
// server records -> our types (types.ts), and PublishRequest -> the publish
// request's fields. Every choice the vendor's guide leaves open is marked
// `ASSUMPTION Ax:` (README, "ASSUMPTIONS about the wire"), so meeting a server
// that differs means changing this file and nothing else.
//
// Rules for reading: unknown extra fields are ignored; a field that is absent
// becomes UNKNOWN (a default would hide drift); a field of the wrong type is a
// WireFormatError naming the field, never a guess.

import { P7appsError } from '../errors.js';
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
import { UNKNOWN } from './types.js';

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

type WireObject = Record<string, unknown>;

function at(path: string, key: string | number): string {
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

function objectAt(value: unknown, path: string): WireObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WireFormatError(path, 'an object', describeValue(value));
  }
  return value as WireObject;
}

type Check<T> = { expected: string; test: (value: unknown) => value is T };

const aString: Check<string> = { expected: 'a string', test: (v): v is string => typeof v === 'string' };
const aNonEmptyString: Check<string> = { expected: 'a non-empty string', test: (v): v is string => typeof v === 'string' && v !== '' };
const aBoolean: Check<boolean> = { expected: 'true or false', test: (v): v is boolean => typeof v === 'boolean' };
const aVersionNumber: Check<number> = {
  expected: 'a whole number from 1',
  test: (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1,
};
const aRevisionNumber: Check<number> = {
  expected: 'a whole number from 0',
  test: (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0,
};
const anAbsoluteUrl: Check<string> = {
  expected: 'an absolute http(s) URL',
  test: (v): v is string => typeof v === 'string' && /^https?:\/\//i.test(v) && URL.canParse(v),
};

function orNull<T>(check: Check<T>): Check<T | null> {
  return { expected: `${check.expected} or null`, test: (v): v is T | null => v === null || check.test(v) };
}

/** A field the record must carry: without it the record is unusable. */
function required<T>(obj: WireObject, key: string, path: string, check: Check<T>): T {
  const value = obj[key];
  if (value === undefined) throw new WireFormatError(at(path, key), `present (${check.expected})`, 'nothing');
  if (!check.test(value)) throw new WireFormatError(at(path, key), check.expected, describeValue(value));
  return value;
}

/** A field the server may leave out: absent is UNKNOWN, wrong is an error. */
function optional<T>(obj: WireObject, key: string, path: string, check: Check<T>): Maybe<T> {
  const value = obj[key];
  if (value === undefined) return UNKNOWN;
  if (!check.test(value)) throw new WireFormatError(at(path, key), check.expected, describeValue(value));
  return value;
}

function workspaceFromWire(obj: WireObject, path: string): Maybe<Workspace> {
  if (obj.workspace === undefined) return UNKNOWN;
  const wire = objectAt(obj.workspace, at(path, 'workspace'));
  const where = at(path, 'workspace');
  // The guide: workspace ids "should be sent and handled as strings".
  const id = optional(wire, 'id', where, aNonEmptyString);
  const name = optional(wire, 'name', where, aString);
  // ASSUMPTION A11: a workspace missing its id or name is UNKNOWN as a whole: half of it cannot be compared.
  if (id === UNKNOWN || name === UNKNOWN) return UNKNOWN;
  return { id: id as string, name: name as string };
}

/**
 * One version's details, from `GET apps/{id}@{v}/` (or the default version's
 * view that `GET apps/{id}/` gives).
 */
export function versionRecordFromWire(body: unknown, path = ''): VersionRecord {
  const obj = objectAt(body, path);
  const version = required(obj, 'version', path, aVersionNumber);
  // ASSUMPTION A6: the version's `workflow` object carries the `path` it was published from.
  let workflowPath: Maybe<string> = UNKNOWN;
  if (obj.workflow !== undefined) {
    workflowPath = optional(objectAt(obj.workflow, at(path, 'workflow')), 'path', at(path, 'workflow'), aNonEmptyString);
  }
  return {
    appId: required(obj, 'id', path, aNonEmptyString),
    version,
    revision: optional(obj, 'revision', path, aRevisionNumber),
    // ASSUMPTION A8: `state` is QUEUED_TO_INITIALIZE, INITIALIZING, READY or FAILED (others are passed on as they are).
    state: optional(obj, 'state', path, aNonEmptyString),
    // ASSUMPTION A8: why a version FAILED is in `state_detail`.
    stateDetail: optional(obj, 'state_detail', path, orNull(aString)),
    workflowPath,
    // ASSUMPTION A6: the version's `fingerprint` is its workflow's content fingerprint when this revision was published.
    workflowFingerprint: optional(obj, 'fingerprint', path, orNull(aString)),
    url: optional(obj, 'url', path, anAbsoluteUrl),
    updated: optional(obj, 'updated', path, aString),
  };
}

/** ASSUMPTION A5: an entry of `versions` is a version number or an object with at least `version`. */
function versionSummaryFromWire(entry: unknown, path: string): VersionSummary {
  if (typeof entry === 'number') {
    if (!aVersionNumber.test(entry)) throw new WireFormatError(path, aVersionNumber.expected, describeValue(entry));
    return { version: entry, revision: UNKNOWN, state: UNKNOWN };
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new WireFormatError(path, 'a version number or an object with `version`', describeValue(entry));
  }
  const obj = entry as WireObject;
  return {
    version: required(obj, 'version', path, aVersionNumber),
    revision: optional(obj, 'revision', path, aRevisionNumber),
    state: optional(obj, 'state', path, aNonEmptyString),
  };
}

/** An app, from `GET apps/{id}/` or an entry of `GET apps/` (A9: the same objects). */
export function appRecordFromWire(body: unknown, path = ''): AppRecord {
  const obj = objectAt(body, path);
  const id = required(obj, 'id', path, aNonEmptyString);
  const name = required(obj, 'name', path, aNonEmptyString);

  let versions: Maybe<VersionSummary[]> = UNKNOWN;
  if (obj.versions !== undefined) {
    if (!Array.isArray(obj.versions)) throw new WireFormatError(at(path, 'versions'), 'a list', describeValue(obj.versions));
    versions = obj.versions.map((entry, i) => versionSummaryFromWire(entry, at(at(path, 'versions'), i)));
  }

  // ASSUMPTION A4: the app record describes its default version, so its `version` is the default's number.
  const defaultVersion = optional(obj, 'version', path, aVersionNumber);
  let current: Maybe<VersionRecord> = UNKNOWN;
  if (defaultVersion !== UNKNOWN) {
    const record = versionRecordFromWire(obj, path);
    // ASSUMPTION A13: the app record's `url` is the version's own URL only when it ends in `@{version}/`;
    // otherwise it is the app's URL and the default version's URL is not reported here.
    const ownUrl = typeof record.url === 'string' && record.url.endsWith(`@${record.version}/`);
    current = ownUrl ? record : { ...record, url: UNKNOWN };
  }

  return {
    id,
    name,
    url: optional(obj, 'url', path, anAbsoluteUrl),
    workspace: workspaceFromWire(obj, path),
    // ASSUMPTION A1: the description is `description`, a string or null.
    description: optional(obj, 'description', path, orNull(aString)),
    // ASSUMPTION A2: the copy permission is `allow_get_as_workflow`, a boolean.
    allowCopy: optional(obj, 'allow_get_as_workflow', path, aBoolean),
    // ASSUMPTION A3: `thumbnail` is null or the image's absolute URL.
    thumbnailUrl: optional(obj, 'thumbnail', path, orNull(anAbsoluteUrl)),
    defaultVersion,
    current,
    versions,
  };
}

/** An entry of the workflow API's `GET workflows/`. */
export function workflowRecordFromWire(body: unknown, path = ''): WorkflowRecord {
  const obj = objectAt(body, path);
  return {
    id: required(obj, 'id', path, aNonEmptyString),
    name: required(obj, 'name', path, aString),
    path: required(obj, 'path', path, aNonEmptyString),
    url: optional(obj, 'url', path, anAbsoluteUrl),
    // ASSUMPTION A7: `fingerprint` is the workflow's current content fingerprint; it changes when the workflow is edited.
    fingerprint: optional(obj, 'fingerprint', path, orNull(aString)),
  };
}

/** The `201` answer to `POST apps/`: the new version's incomplete details. */
export function publishResultFromWire(body: unknown, path = ''): PublishResult {
  const obj = objectAt(body, path);
  return {
    appId: required(obj, 'id', path, aNonEmptyString),
    name: optional(obj, 'name', path, aNonEmptyString),
    version: required(obj, 'version', path, aVersionNumber),
    revision: optional(obj, 'revision', path, aRevisionNumber),
    state: optional(obj, 'state', path, aNonEmptyString),
    url: optional(obj, 'url', path, anAbsoluteUrl),
    workspace: workspaceFromWire(obj, path),
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

/** ASSUMPTION A3: the validator sent for a thumbnail p7apps holds; a 304 means the server holds those bytes. */
export function thumbnailIfNoneMatch(sha256Hex: string): string {
  return `"sha256-${sha256Hex.toLowerCase()}"`;
}

/**
 * Whether a write answered with this error status may still have been
 * committed. ASSUMPTION A10: a 409 (a version of the app still initialising,
 * with Retry-After) commits nothing, like every 4xx; a 5xx may come after
 * the commit.
 */
export function writeMayHaveCommitted(status: number): boolean {
  return status >= 500;
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

/** A publish request's fields other than the thumbnail, typed as in a JSON body. */
export type PublishWireFields = Array<[name: string, value: string | number | boolean]>;

/**
 * The publish request's fields in the guide's order. Fields undefined in the
 * request are left out: on the server, an omitted description, thumbnail or
 * copy permission means "keep"; an omitted version means "the next one".
 * `set_version_as_default` is always present: omitting it would mean True.
 */
export function publishFieldsToWire(request: PublishRequest): PublishWireFields {
  const fields: PublishWireFields = [];
  const add = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) fields.push([name, value]);
  };
  add(PUBLISH_FIELD.workspaceName, request.workspaceName);
  // The guide: workspace ids are sent as strings.
  add(PUBLISH_FIELD.workspaceId, request.workspaceId);
  add(PUBLISH_FIELD.name, request.name);
  add(PUBLISH_FIELD.workflowPath, request.workflowPath);
  add(PUBLISH_FIELD.description, request.description);
  add(PUBLISH_FIELD.version, request.version);
  add(PUBLISH_FIELD.setVersionAsDefault, request.setVersionAsDefault);
  add(PUBLISH_FIELD.allowGetAsWorkflow, request.allowGetAsWorkflow);
  return fields;
}

/** ASSUMPTION A12: without a thumbnail the publish is sent as JSON, with JSON booleans and a number for `version`. */
export function publishJsonBody(request: PublishRequest): string {
  return JSON.stringify(Object.fromEntries(publishFieldsToWire(request)));
}

/**
 * The fields as multipart form values: booleans as the guide's Python
 * examples send them (`True`/`False`), numbers in decimal.
 */
export function publishFormFields(request: PublishRequest): Array<[name: string, value: string]> {
  return publishFieldsToWire(request).map(([name, value]) => [
    name,
    typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value),
  ]);
}

/**
 * A multipart/form-data body built byte for byte. Not FormData: its HTML
 * serialisation rewrites every \n in a text field as \r\n, so a description
 * would reach the server with other line endings than the config's. Field
 * names are the guide's (no quotes or line breaks to escape); the file name is
 * escaped as browsers do.
 */
export function publishMultipartBody(
  fields: Array<[name: string, value: string]>,
  file: { field: string; filename: string; mediaType: string; bytes: Uint8Array },
  boundary: string,
): { body: Uint8Array; contentType: string } {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const [name, value] of fields) {
    parts.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  const filename = file.filename.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  parts.push(
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${filename}"\r\nContent-Type: ${file.mediaType}\r\n\r\n`,
    ),
    file.bytes,
    encoder.encode(`\r\n--${boundary}--\r\n`),
  );
  const body = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.length;
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
