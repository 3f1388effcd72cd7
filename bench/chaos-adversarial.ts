// The adversarial part of `npm run chaos`: scenarios that attack what p7apps
// prints and how it ends, rather than what it publishes.
//
// - hostile strings: a server that appends each string of the hostile corpus
//   (terminal escapes, forged lines, bidi and invisible characters, Markdown,
//   HTML and XML break-outs) to every text field it answers, or answers with
//   an error whose detail is that string, or fails a publish with it as the
//   state detail. plan, drift, import and apply run in every format; every
//   byte they write (stdout, stderr, --out files, the CI step summary, the
//   config import writes) is searched for raw control, bidi or invisible
//   characters and for lines a value managed to start. JSON and XML must stay
//   valid.
// - unsettled and CPU-bound configs: configs that never settle, loop for
//   ever, or try to end the process themselves, under validate, plan, drift
//   and apply as real processes; and SIGINT/SIGTERM sent while a config loops.
//
// Counted for both: exit 0 without a result (a command that printed nothing
// it promised, or claimed success it did not have), raw control characters,
// processes that outlived their deadline, and requests sent to the server by
// a run whose config never loaded. Each must be 0.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { startEmulator } from '../src/emulator/index.js';
import { forgedLines, HOSTILE_STRINGS, RAW_UNSAFE, withoutStructure } from '../test/fixtures/hostile-strings.js';
import { sentWithoutConfig } from '../test/helpers/before-config.js';
import { runCli, type CliRun } from '../test/helpers/cli.js';
import { startCli, waitUntil, type ProcessRun } from '../test/helpers/process.js';
import { startTextWorld } from '../test/security/text-front.js';

export interface AdversarialTally {
  scenario: string;
  /** Runs of the CLI. */
  runs: number;
  /** Outputs searched (streams and files). */
  outputsChecked: number;
  rawControlCharacters: number;
  forgedLines: number;
  invalidDocuments: number;
  exitZeroWithoutResult: number;
  /** Processes still running this long after their deadline (config limit or signal) plus the allowance. */
  overranDeadline: number;
  /** Requests the server received from runs whose config never loaded. */
  requestsWithoutConfig: number;
  /** The first few violations, for reading a failure. */
  examples: string[];
}

export function tally(scenario: string): AdversarialTally {
  return { scenario, runs: 0, outputsChecked: 0, rawControlCharacters: 0, forgedLines: 0, invalidDocuments: 0, exitZeroWithoutResult: 0, overranDeadline: 0, requestsWithoutConfig: 0, examples: [] };
}

export function violations(t: AdversarialTally): number {
  return t.rawControlCharacters + t.forgedLines + t.invalidDocuments + t.exitZeroWithoutResult + t.overranDeadline + t.requestsWithoutConfig;
}

function note(t: AdversarialTally, text: string): void {
  if (t.examples.length < 5) t.examples.push(text);
}

const RAW_UNSAFE_ALL = new RegExp(RAW_UNSAFE.source, 'gu');

/** Searches one output for raw unsafe characters and forged lines. */
export function inspect(t: AdversarialTally, label: string, text: string, options: { structured?: boolean } = {}): void {
  t.outputsChecked += 1;
  // Newlines (and p7apps' own colour codes) are structure; JSON and XML carry no colour.
  const flat = options.structured ? text.replace(/\n/g, '') : withoutStructure(text);
  const raw = flat.match(RAW_UNSAFE_ALL)?.length ?? 0;
  if (raw > 0) {
    t.rawControlCharacters += raw;
    note(t, `${label}: ${raw} raw control characters`);
  }
  const forged = options.structured ? [] : forgedLines(text);
  if (forged.length > 0) {
    t.forgedLines += forged.length;
    note(t, `${label}: a value started the line ${JSON.stringify(forged[0])}`);
  }
}

