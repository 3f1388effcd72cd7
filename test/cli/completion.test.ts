import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { completionScript, defaultShell } from '../../src/cli/commands/completion.js';
import { runCli } from '../helpers/cli.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/p7apps.js');

describe('p7apps completion', () => {
  it.each([
    [['completion', 'bash'], '###-begin-p7apps-completions-###', 'complete -o bashdefault -o default -F _p7apps_completions p7apps'],
    [['completion', 'zsh'], '#compdef p7apps', 'compdef _p7apps_completions p7apps'],
  ])('%j prints the script for that shell', async (args, first, registers) => {
    const run = await runCli(args);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(first)).toBe(true);
    expect(run.stdout).toContain(registers);
  });

  it.each([
    ['/bin/zsh', 'zsh'],
    ['/usr/local/bin/zsh', 'zsh'],
    ['/bin/bash', 'bash'],
    ['/usr/bin/fish', 'bash'],
    [undefined, 'bash'],
  ])('without a shell named, SHELL=%s gets the %s script', (shell, expected) => {
    expect(defaultShell(shell === undefined ? {} : { SHELL: shell })).toBe(expected);
  });

  it('--help shows help, not the script', async () => {
    const run = await runCli(['completion', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('p7apps completion [bash|zsh]');
    expect(run.stdout).not.toContain('###-begin');
  });

  it('a shell it has no script for is a usage error naming the ones it has', async () => {
    const run = await runCli(['completion', 'fish']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no script for the shell "fish"');
    expect(run.stderr).toContain('bash, zsh');
  });

  it('the bash script completes through a p7apps installed in node_modules/.bin, with none on PATH', () => {
    const project = mkdtempSync(path.join(tmpdir(), 'p7apps-completion-'));
    mkdirSync(path.join(project, 'node_modules/.bin'), { recursive: true });
    mkdirSync(path.join(project, 'src/deep'), { recursive: true });
    writeFileSync(path.join(project, 'node_modules/.bin/p7apps'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const script = path.join(project, 'completion.bash');
    writeFileSync(script, completionScript('bash'));
    const result = spawnSync('bash', ['-c', `source "${script}"; COMP_WORDS=(p7apps dr); COMP_CWORD=1; _p7apps_completions; printf '%s\\n' "\${COMPREPLY[@]}"`], {
      cwd: path.join(project, 'src/deep'),
      env: { PATH: '/usr/bin:/bin', HOME: project },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual(['drift']);
  });
});
