// catalogToFiles, the pure step of `p7apps import`: golden TypeScript and YAML
// for a fixed catalog holding one of every case, the warnings it gives, and
// that what it writes loads back (through the real config loader) as exactly
// the catalog it came from.

import { jsonText } from '../../src/render/escape.js';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UNKNOWN } from '../../src/appshub/types.js';
import { loadConfig } from '../../src/config/load.js';
import { catalogToFiles, INLINE_DESCRIPTION_MAX_LENGTH, type ImportFiles, type ImportFormat } from '../../src/import/files.js';
import { schemaReferenceFor } from '../../src/import/index.js';
import { writeImport } from '../../src/import/write.js';
import { app, CATALOG, LONG_DESCRIPTION, LONG_LINE, PNG, STRUCTURES, SVG, version } from './catalog.js';

const OUT_DIR = '/project';

const created: string[] = [];
afterAll(async () => {
  for (const dir of created) await rm(dir, { recursive: true, force: true });
});

function filesFor(format: ImportFormat, outFile = path.join(OUT_DIR, { ts: 'p7apps.config.ts', yaml: 'p7apps.config.yaml', json: 'p7apps.config.json' }[format])): ImportFiles {
  return catalogToFiles(CATALOG, { format, outFile });
}

const configText = (files: ImportFiles) => files.files[0]!.content as string;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('catalogToFiles', () => {
  it.each([
    ['ts', 'p7apps.config.ts'],
    ['yaml', 'p7apps.config.yaml'],
    ['json', 'p7apps.config.json'],
  ] as const)('writes the golden %s config', async (format, golden) => {
    await expect(configText(filesFor(format))).toMatchFileSnapshot(`../fixtures/import/${golden}`);
  });

  it('puts long or multi-line descriptions and thumbnails beside the config, in a folder per app', () => {
    const files = filesFor('ts');
    expect(files.files.map((f) => [path.relative(OUT_DIR, f.path), f.kind, f.app ?? null])).toEqual([
      ['p7apps.config.ts', 'config', null],
      ['apps/beam-calculator/APP.md', 'description', 'Beam calculator'],
      ['apps/beam-calculator/thumbnail.png', 'thumbnail', 'Beam calculator'],
      ['apps/bolted-joint/APP.md', 'description', 'Bolted joint'],
      ['apps/heat-exchanger-2/APP.md', 'description', 'Heat-Exchanger'],
      ['apps/heat-exchanger-2/thumbnail.svg', 'thumbnail', 'Heat-Exchanger'],
    ]);
    expect(files.files[1]!.content).toBe('Sizes a beam.\n\nInputs: span, load, section.\nResults: utilisation and deflection.\n');
    expect(files.files[2]!.content).toEqual(PNG);
    expect(files.files[3]!.content).toBe('Bolts.  \n\n');
    expect(files.files[4]!.content).toBe(`${LONG_LINE}\n`);
    expect(files.files[5]!.content).toEqual(SVG);
    expect(files.summary).toEqual({ apps: 8, versions: 10, descriptionFiles: 3, thumbnails: 2, skippedApps: 4 });
  });

  it('warns about everything it leaves out, and about what a plan will still want to publish', () => {
    const lines = filesFor('yaml').warnings.map((w) => `${w.kind} ${JSON.stringify(w.app)}: ${w.message}`);
    expect(lines).toEqual([
      'app-skipped "Bad\u2028name": not imported: a config cannot hold its name: an app name must not contain control characters (tabs, line breaks and the like)',
      'plan-will-change "Beam calculator": version 3 failed to publish on the server (state FAILED); p7apps plan will propose publishing it again',
      'left-out "Bolted joint": version 2 is left out: the server did not report which workflow it was published from (it stays unmanaged)',
      'left-out "Bolted joint": its thumbnail is left out (it stays unmanaged): what the server serves is not a PNG, JPEG, GIF, WebP or SVG image',
      'left-out "Bolted joint": its default version 2 is left out, so which version is default stays unmanaged',
      'left-out "Heat exchanger": its thumbnail is left out (it stays unmanaged): it is 1048577 bytes, and a config\'s thumbnail may be at most 1 MiB',
      'plan-will-change "Heat exchanger": workflow /Users/2/HeatExchanger.p7wf changed since version 1 was published; p7apps plan will propose publishing it again',
      'app-skipped "No versions": not imported: no version of it can be declared (version 1: the server did not report which workflow it was published from; version 2: its workflow "Users/relative.p7wf" cannot be declared: expected an absolute workflow path like /Users/1/Flow.p7wf)',
      'app-skipped "Orphan": not imported: the server did not report its workspace, which a config must name',
      'left-out "Partly listed": the server did not list its versions, so only the default version is imported; any others stay unmanaged',
      'left-out "Quoting: yes": its thumbnail is left out (it stays unmanaged): GET https://pseven.example.com/t/quoting answered 404 Not Found',
      'app-skipped "Twice": not imported: the server lists 2 apps with this name, and a config names each app once',
    ]);
  });

  it('gives the same bytes for the same catalog in any order', () => {
    const shuffled = { ...CATALOG, apps: [...CATALOG.apps].reverse().map((a) => ({ ...a, versions: [...a.versions].reverse() })) };
    const again = catalogToFiles(shuffled, { format: 'yaml', outFile: path.join(OUT_DIR, 'p7apps.config.yaml') });
    expect(again).toEqual(filesFor('yaml'));
  });

  it.each([
    ['one short line', 'x'.repeat(INLINE_DESCRIPTION_MAX_LENGTH), 'inline'],
    ['one line too long', 'x'.repeat(INLINE_DESCRIPTION_MAX_LENGTH + 1), 'file'],
    ['two short lines', 'a\nb', 'file'],
    ['a line separator', 'a\u2028b', 'file'],
    ['a leading byte-order mark, which a text file would lose', `\uFEFF${'x'.repeat(200)}`, 'inline'],
    // Found by an adversarial review: a file holds UTF-8, which has no form for a lone surrogate (it read back U+FFFD).
    ['several lines and a lone high surrogate, which a text file cannot hold', 'Line one\nbroken \ud83d emoji', 'inline'],
    ['a lone low surrogate in a long line', `${'x'.repeat(200)}\udc00`, 'inline'],
    ['a pair of surrogates (an emoji) on several lines', 'Line one\n\ud83d\ude80 emoji', 'file'],
    ['nothing (the server reports null)', null, 'inline'],
  ])('keeps a description with %s %s', (_name, description, where) => {
    const files = catalogToFiles({ ...CATALOG, apps: [app('Solo', { description })] }, { format: 'ts', outFile: 'p7apps.config.ts' });
    const text = configText(files);
    if (where === 'inline') {
      // Bidi, invisible and separator characters are \u escapes in the literal: the same string.
      expect(text).toContain(`description: ${jsonText(description ?? '')},`);
      expect(files.files).toHaveLength(1);
    } else {
      expect(text).toContain('descriptionFile: "apps/solo/APP.md",');
      expect(files.files[1]).toEqual({ path: path.join('apps', 'solo', 'APP.md'), kind: 'description', content: `${description}\n`, app: 'Solo' });
    }
  });

  it('writes a config with no apps for an empty selection', () => {
    const files = catalogToFiles({ ...CATALOG, apps: [] }, { format: 'ts', outFile: 'p7apps.config.ts' });
    expect(configText(files)).toContain('  apps: [],\n');
    expect(files.summary).toEqual({ apps: 0, versions: 0, descriptionFiles: 0, thumbnails: 0, skippedApps: 0 });
  });

  it('names each workspace by its id where two share a name, and a shared one once in defaults', () => {
    const text = configText(filesFor('ts'));
    expect(text).toContain('      workspace: { id: "20" },');
    expect(text).toContain('      workspace: { id: "21" },');
    const one = catalogToFiles({ ...CATALOG, apps: [app('A', {}), app('B', {})] }, { format: 'ts', outFile: 'p7apps.config.ts' });
    expect(configText(one)).toContain(`  defaults: { workspace: ${JSON.stringify(STRUCTURES.name)} },\n`);
    expect(configText(one)).not.toMatch(/^ {6}workspace:/m);
  });

  it('never guesses a field the server did not report, and says which in a comment', () => {
    const files = catalogToFiles(
      { ...CATALOG, apps: [app('Sparse', { description: UNKNOWN, allowCopy: UNKNOWN, thumbnail: UNKNOWN, defaultVersion: UNKNOWN })] },
      { format: 'ts', outFile: 'p7apps.config.ts' },
    );
    const text = configText(files);
    expect(text).not.toMatch(/^ +(description|descriptionFile|allowCopy|thumbnail|defaultVersion):/m);
    expect(text).toContain('// not reported by the server, so unmanaged: description, copy permission, thumbnail and default version\n');
    expect(files.warnings).toEqual([]);
  });
});

