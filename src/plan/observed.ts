// The observed state: what the server reported, gathered before planning by
// src/observe/ and handed to the pure planner. Plain data, no methods, so a
// test can write one inline and a plan can be computed without a server.

import type { Maybe, VersionRecord, Workspace, WorkflowRecord } from '../appshub/types.js';

export interface ObservedThumbnail {
  url: string;
  /** sha256 of the bytes the server serves; UNKNOWN when they were not read. */
  sha256: Maybe<string>;
}

export interface ObservedApp {
  id: string;
  name: string;
  workspace: Maybe<Workspace>;
  description: Maybe<string | null>;
  allowCopy: Maybe<boolean>;
  /** null: the app has no thumbnail. */
  thumbnail: Maybe<ObservedThumbnail | null>;
  defaultVersion: Maybe<number>;
  /**
   * Every version the server lists, ascending. Versions the config declares
   * carry full details; others may carry only their number and revision.
   */
  versions: VersionRecord[];
  /**
   * false: the server did not list the app's versions, so `versions` holds only
   * the declared versions found one by one; others may exist. Absent: listed.
   */
  versionsListed?: boolean;
  /** With versionsListed false: what the server sent as the version list, when it sent one p7apps cannot read. */
  versionsUnreadable?: string;
}

export interface ObservedState {
  serverUrl: string;
  /** Every app the server listed (managed apps with details), sorted by name. */
  apps: ObservedApp[];
  /** Workflows by path; UNKNOWN when the workflow list could not be read. */
  workflows: Maybe<Record<string, WorkflowRecord>>;
  /**
   * Whether the server runs a given version of an app (ASSUMPTION A26), read
   * only when the config declares checks; absent: not probed, assumed.
   */
  versionRuns?: 'supported' | 'unsupported';
}
