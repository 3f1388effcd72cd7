// Thumbnails and description files: read, checked by content, and refused
// when they lie outside the config's directory tree, however they get there.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { MAX_DESCRIPTION_FILE_BYTES, MAX_THUMBNAIL_BYTES } from '../../src/config/schema.js';
import { configError, issueLines, makeProject, PNG_BYTES, type ProjectFile } from './project.js';

const IMAGES = path.join(import.meta.dirname, '../fixtures/config/images');
const image = (name: string) => readFileSync(path.join(IMAGES, name));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function config(app: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...extra, apps: [{ name: 'Toy app', workspace: 'Toy apps', versions: [{ version: 1, workflow: '/Users/1/Flow.p7wf' }], ...app }] });
}

async function problemsWith(app: Record<string, unknown>, files: Record<string, ProjectFile>, extra: Record<string, unknown> = {}): Promise<string[]> {
  const cwd = await makeProject({ 'p7apps.config.json': config(app, extra), ...files });
  return issueLines(await configError({ cwd }));
}

describe('thumbnails are recognised by their bytes', () => {
  it.each([
    ['icon.png', 'image/png'],
    ['icon.jpg', 'image/jpeg'],
    ['icon.gif', 'image/gif'],
    ['icon.webp', 'image/webp'],
    ['icon.svg', 'image/svg+xml'],
  ])('%s is %s', async (name, mediaType) => {
    const bytes = image(name);
    // Named without its extension: the type comes from the content.
    const cwd = await makeProject({ 'p7apps.config.json': config({ thumbnail: 'art/thumb' }), 'art/thumb': bytes });
    const [app] = (await loadConfig({ cwd })).apps;
    expect(app?.thumbnail).toEqual({
      path: path.join(await realpath(cwd), 'art/thumb'),
      filename: 'thumb',
      mediaType,
      sha256: sha256(bytes),
      declaredAs: 'art/thumb',
      size: bytes.length,
    });
  });

  it('follows a symbolic link that stays inside the tree, and uploads the file it leads to', async () => {
    const cwd = await makeProject({ 'p7apps.config.json': config({ thumbnail: 'current.png' }), 'art/v2.png': image('icon.png'), 'current.png': { symlink: 'art/v2.png' } });
    const [app] = (await loadConfig({ cwd })).apps;
    expect(app?.thumbnail?.path).toBe(path.join(await realpath(cwd), 'art/v2.png'));
    expect(app?.thumbnail?.filename).toBe('current.png');
  });
});

describe('a thumbnail that cannot be uploaded is refused before anything is sent', () => {
  const outside = 'is outside the config file\'s directory; a thumbnail must be a file in that directory or below it';
  it.each<[string, string, Record<string, ProjectFile>, string]>([
    ['a missing file', 'icons/missing.png', {}, 'no such file: "icons/missing.png"'],
    ['a path up and out of the tree', '../../etc/passwd', {}, `"../../etc/passwd" ${outside}`],
    ['an absolute path outside the tree', '/etc/passwd', {}, `"/etc/passwd" ${outside}`],
    ['a home-directory path, which is not expanded', '~/.ssh/id_rsa', {}, 'no such file: "~/.ssh/id_rsa"'],
    ['the config directory itself', '.', {}, `"." ${outside}`],
    ['a symbolic link to a file outside', 'icon.png', { 'icon.png': { symlink: '/etc/passwd' } }, '"icon.png" leads through a symbolic link to a file outside the config file\'s directory; a thumbnail must be a file in that directory or below it'],
    ['a symbolic link to a directory outside', 'etc/passwd', { etc: { symlink: '/etc' } }, '"etc/passwd" leads through a symbolic link to a file outside the config file\'s directory; a thumbnail must be a file in that directory or below it'],
    ['a dangling symbolic link', 'icon.png', { 'icon.png': { symlink: 'gone.png' } }, 'no such file: "icon.png"'],
    ['a text file named like an image', 'icon.png', { 'icon.png': image('not-an-image.png') }, '"icon.png" is not an image; a thumbnail must be a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name)'],
    ['an XML file that is not SVG', 'icon.svg', { 'icon.svg': image('not-an-svg.svg') }, '"icon.svg" is not an image; a thumbnail must be a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name)'],
    ['an empty file', 'icon.png', { 'icon.png': '' }, '"icon.png" is empty; a thumbnail must be a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name)'],
    ['a directory', 'icons', { 'icons/a.png': PNG_BYTES }, '"icons" is not a regular file'],
    [
      'a file over the limit',
      'big.png',
      { 'big.png': Buffer.concat([PNG_BYTES, Buffer.alloc(MAX_THUMBNAIL_BYTES + 1 - PNG_BYTES.length)]) },
      `"big.png" is ${MAX_THUMBNAIL_BYTES + 1} bytes; a thumbnail may be at most 1 MiB`,
    ],
    ['a much larger file', 'big.png', { 'big.png': Buffer.concat([PNG_BYTES, Buffer.alloc(3 * MAX_THUMBNAIL_BYTES)]) }, '"big.png" is 3 MiB; a thumbnail may be at most 1 MiB'],
  ])('%s', async (_name, thumbnail, files, message) => {
    expect(await problemsWith({ thumbnail }, files)).toEqual([`apps["Toy app"].thumbnail: ${message}`]);
  });

  it('a FIFO is refused without waiting for a writer', async () => {
    const cwd = await makeProject({ 'p7apps.config.json': config({ thumbnail: 'pipe.png' }) });
    execFileSync('mkfifo', [path.join(cwd, 'pipe.png')]);
    expect(issueLines(await configError({ cwd }))).toEqual(['apps["Toy app"].thumbnail: "pipe.png" is not a regular file']);
  });

  it('a broken default thumbnail is reported once, at defaults.thumbnail', async () => {
    const cwd = await makeProject({
      'p7apps.config.json': JSON.stringify({
        defaults: { workspace: 'Toy apps', thumbnail: '../shared/logo.png' },
        apps: ['A', 'B', 'C'].map((name) => ({ name, versions: [{ version: 1, workflow: `/Users/1/${name}.p7wf` }] })),
      }),
    });
    expect(issueLines(await configError({ cwd }))).toEqual([
      'defaults.thumbnail: "../shared/logo.png" is outside the config file\'s directory; a thumbnail must be a file in that directory or below it',
    ]);
  });

  it('says where it looked when the config is not in the working directory', async () => {
    const root = await makeProject({ 'catalog/p7apps.config.json': config({ thumbnail: 'missing.png' }) });
    const err = await configError({ cwd: root, configPath: 'catalog/p7apps.config.json' });
    expect(issueLines(err)).toEqual(['apps["Toy app"].thumbnail: no such file: "missing.png" (looked for catalog/missing.png)']);
    expect(err.issues[0]?.file).toBe('catalog/p7apps.config.json');
  });
});

