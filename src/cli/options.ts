// Options shared by the commands that talk to a server or read the config,
// declared once so every command spells and documents them the same way.

import type { Argv } from 'yargs';
import { parseDuration } from '../apply/clock.js';
import { ENVIRONMENT_ENV } from '../config/environments.js';
import { UsageError } from '../errors.js';
import type { ServerOptions } from '../operations.js';
import { escapeUnsafe, hasUnsafeChars } from '../render/escape.js';
import { terminalLine } from '../render/text.js';
import type { CliContext } from './context.js';

export interface ConfigArgs {
  config?: string;
  env?: string;
}

export interface ServerArgs {
  server?: string;
  'ca-file'?: string;
  insecure?: boolean;
  'request-timeout'?: string;
}

/** --strict / --no-strict; absent: the config's `strict` decides. */
export interface StrictArgs {
  strict?: boolean;
}

export interface OutputArgs {
  format: string;
  color?: boolean;
}

export function withConfigOption<T>(y: Argv<T>) {
  return y
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'Path of the config file (default: found from the current directory upwards)',
      requiresArg: true,
    })
    .option('env', {
      type: 'string',
      describe: `The config's environment to use (default: ${ENVIRONMENT_ENV}); needed when the config declares environments`,
      requiresArg: true,
    });
}

