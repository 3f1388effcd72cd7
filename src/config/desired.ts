// The desired state: what the loaded, validated and resolved config declares,
// with defaults already inherited, files already read and checked, and every
// path absolute. The planner reads only this, never the raw config.
//
// A field left `undefined` here is unmanaged: p7apps neither reports it as
// drift nor sends it.

import type { ThumbnailUpload } from '../appshub/types.js';
import type { CheckSpec } from '../checks/spec.js';

export interface WorkspaceRef {
  name?: string;
  /** Workspace ids are strings ("7"), as the guide insists. */
  id?: string;
}

/**
 * What plan and drift do about a declared workflow edited in Studio since its
 * version was published: republish it (a new revision), report it without
 * publishing, or ignore it.
 */
export type WorkflowChangePolicy = 'republish' | 'report' | 'ignore';

export interface DesiredVersion {
  version: number;
  /** Absolute workflow path in pSeven storage, e.g. /Users/1/Flow.p7wf. */
  workflow: string;
  /** The checks this version must pass (its own, else the app's); absent when it has none. */
  checks?: CheckSpec[];
  /**
   * The onWorkflowChange that holds for this version (version, else app, else
   * defaults). Absent: 'republish'. Set only when the config says so somewhere.
   */
  onWorkflowChange?: WorkflowChangePolicy;
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
  /** The app's own checks (for a default version the config does not declare); absent when none. */
  checks?: CheckSpec[];
}

export interface DesiredState {
  /** Absolute path of the config file it came from. */
  configPath: string;
  /** `server.url` from the file, if any (flag and env override it). */
  serverUrl?: string;
  /** The environment chosen (--env or P7APPS_ENV), whose overrides are merged in. */
  environment?: string;
  /** The `server.url` the chosen environment sets itself (P7APPS_URL may not point elsewhere). */
  environmentServerUrl?: string;
  /** `strict` from the file: unverifiable managed fields are an error (--strict / --no-strict override it). */
  strict?: boolean;
  /** `safety` from the file: the large-change guard's limits (built-in ones where absent). */
  safety?: { maxRepublishPercent?: number; maxRepublishApps?: number };
  /** Sorted by name. */
  apps: DesiredApp[];
}