describe('description files', () => {
  it.each([
    ['the final newline that ends the file', 'Beam calculator\n', 'Beam calculator'],
    ['only one final newline: a blank last line is text', 'Two lines\n\n', 'Two lines\n'],
    ['nothing when the file has no final newline', 'No newline  ', 'No newline  '],
  ])('drop %s, and nothing else', async (_name, file, description) => {
    const cwd = await makeProject({ 'p7apps.config.json': config({ descriptionFile: 'APP.md' }), 'APP.md': file });
    expect((await loadConfig({ cwd })).apps[0]?.description).toBe(description);
  });

  it('are read as UTF-8, without a byte order mark, with \\n line endings', async () => {
    const cwd = await makeProject({
      'p7apps.config.json': config({ descriptionFile: 'docs/APP.md' }),
      'docs/APP.md': '\uFEFFBeam calculator\r\n\r\nDeflection — and stress.\rOld Mac line.\r\n',
    });
    const [app] = (await loadConfig({ cwd })).apps;
    expect(app?.description).toBe('Beam calculator\n\nDeflection — and stress.\nOld Mac line.');
    expect(app?.descriptionFile).toBe(path.join(cwd, 'docs/APP.md'));
  });

  it('an inline description gets the same line endings and keeps everything else, trailing whitespace included', async () => {
    const cwd = await makeProject({ 'p7apps.config.json': config({ description: 'Two\r\nlines \n' }) });
    expect((await loadConfig({ cwd })).apps[0]?.description).toBe('Two\nlines \n');
  });

  it.each<[string, string, Record<string, ProjectFile>, string]>([
    ['a missing file', 'APP.md', {}, 'no such file: "APP.md"'],
    ['a file outside the tree', '../README.md', {}, '"../README.md" is outside the config file\'s directory; a description file must be a file in that directory or below it'],
    ['a symbolic link out of the tree', 'APP.md', { 'APP.md': { symlink: '/etc/passwd' } }, '"APP.md" leads through a symbolic link to a file outside the config file\'s directory; a description file must be a file in that directory or below it'],
    ['a binary file', 'APP.md', { 'APP.md': Buffer.from([0x41, 0x00, 0x42]) }, '"APP.md" is not a text file'],
    ['a file in another encoding', 'APP.md', { 'APP.md': Buffer.from([0x52, 0xe9, 0x73, 0x75, 0x6d, 0xe9]) }, '"APP.md" is not UTF-8 text'],
    ['a picture', 'APP.md', { 'APP.md': image('icon.png') }, '"APP.md" is not UTF-8 text'],
    ['a file over the limit', 'APP.md', { 'APP.md': 'x'.repeat(MAX_DESCRIPTION_FILE_BYTES + 1) }, `"APP.md" is ${MAX_DESCRIPTION_FILE_BYTES + 1} bytes; a description file may be at most 256 KiB`],
    ['a description longer than allowed', 'APP.md', { 'APP.md': 'x'.repeat(70_000) }, 'the description in "APP.md" is too long (70000 characters; at most 65536)'],
    ['control characters', 'APP.md', { 'APP.md': 'Ring \u0007 the bell' }, '"APP.md" contains control characters other than tabs and line breaks'],
  ])('%s is refused', async (_name, descriptionFile, files, message) => {
    expect(await problemsWith({ descriptionFile }, files)).toEqual([`apps["Toy app"].descriptionFile: ${message}`]);
  });
});
