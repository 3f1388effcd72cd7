// Server profiles: the ways a server can follow the vendor's guide and still
// answer differently from the emulator's default shape. Each profile is one
// entry of SERVER_PROFILES: a name, a line for the help text, and hooks that
// reshape what the views (./views.ts) and handlers (./server.ts) serve.
// Several profiles combine: each hook is a transform, and the active
// profiles' transforms run one after the other in the table's order (not the
// order they were asked in), so a combination always serves the same shape.
//
// Adding a profile is one entry here plus its hooks; a hook the table does not
// have yet is one more field of ProfileShapes (a transform) or ProfileHooks,
// and one call where the emulator builds that part of an answer.

import type { VersionState } from '../appshub/types.js';
import { ApiError, EmulatorError, REQUIRED } from './api-error.js';
import type { BodyFields } from './publish-input.js';
import type { App } from './world.js';

/** A JSON object as served. */
export type WireJson = Record<string, unknown>;

/** What a hook may know about the answer it reshapes. */
export interface ProfileContext {
  /** The sign-in URL, without a trailing slash. */
  readonly signInUrl: string;
  /** The app the object describes, when it describes one. */
  readonly app?: App;
  /** The media type of the request body (`application/json`), for hooks on a request. */
  readonly mediaType?: string;
}

/**
 * The parts of answers a profile may reshape, each with the type it has.
 * A hook receives the part as the emulator (or an earlier profile) built it
 * and returns the part to serve.
 */
export interface ProfileShapes {
  /** An app object: `GET apps/{id}/`, `GET apps/{id}@{v}/` and each entry of `GET apps/`. */
  appObject: WireJson;
  /** An entry of `GET apps/`, after appObject. */
  listEntry: WireJson;
  /** One entry of an app object's `versions` ({version, revision, state, url} by default). */
  versionsEntry: unknown;
  /** The 201 answer to `POST apps/`. */
  publishAnswer: WireJson;
  /** A workflow object: `GET workflows/` entries and `GET workflows/{id}/`. */
  workflowObject: WireJson;
  /** A version's publishing state as served (`state`, and the states in `versions`). */
  servedState: VersionState;
  /** The URL the `thumbnail` field holds (absolute by default). */
  thumbnailUrl: string;
  /** The fields of a `POST apps/` body as parsed, before they are validated (ctx.mediaType says how it came). */
  publishFields: BodyFields;
}

export type ProfileHooks = { [K in keyof ProfileShapes]?: (value: ProfileShapes[K], ctx: ProfileContext) => ProfileShapes[K] } & {
  /** Consulted before a thumbnail is served: an error to answer with instead. */
  refuseThumbnail?: (ctx: ProfileContext) => ApiError | undefined;
  /** Consulted on a `POST apps/` body after publishFields: an error to answer with instead of validating it. */
  refusePublish?: (fields: BodyFields, ctx: ProfileContext) => ApiError | undefined;
  /** A publish to an app with a version still publishing is accepted and queued behind it, not refused with 409. */
  queueWhileBusy?: true;
  /** `apps/{id}@{v}/runs/` and below answer 404: only the default version can be run (ASSUMPTION A26 does not hold). */
  noVersionRuns?: true;
};

export interface ServerProfile {
  /** One line for --help and the docs. */
  readonly summary: string;
  /** At most one profile of a group is active: they shape the same field in different ways. */
  readonly group?: string;
  readonly hooks: ProfileHooks;
}

/** The path under which the relative-thumbnails profile serves images (also served otherwise). */
export const MEDIA_PATH = '/appshub/media/';

/** `{id: "7"}` becomes `{id: 7}` at every depth: the guide's ids that look numeric, as JSON numbers. */
function numericIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(numericIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, key === 'id' && typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v) ? Number(v) : numericIds(v)]),
  );
}

function without(obj: WireJson, keys: readonly string[]): WireJson {
  return Object.fromEntries(Object.entries(obj).filter(([key]) => !keys.includes(key)));
}

const JSON_TYPE = 'application/json';

