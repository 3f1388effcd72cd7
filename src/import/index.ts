// `p7apps import` as a library: read a server's catalog and turn it into the
// files of a config that reproduces it. Three steps, each usable alone:
// readCatalog (reads, through AppsHubApi), catalogToFiles (pure: catalog in,
// file contents and warnings out) and writeImport (all files or none).
// importCatalog does the first two against a server named as for `plan`.

import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { openServer, type ServerOptions } from '../operations.js';
import { catalogToFiles, type ImportFiles, type ImportFormat } from './files.js';
import { readCatalog } from './read.js';
import { refuseSecrets } from './secrets.js';

export type { CatalogApp, CatalogThumbnail, ServerCatalog } from './catalog.js';
export {
  catalogToFiles,
  INLINE_DESCRIPTION_MAX_LENGTH,
  type CatalogToFilesOptions,
  type ImportFile,
  type ImportFiles,
  type ImportFormat,
  type ImportSummary,
  type ImportWarning,
} from './files.js';
export { readCatalog, type ReadCatalogOptions } from './read.js';
export { refuseSecrets, SecretInImportError, secretFiles, secretPlaces, type HoldsSecret, type SecretPlace } from './secrets.js';
export { ImportClashError, writeImport, type FileClash, type WriteImportOptions, type WriteImportResult } from './write.js';

export interface ImportOptions extends ServerOptions {
  /** Where `out` is resolved. Default: process.cwd(). */
  cwd?: string;
  /** Only these apps, by exact name. */
  apps?: string[];
  /** Only apps in these workspaces, by name or id. */
  workspaces?: string[];
  /** The config file to write (its folder is created when missing). Default: p7apps.config.ts (.yaml, .json with that format). */
  out?: string;
  /** Default: from the extension of `out` (.ts/.mts: ts, .yaml/.yml: yaml, .json: json); ts without `out`. */
  format?: ImportFormat;
}

const FORMAT_BY_EXTENSION: Record<string, ImportFormat> = { '.ts': 'ts', '.mts': 'ts', '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };
export const DEFAULT_OUT: Record<ImportFormat, string> = { ts: 'p7apps.config.ts', yaml: 'p7apps.config.yaml', json: 'p7apps.config.json' };
const FORMAT_NAME: Record<ImportFormat, string> = { ts: 'TypeScript', yaml: 'YAML', json: 'JSON' };
const SHIPPED_SCHEMA = ['node_modules', 'p7apps', 'schema', 'p7apps.schema.json'];

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Where a config in `folder` finds the JSON Schema p7apps ships, as a path
 * relative to that folder: the nearest node_modules/p7apps from the folder
 * upwards, else the node_modules of the nearest package.json's folder (the
 * project p7apps will be installed in), else beside the config.
 */
export async function schemaReferenceFor(folder: string): Promise<string> {
  let base: string | undefined;
  let projectRoot: string | undefined;
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (await exists(path.join(dir, ...SHIPPED_SCHEMA))) {
      base = dir;
      break;
    }
    projectRoot ??= (await exists(path.join(dir, 'package.json'))) ? dir : undefined;
    if (path.dirname(dir) === dir) break;
  }
  const relative = path.relative(folder, path.join(base ?? projectRoot ?? folder, ...SHIPPED_SCHEMA)).split(path.sep).join('/');
  return relative.startsWith('..') ? relative : `./${relative}`;
}

/**
 * The config file (absolute) and its format, from `out` and `format`;
 * checked before the server is read: the extension must be one the loader
 * reads as that format, and the folder must exist or be creatable. Also
 * where a YAML or JSON config there finds the shipped JSON Schema.
 */
export async function resolveImportOutput(options: {
  out?: string;
  format?: string;
  cwd: string;
}): Promise<{ outFile: string; format: ImportFormat; schemaReference: string }> {
  const { out, cwd } = options;
  if (options.format !== undefined && !Object.hasOwn(DEFAULT_OUT, options.format)) {
    throw new UsageError(`--format must be ts, yaml or json (got ${JSON.stringify(options.format)})`);
  }
  const given = options.format as ImportFormat | undefined;
  if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name');
  const name = out ?? DEFAULT_OUT[given ?? 'ts'];
  const extension = path.extname(name);
  const implied = FORMAT_BY_EXTENSION[extension];
  if (implied === undefined) {
    // The loader reads extensions as written: a config named c.YAML would be written, then refused.
    const lower = FORMAT_BY_EXTENSION[extension.toLowerCase()] === undefined ? '' : ` (in lower case: ${extension.toLowerCase()})`;
    throw new UsageError(`--out ${name}: p7apps reads a config by its extension; name it .ts or .mts (TypeScript), .yaml or .yml (YAML), or .json (JSON)${lower}`);
  }
  if (given !== undefined && given !== implied) {
    throw new UsageError(`--format ${given} does not match --out ${name}, which p7apps would read as ${FORMAT_NAME[implied]}`, {
      hint: `Leave out --format (the extension decides), or name the file ${DEFAULT_OUT[given]}.`,
    });
  }
  const outFile = path.resolve(cwd, name);
  // A missing folder is created when the files are written (all or none); one
  // that is a file cannot be, and costs no catalog read to find out.
  const folder = path.dirname(outFile);
  let existing = folder;
  while (!(await exists(existing)) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  if (!(await stat(existing)).isDirectory()) throw new UsageError(`--out ${name}: ${existing} is not a folder, so ${folder} cannot be created`);
  return { outFile, format: implied, schemaReference: await schemaReferenceFor(folder) };
}

/** Reads the server and returns the files an import would write; writes nothing. */
export async function importCatalog(options: ImportOptions = {}): Promise<ImportFiles> {
  const cwd = options.cwd ?? process.cwd();
  const { outFile, format, schemaReference } = await resolveImportOutput({ out: options.out, format: options.format, cwd });
  const api = await openServer({ ...options, cwd });
  try {
    const catalog = await readCatalog(api, {
      apps: options.apps,
      workspaces: options.workspaces,
      parallelism: options.parallelism ?? 10,
      signal: options.signal,
    });
    const files = catalogToFiles(catalog, { format, outFile, schemaReference });
    refuseSecrets(catalog, files.files, (text) => api.holdsSecret(text));
    return files;
  } finally {
    await api.close();
  }
}
