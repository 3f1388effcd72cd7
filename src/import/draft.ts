// The config an import writes, before it is rendered as TypeScript, YAML or JSON:
// the values in the order the file lists them, plus the comments that go with
// them. Both renderers read this one shape, so the two formats always say the
// same thing.

import { escapeUnsafe } from '../render/escape.js';

/** How an app names its workspace: by name when that is unambiguous, else by id. */
export type DraftWorkspace = string | { id: string };

export interface DraftVersion {
  version: number;
  workflow: string;
}

export interface DraftApp {
  name: string;
  /** Absent when every app shares the one in `defaults`. */
  workspace?: DraftWorkspace;
  description?: string;
  /** Relative to the config, with `/` separators. */
  descriptionFile?: string;
  thumbnail?: string;
  allowCopy?: boolean;
  versions: DraftVersion[];
  defaultVersion?: number;
  /** One comment line each, shown with the app. */
  comments: string[];
}

export interface ConfigDraft {
  serverUrl: string;
  defaults?: { workspace: DraftWorkspace };
  apps: DraftApp[];
  /** One comment line each, at the top of the file ('' for a blank comment line). */
  header: string[];
  /**
   * Where a YAML or JSON config points editors for completion: the schema the
   * `p7apps` package ships, relative to the config's folder. Default:
   * SCHEMA_REFERENCE (a config beside node_modules).
   */
  schemaReference?: string;
}

/** The schema's place for a config in the folder that holds node_modules; the `p7apps` package ships it there. */
export const SCHEMA_REFERENCE = './node_modules/p7apps/schema/p7apps.schema.json';

/** The config as the loader will see it: what the TypeScript file passes to defineConfig, or the YAML or JSON document's value. */
export function draftToConfigValue(draft: ConfigDraft, format: 'ts' | 'yaml' | 'json'): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  if (format !== 'ts') value.$schema = draft.schemaReference ?? SCHEMA_REFERENCE;
  value.server = { url: draft.serverUrl };
  if (draft.defaults) value.defaults = { workspace: draft.defaults.workspace };
  value.apps = draft.apps.map(appValue);
  return value;
}

/** An app's fields in the order the file lists them: the same order as examples/catalog. */
export function appValue(app: DraftApp): Record<string, unknown> {
  const value: Record<string, unknown> = { name: app.name };
  if (app.workspace !== undefined) value.workspace = app.workspace;
  if (app.description !== undefined) value.description = app.description;
  if (app.descriptionFile !== undefined) value.descriptionFile = app.descriptionFile;
  if (app.thumbnail !== undefined) value.thumbnail = app.thumbnail;
  if (app.allowCopy !== undefined) value.allowCopy = app.allowCopy;
  value.versions = app.versions.map(({ version, workflow }) => ({ version, workflow }));
  if (app.defaultVersion !== undefined) value.defaultVersion = app.defaultVersion;
  return value;
}

/** Text safe inside a one-line comment (and on a terminal): line breaks, control, bidi and invisible characters escaped. */
export function oneLine(text: string): string {
  return escapeUnsafe(text);
}
