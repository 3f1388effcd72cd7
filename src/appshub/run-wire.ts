// The run half of the wire: server JSON about workflow and app runs -> the
// types in src/runs/types.ts, and the run requests' bodies and URLs. It reads
// as ./wire.ts does (with its readers): unknown extra fields are ignored, an
// absent field is UNKNOWN, an unreadable one unreadable(raw); only a run's
// `id` (and a parameter's `id` and `name`, a result's `name`) is required.
// Every choice the guide leaves open is an `ASSUMPTION Ax:` comment here
// (A25-A28, docs/wire-assumptions.md).

import { P7appsError } from '../errors.js';
import { UNKNOWN, unreadable, type Maybe } from './types.js';
import {
  WireFormatError,
  aNonEmptyString,
  aString,
  aUrl,
  anId,
  describeValue,
  isObject,
  listPageFromWire,
  objectAt,
  optional,
  orNull,
  pollableVersionUrl,
  rawOf,
  required,
  type WireContext,
  type WireObject,
} from './wire.js';
import { RUN_STATES, type JsonValue, type KnownRunState, type RunDetails, type RunParameter, type RunRef, type RunResult, type RunState, type RunValue } from '../runs/types.js';

/** The app run deploy request's fields, as the guide spells them. */
export const RUN_FIELD = { name: 'name', personal: 'personal' } as const;

const KNOWN_STATES: ReadonlySet<string> = new Set(RUN_STATES);

/**
 * ASSUMPTION A27: a run's `state` is one the guide names (QUEUED_TO_INITIALIZE,
 * CONFIGURATION, QUEUED_TO_RUN, RUNNING, FINISHED, FAILED, INTERRUPTED); any
 * other non-empty string is kept as it is (`other`), never taken for an end,
 * and why a run FAILED is in `state_detail`, as for a version (A8).
 */
export function runStateFromWire(name: string): RunState {
  return KNOWN_STATES.has(name) ? { kind: 'known', name: name as KnownRunState } : { kind: 'other', name };
}

/** A `value` object: `data` is the value (present, null allowed); every other key is metainformation, kept. */
function runValueFromWire(value: unknown, ctx: WireContext): Maybe<RunValue> {
  if (value === undefined) return UNKNOWN;
  if (!isObject(value) || !('data' in value)) return unreadable(rawOf(value, ctx));
  const { data, ...meta } = value;
  return { data: data as JsonValue, meta: meta as { [key: string]: JsonValue } };
}

function labelsFromWire(obj: WireObject, ctx: WireContext): Maybe<{ [key: string]: JsonValue }> {
  if (obj.labels === undefined) return UNKNOWN;
  // A server that sends null for "no labels" says as much as an empty object.
  if (obj.labels === null) return {};
  return isObject(obj.labels) ? (obj.labels as { [key: string]: JsonValue }) : unreadable(rawOf(obj.labels, ctx));
}

/**
 * A list of parameters or results: the whole list, or unreadable(raw) when
 * an entry cannot be identified (a list with a hole in it cannot be set by
 * name or compared).
 */
function entriesFromWire<T>(value: unknown, ctx: WireContext, read: (entry: WireObject, path: string) => T): Maybe<T[]> {
  if (value === undefined) return UNKNOWN;
  // ASSUMPTION A25: `results` may be null before a run finishes: nothing yet, as an empty list.
  if (value === null) return [];
  if (!Array.isArray(value)) return unreadable(rawOf(value, ctx));
  try {
    return value.map((entry, i) => read(objectAt(entry, `[${i}]`), `[${i}]`));
  } catch (err) {
    if (err instanceof WireFormatError) return unreadable(rawOf(value, ctx));
    throw err;
  }
}

function parameterFromWire(entry: WireObject, path: string, ctx: WireContext): RunParameter {
  return {
    id: required(entry, 'id', path, anId),
    name: required(entry, 'name', path, aNonEmptyString),
    value: runValueFromWire(entry.value, ctx),
    labels: labelsFromWire(entry, ctx),
  };
}

function resultFromWire(entry: WireObject, path: string, ctx: WireContext): RunResult {
  return {
    name: required(entry, 'name', path, aNonEmptyString),
    value: runValueFromWire(entry.value, ctx),
    labels: labelsFromWire(entry, ctx),
  };
}

/**
 * A run's details (`GET …/runs/{run}/`), the deploy answer, or an entry of a
 * run list. ASSUMPTION A25: a run carries `id`, `url`, `name`, `state`,
 * `state_detail`, `parameters` and `results` as the guide's workflow runs
 * do, for app runs as well; `parameters[]` are `{id, name, value: {data,
 * …}, labels}` and `results[]` `{name, value: {data, …}, labels}`. `appId`
 * is the app the run was asked of: the run's JSON names only its workflow.
 */
export function runDetailsFromWire(body: unknown, appId: string, path = '', ctx: WireContext = {}): RunDetails {
  const obj = objectAt(body, path);
  const state = optional(obj, 'state', aNonEmptyString, ctx);
  return {
    appId,
    id: required(obj, 'id', path, anId),
    url: optional(obj, 'url', aUrl, ctx),
    name: optional(obj, 'name', aString, ctx),
    state: typeof state === 'string' ? runStateFromWire(state) : state,
    stateDetail: optional(obj, 'state_detail', orNull(aString), ctx),
    parameters: entriesFromWire(obj.parameters, ctx, (entry, at) => parameterFromWire(entry, `${path ? `${path}.` : ''}parameters${at}`, ctx)),
    results: entriesFromWire(obj.results, ctx, (entry, at) => resultFromWire(entry, `${path ? `${path}.` : ''}results${at}`, ctx)),
  };
}

