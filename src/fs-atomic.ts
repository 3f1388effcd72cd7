// Writing files so that a reader (or a crash) sees the old file or the whole
// new one, never a part: the bytes go to a temporary file beside the target,
// are flushed to disk, and only then renamed over it. Shared by `plan --out`
// and `import`, which stages several files before renaming any.

import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { P7appsError } from './errors.js';

/** A fresh name in `file`'s folder for a file that stands in for it: `.NAME.1a2b3c4d5e6f.tmp`. */
export function siblingName(file: string, suffix: 'tmp' | 'bak'): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.${suffix}`);
}

/**
 * Writes `data` to a new temporary file beside `file` and flushes it to disk;
 * returns the temporary file's path. Nothing is left behind when it fails.
 */
export async function writeTemporarySibling(file: string, data: string | Uint8Array): Promise<string> {
  const temporary = siblingName(file, 'tmp');
  try {
    // 'wx': never follows or reuses something already there under that name.
    const handle = await open(temporary, 'wx', 0o644);
    try {
      await handle.writeFile(data, typeof data === 'string' ? 'utf8' : undefined);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  return temporary;
}

/**
 * Why a file renamed over `file` would not be a write to it: a folder, or a
 * device, FIFO, socket or symbolic link, which the rename would replace.
 * Undefined when nothing is there or it is a regular file.
 */
export async function unreplaceable(file: string): Promise<string | undefined> {
  const existing = await lstat(file).catch(() => undefined);
  if (existing === undefined || existing.isFile()) return undefined;
  return existing.isDirectory() ? 'is a folder; name a file' : 'exists and is not a regular file (a device, FIFO, socket or symbolic link); name a new file or a regular one';
}

/** Writes `data` to `file` atomically (a flushed temporary file renamed over it); refuses to replace what is not a regular file. */
export async function writeFileAtomically(file: string, data: string | Uint8Array): Promise<void> {
  let temporary: string | undefined;
  try {
    temporary = await writeTemporarySibling(file, data);
    const problem = await unreplaceable(file);
    if (problem !== undefined) throw new P7appsError(`cannot save ${file}: it ${problem}`);
    await rename(temporary, file);
  } catch (err) {
    if (temporary !== undefined) await rm(temporary, { force: true });
    if (err instanceof P7appsError) throw err;
    throw new P7appsError(`cannot save ${file}: ${(err as Error).message}`, {
      hint: 'Check that the folder is writable and has space, or name another file.',
      cause: err,
    });
  }
}
