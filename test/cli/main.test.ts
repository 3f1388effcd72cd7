import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('p7apps command line', () => {
  it('prints help with every command and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('p7apps <command>');
    expect(run.stdout).toContain('Exit codes: 0 no changes');
  });

  it.each([
    ['no command', [], /Name a command/],
    ['an unknown command', ['plna'], /Unknown argument: plna|Did you mean plan/],
    ['an unknown flag never runs the command', ['plan', '--bogus', '--server', 'http://127.0.0.1:9'], /Unknown argument: bogus/],
  ])('rejects %s with exit code 1 and no stack trace', async (_name, args, message) => {
    const run = await runCli(args as string[]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\bat .+\.(ts|js):\d+/);
    // The server at port 9 would refuse the connection: reaching it would show in the output.
    expect(run.stdout + run.stderr).not.toMatch(/ECONNREFUSED|Could not reach/);
  });
});

describe('a flag given without its value', () => {
  it.each([
    ['plan', '--app'],
    ['plan', '--config'],
    ['plan', '--out'],
    ['plan', '--server'],
    ['apply', '--config'],
    ['drift', '--server'],
    ['import', '--out'],
    ['validate', '--config'],
  ])('%s %s is a usage error naming the flag, not a bug', async (command, flag) => {
    const run = await runCli([command, flag]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Error: ${flag} needs a value`);
    expect(run.stderr).not.toMatch(/unexpected failure|bug in p7apps/);
  });
});

describe('an HTTP client the environment names that p7apps does not have', () => {
  it.each([['plan'], ['drift'], ['doctor'], ['apply', '--auto-approve']])('%s stops before any request, naming P7APPS_HTTP_CLIENT and its values, and never echoes it', async (command, ...flags) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'p7apps-http-client-'));
    writeFileSync(path.join(dir, 'p7apps.config.json'), JSON.stringify({ apps: [] }));
    const run = await runCli([command, ...flags, '--server', 'http://127.0.0.1:9'], { cwd: dir, env: { P7APPS_HTTP_CLIENT: 'curl\u001b[2J', P7APPS_TOKEN: 'token-0123456789' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: P7APPS_HTTP_CLIENT names an HTTP client p7apps does not have');
    expect(run.stderr).toContain('Set it to socket or node');
    expect(run.stdout + run.stderr).not.toMatch(/curl|\u001b|ECONNREFUSED|Could not reach/);
    expect(run.stderr).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });
});