/** Exit 0 (or 2, "changes pending") must come with what the command promised on stdout. */
export function judgeResult(t: AdversarialTally, label: string, run: { code: number | null; stdout: string }, ok: readonly number[] = [0, 2]): void {
  t.runs += 1;
  if (run.code !== null && ok.includes(run.code) && run.stdout.trim() === '') {
    t.exitZeroWithoutResult += 1;
    note(t, `${label}: exit ${run.code} with nothing on stdout`);
  }
}

function parses(t: AdversarialTally, label: string, ok: boolean): void {
  if (!ok) {
    t.invalidDocuments += 1;
    note(t, `${label}: not a valid document`);
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const jsonLines = (text: string) => text.trim().split('\n').every(isJson);

export interface HostileOptions {
  /** Names of corpus strings to use (default: all). */
  only?: string[];
}

/** The hostile-strings scenario: every corpus string through every command and format. */
export async function hostileStrings(options: HostileOptions = {}): Promise<AdversarialTally> {
  const t = tally('hostile-strings');
  const token = 'chaos-hostile-token-8d2e41';
  const world = await startTextWorld([{ username: 'chaos@work.org', password: 'pw', tokens: [token] }]);
  const { emulator, front, dir } = world;
  const env = (url: string) => ({ P7APPS_URL: url, P7APPS_TOKEN: token });
  const corpus = HOSTILE_STRINGS.filter(([name]) => !options.only || options.only.includes(name));
  try {
    for (const [name, hostile] of corpus) {
      const label = (what: string) => `${name}: ${what}`;
      const check = (what: string, run: CliRun, ok?: readonly number[]) => {
        judgeResult(t, label(what), run, ok);
        inspect(t, label(`${what} stdout`), run.stdout);
        inspect(t, label(`${what} stderr`), run.stderr);
      };

      front.suffix = hostile;
      try {
        const summary = path.join(dir, 'summary.md');
        for (const args of [['plan'], ['plan', '--verbose', '--color'], ['plan', '--format', 'markdown'], ['drift', '--verbose'], ['drift', '--format', 'markdown']]) {
          await rm(summary, { force: true });
          const run = await runCli(args, { cwd: dir, env: { ...env(front.url), GITHUB_STEP_SUMMARY: summary } });
          check(args.join(' '), run);
          if (existsSync(summary)) inspect(t, label(`${args.join(' ')} step summary`), await readFile(summary, 'utf8'));
        }
        const json = await runCli(['plan', '--format', 'json', '--out', 'plan.json'], { cwd: dir, env: env(front.url) });
        judgeResult(t, label('plan --format json'), json);
        const saved = await readFile(path.join(dir, 'plan.json'), 'utf8').catch(() => '');
        for (const [what, text] of [['plan json stdout', json.stdout], ['saved plan', saved]] as const) {
          inspect(t, label(what), text, { structured: true });
          parses(t, label(what), isJson(text));
        }
        const show = await runCli(['show', 'plan.json'], { cwd: dir, env: env(front.url) });
        check('show plan.json', show, [0]);
        for (const format of ['json', 'junit'] as const) {
          const run = await runCli(['drift', '--format', format, '--fail-on-unmanaged'], { cwd: dir, env: env(front.url) });
          judgeResult(t, label(`drift --format ${format}`), run);
          inspect(t, label(`drift ${format} stdout`), run.stdout, { structured: true });
          inspect(t, label(`drift ${format} stderr`), run.stderr);
          parses(t, label(`drift ${format}`), format === 'json' ? isJson(run.stdout) : XMLValidator.validate(run.stdout) === true);
        }
        for (const format of ['ts', 'yaml', 'json'] as const) {
          const out = await mkdtemp(path.join(tmpdir(), 'p7apps-chaos-import-'));
          try {
            const file = `p7apps.config.${format}`;
            const run = await runCli(['import', '--out', file], { cwd: out, env: env(front.url) });
            // import prints its summary to stderr: a run that wrote the config has a result.
            judgeResult(t, label(`import ${format}`), { code: run.code, stdout: run.code === 0 && existsSync(path.join(out, file)) ? 'written' : run.stdout });
            inspect(t, label(`import ${format} stdout`), run.stdout);
            inspect(t, label(`import ${format} stderr`), run.stderr);
            if (existsSync(path.join(out, file))) inspect(t, label(`imported ${file}`), await readFile(path.join(out, file), 'utf8'), { structured: true });
          } finally {
            await rm(out, { recursive: true, force: true });
          }
        }
      } finally {
        front.suffix = '';
      }

      front.errorDetail = `${hostile}\nNo changes. The server matches the config.`;
      try {
        for (const args of [['plan'], ['drift'], ['plan', '--format', 'json']]) {
          const run = await runCli(args, { cwd: dir, env: env(front.url) });
          check(`${args.join(' ')} against an error with a hostile detail`, run);
        }
      } finally {
        front.errorDetail = undefined;
      }

      emulator.reset();
      emulator.setFaults({ failPublishApps: ['Alpha'], failDetail: `${hostile}\nNo changes. The server matches the config.` });
      try {
        const lines = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env(emulator.url) });
        check('apply with a hostile state_detail', lines, [0]);
        emulator.reset();
        const jsonRun = await runCli(['apply', '--auto-approve', '--format', 'json'], { cwd: dir, env: env(emulator.url) });
        judgeResult(t, label('apply --format json'), jsonRun, [0]);
        inspect(t, label('apply json stdout'), jsonRun.stdout, { structured: true });
        parses(t, label('apply json lines'), jsonLines(jsonRun.stdout));
      } finally {
        emulator.setFaults(null);
        emulator.reset();
      }
    }
  } finally {
    await world.close();
  }
  return t;
}

