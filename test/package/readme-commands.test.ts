import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { readmeCommands } from '../../scripts/package-smoke.mjs';

describe("the README's commands, as the package smoke test runs them", () => {
  it('are found in its shell blocks, in order, without trailing comments', () => {
    const readme = ['```sh', 'npm ci', 'npx p7apps import     # write it', 'export X=1', 'npx p7apps plan', '```', 'text npx p7apps no', '```ts', 'npx p7apps nope', '```'].join('\n');
    expect(readmeCommands(readme)).toEqual(['npx p7apps import', 'npx p7apps plan']);
  });

  it("include the quick start's adoption steps", () => {
    const commands: string[] = readmeCommands(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'));
    expect(commands).toEqual(expect.arrayContaining(['npx p7apps import', 'npx p7apps plan']));
    // The server and token come first: the commands that read the server follow the exports.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme.indexOf('export P7APPS_URL')).toBeLessThan(readme.indexOf('npx p7apps import'));
    expect(readme.indexOf('export P7APPS_TOKEN')).toBeLessThan(readme.indexOf('npx p7apps import'));
  });
});