/** A run list (`GET apps/{id}/runs/`): an array or a DRF page (A9), each entry a run. */
export function runListFromWire(body: unknown, appId: string, ctx: WireContext = {}): RunDetails[] {
  const page = listPageFromWire(body);
  return page.items.map((item, i) => runDetailsFromWire(item, appId, `${page.itemsPath}[${i}]`, ctx));
}

/**
 * The deploy request's fields. ASSUMPTION A25: an app run is deployed with
 * multipart/form-data, as the guide's curl example sends it (`-F`), with
 * `personal` spelled True/False like the publish's booleans (A12), always
 * sent (the guide: omitted means False); `name` only when given.
 */
export function runDeployFormFields(options: { name?: string; personal?: boolean }): Array<[name: string, value: string]> {
  const fields: Array<[name: string, value: string]> = [];
  if (options.name !== undefined) fields.push([RUN_FIELD.name, options.name]);
  fields.push([RUN_FIELD.personal, options.personal === true ? 'True' : 'False']);
  return fields;
}

function segment(value: string, what: string): string {
  if (typeof value !== 'string' || value === '') throw new RangeError(`${what} must be a non-empty string`);
  return encodeURIComponent(value);
}

/**
 * Where an app's runs are deployed and listed. ASSUMPTION A26: the runs of
 * a given version are at that version's own URL + `runs/`: the guide names
 * a version by its URL (`apps/{id}@{v}/`, what a publish answers) and says
 * a run of any version is deployed after checking that URL. The version's
 * URL from a publish answer is used when it is under the app API (as A22
 * polls it), else `apps/{id}@{v}/`. Without a version: `apps/{id}/runs/`.
 */
export function appRunsUrl(appId: string, appsBaseUrl: string, version?: { version: number; versionUrl?: string }): URL {
  if (version === undefined) return new URL(`apps/${segment(appId, 'an app id')}/runs/`, appsBaseUrl);
  if (!Number.isSafeInteger(version.version) || version.version < 1) throw new RangeError(`version must be a whole number from 1, got ${version.version}`);
  const own = pollableVersionUrl(version.versionUrl, appsBaseUrl);
  const versionUrl = own ?? new URL(`apps/${segment(appId, 'an app id')}@${version.version}/`, appsBaseUrl);
  const href = versionUrl.href.split(/[?#]/)[0]!;
  return new URL('runs/', href.endsWith('/') ? href : `${href}/`);
}

/**
 * Where a run is read, patched and deleted. ASSUMPTION A25: at the `url`
 * the server gave the run when it is on the server's origin under the app
 * API base (a run of a version may live under `apps/{id}@{v}/runs/`), else
 * at `apps/{id}/runs/{run}/`. Commands are below it: `run/`, `interrupt/`.
 */
export function runUrl(run: RunRef, appsBaseUrl: string): URL {
  const given = typeof run.url === 'string' ? pollableVersionUrl(run.url, appsBaseUrl) : undefined;
  if (given !== undefined && given.search === '' && given.pathname.endsWith('/')) return given;
  return new URL(`apps/${segment(run.appId, 'an app id')}/runs/${segment(run.id, 'a run id')}/`, appsBaseUrl);
}

/**
 * The PATCH body that sets parameters, made as the guide makes it: the run's
 * details as read, with `.parameters[].value.data` of the named parameters
 * changed and everything else sent back unchanged. ASSUMPTION A28: the
 * server takes the whole details back and changes only what it allows (the
 * parameter values). A name that is not a parameter of the run, or names two
 * of them, is refused before anything is sent.
 */
export function runPatchBody(details: unknown, values: ReadonlyArray<{ name: string; data: JsonValue }>): WireObject {
  const obj = objectAt(details, '');
  if (!Array.isArray(obj.parameters)) throw new WireFormatError('parameters', 'a list', describeValue(obj.parameters));
  const parameters = obj.parameters.map((p, i) => objectAt(p, `parameters[${i}]`));
  const wanted = new Map<string, JsonValue>();
  for (const { name, data } of values) {
    if (wanted.has(name)) throw new P7appsError(`Parameter ${JSON.stringify(name)} is given twice`, { hint: 'Give each parameter once.' });
    wanted.set(name, data);
  }
  const names = parameters.map((p) => (typeof p.name === 'string' ? p.name : undefined));
  for (const name of wanted.keys()) {
    const count = names.filter((n) => n === name).length;
    if (count === 1) continue;
    const known = names.filter((n): n is string => n !== undefined).map((n) => JSON.stringify(n));
    throw new P7appsError(
      count === 0 ? `The run has no parameter named ${JSON.stringify(name)}` : `The run has ${count} parameters named ${JSON.stringify(name)}`,
      { hint: known.length > 0 ? `Its parameters are ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}.` : 'The run has no parameters.' },
    );
  }
  const patched = parameters.map((p) => {
    if (typeof p.name !== 'string' || !wanted.has(p.name)) return p;
    const value = isObject(p.value) ? p.value : {};
    return { ...p, value: { ...value, data: wanted.get(p.name)! } };
  });
  return { ...obj, parameters: patched };
}
