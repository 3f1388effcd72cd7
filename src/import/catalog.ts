// What `p7apps import` read from the server, as plain data: the input of the
// pure step that turns a catalog into config files (./files.ts). Values the
// server did not report stay UNKNOWN here; deciding what to do about them is
// that step's job, not the reader's.

import type { Maybe, VersionRecord, Workspace, WorkflowRecord } from '../appshub/types.js';

/** A thumbnail as read: its bytes, or why they could not be read (then it stays unmanaged). */
export type CatalogThumbnail = { url: string; bytes: Uint8Array } | { url: string; problem: string };

export interface CatalogApp {
  id: string;
  name: string;
  workspace: Maybe<Workspace>;
  description: Maybe<string | null>;
  allowCopy: Maybe<boolean>;
  /** null: the app has no thumbnail. */
  thumbnail: Maybe<CatalogThumbnail | null>;
  defaultVersion: Maybe<number>;
  /** Every version the server reported, ascending, each as `GET apps/{id}@{v}/` describes it. */
  versions: VersionRecord[];
  /** false: the server did not list the app's versions, so `versions` holds only the default one. */
  versionsListed: boolean;
}

export interface ServerCatalog {
  /** The sign-in URL the catalog was read from, without a trailing slash. */
  serverUrl: string;
  /** Sorted by name (then id). */
  apps: CatalogApp[];
  /** Workflows by path, to tell which versions a plan would publish again; UNKNOWN when the list could not be read. */
  workflows: Maybe<Record<string, WorkflowRecord>>;
}
