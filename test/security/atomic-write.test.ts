// writeFileAtomically (plan --out): the file is whole or absent, and what is
// not a regular file is never replaced by a rename (a device, a FIFO, a
// symbolic link), even when it appears after plan's own early check.

import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { P7appsError } from '../../src/errors.js';
import { writeFileAtomically } from '../../src/fs-atomic.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('replaces a regular file whole', async () => {
    const file = path.join(dir, 'plan.json');
    await writeFile(file, 'old');
    await writeFileAtomically(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['plan.json']);
  });

  it.each<[string, (file: string) => Promise<void>, string]>([
    ['a FIFO', async (file) => void execFileSync('mkfifo', [file]), 'exists and is not a regular file (a device, FIFO, socket or symbolic link); name a new file or a regular one'],
    ['a symbolic link', (file) => symlink(path.join(dir, 'elsewhere.json'), file), 'exists and is not a regular file (a device, FIFO, socket or symbolic link); name a new file or a regular one'],
    ['a folder', (file) => mkdir(file), 'is a folder; name a file'],
  ])('refuses to replace %s, leaving it and no temporary file behind', async (_name, make, says) => {
    const file = path.join(dir, 'plan.json');
    await make(file);
    const before = await lstat(file);
    const err = await writeFileAtomically(file, 'plan').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(P7appsError);
    expect((err as Error).message).toBe(`cannot save ${file}: it ${says}`);
    expect((await lstat(file)).mode).toBe(before.mode);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
