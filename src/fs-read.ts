// Reads a file p7apps takes from a place a checkout or a user controls (a
// saved plan, the apply lock, a config's modules) without ever blocking on
// one that is not a regular file: opening or reading a FIFO nobody writes to
// never returns, and a read that waits for ever holds a thread of Node's
// pool, so the process could not even exit. The file is opened without
// blocking and judged from its metadata before a byte is read.

import type { Stats } from 'node:fs';

// node:fs is taken with process.getBuiltinModule, not imported: the config
// worker loads this module before it can start esbuild, and an ES import of
// node:fs builds its module facade, which reads every export, fs.promises
// among them: 3-4 ms of loading Node's promise API, its readline and its
// file streams in a fresh thread, for nothing the worker uses.
const { closeSync, constants, fstatSync, openSync, readFileSync, statSync } = process.getBuiltinModule('node:fs');

/** What messages say of a file that is not a regular one. */
export const NOT_A_REGULAR_FILE = 'not a regular file (a FIFO, socket or device)';

/** Whether metadata says FIFO, socket or device: neither a regular file nor a directory. */
export function isSpecialKind(info: Stats): boolean {
  return !info.isFile() && !info.isDirectory();
}

/**
 * Whether `file` is there and is a FIFO, socket or device, which would block
 * a reader (a FIFO nobody writes to blocks it for ever) or never end. Judged
 * from metadata only; anything that cannot be looked at is left to whoever
 * reads it.
 */
export function isSpecialFile(file: string): boolean {
  try {
    return isSpecialKind(statSync(file));
  } catch {
    return false;
  }
}

/** The error readRegularFile() throws for a FIFO, socket or device (a directory fails as reading one does, EISDIR). */
export class NotARegularFile extends Error {
  readonly code = 'ENOTREG';
  constructor(readonly file: string) {
    super(`${file} is ${NOT_A_REGULAR_FILE}`);
  }
}

/** The bytes of `file`; NotARegularFile when it is a FIFO, socket or device; a system error (ENOENT, EACCES, ...) otherwise. */
export async function readRegularFile(file: string): Promise<Buffer> {
  const handle = await process.getBuiltinModule('node:fs/promises').open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (isSpecialKind(await handle.stat())) throw new NotARegularFile(file);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * readRegularFile() in the calling thread, for a thread that has nothing
 * else to do meanwhile (the config worker checking a compiled config against
 * its files): a regular file's read returns, so nothing here can block for
 * ever, and it costs no round trips through Node's pool.
 */
export function readRegularFileSync(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (isSpecialKind(fstatSync(fd))) throw new NotARegularFile(file);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
