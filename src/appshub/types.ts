// The tool's own view of what an AppsHub server reports. Everything the
// server's JSON says reaches the rest of p7apps only in these shapes (the
// mapping lives in ./wire.ts). A field the server did not report is UNKNOWN,
// never a default: a default would hide drift.

/** Marks a value the server did not report, so it cannot be verified. */
export const UNKNOWN: Unknown = Object.freeze({ unknown: true as const });
export interface Unknown {
  readonly unknown: true;
  /**
   * Set when the server did report the field but in a shape p7apps cannot
   * read: a short description of what was there (server text, not yet made
   * safe for a terminal). The field still cannot be verified, but a reviewer
   * is shown what the server said instead of a bare "unknown".
   */
  readonly raw?: string;
}
/** A value the server may or may not have reported. */
export type Maybe<T> = T | Unknown;

/** A field the server reported in a shape p7apps cannot read: unverifiable, with what was there. */
export function unreadable(raw: string): Unknown {
  return Object.freeze({ unknown: true as const, raw });
}

export function isUnknown(value: unknown): value is Unknown {
  if (typeof value !== 'object' || value === null || (value as { unknown?: unknown }).unknown !== true) return false;
  const keys = Object.keys(value);
  return keys.length === 1 || (keys.length === 2 && typeof (value as { raw?: unknown }).raw === 'string');
}

export function known<T>(value: Maybe<T>): value is T {
  return !isUnknown(value);
}

export interface Workspace {
  /** Workspace ids are strings on the wire and here ("7"). */
  id: string;
  name: string;
}

/** Publishing states the guide names; the server may report others. */
export type VersionState = 'QUEUED_TO_INITIALIZE' | 'INITIALIZING' | 'READY' | 'FAILED' | (string & {});

/** One version of an app, as far as the server reported it. */
export interface VersionRecord {
  appId: string;
  version: number;
  revision: Maybe<number>;
  state: Maybe<VersionState>;
  /** Why the version failed, when the server says so. */
  stateDetail: Maybe<string | null>;
  /** The workflow this revision was published from. */
  workflowPath: Maybe<string>;
  /** Content fingerprint of that workflow when this revision was published (ASSUMPTION, see wire.ts). */
  workflowFingerprint: Maybe<string | null>;
  /** The version's own URL (`apps/{id}@{v}/`). */
  url: Maybe<string>;
  updated: Maybe<string>;
}

/** A short entry of an app's `versions` list; details come from the version endpoint. */
export interface VersionSummary {
  version: number;
  revision: Maybe<number>;
  state: Maybe<VersionState>;
}

/** An app as `GET apps/` or `GET apps/{id}/` reports it (the default version's view). */
export interface AppRecord {
  id: string;
  name: string;
  url: Maybe<string>;
  workspace: Maybe<Workspace>;
  description: Maybe<string | null>;
  allowCopy: Maybe<boolean>;
  /** URL of the thumbnail image; null when the app has none. */
  thumbnailUrl: Maybe<string | null>;
  /** The default version's number. */
  defaultVersion: Maybe<number>;
  /** The default version's details, when the app record carries them. */
  current: Maybe<VersionRecord>;
  versions: Maybe<VersionSummary[]>;
}

/** What `POST apps/` answered: the new version's (incomplete) details. */
export interface PublishResult {
  appId: string;
  name: Maybe<string>;
  /** The version the publish produced; UNKNOWN when the answer did not say (ASSUMPTION A20, see wire.ts). */
  version: Maybe<number>;
  revision: Maybe<number>;
  state: Maybe<VersionState>;
  url: Maybe<string>;
  workspace: Maybe<Workspace>;
}

export interface WorkflowRecord {
  id: string;
  name: string;
  path: string;
  url: Maybe<string>;
  /** Current content fingerprint (ASSUMPTION, see wire.ts): changes when the workflow is edited. */
  fingerprint: Maybe<string | null>;
}

/** A thumbnail file to upload, read and checked by the config loader. */
export interface ThumbnailUpload {
  /** Absolute path of the file. */
  path: string;
  filename: string;
  mediaType: string;
  sha256: string;
}

/**
 * The fields of one publish request, named as the guide names them on the
 * wire by ./wire.ts. `setVersionAsDefault` is always explicit: an omission
 * would move the default by accident.
 */
export interface PublishRequest {
  name: string;
  workspaceName?: string;
  workspaceId?: string;
  workflowPath: string;
  description?: string;
  /** Omitted: the server assigns the next version number. */
  version?: number;
  setVersionAsDefault: boolean;
  allowGetAsWorkflow?: boolean;
  thumbnail?: ThumbnailUpload;
}

/** Bytes of a thumbnail, or the server's word that it equals what we expected. */
export type ThumbnailFetch =
  | { status: 'fetched'; sha256: string; bytes: Uint8Array; etag?: string }
  | { status: 'not-modified'; sha256: string };

/**
 * The narrow surface the rest of p7apps uses to talk to AppsHub. The real
 * implementation is ./client.ts; tests may substitute their own.
 */
export interface AppsHubApi {
  /** The sign-in URL, normalised without a trailing slash. */
  readonly serverUrl: string;
  listApps(signal?: AbortSignal): Promise<AppRecord[]>;
  getApp(appId: string, signal?: AbortSignal): Promise<AppRecord>;
  /**
   * One version's details. `versionUrl`: the version's URL as a publish
   * answer gave it, asked instead of `apps/{id}@{v}/` when it is on the
   * server under the app API base.
   */
  getAppVersion(appId: string, version: number, signal?: AbortSignal, versionUrl?: string): Promise<VersionRecord>;
  /** Never retried by the transport: the applier decides (ambiguous writes). */
  publish(request: PublishRequest, signal?: AbortSignal): Promise<PublishResult>;
  listWorkflows(signal?: AbortSignal): Promise<WorkflowRecord[]>;
  /**
   * Fetch a thumbnail's bytes. With `expectSha256`, a conditional request is
   * sent first so unchanged images are not downloaded again.
   */
  fetchThumbnail(url: string, options?: { expectSha256?: string; signal?: AbortSignal }): Promise<ThumbnailFetch>;
}