/** Fields the guide never shows in an app object (A1, A2, A6, A8's `state_detail`). */
const BEYOND_THE_GUIDE = ['description', 'allow_get_as_workflow', 'fingerprint', 'state_detail'] as const;

export const SERVER_PROFILES = {
  full: {
    summary: "today's shape: the guide's fields plus every field the wire assumptions add (the default)",
    hooks: {},
  },
  guide: {
    summary:
      'only what the guide shows: no description, allow_get_as_workflow, state_detail or fingerprints; ' +
      'the publish answer says "versions": []; states QUEUED_TO_INITIALIZE then READY (or FAILED)',
    hooks: {
      appObject: (obj) => without(obj, BEYOND_THE_GUIDE),
      workflowObject: (obj) => without(obj, ['fingerprint']),
      // The guide shows the publish answer with `"fingerprint": null` and `"versions": []`: kept as shown.
      publishAnswer: (obj) => ({ ...without(obj, BEYOND_THE_GUIDE), fingerprint: null, versions: [] }),
      servedState: (state) => (state === 'INITIALIZING' ? 'QUEUED_TO_INITIALIZE' : state),
    },
  },
  'relative-thumbnails': {
    summary: '`thumbnail` as a server-relative URL (/appshub/media/…), still fetchable with the token',
    hooks: {
      thumbnailUrl: (url, ctx) => (ctx.app ? `${MEDIA_PATH}thumbnails/${ctx.app.id}/` : new URL(url).pathname),
    },
  },
  'version-urls': {
    summary: '`versions` as a list of version URLs (…/apps/{id}@{v}/)',
    group: 'versions',
    hooks: { versionsEntry: (entry) => (entry as { url: string }).url },
  },
  'version-numbers': {
    summary: '`versions` as a list of bare version numbers',
    group: 'versions',
    hooks: { versionsEntry: (entry) => (entry as { version: number }).version },
  },
  'numeric-ids': {
    summary: 'ids that look numeric (workspace ids such as "7") as JSON numbers',
    hooks: {
      appObject: (obj) => numericIds(obj) as WireJson,
      publishAnswer: (obj) => numericIds(obj) as WireJson,
      workflowObject: (obj) => numericIds(obj) as WireJson,
    },
  },
  'short-list': {
    summary: '`GET apps/` entries carry only id, name, path and url; the rest only from GET apps/{id}/',
    hooks: {
      listEntry: (obj) => ({ id: obj.id, name: obj.name, path: obj.path, url: obj.url }),
    },
  },
  'thumbnail-forbidden': {
    summary: 'thumbnail URLs answer 403',
    hooks: {
      refuseThumbnail: () => ApiError.detail(403, 'You do not have permission to perform this action.'),
    },
  },
  'nested-json': {
    summary:
      'JSON bodies read as nested objects, as Django REST framework reads them: dotted keys such as "workspace.name" are ignored, ' +
      'so a JSON publish without a `workspace` object is refused 400 {"workspace": ["This field is required."]}',
    group: 'json',
    hooks: {
      publishFields: (fields, ctx) => (ctx.mediaType === JSON_TYPE ? new Map([...fields].filter(([key]) => !key.includes('.'))) : fields),
      refusePublish: (fields, ctx) => (ctx.mediaType === JSON_TYPE && !fields.has('workspace') ? ApiError.fields({ workspace: [REQUIRED] }) : undefined),
    },
  },
  'form-only': {
    summary: 'publishes only as forms (multipart or urlencoded): a JSON body to POST apps/ is refused 415',
    group: 'json',
    hooks: {
      refusePublish: (_fields, ctx) => (ctx.mediaType === JSON_TYPE ? ApiError.detail(415, `Unsupported media type "${JSON_TYPE}" in request.`) : undefined),
    },
  },
  'error-state': {
    summary: 'a failing publish ends in state ERROR (not FAILED), with no state_detail',
    hooks: {
      servedState: (state) => (state === 'FAILED' ? 'ERROR' : state),
      appObject: (obj) => (obj.state === 'ERROR' ? without(obj, ['state_detail']) : obj),
    },
  },
  'silent-queue': {
    summary:
      'no 409 while a version of the app is still publishing: the publish is accepted (201) and queued, ' +
      'shown as QUEUED_TO_INITIALIZE at once, and starts when the earlier one is READY or FAILED',
    hooks: { queueWhileBusy: true },
  },
  'workflows-without-fingerprint': {
    summary: "workflow objects carry no fingerprint, while each version still reports the one it was published from (A7 differs, A6 holds)",
    hooks: { workflowObject: (obj) => without(obj, ['fingerprint']) },
  },
  'no-version-runs': {
    summary: 'runs only the default version: apps/{id}@{v}/runs/ answers 404, so a given version cannot be run (A26 differs)',
    hooks: { noVersionRuns: true },
  },
} as const satisfies Record<string, ServerProfile>;

