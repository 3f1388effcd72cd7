// Builds the licence notices of the third-party packages that an esbuild
// bundle inlines. A package counts when any of its files contributed bytes
// to an output; its notice is its name, version, SPDX licence and the text of
// its licence file. A bundled package without a licence file fails the build:
// shipping its code without its notice would break its licence.

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

/** `node_modules/a/b.js` -> `node_modules/a`; `node_modules/@s/a/b.js` -> `node_modules/@s/a` (nested node_modules too). */
export function packageDirOf(input) {
  const parts = input.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const width = parts[at + 1]?.startsWith('@') ? 3 : 2;
  return parts.slice(0, at + width).join('/');
}

/** The package directories whose files contributed bytes to some output of the metafile, sorted. */
export function bundledPackageDirs(metafile) {
  const dirs = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, use] of Object.entries(output.inputs)) {
      if (use.bytesInOutput === 0) continue;
      const dir = packageDirOf(input);
      if (dir) dirs.add(dir);
    }
  }
  return [...dirs].sort();
}

const LICENCE_FILE = /^(licen[cs]e|copying|notice)([-.][a-z0-9.-]*)?$/i;

export async function thirdPartyNotices(root, metafile) {
  const sections = [];
  const seen = new Set();
  for (const dir of bundledPackageDirs(metafile)) {
    const manifest = JSON.parse(await readFile(path.join(root, dir, 'package.json'), 'utf8'));
    const key = `${manifest.name}@${manifest.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const files = (await readdir(path.join(root, dir))).filter((name) => LICENCE_FILE.test(name)).sort();
    if (files.length === 0) throw new Error(`${key} is bundled into dist/bundle but has no licence file to ship with it`);
    const texts = await Promise.all(files.map((name) => readFile(path.join(root, dir, name), 'utf8')));
    const licence = typeof manifest.license === 'string' ? manifest.license : 'see below';
    sections.push([key, `## ${key}\n\nLicence: ${licence}\n\n\`\`\`\n${texts.map((t) => t.trim()).join('\n\n')}\n\`\`\`\n`]);
  }
  return [
    '# Third-party notices',
    '',
    "p7apps' command-line bundle (dist/bundle/) includes code from the packages below,",
    'each under its own licence, reproduced here.',
    '',
    ...sections.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, text]) => text),
  ].join('\n');
}
