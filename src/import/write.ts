// Writes an import to disk: all of it or none of it.
//
// Every target is checked before anything is written, and every clash is
// reported at once: an existing file (unless --force), a folder or something
// other than a file where a file goes, a file or a symbolic link where a
// folder must be created. Then every file is staged as a flushed temporary
// file beside its target (an existing one kept by a hard link), and only when
// all are staged are they renamed into place, the config last, so that a
// crash part-way never leaves a config naming files that are not there. If
// anything fails, what this run renamed is removed or put back, and the
// folders it created are removed.

import { copyFile, link, lstat, mkdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { displayPath } from '../config/files.js';
import { P7appsError } from '../errors.js';
import { escapeUnsafe } from '../render/escape.js';
import { siblingName, writeTemporarySibling } from '../fs-atomic.js';
import { plural } from '../plan/describe.js';
import type { ImportFile, ImportFiles } from './files.js';

export interface WriteImportOptions {
  /** Overwrite existing files (never folders). */
  force?: boolean;
  /** Paths in messages are shown relative to this folder. Default: process.cwd(). */
  cwd?: string;
}

export interface WriteImportResult {
  /** Every file written, in the order of `ImportFiles.files`. */
  written: string[];
  /** Those of them that replaced an existing file (only with `force`). */
  overwritten: string[];
}

export interface FileClash {
  /** The absolute path in the way (the file, or the ancestor that cannot be a folder). */
  path: string;
  problem: string;
  /** --force resolves it (an existing file). */
  forceable: boolean;
}

/** Some targets are in the way; nothing was written. */
export class ImportClashError extends P7appsError {
  readonly clashes: FileClash[];

  constructor(clashes: FileClash[], cwd: string) {
    // One line per clash, each escaped on its own: a path may hold a line break the server's names put there.
    const lines = clashes.map((c) => `  ${escapeUnsafe(`${displayPath(c.path, cwd)}: ${c.problem}`)}`);
    const onlyFiles = clashes.every((c) => c.forceable);
    super(`${plural(clashes.length, 'file')} of the import ${clashes.length === 1 ? 'is' : 'are'} in the way; nothing was written:\n${lines.join('\n')}`, {
      hint: onlyFiles
        ? 'Pass --force to overwrite them, or --out a file in another folder.'
        : 'Move what is listed out of the way (--force replaces files, never folders), or --out a file in another folder.',
      multiline: true,
    });
    this.clashes = clashes;
  }
}

/** Checks every target, then writes all files or none. Throws ImportClashError listing every clash. */
export async function writeImport(files: ImportFiles, options: WriteImportOptions = {}): Promise<WriteImportResult> {
  const cwd = options.cwd ?? process.cwd();
  const clashes = await findClashes(files, options.force === true);
  if (clashes.length > 0) throw new ImportClashError(clashes, cwd);
  const existing = new Set<string>();
  for (const file of files.files) if (await lstat(file.path).then(() => true, () => false)) existing.add(file.path);
  // The config last: a crash part-way never leaves it naming files that are not there.
  const order = [...files.files.filter((f) => f.kind !== 'config'), ...files.files.filter((f) => f.kind === 'config')];
  await writeFilesAtomically(order, cwd);
  const written = files.files.map((f) => f.path);
  return { written, overwritten: written.filter((file) => existing.has(file)) };
}

/** What is in the way of writing `files`; empty when nothing is. */
export async function findClashes(files: ImportFiles, force: boolean): Promise<FileClash[]> {
  const root = path.resolve(path.dirname(files.configFile));
  const clashes = new Map<string, FileClash>();
  const add = (clash: FileClash) => {
    if (!clashes.has(clash.path)) clashes.set(clash.path, clash);
  };
  for (const file of files.files) {
    const target = path.resolve(file.path);
    const stats = await lstat(target).catch((err: NodeJS.ErrnoException) => err);
    // The folders on the way are checked whether or not the file is there: one already there beyond a
    // symbolic link (apps/ linked elsewhere) would otherwise be replaced, with --force, where the link leads.
    if ((!(stats instanceof Error) || stats.code === 'ENOENT' || stats.code === 'ENOTDIR') && (await checkFolders(path.dirname(target), root, add))) continue;
    if (stats instanceof Error) {
      if (stats.code !== 'ENOENT' && stats.code !== 'ENOTDIR') add({ path: target, problem: `cannot be checked (${stats.code ?? stats.message})`, forceable: false });
    } else if (stats.isDirectory()) {
      add({ path: target, problem: 'is a folder', forceable: false });
    } else if (!stats.isFile() && !stats.isSymbolicLink()) {
      add({ path: target, problem: 'exists and is not a regular file', forceable: false });
    } else if (!force) {
      add({ path: target, problem: 'already exists', forceable: true });
    }
  }
  return [...clashes.values()];
}

/**
 * The folders down to `dir` must be real folders or not exist yet; below the
 * config's folder, none may be a symbolic link, at any depth: `apps/long`
 * is a real folder to lstat when `apps` links elsewhere, and what is written
 * into it lands where `apps` leads. Says whether it found a clash.
 */
async function checkFolders(dir: string, root: string, add: (clash: FileClash) => void): Promise<boolean> {
  let existing = false;
  for (let folder = dir; ; folder = path.dirname(folder)) {
    const below = folder !== root && folder.startsWith(`${root}${path.sep}`);
    if (existing && !below) return false;
    const stats = await lstat(folder).catch(() => undefined);
    if (stats !== undefined) {
      if (stats.isSymbolicLink() && below) {
        add({ path: folder, problem: 'is a symbolic link; import writes only into real folders below the config', forceable: false });
        return true;
      }
      if (!existing && !stats.isDirectory() && !stats.isSymbolicLink()) {
        add({ path: folder, problem: 'is a file, where a folder is needed', forceable: false });
        return true;
      }
      existing = true;
    }
    if (folder === path.dirname(folder)) return false;
  }
}

interface Staged {
  target: string;
  temporary: string;
  /** A hard link (or copy) of the file being replaced, to put back on failure. */
  backup?: string;
}

/**
 * Writes every file or none: stages all (temporary file beside the target,
 * flushed), then renames them in the order given. On any failure, removes or
 * restores what was renamed and removes the folders it created.
 */
export async function writeFilesAtomically(files: readonly Pick<ImportFile, 'path' | 'content'>[], cwd = process.cwd()): Promise<void> {
  const createdFolders: string[] = [];
  const staged: Staged[] = [];
  const committed: Staged[] = [];
  let current = '';
  try {
    for (const file of files) {
      current = file.path;
      await makeFolders(path.dirname(path.resolve(file.path)), createdFolders);
      const entry: Staged = { target: file.path, temporary: await writeTemporarySibling(file.path, file.content) };
      staged.push(entry);
      const existing = await lstat(file.path).catch(() => undefined);
      if (existing !== undefined && !existing.isDirectory()) entry.backup = await keepCopy(file.path);
    }
    for (const entry of staged) {
      current = entry.target;
      await rename(entry.temporary, entry.target);
      committed.push(entry);
    }
  } catch (err) {
    const leftovers = await rollBack(staged, committed, createdFolders);
    const undone = leftovers.length === 0 ? 'nothing of the import was left behind' : `these could not be cleaned up: ${leftovers.map((p) => displayPath(p, cwd)).join(', ')}`;
    throw new P7appsError(`cannot write ${displayPath(current, cwd)}: ${(err as Error).message}; ${undone}`, {
      hint: 'Check that the folder is writable and has space, then import again.',
      cause: err,
    });
  }
  for (const entry of staged) if (entry.backup !== undefined) await rm(entry.backup, { force: true });
}

/** Creates the missing folders down to `dir`, one by one, recording each one created. */
async function makeFolders(dir: string, created: string[]): Promise<void> {
  const missing: string[] = [];
  for (let folder = dir; ; folder = path.dirname(folder)) {
    if (await lstat(folder).then(() => true, () => false)) break;
    missing.unshift(folder);
    if (folder === path.dirname(folder)) break;
  }
  for (const folder of missing) {
    try {
      await mkdir(folder);
      created.push(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** A second name for the file about to be replaced: a hard link where the file system allows, else a copy. */
async function keepCopy(file: string): Promise<string> {
  const backup = siblingName(file, 'bak');
  try {
    await link(file, backup);
  } catch {
    await copyFile(file, backup);
  }
  return backup;
}

/** Undoes a partial write; returns the paths it could not clean up. */
async function rollBack(staged: Staged[], committed: Staged[], createdFolders: string[]): Promise<string[]> {
  const leftovers: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch {
      leftovers.push(what);
    }
  };
  for (const entry of [...committed].reverse()) {
    const backup = entry.backup;
    if (backup !== undefined) await attempt(entry.target, () => rename(backup, entry.target));
    else await attempt(entry.target, () => rm(entry.target, { force: true }));
  }
  for (const entry of staged) {
    if (!committed.includes(entry)) {
      await attempt(entry.temporary, () => rm(entry.temporary, { force: true }));
      const backup = entry.backup;
      if (backup !== undefined) await attempt(backup, () => rm(backup, { force: true }));
    }
  }
  for (const folder of [...createdFolders].reverse()) await attempt(folder, () => rmdir(folder));
  return leftovers;
}
