// When V8's optimising compiler (TurboFan) takes a function, for the
// commands that read the server, on Node 20. There TurboFan compiles every
// function of the request path (the send, the answer's framing, the wire
// readers) after a few hundred requests, on background threads, and a
// compile of one such function took up to 40 ms: measured on a plan of 1,000
// apps at a 1 ms round trip, about 0.26 s of the plan's 1.1 s of CPU went to
// compiles that a command ending a second later never earned back. With the
// threshold raised fifteenfold the same plan took that much less CPU, and
// less wall time too (1.0 s against 1.16 s); code that really runs long (a
// catalog ten times larger) is still optimised, only later.
//
// Other Node versions keep V8's default:
// - Node 22 measured 0.1 s less CPU on the same plan with the threshold
//   raised tenfold, but it has Node's compile cache, and V8 refuses a cached
//   module compiled under other flags: the modules `plan` loads after the
//   flag is set and `apply` loads without it were compiled again by each in
//   turn (17 modules, 15-30 ms a run when the two alternate, as they do in
//   CI). Set before the cache is on, for every command, `plan` run after
//   itself took 13 ms longer. Node 20 has no compile cache.
// - Node 23 and later tier through Maglev, a cheaper compiler, first (Node
//   24 and 26 measured no gain).
//
// `apply` keeps V8's default too: its time is the server's publishing, and
// with the delay 60 publishes on a 1,000-app catalog took about 45 ms longer
// (16 interleaved runs), where its target has the least room.
//
// Only the CLI's own process is retuned (bin/p7apps.js hands this to main()
// as CliContext.delayOptimisingCompiler); the library and in-process callers
// never change their host's V8. It is set when a command that reads the
// server starts, after the CLI and yargs have loaded: set before them, the
// code they run hot is compiled later too, and `validate` measured slower.
// A user who passes V8 tiering flags of their own (`node --interrupt-budget=N
// $(command -v p7apps) plan`) keeps them: p7apps then sets nothing.

/**
 * Per V8 major.minor version, the ones measured and kept: the flag that sets
 * how much a function runs before TurboFan takes it, and p7apps' value.
 */
const LATER_OPTIMISATION: ReadonlyMap<string, { flag: string; value: number }> = new Map([
  // Node 20 (V8 11.3): a budget of executed bytecode, default 67,584.
  ['11.3', { flag: '--interrupt-budget', value: 1_000_000 }],
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

let delayed = false;

/** Raises TurboFan's threshold in this process, once, where laterOptimisationFlag says so. Never throws. */
export function delayOptimisingCompiler(): void {
  if (delayed) return;
  delayed = true;
  const flag = laterOptimisationFlag(process.versions.v8, process.execArgv);
  if (flag === undefined) return;
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString(flag);
  } catch {
    // Only a speed-up: never a reason to fail.
  }
}
