// The real CLI against a server whose every text field holds hostile text
// (terminal escapes, forged lines, bidi controls, Markdown and XML that try
// to break out): plan, drift, import and apply in each format, an error
// whose detail is hostile, and a publish that fails with a hostile
// state_detail. What reaches a terminal holds no raw control, bidi or
// invisible character and no line a value started; JSON and XML stay valid.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { forgedLines, HOSTILE_STRINGS, RAW_UNSAFE, withoutStructure } from '../fixtures/hostile-strings.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { STACK_LINE } from './sweep.js';
import { startTextWorld, type TextFront, type TextWorld } from './text-front.js';

const USER = 'release-bot@work.org';
const TOKEN = 'e2e-token-0123456789';

let emulator: RunningEmulator;
let front: TextFront;
let dir: string;

/** The strings most likely to do harm on a terminal or in a report; the renderer tests take the whole corpus. */
const CASES = HOSTILE_STRINGS.filter(([name]) => !name.startsWith('a very long') && !name.startsWith('emoji'));

let world: TextWorld;

beforeAll(async () => {
  world = await startTextWorld([{ username: USER, password: 'pw', tokens: [TOKEN] }]);
  ({ emulator, front, dir } = world);
});

afterAll(() => world.close());

const env = (url: string) => ({ P7APPS_URL: url, P7APPS_TOKEN: TOKEN });

function expectTerminalSafe(run: CliRun): void {
  for (const text of [run.stdout, run.stderr]) {
    expect(withoutStructure(text)).not.toMatch(RAW_UNSAFE);
    expect(forgedLines(text)).toEqual([]);
  }
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).not.toContain('This is a bug');
}

describe.each(CASES)('a server that puts %s in every text field', (_name, hostile) => {
  it('plan and drift: terminal output is safe, JSON and XML stay valid', async () => {
    front.suffix = hostile;
    const summary = path.join(dir, 'summary.md');
    try {
      for (const args of [['plan'], ['plan', '--verbose', '--color'], ['plan', '--format', 'markdown'], ['drift', '--verbose'], ['drift', '--format', 'markdown']]) {
        const run = await runCli(args, { cwd: dir, env: { ...env(front.url), GITHUB_STEP_SUMMARY: summary } });
        expect(run.code, run.stderr).toBe(2);
        // The server's text is shown (escaped), not dropped.
        expect(run.stdout.replace(/\\+u200b/g, '')).toContain('CANARY');
        expectTerminalSafe(run);
      }
      expect(withoutStructure(await readFile(summary, 'utf8'))).not.toMatch(RAW_UNSAFE);

      const json = await runCli(['plan', '--format', 'json', '--out', 'plan.json'], { cwd: dir, env: env(front.url) });
      expect(json.code).toBe(2);
      const saved = await readFile(path.join(dir, 'plan.json'), 'utf8');
      for (const text of [json.stdout, saved]) {
        expect(text.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
        expect(JSON.stringify(JSON.parse(text))).toContain(JSON.stringify(hostile).slice(1, -1));
      }
      const driftJson = await runCli(['drift', '--format', 'json'], { cwd: dir, env: env(front.url) });
      expect(JSON.parse(driftJson.stdout).apps.some((a: { name: string }) => a.name.endsWith(hostile))).toBe(true);

      const junit = await runCli(['drift', '--format', 'junit', '--fail-on-unmanaged'], { cwd: dir, env: env(front.url) });
      expect(XMLValidator.validate(junit.stdout)).toBe(true);
      expect(junit.stdout.replace(/\n/g, '')).not.toMatch(RAW_UNSAFE);
    } finally {
      front.suffix = '';
    }
  });

  it('an error whose detail is hostile is one safe line', async () => {
    front.errorDetail = `${hostile}\nNo changes. The server matches the config.`;
    try {
      const run = await runCli(['plan'], { cwd: dir, env: env(front.url) });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: 400 Bad Request on GET workflows\/: /);
      expectTerminalSafe(run);
    } finally {
      front.errorDetail = undefined;
    }
  });

  it('import: messages are safe, and the config it writes holds no raw control or bidi character', async () => {
    front.suffix = hostile;
    const out = await mkdtemp(path.join(tmpdir(), 'p7apps-hostile-import-'));
    try {
      const run = await runCli(['import', '--out', 'p7apps.config.ts'], { cwd: out, env: env(front.url) });
      expectTerminalSafe(run);
      if (run.code === 0) expect(await readFile(path.join(out, 'p7apps.config.ts'), 'utf8')).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}](?<!\n)/u);
      else expect(existsSync(path.join(out, 'p7apps.config.ts'))).toBe(false);
    } finally {
      front.suffix = '';
      await rm(out, { recursive: true, force: true });
    }
  });

  it('apply: a publish that fails with a hostile state_detail is reported safely, in lines and in JSON', async () => {
    emulator.reset();
    emulator.setFaults({ failPublishApps: ['Alpha'], failDetail: `${hostile}\nNo changes. The server matches the config.` });
    try {
      const lines = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env(emulator.url) });
      expect(lines.code).toBe(1);
      expect(lines.stdout).toMatch(/Alpha: v\d+ failed to publish: /);
      expectTerminalSafe(lines);
      const json = await runCli(['apply', '--auto-approve', '--format', 'json'], { cwd: dir, env: env(emulator.url) });
      for (const line of json.stdout.trim().split('\n')) {
        expect(line).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        expect(() => JSON.parse(line)).not.toThrow();
      }
    } finally {
      emulator.setFaults(null);
    }
  });
});

describe('a --server URL with credentials in it', () => {
  it.each([
    ['its query', 'http://127.0.0.1:1/?token=p7-query-SECRET-77'],
    ['its fragment', 'http://127.0.0.1:1/#p7-query-SECRET-77'],
    ['a URL that does not parse', 'http://127.0.0.1:1:2/?token=p7-query-SECRET-77'],
  ])('is refused without showing %s', async (_what, server) => {
    const run = await runCli(['plan', '--server', server], { cwd: dir, env: { P7APPS_TOKEN: TOKEN } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--server/);
    expect(`${run.stdout}${run.stderr}`).not.toContain('p7-query-SECRET-77');
  });
});
