import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { helpExamples } from '../../scripts/package-smoke.mjs';
import { helpWidth, HELP_WIDTH } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

const COMMANDS = ['validate', 'plan', 'show', 'apply', 'drift', 'check', 'import', 'doctor', 'emulator', 'completion'];

describe('--help examples', () => {
  it.each(COMMANDS)('%s --help: every example command stands on one line, whole', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    const section = run.stdout.split('\n');
    const start = section.findIndex((line) => line.trim() === 'Examples:');
    if (start < 0) return expect(command).toBe('completion');
    const lines = section.slice(start + 1, section.indexOf('', start + 1));
    // A line of the section is an example (starts with the program name) or the
    // continuation of a description, indented to the description column: never
    // the rest of a command broken in two.
    for (const line of lines) expect(line).toMatch(/^ {2}p7apps |^ {20,}\S/);
    const examples: string[] = helpExamples(run.stdout);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) expect(example.startsWith('p7apps ')).toBe(true);
  });

  it.each([
    [undefined, HELP_WIDTH],
    [0, HELP_WIDTH],
    [200, HELP_WIDTH],
    [HELP_WIDTH, HELP_WIDTH],
    [80, null],
  ])('a terminal of %s columns lays help out %s wide (null: unwrapped)', (columns, width) => {
    expect(helpWidth(columns)).toBe(width);
  });
});
