// The quick road through the config schema (src/config/quick-parse.ts) must
// give zod's answer exactly: the same output (keys in the same order, a
// present undefined kept) for a config zod accepts, and zod's own issues for
// one it refuses. Checked on hand-picked edge cases and on thousands of
// seeded random variations of a full config.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appSchema, configSchema, versionSchema } from '../../src/config/schema.js';
import { quickParse, safeParseQuickly, UNSURE } from '../../src/config/quick-parse.js';

/** A serialisation that keeps key order and tells undefined from absent. */
function exact(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? '<undefined>' : typeof v === 'number' && !Number.isFinite(v) ? `<${v}>` : v));
}

function answer(result: z.ZodSafeParseResult<unknown>): string {
  return result.success ? exact({ data: result.data }) : exact({ issues: result.error.issues });
}

function sameAsZod(schema: z.ZodType, value: unknown): void {
  expect(answer(safeParseQuickly(schema, value))).toBe(answer(schema.safeParse(value)));
}

const flow = (version: number) => ({ version, workflow: `/Users/1/apps/Flow${version}.p7wf` });

/** Every key the schema has, checks included. */
const fullConfig = () => ({
  $schema: './node_modules/p7apps/schema.json',
  server: { url: 'https://pseven.example.com' },
  strict: true,
  defaults: { workspace: { name: 'Toy apps', id: '7' }, allowCopy: false, thumbnail: 'thumbs/app.png', onWorkflowChange: 'report' },
  safety: { maxRepublishPercent: 50, maxRepublishApps: 3 },
  apps: [
    {
      name: 'Beam',
      workspace: 'Toy apps',
      description: 'Deflection of a beam.\nTwo lines.',
      thumbnail: 'thumbs/beam.png',
      allowCopy: true,
      versions: [flow(1), { ...flow(2), onWorkflowChange: 'ignore', checks: [{ name: 'smoke' }] }],
      defaultVersion: 2,
      protect: false,
      checks: [{ name: 'loads', parameters: { 'Block/Load': 3, mode: 'fast' }, expect: { deflection: { number: 1.5, tolerance: 0.1 }, ok: true, list: { equals: [1, 2] } }, timeoutSeconds: 60, personal: true }],
      onWorkflowChange: 'republish',
    },
    { name: 'Plate', descriptionFile: 'PLATE.md', versions: [flow(3)] },
  ],
});

/** A catalog as most are written: no checks, no server, no URL (the quick road needs zod for no node of it). */
const plainCatalog = () => ({
  defaults: { workspace: 'Bench apps' },
  apps: Array.from({ length: 30 }, (_, i) => ({
    name: `app-${i}`,
    description: `App number ${i}`,
    ...(i % 3 === 0 ? { thumbnail: 'thumbs/app.png' } : {}),
    allowCopy: i % 2 === 0,
    defaultVersion: 2,
    versions: [flow(1), flow(2)],
  })),
});

