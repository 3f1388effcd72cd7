// Field-level validation of request bodies, the way the server's DRF
// serializers do it: every field is checked, all errors are answered at once
// as `{"field": ["message"]}`, and the messages are DRF's own. A body is the
// same map of fields whether it came as JSON, urlencoded or multipart.

import { ApiError, REQUIRED, type FieldErrors } from './api-error.js';
import { describeImage } from './images.js';
import type { PublishInput } from './world.js';

export type BodyValue =
  | { kind: 'text'; value: string }
  | { kind: 'file'; bytes: Uint8Array; filename: string }
  | { kind: 'json'; value: unknown };

export type BodyFields = Map<string, BodyValue>;

const NOT_A_STRING = 'Not a valid string.';
const NOT_AN_INTEGER = 'A valid integer is required.';
const NOT_A_BOOLEAN = 'Must be a valid boolean.';
const NOT_A_FILE = 'The submitted data was not a file. Check the encoding type on the form.';
const EMPTY_FILE = 'The submitted file is empty.';
const NOT_AN_IMAGE = 'Upload a valid image. The file you uploaded was either not an image or a corrupted image.';
const BLANK = 'This field may not be blank.';
const NULL = 'This field may not be null.';

/** The forms the guide's Python (`True`/`False`) and curl examples send, plus JSON's and 1/0. */
const TRUE_FORMS = new Set(['True', 'true', '1']);
const FALSE_FORMS = new Set(['False', 'false', '0']);

type Result<T> = { value: T | undefined } | { error: string };

function isOmitted(v: BodyValue | undefined): boolean {
  return v === undefined || (v.kind === 'json' && v.value === null);
}

function text(v: BodyValue | undefined, how: { required: boolean; trim: boolean; blank: boolean }): Result<string> {
  if (v === undefined) return how.required ? { error: REQUIRED } : { value: undefined };
  if (v.kind === 'json' && v.value === null) return how.required ? { error: NULL } : { value: undefined };
  let s: string;
  if (v.kind === 'text') s = v.value;
  else if (v.kind === 'json' && typeof v.value === 'string') s = v.value;
  else if (v.kind === 'json' && typeof v.value === 'number' && Number.isFinite(v.value)) s = String(v.value);
  else return { error: NOT_A_STRING };
  if (how.trim) s = s.trim();
  if (s === '' && !how.blank) return { error: BLANK };
  return { value: s };
}

function integer(v: BodyValue | undefined): Result<number> {
  // An empty value means "no version", as in the guide's `-F "version="`.
  if (isOmitted(v) || (v!.kind === 'text' && v!.value.trim() === '')) return { value: undefined };
  let n: number;
  if (v!.kind === 'json' && typeof v!.value === 'number') n = v!.value;
  else {
    const s = v!.kind === 'text' ? v!.value : v!.kind === 'json' && typeof v!.value === 'string' ? v!.value : undefined;
    n = s !== undefined && /^\s*[+-]?\d+\s*$/.test(s) ? Number(s) : Number.NaN;
  }
  if (!Number.isSafeInteger(n)) return { error: NOT_AN_INTEGER };
  if (n < 1) return { error: 'Ensure this value is greater than or equal to 1.' };
  return { value: n };
}

function boolean(v: BodyValue | undefined): Result<boolean> {
  if (isOmitted(v)) return { value: undefined };
  const raw = v!.kind === 'text' ? v!.value : v!.kind === 'json' ? v!.value : undefined;
  if (typeof raw === 'boolean') return { value: raw };
  const s = typeof raw === 'number' ? String(raw) : raw;
  if (typeof s === 'string' && TRUE_FORMS.has(s)) return { value: true };
  if (typeof s === 'string' && FALSE_FORMS.has(s)) return { value: false };
  return { error: NOT_A_BOOLEAN };
}