describe('what catalogToFiles writes loads back as the catalog', () => {
  it.each(['ts', 'yaml', 'json'] as const)('as %s', async (format) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-import-files-'));
    created.push(dir);
    const outFile = path.join(dir, { ts: 'p7apps.config.mts', yaml: 'p7apps.config.yml', json: 'p7apps.config.json' }[format]);
    await writeImport(catalogToFiles(CATALOG, { format, outFile }), { cwd: dir });

    const desired = await loadConfig({ cwd: dir });
    expect(desired.serverUrl).toBe('https://pseven.example.com');
    expect(desired.apps.map((a) => a.name)).toEqual([
      'Archived A',
      'Archived B',
      'Beam calculator',
      'Bolted joint',
      'Heat exchanger',
      'Heat-Exchanger',
      'Partly listed',
      'Quoting: yes',
    ]);
    const beam = desired.apps.find((a) => a.name === 'Beam calculator')!;
    expect(beam).toMatchObject({
      workspace: { name: 'Structures' },
      description: LONG_DESCRIPTION.replace(/\r\n/g, '\n'),
      allowCopy: false,
      defaultVersion: 2,
      versions: [
        { version: 1, workflow: '/Users/1/BeamLegacy.p7wf' },
        { version: 2, workflow: '/Users/1/Beam.p7wf' },
        { version: 3, workflow: '/Users/1/Beam (beta).p7wf' },
      ],
    });
    expect(beam.thumbnail).toMatchObject({ mediaType: 'image/png', sha256: sha256(PNG) });
    const heat2 = desired.apps.find((a) => a.name === 'Heat-Exchanger')!;
    expect(heat2.description).toBe(LONG_LINE);
    expect(heat2.thumbnail).toMatchObject({ mediaType: 'image/svg+xml', sha256: sha256(SVG) });
    expect(heat2.defaultVersion).toBeUndefined();
    expect(desired.apps.find((a) => a.name === 'Heat exchanger')).toEqual({
      name: 'Heat exchanger',
      workspace: { name: 'Thermal design' },
      versions: [{ version: 1, workflow: '/Users/2/HeatExchanger.p7wf' }],
      defaultVersion: 1,
    });
    expect(desired.apps.find((a) => a.name === 'Quoting: yes')).toMatchObject({
      description: 'no',
      versions: [{ version: 1, workflow: '/Users/1/#1: "quoted" flow.p7wf' }],
    });
    expect(desired.apps.find((a) => a.name === 'Archived B')?.workspace).toEqual({ id: '21' });
    expect(desired.apps.find((a) => a.name === 'Bolted joint')).toMatchObject({ description: 'Bolts.  \n', versions: [{ version: 1 }] });
  });
});

