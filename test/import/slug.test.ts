// Slugs for apps' folders: safe on every file system, and distinct even when
// names differ only in case or punctuation.

import { describe, expect, it } from 'vitest';
import { assignSlugs, MAX_SLUG_LENGTH, slugBase } from '../../src/import/slug.js';

describe('slugBase', () => {
  it.each([
    ['Beam calculator', 'beam-calculator'],
    ['Bolted joint (VDI 2230)', 'bolted-joint-vdi-2230'],
    ['  --Heat   exchanger!!  ', 'heat-exchanger'],
    ['Wärmeübertrager Größe', 'warmeubertrager-gro-e'],
    ['Калькулятор', 'app'],
    ['../../etc/passwd', 'etc-passwd'],
    ['CON', 'con-app'],
    ['lpt1', 'lpt1-app'],
    ['a/b\\c:d*e?f"g<h>i|j', 'a-b-c-d-e-f-g-h-i-j'],
    ['x'.repeat(100), 'x'.repeat(MAX_SLUG_LENGTH)],
    [`${'ab-'.repeat(16)}cd`, 'ab-'.repeat(16).slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '')],
  ])('%j -> %j', (name, slug) => {
    expect(slugBase(name)).toBe(slug);
    expect(slugBase(name)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe('assignSlugs', () => {
  it.each<[string, string[], string[]]>([
    ['distinct names keep their slugs', ['Beam', 'Bolt'], ['beam', 'bolt']],
    ['names that differ only in case', ['Toy app', 'toy app', 'TOY APP'], ['toy-app', 'toy-app-2', 'toy-app-3']],
    ['names that differ only in punctuation', ['Toy app', 'toy-app', 'Toy_app!'], ['toy-app', 'toy-app-2', 'toy-app-3']],
    ['a suffix another name asks for is skipped', ['Toy app', 'toy-app', 'Toy app 2'], ['toy-app', 'toy-app-3', 'toy-app-2']],
    ['names with nothing sluggable', ['Калькулятор', 'Рассчёт'], ['app', 'app-2']],
  ])('%s', (_name, names, slugs) => {
    expect(assignSlugs(names)).toEqual(slugs);
    expect(new Set(assignSlugs(names).map((s) => s.toLowerCase())).size).toBe(names.length);
  });
});
