import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { bundledPackageDirs, packageDirOf } from '../../scripts/notices.mjs';

// `npm test` builds first, so the bundle and its notices are there.
const NOTICES = new URL('../../dist/bundle/THIRD_PARTY_NOTICES.md', import.meta.url);

describe('third-party notices of the CLI bundle', () => {
  it.each([
    ['node_modules/diff/libesm/diff/base.js', 'node_modules/diff'],
    ['node_modules/@babel/code-frame/lib/index.js', 'node_modules/@babel/code-frame'],
    ['node_modules/cliui/node_modules/string-width/index.js', 'node_modules/cliui/node_modules/string-width'],
    ['dist/cli/main.js', undefined],
  ])('%s belongs to package %s', (input, dir) => {
    expect(packageDirOf(input)).toBe(dir);
  });

  it('counts only packages that contributed bytes', () => {
    const metafile = {
      outputs: {
        'dist/bundle/a.js': { inputs: { 'node_modules/zod/index.js': { bytesInOutput: 10 }, 'node_modules/unused/x.js': { bytesInOutput: 0 }, 'dist/x.js': { bytesInOutput: 5 } } },
      },
    };
    expect(bundledPackageDirs(metafile)).toEqual(['node_modules/zod']);
  });

  it('ship with the bundle, with the licence text of every bundled dependency', () => {
    expect(existsSync(NOTICES)).toBe(true);
    const text = readFileSync(NOTICES, 'utf8');
    for (const [name, licence, phrase] of [
      ['diff', 'BSD-3-Clause', 'Redistribution and use in source and binary forms'],
      ['yargs', 'MIT', 'Permission is hereby granted'],
      ['zod', 'MIT', 'Permission is hereby granted'],
      ['cosmiconfig', 'MIT', 'Permission is hereby granted'],
      ['yaml', 'ISC', 'Permission to use, copy, modify'],
    ]) {
      const section = new RegExp(`## ${name}@[^\\n]+\\n\\nLicence: ${licence}\\n\\n\`\`\`\\n[\\s\\S]*?${phrase}`);
      expect(text).toMatch(section);
    }
  });

  it('the package ships the MIT licence it declares', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8')).toMatch(/^MIT License/);
    expect(manifest.files).toEqual(expect.arrayContaining(['LICENSE', 'dist/', '!dist/**/*.map', 'examples/']));
    expect(manifest.scripts.prepare).toBeUndefined();
    expect(manifest.scripts.prepack).toBe('npm run build');
  });
});
