// A path typed on the command line (or put together by a CI script from a
// branch name) is text from outside like any other: a line break or an
// escape in it is shown escaped, never as a line of its own that could pass
// for p7apps' output. Messages built as a list (a config's problems, an
// import's clashes) keep their own lines, each escaped on its own.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellWord } from '../../src/cli/options.js';
import { errorText } from '../../src/cli/output.js';
import { ConfigError } from '../../src/config/errors.js';
import { P7appsError, UsageError } from '../../src/errors.js';
import { ImportClashError } from '../../src/import/write.js';
import { FORGED, forgedLines, RAW_UNSAFE } from '../fixtures/hostile-strings.js';
import { runCli } from '../helpers/cli.js';

const HOSTILE_NAME = `plan\n${FORGED}\u001b[2J\u202e.json`;

describe('a typed path in a message', () => {
  it.each([
    ['apply FILE that does not exist', (dir: string) => ['apply', path.join(dir, HOSTILE_NAME)]],
    ['plan --out into a folder that does not exist', (dir: string) => ['plan', '--server', 'http://127.0.0.1:9', '--out', path.join(dir, HOSTILE_NAME, 'plan.json')]],
    ['validate --config that does not exist', (dir: string) => ['validate', '--config', path.join(dir, HOSTILE_NAME)]],
    ['show FILE that does not exist', (dir: string) => ['show', path.join(dir, HOSTILE_NAME)]],
  ])('%s: exit 1, the path on its line, escaped', async (_, argv) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'p7apps-typed-'));
    const run = await runCli(argv(dir), { cwd: dir, env: { P7APPS_TOKEN: 't' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: /);
    expect(forgedLines(run.stderr)).toEqual([]);
    expect(run.stderr.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
    // The path is there, escaped: the person can still tell which file it was.
    expect(run.stderr).toContain(`plan\\n${FORGED}\\x1b[2J\\u202e.json`);
  });
});

describe('errorText', () => {
  it.each([
    ['a P7appsError', new P7appsError(`cannot read the plan ${HOSTILE_NAME}: no such file`, { hint: `Save one first, not ${HOSTILE_NAME}.` }), 2],
    ['a UsageError', new UsageError(`--out ${HOSTILE_NAME}: the folder does not exist`), 1],
  ])('%s is one line, and its hint one more, whatever the values in them hold', (_, err, lines) => {
    const text = errorText(err, {});
    expect(text.trimEnd().split('\n')).toHaveLength(lines);
    expect(forgedLines(text)).toEqual([]);
    expect(text.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
  });

  it('a message built as a list keeps its lines, each escaped on its own', () => {
    const err = new P7appsError(`two things:\n  first ${HOSTILE_NAME.replace(/\n/g, '\\n')}\n  second`, { multiline: true });
    expect(errorText(err, {}).trimEnd().split('\n')).toEqual(['Error: two things:', `  first plan\\n${FORGED}\\x1b[2J\\u202e.json`, '  second']);
  });

  it('a config with two problems: a line for each, a line break in a file name escaped', () => {
    const err = new ConfigError([
      { file: HOSTILE_NAME, path: 'apps[0].name', message: 'is required' },
      { file: HOSTILE_NAME, path: 'apps[1].name', message: 'is required' },
    ]);
    const lines = errorText(err, {}).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('Error: the config has 2 problems:');
    expect(forgedLines(lines.join('\n'))).toEqual([]);
  });

  it("an import's clashes: a line for each, a line break in a path escaped", () => {
    const err = new ImportClashError(
      [
        { path: path.join('/tmp', HOSTILE_NAME), problem: 'exists', forceable: true },
        { path: '/tmp/apps', problem: 'is a file where a folder goes', forceable: false },
      ],
      '/tmp',
    );
    const lines = errorText(err, {}).trimEnd().split('\n');
    expect(lines).toHaveLength(4); // the message, two clashes, the hint
    expect(lines[1]).toBe(`  plan\\n${FORGED}\\x1b[2J\\u202e.json: exists`);
    expect(forgedLines(lines.join('\n'))).toEqual([]);
  });
});

describe('shellWord', () => {
  it.each([
    ['a plain path', 'plans/main.json', 'plans/main.json'],
    ['a space', 'my plan.json', "'my plan.json'"],
    ['a quote', "it's.json", "'it'\\''s.json'"],
    ['a line break', 'a\nb', "$'a\\nb'"],
    ['an escape, a quote and a backslash', "x'\\\u001b[31m", "$'x\\'\\\\\\x1b[31m'"],
    ['a bidi override', 'rtl\u202egnp', "$'rtl\\xe2\\x80\\xaegnp'"],
    ['a tag character beyond U+FFFF', 'tag\u{e0041}', "$'tag\\xf3\\xa0\\x81\\x81'"],
    ['a C1 control (NEL)', 'nel\u0085x', "$'nel\\xc2\\x85x'"],
  ])('%s: %j', (_, text, word) => {
    expect(shellWord(text)).toBe(word);
  });

  // What the hint tells a person to paste must name the same file when a shell reads it.
  // In any locale: bash reads \u escapes by it, and not at all under LC_ALL=C.
  it.each(
    [['a\nb'], ["x'\\\u001b[31m"], ['rtl\u202egnp'], ['tag\u{e0041}'], ['nel\u0085x'], ['soft\u00adhyphen'], ["it's here.json"], ['plain.json']].flatMap(([text]) =>
      ['C', 'C.UTF-8'].map((locale) => [text!, locale] as const),
    ),
  )('bash reads %j back exactly (LC_ALL=%s)', (text, locale) => {
    const run = spawnSync('bash', ['-c', `printf '%s' ${shellWord(text)}`], { env: { ...process.env, LC_ALL: locale } });
    expect(run.status).toBe(0);
    expect(run.stdout.toString('utf8')).toBe(text);
  });

  it('a word with an unsafe character shows none raw', () => {
    expect(shellWord(HOSTILE_NAME)).not.toMatch(RAW_UNSAFE);
  });
});