export type ProfileName = keyof typeof SERVER_PROFILES;
export const PROFILE_NAMES = Object.keys(SERVER_PROFILES) as ProfileName[];
const TABLE: Readonly<Record<string, ServerProfile>> = SERVER_PROFILES;

/** The profiles an emulator serves, checked and in the table's order. */
export class ActiveProfiles {
  readonly names: readonly string[];
  private readonly profiles: readonly ServerProfile[];

  constructor(requested: readonly string[] | string | undefined) {
    const asked = (typeof requested === 'string' ? requested.split(',') : (requested ?? [])).map((n) => n.trim()).filter((n) => n !== '');
    const unknown = asked.filter((name) => !Object.hasOwn(TABLE, name));
    if (unknown.length > 0) {
      throw new EmulatorError(`unknown server profile ${unknown.map((n) => JSON.stringify(n)).join(', ')}`, {
        hint: `Valid profiles: ${Object.keys(TABLE).join(', ')}. Combine them with commas, e.g. "guide,numeric-ids".`,
      });
    }
    const names = Object.keys(TABLE).filter((name) => asked.includes(name));
    const groups = new Map<string, string>();
    for (const name of names) {
      const group = TABLE[name]!.group;
      if (group === undefined) continue;
      const other = groups.get(group);
      if (other !== undefined) throw new EmulatorError(`server profiles "${other}" and "${name}" cannot be combined: both shape the ${group}`);
      groups.set(group, name);
    }
    this.names = names.length > 0 ? names : ['full'];
    this.profiles = this.names.map((name) => TABLE[name]!);
  }

  has(name: string): boolean {
    return this.names.includes(name);
  }

  /** Runs `value` through the hook of every active profile that has one. */
  shape<K extends keyof ProfileShapes>(hook: K, value: ProfileShapes[K], ctx: ProfileContext): ProfileShapes[K] {
    let shaped = value;
    for (const profile of this.profiles) {
      const transform = profile.hooks[hook] as ((v: ProfileShapes[K], c: ProfileContext) => ProfileShapes[K]) | undefined;
      if (transform) shaped = transform(shaped, ctx);
    }
    return shaped;
  }

  /** The first refusal an active profile makes, if any. */
  refuseThumbnail(ctx: ProfileContext): ApiError | undefined {
    for (const profile of this.profiles) {
      const refusal = profile.hooks.refuseThumbnail?.(ctx);
      if (refusal) return refusal;
    }
    return undefined;
  }

  /** A publish body's fields as the active profiles read them: shaped, then refused (thrown) if one refuses it. */
  publishFields(fields: BodyFields, ctx: ProfileContext): BodyFields {
    const shaped = this.shape('publishFields', fields, ctx);
    for (const profile of this.profiles) {
      const refusal = profile.hooks.refusePublish?.(shaped, ctx);
      if (refusal) throw refusal;
    }
    return shaped;
  }

  /** Whether runs of a given version (`apps/{id}@{v}/runs/`) are served. */
  runsGivenVersions(): boolean {
    return !this.profiles.some((profile) => profile.hooks.noVersionRuns === true);
  }

  /** Whether a publish while a version is still publishing is queued (silent-queue) rather than refused 409. */
  queuesWhileBusy(): boolean {
    return this.profiles.some((profile) => profile.hooks.queueWhileBusy === true);
  }
}
