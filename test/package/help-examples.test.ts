// The package smoke test (scripts/package-smoke.mjs) runs every --help example
// of every command the top-level --help lists, in a project imported from the
// packaged toy seed. Here, without packing: it finds every command the CLI
// registers, and each example names only apps and workspaces that project has.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commands } from '../../src/cli/commands/index.js';
import type { CliContext } from '../../src/cli/context.js';
// @ts-expect-error: a plain ES module script without types
import { helpCommands, helpExamples } from '../../scripts/package-smoke.mjs';
import { runCli } from '../helpers/cli.js';

/** Every command's name as the CLI registers it ("show <plan>" is show). */
const registered = commands.map((factory) => String(factory({} as CliContext).command).split(' ')[0]!);
const toy = parse(readFileSync(new URL('../../examples/seeds/toy.yaml', import.meta.url), 'utf8')) as { apps: Array<{ name: string }>; workspaces: Array<{ id: string; name: string }> };

describe('the help examples the package smoke test runs', () => {
  it('reads the commands from a top-level --help', () => {
    const help = ['p7apps <command>', '', 'Commands:', '  p7apps plan         Read the server', '  p7apps apply [plan]  Publish', '                       what it says', '', 'Options:', '  --version'].join('\n');
    expect(helpCommands(help)).toEqual(['plan', 'apply']);
  });

  it('are those of every command the CLI registers, check included', async () => {
    const { stdout } = await runCli(['--help']);
    expect(helpCommands(stdout)).toEqual(registered);
    expect(registered).toContain('check');
  });

  it.each(registered)('%s: its examples name only apps and workspaces of the toy seed, the smoke project imports', async (command) => {
    const { stdout } = await runCli([command, '--help']);
    const examples: string[] = helpExamples(stdout);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      for (const [, flag, name] of example.matchAll(/--(app|exclude-app|workspace) "([^"]+)"/g)) {
        const known = flag === 'workspace' ? toy.workspaces.flatMap((w) => [w.name, w.id]) : toy.apps.map((a) => a.name);
        expect(known, `${example}: --${flag} "${name}"`).toContain(name);
      }
    }
  });
});