describe('the quick road gives zod\'s answer', () => {
  it('takes a plain catalog without zod, with zod\'s output', () => {
    const config = plainCatalog();
    const quick = quickParse(configSchema, config);
    expect(quick).not.toBe(UNSURE);
    expect(exact(quick)).toBe(exact(configSchema.parse(config)));
  });

  it('accepts a config using every key (checks and the URL through zod), with zod\'s output', () => {
    const config = fullConfig();
    expect(quickParse(configSchema, config)).not.toBe(UNSURE);
    sameAsZod(configSchema, config);
  });

  it.each<[string, unknown]>([
    ['a present undefined optional key', { apps: [{ name: 'A', workspace: 'W', description: undefined, versions: [flow(1)] }] }],
    ['keys in another order than the schema\'s', { apps: [{ versions: [{ workflow: '/Users/1/F.p7wf', version: 1 }], workspace: { id: '7', name: 'W' }, name: 'A' }] }],
    ['an empty apps list', { apps: [] }],
    ['a prototype-less object', Object.assign(Object.create(null) as object, { apps: [] })],
  ])('accepts %s as zod does', (_name, config) => {
    expect(quickParse(configSchema, config)).not.toBe(UNSURE);
    sameAsZod(configSchema, config);
  });

  const long = (n: number, unit = 'a') => unit.repeat(n);
  it.each<[string, z.ZodType, unknown]>([
    ['an unknown key', configSchema, { apps: [], colour: 'blue' }],
    ['an inherited enumerable key', configSchema, Object.assign(Object.create({ colour: 'blue' }) as object, { apps: [] })],
    ['an own __proto__ key', configSchema, JSON.parse('{"apps": [], "__proto__": {"x": 1}}')],
    ['a missing required key', versionSchema, { version: 1 }],
    ['a required key present as undefined', versionSchema, { version: 1, workflow: undefined }],
    ['a version past 2^53', versionSchema, { version: 1e20, workflow: '/Users/1/F.p7wf' }],
    ['a fractional version', versionSchema, { version: 1.5, workflow: '/Users/1/F.p7wf' }],
    ['NaN', versionSchema, { version: Number.NaN, workflow: '/Users/1/F.p7wf' }],
    ['Infinity', versionSchema, { version: Number.POSITIVE_INFINITY, workflow: '/Users/1/F.p7wf' }],
    ['a version as a string', versionSchema, { version: '1', workflow: '/Users/1/F.p7wf' }],
    ['a relative workflow', versionSchema, { version: 1, workflow: 'Users/1/F.p7wf' }],
    ['a ".." segment', versionSchema, { version: 1, workflow: '/Users/../F.p7wf' }],
    ['an unknown policy', versionSchema, { ...flow(1), onWorkflowChange: 'Republish' }],
    ['an empty name', appSchema, { name: '', versions: [flow(1)] }],
    ['a name with a tab', appSchema, { name: 'a\tb', versions: [flow(1)] }],
    ['a name with a zero-width space', appSchema, { name: 'a\u200bb', versions: [flow(1)] }],
    ['a name with outer whitespace', appSchema, { name: ' a', versions: [flow(1)] }],
    ['a lone surrogate name', appSchema, { name: '\ud83d', versions: [flow(1)] }],
    ['a name at its bound', appSchema, { name: long(200), versions: [flow(1)] }],
    ['a name one past its bound', appSchema, { name: long(201), versions: [flow(1)] }],
    ['a name of astral characters past the bound in units, not in code points', appSchema, { name: long(150, '😀'), versions: [flow(1)] }],
    ['no versions', appSchema, { name: 'A', versions: [] }],
    ['a sparse versions list', appSchema, { name: 'A', versions: [flow(1), , flow(3)] }], // eslint-disable-line no-sparse-arrays
    ['versions as an object', appSchema, { name: 'A', versions: { 0: flow(1) } }],
    ['a workspace as a number', appSchema, { name: 'A', workspace: 7, versions: [flow(1)] }],
    ['a workspace as an empty string', appSchema, { name: 'A', workspace: '', versions: [flow(1)] }],
    ['a workspace id with a space', appSchema, { name: 'A', workspace: { id: '7 8' }, versions: [flow(1)] }],
    ['a workspace list', appSchema, { name: 'A', workspace: ['W'], versions: [flow(1)] }],
    ['a Date as an app', configSchema, { apps: [new Date(0)] }],
    ['a null app', configSchema, { apps: [null] }],
    ['a config that is a list', configSchema, []],
    ['a URL that is not http', configSchema, { server: { url: 'ftp://x' }, apps: [] }],
    ['a check with a bad expectation', appSchema, { name: 'A', versions: [flow(1)], checks: [{ name: 'c', expect: { r: { number: 1 } } }] }],
    ['a percentage past 100', configSchema, { safety: { maxRepublishPercent: 101 }, apps: [] }],
    ['a description with a control character', appSchema, { name: 'A', description: 'a\u0000b', versions: [flow(1)] }],
  ])('answers %s as zod does', (_name, schema, value) => {
    sameAsZod(schema, value);
  });

  it('follows a schema that holds itself without building it forever', () => {
    const tree: z.ZodType = z.strictObject({
      name: z.string().min(1),
      get child() {
        return tree.optional();
      },
    });
    const value = { name: 'a', child: { name: 'b', child: { name: 'c' } } };
    expect(quickParse(tree, value)).not.toBe(UNSURE);
    sameAsZod(tree, value);
    sameAsZod(tree, { name: 'a', child: { name: '' } });
  });

  it.each([
    ['a full config', fullConfig],
    ['a plain catalog', plainCatalog],
  ])('answers thousands of seeded random variations of %s as zod does', (_name, make) => {
    const random = seeded(20261205);
    let quick = 0;
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      const config = mutate(make(), random, 1 + Math.floor(random() * 2));
      sameAsZod(configSchema, config);
      if (quickParse(configSchema, config) !== UNSURE) quick += 1;
      if (configSchema.safeParse(config).success) accepted += 1;
    }
    // Both roads were taken: many variations stay valid, many do not.
    expect(quick).toBeGreaterThan(100);
    expect(accepted - quick).toBeLessThan(accepted / 2);
    expect(2000 - accepted).toBeGreaterThan(100);
  });

  it('answers every config the examples and fixtures hold as zod does', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const files = [...jsonFiles(path.join(root, 'examples')), ...jsonFiles(path.join(root, 'test/fixtures'))].filter((file) => /config/i.test(path.basename(file)));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) sameAsZod(configSchema, JSON.parse(readFileSync(file, 'utf8')));
  });
});

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values that sit on the edges of the schema's rules. */
const ODD_VALUES: unknown[] = [
  undefined, null, true, 0, -1, 1, 1.5, 2 ** 53, 1e20, Number.NaN, Number.POSITIVE_INFINITY, '', ' ', 'x', ' x', 'x ', '1', 'true',
  'a\tb', 'a\nb', 'a\u200bb', 'a\u202eb', '\ud83d', '😀', '/Users/1/F.p7wf', '/Users/1/./F.p7wf', '/Users//F.p7wf', 'Users/F.p7wf', '/Users/1/F.txt',
  'republish', 'report', 'ignore', 'Report', 'https://h.example', 'http://u:p@h.example', 'ftp://h', 'x'.repeat(201), '😀'.repeat(150),
  [], [1], {}, { name: 'W' }, { id: '7' }, { name: 'W', id: '7', x: 1 }, { equals: 1 }, { number: 1, tolerance: -1 },
];

/** `count` random edits anywhere in the value: replace a value, delete a key, add a key. */
function mutate(value: unknown, random: () => number, count: number): unknown {
  for (let n = 0; n < count; n++) {
    const places = containers(value);
    const [holder] = places[Math.floor(random() * places.length)]!;
    const keys = Object.keys(holder);
    const pick = <T>(list: readonly T[]) => structuredClone(list[Math.floor(random() * list.length)]!);
    const roll = random();
    if (roll < 0.6 && keys.length > 0) (holder as Record<string, unknown>)[pick(keys)] = pick(ODD_VALUES);
    else if (roll < 0.8 && keys.length > 0) delete (holder as Record<string, unknown>)[pick(keys)];
    else (holder as Record<string, unknown>)[pick(['name', 'workspace', 'extra', 'version', 'id', 'checks', 'url'])] = pick(ODD_VALUES);
  }
  return value;
}

function containers(value: unknown, found: [object][] = []): [object][] {
  if (typeof value === 'object' && value !== null) {
    found.push([value]);
    for (const child of Object.values(value)) containers(child, found);
  }
  return found;
}
