// Writing an import: every clash found before anything is written, and a
// failure part-way through the renames undone — new files removed, replaced
// files put back, created folders removed, no temporary file left.

import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportFile, ImportFiles } from '../../src/import/files.js';
import { findClashes, ImportClashError, writeFilesAtomically, writeImport } from '../../src/import/write.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'p7apps-import-write-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every entry below `dir` with the content of each file: a folder as `name/`, a link as `-> target`. */
async function tree(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (entry.isDirectory()) out[`${relative}/`] = '';
    else if (entry.isSymbolicLink()) out[relative] = `-> ${await readlink(path.join(dir, relative))}`;
    else out[relative] = await readFile(path.join(dir, relative), 'utf8');
  }
  return out;
}

function importOf(files: Omit<ImportFile, 'kind'>[]): ImportFiles {
  const [config, ...rest] = files;
  return {
    serverUrl: 'https://pseven.example.com',
    format: 'ts',
    configFile: config!.path,
    files: [{ ...config!, kind: 'config' }, ...rest.map((f): ImportFile => ({ ...f, kind: 'description' }))],
    warnings: [],
    summary: { apps: 0, versions: 0, descriptionFiles: rest.length, thumbnails: 0, skippedApps: 0 },
  };
}

const at = (...parts: string[]) => path.join(dir, ...parts);

describe('writeFilesAtomically', () => {
  it('undoes everything when a rename fails part-way: new files removed, replaced ones restored, new folders gone', async () => {
    await writeFile(at('existing.md'), 'the old text\n');
    await mkdir(at('in-the-way'));
    const before = await tree();

    const files = [
      { path: at('apps', 'one', 'APP.md'), content: 'one\n' },
      { path: at('existing.md'), content: 'the new text\n' },
      { path: at('apps', 'two', 'thumbnail.png'), content: new Uint8Array([1, 2, 3]) },
      // Renaming a file over a folder fails: after three renames have happened.
      { path: at('in-the-way'), content: 'never written' },
    ];
    const failure = await writeFilesAtomically(files, dir).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failure?.message).toMatch(/^cannot write in-the-way: .*; nothing of the import was left behind$/);
    expect(await tree()).toEqual(before);
  });

  it('writes every file, replacing existing ones, and leaves no temporary or backup file', async () => {
    await writeFile(at('existing.md'), 'the old text\n');
    await writeFilesAtomically([
      { path: at('apps', 'one', 'APP.md'), content: 'one\n' },
      { path: at('existing.md'), content: 'the new text\n' },
    ]);
    expect(await tree()).toEqual({ 'apps/': '', 'apps/one/': '', 'apps/one/APP.md': 'one\n', 'existing.md': 'the new text\n' });
  });
});

describe('writeImport', () => {
  it('lists every clash at once and writes nothing', async () => {
    await writeFile(at('p7apps.config.ts'), 'mine');
    await mkdir(at('apps', 'b', 'APP.md'), { recursive: true });
    await writeFile(at('apps', 'c'), 'a file where a folder goes');
    await mkdir(at('elsewhere'));
    await symlink(at('elsewhere'), at('apps', 'd'));
    const before = await tree();

    const files = importOf([
      { path: at('p7apps.config.ts'), content: 'config' },
      { path: at('apps', 'a', 'APP.md'), content: 'fine' },
      { path: at('apps', 'b', 'APP.md'), content: 'b' },
      { path: at('apps', 'c', 'APP.md'), content: 'c' },
      { path: at('apps', 'd', 'APP.md'), content: 'd' },
    ]);
    const err = await writeImport(files, { cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportClashError);
    expect((err as ImportClashError).message).toBe(
      [
        '4 files of the import are in the way; nothing was written:',
        '  p7apps.config.ts: already exists',
        '  apps/b/APP.md: is a folder',
        '  apps/c: is a file, where a folder is needed',
        '  apps/d: is a symbolic link; import writes only into real folders below the config',
      ].join('\n'),
    );
    expect(await tree()).toEqual(before);
  });

  // Found by an adversarial review: a file already there beyond a linked folder was replaced with --force,
  // outside the config's folder, where the same link was refused when the file was not there yet.
  it.each<[string, (outside: string) => Promise<string>, string]>([
    ['the app folder links elsewhere, holding the file', async (outside) => (await mkdir(at('apps')), await symlink(outside, at('apps', 'long')), 'apps/long'), 'long'],
    ['apps/ links elsewhere, holding the app folder and its file', async (outside) => (await symlink(outside, at('apps')), 'apps'), 'long'],
  ])('refuses to write through a symbolic link below the config when %s, with --force too', async (_, link, shown) => {
    const outside = await mkdtemp(path.join(tmpdir(), 'p7apps-outside-'));
    await mkdir(path.join(outside, 'long'), { recursive: true });
    await writeFile(path.join(outside, 'long', 'APP.md'), 'precious\n');
    await writeFile(path.join(outside, 'APP.md'), 'precious\n');
    const linked = await link(outside);
    const files = importOf([
      { path: at('p7apps.config.ts'), content: 'config' },
      { path: at('apps', 'long', 'APP.md'), content: 'from the server' },
      // A second file beyond the same link: the link is the one clash, not "already exists" through it.
      { path: at('apps', 'long', 'thumbnail.png'), content: 'png' },
    ]);
    await writeFile(path.join(outside, 'thumbnail.png'), 'precious\n');
    await writeFile(path.join(outside, 'long', 'thumbnail.png'), 'precious\n');
    for (const force of [false, true]) {
      const err = await writeImport(files, { cwd: dir, force }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImportClashError);
      expect((err as ImportClashError).clashes).toEqual([{ path: at(...linked.split('/')), problem: 'is a symbolic link; import writes only into real folders below the config', forceable: false }]);
    }
    expect(await readFile(path.join(outside, shown, 'APP.md'), 'utf8')).toBe('precious\n');
    expect(await readFile(path.join(outside, 'APP.md'), 'utf8')).toBe('precious\n');
    await expect(readFile(at('p7apps.config.ts'), 'utf8')).rejects.toThrow();
  });

  it('with force, clashes only with what a file cannot replace', async () => {
    await writeFile(at('p7apps.config.ts'), 'mine');
    await mkdir(at('apps', 'b', 'APP.md'), { recursive: true });
    const files = importOf([
      { path: at('p7apps.config.ts'), content: 'config' },
      { path: at('apps', 'b', 'APP.md'), content: 'b' },
    ]);
    expect(await findClashes(files, true)).toEqual([{ path: at('apps', 'b', 'APP.md'), problem: 'is a folder', forceable: false }]);
  });

  it('reports what it replaced with force', async () => {
    await writeFile(at('p7apps.config.ts'), 'mine');
    const files = importOf([
      { path: at('p7apps.config.ts'), content: 'config' },
      { path: at('apps', 'a', 'APP.md'), content: 'a' },
    ]);
    expect(await writeImport(files, { force: true, cwd: dir })).toEqual({
      written: [at('p7apps.config.ts'), at('apps', 'a', 'APP.md')],
      overwritten: [at('p7apps.config.ts')],
    });
    expect(await tree()).toEqual({ 'apps/': '', 'apps/a/': '', 'apps/a/APP.md': 'a', 'p7apps.config.ts': 'config' });
  });
});