function image(v: BodyValue | undefined): Result<NonNullable<PublishInput['thumbnail']>> {
  // An empty multipart text part is "no file", as DRF reads it.
  if (isOmitted(v) || (v!.kind === 'text' && v!.value === '')) return { value: undefined };
  if (v!.kind !== 'file') return { error: NOT_A_FILE };
  if (v!.bytes.length === 0) return { error: EMPTY_FILE };
  const info = describeImage(v!.bytes);
  if (!info) return { error: NOT_AN_IMAGE };
  return { value: { bytes: v!.bytes, mediaType: info.mediaType, sha256: info.sha256 } };
}

/** Collects field results and errors, in field order. */
class Collector {
  readonly errors: FieldErrors = {};
  take<T>(field: string, result: Result<T>): T | undefined {
    if ('error' in result) {
      this.errors[field] = [result.error];
      return undefined;
    }
    return result.value;
  }
  fail(field: string, message: string): void {
    this.errors[field] = [message];
  }
  check(): void {
    if (Object.keys(this.errors).length > 0) throw ApiError.fields(this.errors);
  }
}

/**
 * JSON may carry the workspace as dotted keys (as forms must) or as a nested
 * `workspace` object, as DRF's nested serializers read JSON.
 */
function flattenWorkspace(fields: BodyFields, c: Collector): void {
  const nested = fields.get('workspace');
  if (!nested || nested.kind !== 'json' || nested.value === null) return;
  const value = nested.value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    c.fail('workspace', 'Expected an object with "name" and/or "id".');
    return;
  }
  if (fields.has('workspace.name') || fields.has('workspace.id')) {
    c.fail('workspace', 'Give the workspace either as workspace.name/workspace.id or as a workspace object, not both.');
    return;
  }
  const obj = value as Record<string, unknown>;
  if ('name' in obj) fields.set('workspace.name', { kind: 'json', value: obj.name });
  if ('id' in obj) fields.set('workspace.id', { kind: 'json', value: obj.id });
}

/** Validate the fields of `POST apps/`; throws a 400 ApiError with every field error. */
export function publishInputFrom(fields: BodyFields): PublishInput {
  const c = new Collector();
  flattenWorkspace(fields, c);
  const ident = { required: false, trim: true, blank: false };
  const workspaceName = c.take('workspace.name', text(fields.get('workspace.name'), ident));
  const workspaceId = c.take('workspace.id', text(fields.get('workspace.id'), ident));
  const name = c.take('name', text(fields.get('name'), { ...ident, required: true }));
  const workflowPath = c.take('workflow_path', text(fields.get('workflow_path'), { ...ident, required: true }));
  // Descriptions are kept byte for byte (no trimming), so a file's trailing newline survives.
  const description = c.take('description', text(fields.get('description'), { required: false, trim: false, blank: true }));
  const version = c.take('version', integer(fields.get('version')));
  const setVersionAsDefault = c.take('set_version_as_default', boolean(fields.get('set_version_as_default')));
  const allowGetAsWorkflow = c.take('allow_get_as_workflow', boolean(fields.get('allow_get_as_workflow')));
  const thumbnail = c.take('thumbnail', image(fields.get('thumbnail')));
  const workspaceTried = ['workspace', 'workspace.name', 'workspace.id'].some((f) => c.errors[f]);
  if (workspaceName === undefined && workspaceId === undefined && !workspaceTried) {
    c.fail('workspace', 'Either workspace.name or workspace.id is required.');
  }
  c.check();
  return {
    name: name!,
    workflowPath: workflowPath!,
    ...(workspaceName !== undefined ? { workspaceName } : {}),
    ...(workspaceId !== undefined ? { workspaceId } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(setVersionAsDefault !== undefined ? { setVersionAsDefault } : {}),
    ...(allowGetAsWorkflow !== undefined ? { allowGetAsWorkflow } : {}),
    ...(thumbnail !== undefined ? { thumbnail } : {}),
  };
}

/** Validate the fields of `POST auth/login/`. */
export function loginInputFrom(fields: BodyFields): { username: string; password: string } {
  const c = new Collector();
  const username = c.take('username', text(fields.get('username'), { required: true, trim: true, blank: false }));
  const password = c.take('password', text(fields.get('password'), { required: true, trim: false, blank: false }));
  c.check();
  return { username: username!, password: password! };
}
