// `p7apps import` as a library: read a server's catalog and turn it into the
// files of a config that reproduces it. Three steps, each usable alone:
// readCatalog (reads, through AppsHubApi), catalogToFiles (pure: catalog in,
// file contents and warnings out) and writeImport (all files or none).
// importCatalog does the first two against a server named as for `plan`.

import { stat } from 'node:fs/promises';
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
  /** The config file to write. Default: p7apps.config.ts (p7apps.config.yaml with format yaml). */
  out?: string;
  /** Default: from the extension of `out` (.ts/.mts: ts, .yaml/.yml: yaml); ts without `out`. */
  format?: ImportFormat;
}

const FORMAT_BY_EXTENSION: Record<string, ImportFormat> = { '.ts': 'ts', '.mts': 'ts', '.yaml': 'yaml', '.yml': 'yaml' };
export const DEFAULT_OUT: Record<ImportFormat, string> = { ts: 'p7apps.config.ts', yaml: 'p7apps.config.yaml' };

/**
 * The config file (absolute) and its format, from `out` and `format`;
 * checked before the server is read: the folder must exist, and the
 * extension must be one the loader reads as that format.
 */
export async function resolveImportOutput(options: { out?: string; format?: string; cwd: string }): Promise<{ outFile: string; format: ImportFormat }> {
  const { out, cwd } = options;
  if (options.format !== undefined && options.format !== 'ts' && options.format !== 'yaml') {
    throw new UsageError(`--format must be ts or yaml (got ${JSON.stringify(options.format)})`);
  }
  const given = options.format as ImportFormat | undefined;
  if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name');
  const name = out ?? DEFAULT_OUT[given ?? 'ts'];
  const implied = FORMAT_BY_EXTENSION[path.extname(name).toLowerCase()];
  if (implied === undefined) {
    throw new UsageError(`--out ${name}: p7apps reads a config by its extension; name it .ts or .mts (TypeScript), or .yaml or .yml (YAML)`);
  }
  if (given !== undefined && given !== implied) {
    throw new UsageError(`--format ${given} does not match --out ${name}, which p7apps would read as ${implied === 'ts' ? 'TypeScript' : 'YAML'}`, {
      hint: `Leave out --format (the extension decides), or name the file ${DEFAULT_OUT[given]}.`,
    });
  }
  const outFile = path.resolve(cwd, name);
  const folder = await stat(path.dirname(outFile)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--out ${name}: the folder ${path.dirname(outFile)} does not exist`);
  return { outFile, format: implied };
}

/** Reads the server and returns the files an import would write; writes nothing. */
export async function importCatalog(options: ImportOptions = {}): Promise<ImportFiles> {
  const cwd = options.cwd ?? process.cwd();
  const { outFile, format } = await resolveImportOutput({ out: options.out, format: options.format, cwd });
  const api = await openServer({ ...options, cwd });
  try {
    const catalog = await readCatalog(api, {
      apps: options.apps,
      workspaces: options.workspaces,
      parallelism: options.parallelism ?? 10,
      signal: options.signal,
    });
    const files = catalogToFiles(catalog, { format, outFile });
    refuseSecrets(catalog, files.files, (text) => api.holdsSecret(text));
    return files;
  } finally {
    await api.close();
  }
}
