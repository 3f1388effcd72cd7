// The desired state: what the loaded, validated and resolved config declares,
// with defaults already inherited, files already read and checked, and every
// path absolute. The planner reads only this, never the raw config.
//
// A field left `undefined` here is unmanaged: p7apps neither reports it as
// drift nor sends it.

import type { ThumbnailUpload } from '../appshub/types.js';

export interface WorkspaceRef {
  name?: string;
  /** Workspace ids are strings ("7"), as the guide insists. */
  id?: string;
}

export interface DesiredVersion {
  version: number;
  /** Absolute workflow path in pSeven storage, e.g. /Users/1/Flow.p7wf. */
  workflow: string;
}

export interface DesiredThumbnail extends ThumbnailUpload {
  /** The path as written in the config, for messages. */
  declaredAs: string;
  size: number;
}

export interface DesiredApp {
  name: string;
  workspace: WorkspaceRef;
  /** Line endings normalised to \n. */
  description?: string;
  /** Where the description came from (a descriptionFile), for messages. */
  descriptionFile?: string;
  thumbnail?: DesiredThumbnail;
  allowCopy?: boolean;
  /** Sorted by number, ascending. */
  versions: DesiredVersion[];
  defaultVersion?: number;
  /** `protect: true`: never republished (see src/plan/safety.ts) unless apply names it with --allow-protected. */
  protect?: boolean;
}

export interface DesiredState {
  /** Absolute path of the config file it came from. */
  configPath: string;
  /** `server.url` from the file, if any (flag and env override it). */
  serverUrl?: string;
  /** `strict` from the file: unverifiable managed fields are an error (--strict / --no-strict override it). */
  strict?: boolean;
  /** `safety` from the file: the large-change guard's limits (built-in ones where absent). */
  safety?: { maxRepublishPercent?: number; maxRepublishApps?: number };
  /** Sorted by name. */
  apps: DesiredApp[];
}