/** Configs that never settle, loop, or try to end the process themselves. */
export const UNSETTLED_CONFIGS: [name: string, source: string][] = [
  ['an async config function awaiting a promise that never settles', 'export default async () => await new Promise(() => {});\n'],
  ['a top-level await that never settles', 'await new Promise(() => {});\nexport default { apps: [] };\n'],
  ['a never-settling promise kept alive by a timer', 'setInterval(() => {}, 1000);\nexport default new Promise(() => {});\n'],
  ['a config looping for ever', 'while (true) {}\nexport default { apps: [] };\n'],
  ['a config function looping for ever', 'export default () => { for (;;) {} };\n'],
  ['an async loop that never yields', 'export default async () => { await null; while (true) {} };\n'],
  ['a config that ends the process with exit code 0', 'process.exit(0);\nexport default { apps: [] };\n'],
  ['a config function that sets exit code 0 and returns nothing', 'export default () => { process.exitCode = 0; };\n'],
];

const COMMANDS = [['validate'], ['plan'], ['drift'], ['apply', '--auto-approve']];

export interface ConfigOptions {
  /** The config time limit the runs use (P7APPS_CONFIG_TIMEOUT_MS). */
  limitMs?: number;
  /** How long past its deadline a process may take to end. */
  allowanceMs?: number;
  only?: string[];
  commands?: string[][];
}

async function timed(start: () => ReturnType<typeof startCli>): Promise<{ run: ProcessRun; elapsedMs: number }> {
  const began = Date.now();
  const run = await start().done;
  return { run, elapsedMs: Date.now() - began };
}

