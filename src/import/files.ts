// From a catalog read from the server to the files that declare it: the
// config (TypeScript or YAML), an APP.md per long description and a
// thumbnail file per image. A pure function: no I/O, no clock, the same
// catalog always gives the same bytes, so a re-import diffs cleanly.
//
// Every decision about what a config can hold is made here:
// - a field the server did not report is left out (unmanaged), never guessed;
// - a version whose workflow is unknown, or not an absolute .p7wf path, is
//   left out with a warning; an app left with no version is not imported;
// - an app whose name a config cannot hold, that the server lists twice, or
//   whose workspace is unknown is not imported;
// - a thumbnail that is not an image, or too large, is left out;
// - what a later `p7apps plan` would still want to publish (a failed
//   version, an edited workflow) is imported as it is, with a warning
//   saying so.
// Warnings go back to the caller and into the config as comments.

import path from 'node:path';
import { isUnknown, known, type Maybe, type VersionRecord, type WorkflowRecord, type Workspace } from '../appshub/types.js';
import { formatBytes, normalizeDescription } from '../config/files.js';
import { IMAGE_KINDS, sniffImageType, type ImageMediaType } from '../config/image-type.js';
import {
  MAX_APPS,
  MAX_DESCRIPTION_FILE_BYTES,
  MAX_THUMBNAIL_BYTES,
  MAX_VERSIONS_PER_APP,
  appSchema,
  versionSchema,
  workspaceObjectSchema,
} from '../config/schema.js';
import { validateConfigValue } from '../config/validate.js';
import { P7appsError } from '../errors.js';
import { joinWords, plural } from '../plan/describe.js';
import { byNameThenId } from '../plan/order.js';
import type { CatalogApp, ServerCatalog } from './catalog.js';
import { draftToConfigValue, type ConfigDraft, type DraftApp, type DraftVersion, type DraftWorkspace } from './draft.js';
import { renderConfigTs } from './render-ts.js';
import { renderConfigYaml } from './render-yaml.js';
import { renderConfigJson } from './render-json.js';
import { assignSlugs } from './slug.js';

export type ImportFormat = 'ts' | 'yaml' | 'json';

export interface ImportFile {
  /** Where the file goes: `outFile`'s folder joined with its place below it. */
  path: string;
  kind: 'config' | 'description' | 'thumbnail';
  content: string | Uint8Array;
  /** The app the file belongs to (descriptions and thumbnails). */
  app?: string;
}

export interface ImportWarning {
  /**
   * app-skipped: the app is not imported; left-out: part of it (a version,
   * its description, thumbnail or default) is not; plan-will-change:
   * imported as it is, but `p7apps plan` will propose a publish for it.
   */
  kind: 'app-skipped' | 'left-out' | 'plan-will-change';
  /** The app it concerns. */
  app: string;
  message: string;
}

export interface ImportSummary {
  apps: number;
  versions: number;
  descriptionFiles: number;
  thumbnails: number;
  /** Apps the server has (within the selection) that could not be imported. */
  skippedApps: number;
}

/** Everything an import would write, as data: nothing is on disk yet. */
export interface ImportFiles {
  serverUrl: string;
  format: ImportFormat;
  /** The config file, as `outFile` was given. */
  configFile: string;
  /** The config first, then each app's files in app order. */
  files: ImportFile[];
  warnings: ImportWarning[];
  summary: ImportSummary;
}

export interface CatalogToFilesOptions {
  format: ImportFormat;
  /** The config file to write; the other files go into folders beside it. */
  outFile: string;
  /** Where a YAML or JSON config's `$schema` points, relative to its folder (see schemaReferenceFor). */
  schemaReference?: string;
}

const RENDERERS: Record<ImportFormat, (draft: ConfigDraft) => string> = { ts: renderConfigTs, yaml: renderConfigYaml, json: renderConfigJson };

/** A description at most this long, on one line, stays in the config; longer ones go to APP.md. */
export const INLINE_DESCRIPTION_MAX_LENGTH = 100;

const EXTENSIONS: Record<ImageMediaType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
};

const STAYS = '(it stays unmanaged)';

/** An app the config will declare, with what it declares. */
interface ChosenApp {
  name: string;
  workspace: Workspace;
  versions: DraftVersion[];
  defaultVersion?: number;
  description?: string;
  allowCopy?: boolean;
  thumbnail?: { bytes: Uint8Array; extension: string };
  comments: string[];
}

