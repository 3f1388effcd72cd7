// The repository is complete on its own: every relative link in the README
// and docs/ resolves to a file of the repository (and to a heading of it,
// for an anchor), and nothing in the docs, the code or the examples points
// outside the repository.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCS = ['README.md', 'CHANGELOG.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
}

/** Relative links of a Markdown file, code blocks and inline code left out. */
function linksIn(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('documentation links', () => {
  const cases = DOCS.flatMap((file) => linksIn(file).map((target) => [file, target] as const));

  it('there are links to check', () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  it.each(cases)('%s -> %s resolves inside the repository', (file, target) => {
    const [pathPart, anchor] = target.split('#') as [string, string | undefined];
    const resolved = pathPart === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(pathPart));
    expect(path.relative(ROOT, resolved).startsWith('..'), `${target} leaves the repository`).toBe(false);
    expect(existsSync(resolved), `${target} does not exist`).toBe(true);
    if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md')) {
      expect([...anchorsIn(resolved)], `${target}: no heading with that anchor`).toContain(anchor);
    }
  });
});

describe('nothing points outside the repository', () => {
  function filesUnder(dir: string): string[] {
    return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    );
  }
  const files = ['README.md', ...['docs', 'src', 'examples', 'scripts'].flatMap(filesUnder)].filter((f) => /\.(md|ts|mjs|js|ya?ml|json)$/.test(f));

  it.each(files)('%s', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    expect(text).not.toMatch(/\.\.\/shared\/|\/work\/(main|shared)/);
  });
});
