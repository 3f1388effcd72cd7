import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinSeedFile, builtinSeedNames } from '../../src/emulator/builtin-seeds.js';
import { loadSeedFile, SeedError } from '../../src/emulator/seed.js';

describe('built-in seeds', () => {
  it('are the seeds shipped in examples/seeds', () => {
    expect(builtinSeedNames()).toEqual(expect.arrayContaining(['guide', 'toy']));
  });

  it.each([
    ['toy', 'toy.yaml'],
    ['guide', 'guide.json'],
    ['nosuch', undefined],
    ['../toy', undefined],
    ['toy.yaml', undefined],
  ])('the name %j is the packaged file %s', (name, file) => {
    const found = builtinSeedFile(name);
    expect(found === undefined ? undefined : path.basename(found)).toBe(file);
  });

  it('load by name from a folder that has no such file', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'p7apps-seed-'));
    const seed = await loadSeedFile('toy', empty);
    expect(seed.apps.map((a) => a.name)).toEqual(['Beam calculator', 'Heat exchanger']);
  });

  it('give way to a file of that name in the current folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'p7apps-seed-'));
    writeFileSync(path.join(dir, 'toy'), 'users: [{ username: own@work.org, password: pw }]\n');
    const seed = await loadSeedFile('toy', dir);
    expect(seed.users.map((u) => u.username)).toEqual(['own@work.org']);
  });

  it('are listed when a seed is not found', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'p7apps-seed-'));
    const failure = await loadSeedFile('nosuch', empty).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SeedError);
    expect((failure as SeedError).message).toContain('does not exist');
    expect((failure as SeedError).hint).toMatch(/Built-in seeds: .*guide.*toy/);
  });
});