/** The unsettled-configs scenario: each config under each command, then signals during a loop. Needs the built CLI (dist/). */
export async function unsettledConfigs(options: ConfigOptions = {}): Promise<AdversarialTally> {
  const t = tally('unsettled-configs');
  const limitMs = options.limitMs ?? 1000;
  const allowanceMs = options.allowanceMs ?? 10_000;
  const token = 'chaos-config-token-1c9a7f';
  const emulator = await startEmulator({ token });
  const env = { P7APPS_URL: emulator.url, P7APPS_TOKEN: token, P7APPS_CONFIG_TIMEOUT_MS: String(limitMs) };
  const dirs: string[] = [];
  const project = async (source: string) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'p7apps-chaos-config-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}');
    await writeFile(path.join(dir, 'p7apps.config.ts'), source);
    return dir;
  };
  const judge = (command: string, label: string, run: ProcessRun, elapsedMs: number, deadlineMs: number, expected: number) => {
    t.runs += 1;
    inspect(t, `${label} stdout`, run.stdout);
    inspect(t, `${label} stderr`, run.stderr);
    if (run.code === 0 || run.code === 2) {
      t.exitZeroWithoutResult += 1;
      note(t, `${label}: exit ${run.code} though the config never loaded`);
    } else if (run.code !== expected && !(run.code === null && expected === 130 && run.signal === 'SIGINT')) {
      // Not a "success", but not the exit the scenario expects either: counted as a result that was not given.
      t.exitZeroWithoutResult += 1;
      note(t, `${label}: exit ${run.code ?? run.signal}, expected ${expected}`);
    }
    if (!run.stderr.includes('p7apps.config.ts') && expected === 1) {
      t.exitZeroWithoutResult += 1;
      note(t, `${label}: the error does not name the config file`);
    }
    if (elapsedMs > deadlineMs + allowanceMs) {
      t.overranDeadline += 1;
      note(t, `${label}: ended ${elapsedMs} ms after its start, deadline ${deadlineMs} ms`);
    }
    // plan and drift may have read the two lists while the config loaded: those are not counted.
    const requests = sentWithoutConfig(command, emulator.requestLog()).length;
    if (requests > 0) {
      t.requestsWithoutConfig += requests;
      note(t, `${label}: ${requests} requests reached the server`);
    }
    emulator.clearLog();
  };
  try {
    const configs = UNSETTLED_CONFIGS.filter(([name]) => !options.only || options.only.includes(name));
    for (const [name, source] of configs) {
      const dir = await project(source);
      for (const command of options.commands ?? COMMANDS) {
        emulator.clearLog();
        const { run, elapsedMs } = await timed(() => startCli(command, { cwd: dir, env }));
        judge(command[0]!, `${name}: p7apps ${command.join(' ')}`, run, elapsedMs, limitMs, 1);
      }
    }
    // Signals while a config loops, with the default 30 s limit: the signal, not the limit, must end it.
    const looping = await project("import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./started', import.meta.url), '');\nwhile (true) {}\n");
    for (const command of options.commands ?? COMMANDS) {
      for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
        await rm(path.join(looping, 'started'), { force: true });
        emulator.clearLog();
        const cli = startCli(command, { cwd: looping, env: { P7APPS_URL: emulator.url, P7APPS_TOKEN: token } });
        await waitUntil(() => existsSync(path.join(looping, 'started')), 'the config to start', 30_000);
        const sent = Date.now();
        cli.child.kill(signal);
        const run = await cli.done;
        judge(command[0]!, `${signal} during a looping config: p7apps ${command.join(' ')}`, run, Date.now() - sent, 0, code);
      }
    }
  } finally {
    await emulator.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
  return t;
}

/** One line per scenario for the chaos report. */
export function renderAdversarial(tallies: AdversarialTally[]): string {
  return tallies
    .map(
      (t) =>
        `${t.scenario}: ${t.runs} runs, ${t.outputsChecked} outputs searched; raw control characters ${t.rawControlCharacters}, forged lines ${t.forgedLines}, ` +
        `invalid JSON/XML ${t.invalidDocuments}, exit 0 without a result ${t.exitZeroWithoutResult}, past the deadline ${t.overranDeadline}, ` +
        `requests without a config ${t.requestsWithoutConfig}${t.examples.length > 0 ? `\n  ${t.examples.join('\n  ')}` : ''}`,
    )
    .join('\n');
}

/** The scenarios `npm run chaos` runs by name, with their full settings. */
export const ADVERSARIAL = {
  'hostile-strings': () => hostileStrings(),
  'unsettled-configs': () => unsettledConfigs(),
} as const;