describe('versions', () => {
  it('are declared ascending, each from the workflow its own record names', () => {
    const files = catalogToFiles(
      { ...CATALOG, apps: [app('V', { id: 'v', defaultVersion: 1, versions: [version('v', 3, '/c.p7wf'), version('v', 1, '/a.p7wf'), version('v', 2, '/b.p7wf')] })] },
      { format: 'ts', outFile: 'p7apps.config.ts' },
    );
    expect(configText(files)).toContain(
      ['        { version: 1, workflow: "/a.p7wf" },', '        { version: 2, workflow: "/b.p7wf" },', '        { version: 3, workflow: "/c.p7wf" },'].join('\n'),
    );
  });
});

describe('descriptions load back exactly as the server holds them', () => {
  const ODD = [
    ['trailing spaces', 'Ends with spaces.   '],
    ['a trailing line break', 'One line.\n'],
    ['tabs, quotes and backslashes', 'Tab\there, "quoted", \\back\\slashes\\'],
    ['template and comment syntax', '`${process.exit()}` */ // <!-- #'],
    ['YAML-looking text', '- yes: no\n? [a, b]\n&anchor *alias'],
    ['line and paragraph separators', 'a\u2028b\u2029c'],
    ['a byte-order mark and several lines', '\uFEFFfirst\nsecond\n'],
    ['leading blank lines', '\n\n  indented after blank lines'],
    ['nothing at all', ''],
  ] as const;

  it.each(['ts', 'yaml', 'json'] as const)('as %s', async (format) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-import-odd-'));
    created.push(dir);
    const apps = ODD.map(([name, description]) => app(name, { description }));
    // .mts: an ES module wherever it is (vitest cannot load a CommonJS config that imports 'p7apps'; the built CLI can).
    const outFile = path.join(dir, { ts: 'p7apps.config.mts', yaml: 'p7apps.config.yaml', json: 'p7apps.config.json' }[format]);
    await writeImport(catalogToFiles({ ...CATALOG, apps }, { format, outFile }), { cwd: dir });
    const desired = await loadConfig({ cwd: dir });
    expect(Object.fromEntries(desired.apps.map((a) => [a.name, a.description]))).toEqual(Object.fromEntries(ODD));
  });
});

describe('where a YAML or JSON config points $schema', () => {
  it.each([
    ['beside node_modules/p7apps', { 'node_modules/p7apps/schema/p7apps.schema.json': '{}' }, '.', './node_modules/p7apps/schema/p7apps.schema.json'],
    ['two folders below it', { 'node_modules/p7apps/schema/p7apps.schema.json': '{}' }, 'infra/apps', '../../node_modules/p7apps/schema/p7apps.schema.json'],
    ['below a project p7apps is not installed in yet', { 'package.json': '{}' }, 'config', '../node_modules/p7apps/schema/p7apps.schema.json'],
    ['in a folder of its own, no project around', {}, 'catalog', './node_modules/p7apps/schema/p7apps.schema.json'],
  ] as const)('%s', async (_name, tree, folder, expected) => {
    const root = await mkdtemp(path.join(tmpdir(), 'p7apps-schema-ref-'));
    created.push(root);
    for (const [file, content] of Object.entries(tree)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), content);
    }
    expect(await schemaReferenceFor(path.join(root, folder))).toBe(expected);
  });
});