export function catalogToFiles(catalog: ServerCatalog, options: CatalogToFilesOptions): ImportFiles {
  const warnings: ImportWarning[] = [];
  const skipped: string[] = [];
  const chosen: ChosenApp[] = [];
  // Sorted here too, so that the same catalog in any order gives the same bytes.
  const sorted = [...catalog.apps]
    .sort(byNameThenId)
    .map((app) => ({ ...app, versions: [...app.versions].sort((x, y) => x.version - y.version) }));
  const nameCounts = new Map<string, number>();
  for (const app of sorted) nameCounts.set(app.name, (nameCounts.get(app.name) ?? 0) + 1);

  const reported = new Set<string>();
  for (const app of sorted) {
    const appWarnings: Omit<ImportWarning, 'app'>[] = [];
    const result = chooseApp(app, catalog.workflows, nameCounts.get(app.name) ?? 1, appWarnings);
    if ('skip' in result) {
      // An app listed twice is reported once.
      if (reported.has(app.name)) continue;
      reported.add(app.name);
      warnings.push({ kind: 'app-skipped', app: app.name, message: `not imported: ${result.skip}` });
      skipped.push(`${JSON.stringify(app.name)}: ${result.skip}`);
      continue;
    }
    for (const warning of appWarnings) warnings.push({ ...warning, app: app.name });
    chosen.push(result.chosen);
  }
  if (chosen.length > MAX_APPS) {
    throw new P7appsError(`the selection has ${chosen.length} apps; a config holds at most ${MAX_APPS}`, {
      hint: 'Import the catalog in parts, each into its own folder: --workspace NAME or --app NAME.',
    });
  }

  const workspaceForm = workspaceForms(chosen.map((c) => c.workspace));
  const workspaceIds = new Set(chosen.map((c) => c.workspace.id));
  const shared = workspaceIds.size === 1 ? workspaceForm(chosen[0]!.workspace) : undefined;

  const dir = path.dirname(options.outFile);
  const files: ImportFile[] = [];
  const slugs = assignSlugs(chosen.map((c) => c.name));
  const apps = chosen.map((c, index): DraftApp => {
    const slug = slugs[index]!;
    const app: DraftApp = { name: c.name, versions: c.versions, comments: c.comments };
    if (shared === undefined) app.workspace = workspaceForm(c.workspace);
    if (c.description !== undefined) {
      const fileText = `${c.description}\n`;
      if (describeInline(c.description, fileText)) {
        app.description = c.description;
      } else {
        app.descriptionFile = `apps/${slug}/APP.md`;
        files.push({ path: path.join(dir, 'apps', slug, 'APP.md'), kind: 'description', content: fileText, app: c.name });
      }
    }
    if (c.thumbnail) {
      app.thumbnail = `apps/${slug}/thumbnail.${c.thumbnail.extension}`;
      files.push({ path: path.join(dir, 'apps', slug, `thumbnail.${c.thumbnail.extension}`), kind: 'thumbnail', content: c.thumbnail.bytes, app: c.name });
    }
    if (c.allowCopy !== undefined) app.allowCopy = c.allowCopy;
    if (c.defaultVersion !== undefined) app.defaultVersion = c.defaultVersion;
    return app;
  });

  const header = [`Imported from ${catalog.serverUrl} by \`p7apps import\`.`, 'Anything left out is unmanaged: p7apps neither reports it as drift nor changes it.'];
  if (skipped.length > 0) header.push('', 'Not imported (each stays unmanaged):', ...skipped.map((line) => `- ${line}`));
  const draft: ConfigDraft = { serverUrl: catalog.serverUrl, apps, header, ...(options.schemaReference ? { schemaReference: options.schemaReference } : {}) };
  if (shared !== undefined) draft.defaults = { workspace: shared };
  assertLoadable(draft, options.format);

  const config = RENDERERS[options.format](draft);
  return {
    serverUrl: catalog.serverUrl,
    format: options.format,
    configFile: options.outFile,
    files: [{ path: options.outFile, kind: 'config', content: config }, ...files],
    warnings,
    summary: {
      apps: apps.length,
      versions: apps.reduce((sum, app) => sum + app.versions.length, 0),
      descriptionFiles: files.filter((f) => f.kind === 'description').length,
      thumbnails: files.filter((f) => f.kind === 'thumbnail').length,
      skippedApps: skipped.length,
    },
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Short, one line, and nothing a text file would lose (a leading byte-order
 * mark) or could not hold: a lone UTF-16 surrogate has no UTF-8 form, and a
 * file would read back U+FFFD in its place, where the config's own text
 * writes it as an escape that reads back exactly.
 */
function describeInline(description: string, fileText: string): boolean {
  if (description.startsWith('\uFEFF') || LONE_SURROGATE.test(description) || Buffer.byteLength(fileText) > MAX_DESCRIPTION_FILE_BYTES) return true;
  return !/[\n\u2028\u2029]/.test(description) && [...description].length <= INLINE_DESCRIPTION_MAX_LENGTH;
}

/** The first problem zod finds with `value`, in the config schema's own words; undefined when there is none. */
function schemaProblem(schema: { safeParse(value: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : (result.error?.issues[0]?.message ?? 'not accepted by the config schema');
}

type Choice = { chosen: ChosenApp } | { skip: string };

type Warn = (message: string, kind?: ImportWarning['kind']) => void;

function chooseApp(app: CatalogApp, workflows: ServerCatalog['workflows'], sameName: number, warnings: Omit<ImportWarning, 'app'>[]): Choice {
  const nameProblem = schemaProblem(appSchema.shape.name, app.name);
  if (nameProblem !== undefined) return { skip: `a config cannot hold its name: ${nameProblem}` };
  if (sameName > 1) return { skip: `the server lists ${sameName} apps with this name, and a config names each app once` };
  if (isUnknown(app.workspace)) return { skip: 'the server did not report its workspace, which a config must name' };
  if (schemaProblem(workspaceObjectSchema.shape.name, app.workspace.name) !== undefined && schemaProblem(workspaceObjectSchema.shape.id, app.workspace.id) !== undefined) {
    return { skip: `a config cannot name its workspace ${JSON.stringify(app.workspace.name)} (id ${JSON.stringify(app.workspace.id)})` };
  }

  const versions: DraftVersion[] = [];
  const leftOut: string[] = [];
  for (const record of app.versions) {
    const problem = versionProblem(record);
    if (problem === undefined) versions.push({ version: record.version, workflow: record.workflowPath as string });
    else leftOut.push(`version ${record.version}: ${problem}`);
  }
  if (versions.length === 0) {
    const why = leftOut.length > 0 ? leftOut.join('; ') : 'the server reported none';
    return { skip: `no version of it can be declared (${why})` };
  }
  if (versions.length > MAX_VERSIONS_PER_APP) return { skip: `it has ${versions.length} versions; a config declares at most ${MAX_VERSIONS_PER_APP} per app` };

  const comments: string[] = [];
  const warn: Warn = (message, kind = 'left-out') => {
    warnings.push({ kind, message });
    comments.push(message);
  };
  const unreported: string[] = [];
  for (const line of leftOut) warn(`${line.replace(/^version (\d+): /, 'version $1 is left out: ')} ${STAYS}`);
  if (!app.versionsListed) warn('the server did not list its versions, so only the default version is imported; any others stay unmanaged');

  const chosen: ChosenApp = { name: app.name, workspace: app.workspace, versions, comments };
  chooseDescription(app.description, chosen, warn, unreported);
  if (known(app.allowCopy)) chosen.allowCopy = app.allowCopy;
  else unreported.push('copy permission');
  chooseThumbnail(app, chosen, warn, unreported);
  if (!known(app.defaultVersion)) unreported.push('default version');
  else if (versions.some((v) => v.version === app.defaultVersion)) chosen.defaultVersion = app.defaultVersion;
  else warn(`its default version ${app.defaultVersion} is left out, so which version is default stays unmanaged`);

  for (const record of app.versions) {
    if (versions.some((v) => v.version === record.version)) {
      const preview = planPreview(record, workflows);
      if (preview !== undefined) warn(preview, 'plan-will-change');
    }
  }
  if (unreported.length > 0) comments.push(`not reported by the server, so unmanaged: ${joinWords(unreported)}`);
  return { chosen };
}

/** Why a version cannot be declared, or undefined when it can. */
function versionProblem(record: VersionRecord): string | undefined {
  if (isUnknown(record.workflowPath)) return 'the server did not report which workflow it was published from';
  const problem = schemaProblem(versionSchema, { version: record.version, workflow: record.workflowPath });
  return problem === undefined ? undefined : `its workflow ${JSON.stringify(record.workflowPath)} cannot be declared: ${problem}`;
}

function chooseDescription(reported: Maybe<string | null>, chosen: ChosenApp, warn: Warn, unreported: string[]): void {
  if (isUnknown(reported)) {
    unreported.push('description');
    return;
  }
  // As written: the loader keeps a description's text (line endings aside), and APP.md gives back what went in.
  const text = normalizeDescription(reported ?? '');
  const problem = schemaProblem(appSchema.shape.description, text);
  if (problem !== undefined) {
    warn(`its description is left out ${STAYS}: ${problem}`);
    return;
  }
  chosen.description = text;
}

function chooseThumbnail(app: CatalogApp, chosen: ChosenApp, warn: Warn, unreported: string[]): void {
  const thumbnail = app.thumbnail;
  if (isUnknown(thumbnail)) {
    unreported.push('thumbnail');
    return;
  }
  // No thumbnail: a config cannot say "none", so it stays unmanaged.
  if (thumbnail === null) return;
  if ('problem' in thumbnail) {
    warn(`its thumbnail is left out ${STAYS}: ${thumbnail.problem}`);
    return;
  }
  const { bytes } = thumbnail;
  if (bytes.length > MAX_THUMBNAIL_BYTES) {
    const size = formatBytes(bytes.length) === formatBytes(MAX_THUMBNAIL_BYTES) ? `${bytes.length} bytes` : formatBytes(bytes.length);
    warn(`its thumbnail is left out ${STAYS}: it is ${size}, and a config's thumbnail may be at most ${formatBytes(MAX_THUMBNAIL_BYTES)}`);
    return;
  }
  const mediaType = sniffImageType(bytes);
  if (mediaType === undefined) {
    warn(`its thumbnail is left out ${STAYS}: what the server serves is not ${IMAGE_KINDS}`);
    return;
  }
  chosen.thumbnail = { bytes, extension: EXTENSIONS[mediaType] };
}

/** What `p7apps plan` will still want to do about a version imported as it is. */
function planPreview(record: VersionRecord, workflows: ServerCatalog['workflows']): string | undefined {
  const n = record.version;
  if (known(record.state) && record.state === 'FAILED') {
    return `version ${n} failed to publish on the server (state FAILED); p7apps plan will propose publishing it again`;
  }
  if (known(record.state) && (record.state === 'QUEUED_TO_INITIALIZE' || record.state === 'INITIALIZING')) {
    return `version ${n} is still being published (state ${record.state}); p7apps plan reports a conflict until it is READY`;
  }
  const path = record.workflowPath as string;
  const published = record.workflowFingerprint;
  const current: WorkflowRecord | undefined = known(workflows) ? workflows[path] : undefined;
  if (current && known(current.fingerprint) && current.fingerprint !== null && known(published) && published !== null && current.fingerprint !== published) {
    return `workflow ${path} changed since version ${n} was published; p7apps plan will propose publishing it again`;
  }
  return undefined;
}

/**
 * How each workspace is named: by name, unless the name is one a config
 * cannot hold or two workspaces share it; then by id.
 */
function workspaceForms(workspaces: Workspace[]): (workspace: Workspace) => DraftWorkspace {
  const idsByName = new Map<string, Set<string>>();
  const nameById = new Map<string, string>();
  for (const { id, name } of workspaces) {
    if (!nameById.has(id)) nameById.set(id, name);
    idsByName.set(name, (idsByName.get(name) ?? new Set()).add(id));
  }
  return ({ id }) => {
    const name = nameById.get(id) as string;
    const nameUsable = schemaProblem(workspaceObjectSchema.shape.name, name) === undefined;
    const idUsable = schemaProblem(workspaceObjectSchema.shape.id, id) === undefined;
    if (nameUsable && (idsByName.get(name)?.size === 1 || !idUsable)) return name;
    return { id };
  };
}

/** The loader must accept what import writes; anything else is a bug in this module, reported as one. */
function assertLoadable(draft: ConfigDraft, format: ImportFormat): void {
  const { issues } = validateConfigValue(draftToConfigValue(draft, format));
  if (issues.length > 0) {
    const lines = issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`p7apps import built a config the loader would refuse:\n${lines.join('\n')}`);
  }
}

/** "5 apps (11 versions)" and so on, for the summary line. */
export function describeCounts(summary: ImportSummary): { apps: string; versions: string; descriptionFiles: string; thumbnails: string } {
  return {
    apps: plural(summary.apps, 'app'),
    versions: plural(summary.versions, 'version'),
    descriptionFiles: plural(summary.descriptionFiles, 'APP.md file'),
    thumbnails: plural(summary.thumbnails, 'thumbnail'),
  };
}
