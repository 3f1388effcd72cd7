// When V8's optimising compiler (TurboFan) takes a function, for the
// commands that read the server. On Node 20 and 22 TurboFan compiles every
// function of the request path (the send, the answer's framing, the wire
// readers) after a few hundred requests, on background threads, and a
// compile of one such function took up to 40 ms: measured on a plan of 1,000
// apps at a 1 ms round trip, about 0.26 s of the plan's 1.1 s of CPU on Node
// 20 (0.1 s on Node 22) went to compiles that a command ending a second later
// never earned back. With the threshold raised 10-15 times the same plan took
// that much less CPU, and less wall time too (1.0 s against 1.16 s); code
// that really runs long (a catalog ten times larger) is still optimised,
// only later.
// Node 23 and later tier through Maglev, a cheaper compiler, first (Node 24
// and 26 measured no gain): their V8 is left as it is.
//
// `apply` keeps V8's default: its time is the server's publishing, and with
// the delay 60 publishes on a 1,000-app catalog took about 45 ms longer
// (16 interleaved runs), where its target has the least room.
//
// Only the CLI's own process is retuned (bin/p7apps.js calls
// delayOptimisingCompilerFor first); the library and in-process callers
// never change their host's V8. It is set as the process starts, from a
// guess of the command (./command-guess.ts), before bin/p7apps.js turns on
// Node's compile cache: a code cache holds V8's flags as they were when it
// was made and is refused under others, and the cache's folder is named by
// the flags it is turned on with, so the commands that retune keep a cache
// of their own. Set later, when the command started, every module loaded
// after it was cached under flags `validate`, `apply` and `doctor` refuse,
// and the reverse: on Node 22, `plan` after `apply` (or `apply` after
// `plan`) took 25-30 ms longer to end, its cache of 17 modules refused.
// For the same reason V8 is left as it is when Node turned the cache on
// itself as the process started (NODE_COMPILE_CACHE): its folder is then
// named by the flags before any of p7apps' code runs.
// Other commands are never retuned: `validate`, whose hot code then
// optimised later, measured slower with it.
// A user who passes V8 tiering flags of their own (`node --interrupt-budget=N
// $(command -v p7apps) plan`) keeps them: p7apps then sets nothing.

import { ANSWERED_BY_YARGS, guessCommand } from './command-guess.js';

/** The commands that read the server and gain from a later TurboFan (`apply` does not: above). */
const RETUNED_COMMANDS: ReadonlySet<string> = new Set(['plan', 'drift', 'check', 'import']);

/**
 * Per V8 major.minor version, the ones measured: the flag that sets how much
 * a function runs before TurboFan takes it, and p7apps' value. By minor, not
 * major: Node 23's V8 12.9 tiers through Maglev, as Node 24's does.
 */
const LATER_OPTIMISATION: ReadonlyMap<string, { flag: string; value: number }> = new Map([
  // Node 20 (V8 11.3): a budget of executed bytecode, default 67,584.
  ['11.3', { flag: '--interrupt-budget', value: 1_000_000 }],
  // Node 22 (V8 12.4, Maglev off): invocations, default 3,000.
  ['12.4', { flag: '--invocation-count-for-turbofan', value: 30_000 }],
]);

/**
 * V8 options that say the user tunes tiering themselves. V8 takes them after
 * one dash or two, and negated with `no` or `no-` (`--noopt`, `-no-opt`).
 */
const USER_TIERING =
  /^--?(?:no-?)?(?:interrupt-budget|invocation-count-for-|minimum-invocations-|turbofan|opt|max-opt|maglev|sparkplug|always-|jitless|lite-mode|efficiency-mode|use-osr)/;

/** The V8 flag to set for a V8 `version` with Node's `execArgv`, or undefined to leave V8 as it is. */
export function laterOptimisationFlag(v8Version: string, execArgv: readonly string[]): string | undefined {
  const choice = LATER_OPTIMISATION.get(v8Version.split('.').slice(0, 2).join('.'));
  if (choice === undefined) return undefined;
  if (execArgv.some((arg) => USER_TIERING.test(arg.replaceAll('_', '-')))) return undefined;
  return `${choice.flag}=${choice.value}`;
}

/** Will the command line `argv` (most likely) run a command that is retuned? */
export function retunesCommand(argv: readonly string[]): boolean {
  const { command } = guessCommand(argv);
  return command !== undefined && RETUNED_COMMANDS.has(command) && !argv.some((arg) => ANSWERED_BY_YARGS.has(arg));
}

/** Did Node turn its compile cache on as the process started, from `env`? Node 20 has none; every Node 22 p7apps runs on has one. */
function compileCacheOnAtStart(env: NodeJS.ProcessEnv): boolean {
  return Number(process.versions.node.split('.')[0]) >= 22 && !!env.NODE_COMPILE_CACHE && !env.NODE_DISABLE_COMPILE_CACHE;
}

/**
 * Raises TurboFan's threshold in this process where retunesCommand and
 * laterOptimisationFlag say so, unless Node's compile cache is already on.
 * Called before the compile cache is turned on. Never throws.
 */
export function delayOptimisingCompilerFor(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  try {
    if (!retunesCommand(argv) || compileCacheOnAtStart(env)) return;
    const flag = laterOptimisationFlag(process.versions.v8, process.execArgv);
    if (flag !== undefined) process.getBuiltinModule('node:v8').setFlagsFromString(flag);
  } catch {
    // Only a speed-up: never a reason to fail.
  }
}
