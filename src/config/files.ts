// Reads the local files a config points at (thumbnails, description files)
// and refuses any that lies outside the config's directory tree, even by a
// symbolic link: a config arriving in a pull request must not be able to
// upload ~/.ssh/id_rsa as a thumbnail. Never writes anything.

import { createHash } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DesiredThumbnail } from './desired.js';
import { IMAGE_KINDS, sniffImageType } from './image-type.js';
import { MAX_DESCRIPTION_FILE_BYTES, MAX_DESCRIPTION_LENGTH, MAX_THUMBNAIL_BYTES } from './limits.js';

export interface FileContext {
  /** Directory of the config file, absolute. */
  configDir: string;
  /** The same with symbolic links resolved. */
  realConfigDir: string;
  /** For showing paths relative to where the user is. */
  cwd: string;
}

export type FileResult<T> = { ok: true; value: T } | { ok: false; message: string };

export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
}

interface LocalFile {
  /** Absolute, as declared (symbolic links not resolved). */
  path: string;
  /** Absolute, symbolic links resolved: the file actually read. */
  realPath: string;
  bytes: Buffer;
}

/** Reads a file the config names, if it is a regular file inside the config's directory tree and at most `maxBytes` long. */
async function readInsideTree(declared: string, what: string, maxBytes: number, ctx: FileContext): Promise<FileResult<LocalFile>> {
  const shown = JSON.stringify(declared);
  const outside = `${shown} is outside the config file's directory; a ${what} must be a file in that directory or below it`;
  const absolute = path.resolve(ctx.configDir, declared);
  if (!isInside(ctx.configDir, absolute)) return { ok: false, message: outside };

  let realPath: string;
  let stats: Stats;
  try {
    realPath = await realpath(absolute);
    stats = await stat(realPath);
  } catch (err) {
    return { ok: false, message: fileSystemMessage(err, declared, absolute, ctx) };
  }
  if (!isInside(ctx.realConfigDir, realPath)) {
    return { ok: false, message: `${shown} leads through a symbolic link to a file outside the config file's directory; a ${what} must be a file in that directory or below it` };
  }
  if (!stats.isFile()) return { ok: false, message: `${shown} is not a regular file` };
  if (stats.size > maxBytes) return { ok: false, message: tooLarge(shown, stats.size, what, maxBytes) };

  // O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO since the checks above is refused, not followed or waited on.
  let handle;
  try {
    handle = await open(realPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, message: fileSystemMessage(err, declared, absolute, ctx) };
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) return { ok: false, message: `${shown} is not a regular file` };
    if (opened.size > maxBytes) return { ok: false, message: tooLarge(shown, opened.size, what, maxBytes) };
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes) return { ok: false, message: tooLarge(shown, bytes.length, what, maxBytes) };
    return { ok: true, value: { path: absolute, realPath, bytes } };
  } catch (err) {
    return { ok: false, message: fileSystemMessage(err, declared, absolute, ctx) };
  } finally {
    await handle.close();
  }
}

function tooLarge(shown: string, size: number, what: string, maxBytes: number): string {
  const sizeShown = formatBytes(size) === formatBytes(maxBytes) ? `${size} bytes` : formatBytes(size);
  return `${shown} is ${sizeShown}; a ${what} may be at most ${formatBytes(maxBytes)}`;
}

function fileSystemMessage(err: unknown, declared: string, absolute: string, ctx: FileContext): string {
  const shown = JSON.stringify(declared);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR': {
      const lookedFor = displayPath(absolute, ctx.cwd);
      return `no such file: ${shown}${lookedFor === path.normalize(declared) ? '' : ` (looked for ${lookedFor})`}`;
    }
    case 'EACCES':
    case 'EPERM':
      return `${shown} cannot be read: permission denied`;
    case 'ELOOP':
      return `${shown} is a symbolic link that cannot be followed (a loop, or it changed while being read)`;
    case 'EISDIR':
      return `${shown} is not a regular file`;
    default:
      return `${shown} cannot be read: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export async function readThumbnail(declared: string, ctx: FileContext): Promise<FileResult<DesiredThumbnail>> {
  const file = await readInsideTree(declared, 'thumbnail', MAX_THUMBNAIL_BYTES, ctx);
  if (!file.ok) return file;
  const { bytes } = file.value;
  const mediaType = sniffImageType(bytes);
  if (mediaType === undefined) {
    const what = bytes.length === 0 ? 'is empty' : 'is not an image';
    return { ok: false, message: `${JSON.stringify(declared)} ${what}; a thumbnail must be ${IMAGE_KINDS} (judged by its content, not its name)` };
  }
  return {
    ok: true,
    value: {
      path: file.value.realPath,
      filename: path.basename(file.value.path),
      mediaType,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      declaredAs: declared,
      size: bytes.length,
    },
  };
}

export interface DescriptionText {
  text: string;
  /** Absolute path of the file it came from. */
  path: string;
}

export async function readDescriptionFile(declared: string, ctx: FileContext): Promise<FileResult<DescriptionText>> {
  const file = await readInsideTree(declared, 'description file', MAX_DESCRIPTION_FILE_BYTES, ctx);
  if (!file.ok) return file;
  const shown = JSON.stringify(declared);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.value.bytes);
  } catch {
    return { ok: false, message: `${shown} is not UTF-8 text` };
  }
  if (text.includes('\u0000')) return { ok: false, message: `${shown} is not a text file` };
  const description = descriptionFromFile(text);
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    return { ok: false, message: `the description in ${shown} is too long (${description.length} characters; at most ${MAX_DESCRIPTION_LENGTH})` };
  }
  if (/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(description)) {
    return { ok: false, message: `${shown} contains control characters other than tabs and line breaks` };
  }
  return { ok: true, value: { text: description, path: file.value.path } };
}

/**
 * Line endings become \n, and nothing else changes: the planner compares
 * descriptions by exact text, so any other normalisation here would report a
 * difference forever against a server that holds the text as written.
 */
export function normalizeDescription(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * A description file's text: its byte-order mark and the one final newline
 * that ends every text file are not part of the description (so `p7apps
 * import` can write a description into APP.md and read back the same text).
 */
export function descriptionFromFile(text: string): string {
  return normalizeDescription(text.replace(/^\uFEFF/, '')).replace(/\n$/, '');
}