/** The environment chosen: --env, else P7APPS_ENV (empty means not set), with where it came from for messages. */
export function environmentChoice(args: ConfigArgs, env: NodeJS.ProcessEnv): { environment?: string; environmentSource?: string } {
  if (args.env !== undefined) return { environment: String(args.env), environmentSource: '--env' };
  const fromEnv = env[ENVIRONMENT_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { environment: fromEnv.trim(), environmentSource: ENVIRONMENT_ENV };
  return {};
}

export function withServerOptions<T>(y: Argv<T>) {
  return y
    .option('server', {
      type: 'string',
      describe: 'Sign-in URL of pSeven Enterprise (overrides P7APPS_URL and server.url in the config)',
      requiresArg: true,
    })
    .option('ca-file', {
      type: 'string',
      describe: 'PEM file of certificate authorities to trust for the server',
      requiresArg: true,
    })
    .option('insecure', {
      type: 'boolean',
      describe: 'Do not verify the server\'s TLS certificate (prints a warning on every run)',
    })
    .option('request-timeout', {
      type: 'string',
      describe: 'How long one read may take from sending it to the last byte of its answer (a publish\'s answer gets twice as long): 30s, 2m or milliseconds (default 60s)',
      requiresArg: true,
    });
}

export function withParallelismOption<T>(y: Argv<T>) {
  return y.option('parallelism', {
    // Read as text, so that a value that is not a number is named as typed (a number would be NaN by then).
    type: 'string',
    default: 10 as number | string,
    describe: 'How many requests or apps at once',
    requiresArg: true,
  });
}

export function withAppFilterOption<T>(y: Argv<T>) {
  return y.option('app', {
    type: 'string',
    array: true,
    describe: 'Limit to this app (repeatable)',
    requiresArg: true,
  });
}

/** The flags of every command that reads the config and the server: --config, --server, --ca-file, --insecure, --parallelism, --app, --strict. */
export function withReadingOptions<T>(y: Argv<T>) {
  return withAppFilterOption(withParallelismOption(withServerOptions(withConfigOption(y)))).option('strict', {
    type: 'boolean',
    describe: 'Fail (exit 1) when a managed field cannot be verified because the server does not show it (default: the config\'s "strict", else off)',
  });
}

/** Whether strict mode is on: the flag wins over the config's `strict`. */
export function strictMode(args: StrictArgs, desired: { strict?: boolean }): boolean {
  return args.strict ?? desired.strict ?? false;
}

export interface TargetingArgs {
  app?: string[];
  workspace?: string[];
  'exclude-app'?: string[];
}

/** --workspace and --exclude-app, beside --app, for the commands that plan from the config (plan, apply, drift). */
export function withTargetingOptions<T>(y: Argv<T>) {
  return y
    .option('workspace', {
      type: 'string',
      array: true,
      describe: 'Limit to the apps the config puts in this workspace, by name or id (repeatable)',
      requiresArg: true,
    })
    .option('exclude-app', {
      type: 'string',
      array: true,
      describe: 'Leave this app out (repeatable)',
      requiresArg: true,
    });
}

/** The targeting flags as the library's selection. */
export function appSelection(args: TargetingArgs): { apps?: string[]; workspaces?: string[]; excludeApps?: string[] } {
  return { apps: args.app, workspaces: args.workspace, excludeApps: args['exclude-app'] };
}

export function withFormatOption<T>(y: Argv<T>, formats: readonly string[], fallback: string) {
  return y
    .option('format', {
      type: 'string',
      choices: formats as string[],
      default: fallback,
      describe: 'Output format',
      requiresArg: true,
    })
    .option('color', {
      type: 'boolean',
      describe: 'Colour the output (default: on a TTY; FORCE_COLOR=1 forces it, NO_COLOR turns it off; --no-color turns it off)',
    });
}

/**
 * Colour on a TTY, as the usual conventions say: --color / --no-color first;
 * then FORCE_COLOR (any value but 0 or false turns colour on, also when
 * piped, as CI logs that render ANSI want; it wins over NO_COLOR, as in
 * Node itself); then NO_COLOR turns it off.
 */
export function useColor(args: { color?: boolean }, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (args.color === false) return false;
  if (args.color === true) return true;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !/^(0|false)$/i.test(force);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** Reject a --parallelism that would stall or flood. */
export function parallelismOrThrow(value: unknown): number {
  return wholeNumberOrThrow('--parallelism', value, 1, 100, 'a whole number from 1 to 100');
}

/**
 * A flag's whole number, read from what was typed (yargs' number type turns
 * "abc" into NaN and takes 1e1 and 0x10): digits only, within min..max;
 * otherwise a usage error that names the flag, the rule and the text as typed.
 */
export function wholeNumberOrThrow(flag: string, value: unknown, min: number, max: number, rule: string): number {
  const given = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof given !== 'number' || !Number.isInteger(given) || given < min || given > max) {
    const shown = Array.isArray(value) ? 'more than one value' : JSON.stringify(String(value));
    throw new UsageError(`${flag} must be ${rule} (got ${shown})`);
  }
  return given;
}

/**
 * The server flags as the library's ServerOptions, with the command's
 * streams, environment, working directory and interrupt signal: every
 * command reaches the server the same way.
 */
export function serverOptions(ctx: CliContext, args: ServerArgs, parallelism: number): ServerOptions & { cwd: string } {
  // An empty --server (an unset variable in a script: --server "$URL") would otherwise fall back to P7APPS_URL unseen.
  if (args.server !== undefined && args.server.trim() === '') {
    throw new UsageError('--server is empty: give the sign-in URL of pSeven Enterprise, or leave the flag out to use P7APPS_URL or server.url');
  }
  return {
    server: args.server,
    env: ctx.env,
    cwd: ctx.cwd,
    caFile: args['ca-file'],
    insecure: args.insecure === true,
    requestTimeoutMs: requestTimeoutOrThrow(args['request-timeout']),
    onWarning: (message: string) => ctx.stderr.write(`${terminalLine(`Warning: ${message}`)}\n`),
    parallelism,
    signal: ctx.signal,
    redactor: ctx.secrets,
  };
}

/** A duration flag in milliseconds (90s, 15m, 1h, 500ms or plain milliseconds), at most `maxMs`; a usage error naming the flag otherwise. */
export function durationOrThrow(flag: string, text: string, examples: string, maxMs = Infinity): number {
  const ms = parseDuration(String(text));
  if (ms === undefined || ms > maxMs) {
    throw new UsageError(`${flag} must be a duration such as ${examples} (got ${JSON.stringify(String(text))})`);
  }
  return ms;
}

/** --request-timeout in milliseconds, or undefined when not given (the library's default then holds). */
export function requestTimeoutOrThrow(text: string | undefined): number | undefined {
  return text === undefined ? undefined : durationOrThrow('--request-timeout', text, '30s, 2m or milliseconds');
}

/**
 * The argument as it can be pasted into a shell: as it is, or in single
 * quotes (POSIX). Text holding a character a terminal must not get raw (a
 * line break, an escape) is written in ANSI-C quotes, `$'...'` (bash, zsh,
 * ksh), the one form that names such a character in visible text; the
 * terminal then shows the command as it would run.
 */
export function shellWord(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  if (!hasUnsafeChars(text)) return `'${text.replace(/'/g, `'\\''`)}'`;
  const quoted = [...text].map((ch) => {
    if (ch === '\\' || ch === "'") return `\\${ch}`;
    if (!hasUnsafeChars(ch)) return ch;
    if (ch === '\n' || ch === '\r' || ch === '\t') return escapeUnsafe(ch);
    // Its UTF-8 bytes, each as \xHH: bash reads \u escapes by the locale (not at all under LC_ALL=C), and \xHH
    // as one byte, so U+0085 written \x85 would be another byte than the file name's C2 85.
    return [...Buffer.from(ch, 'utf8')].map((byte) => `\\x${byte.toString(16).padStart(2, '0')}`).join('');
  });
  return `$'${quoted.join('')}'`;
}
