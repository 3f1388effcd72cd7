// The quickest way to compile a TypeScript/JavaScript config: esbuild's own
// executable, run on the config as a command, without esbuild's JavaScript
// API. That API, in the thread using it, loads Node's child process, socket,
// stream and crypto modules and talks to esbuild's service in a protocol of
// its own: on a 2-CPU machine most of what a TypeScript config cost over its
// JSON twin, in the config worker's start. Run as a command, esbuild writes
// the config and its local modules as one ES module to standard output,
// with an inline source map whose sourcesContent holds every file compiled
// into it, exactly as read.
//
// What the command cannot do as ./config-bundle.ts does with its plugin, it
// declines, and the config is compiled that way instead (same result):
// - no executable of esbuild's own beside its package (installed without
//   its install script, esbuild keeps a JavaScript launcher there),
//   ESBUILD_BINARY_PATH choosing another, or Windows;
// - a package import other than `p7apps` and Node's built-ins (the plugin
//   resolves each from the config's folder, which a module run from memory
//   cannot), or `require('p7apps')` (the plugin gives it the whole entry);
// - a module other than the config using import.meta.url, dirname or
//   filename, __dirname or __filename (the command takes one value of each,
//   the config's own), or import.meta for anything else;
// - a package.json, tsconfig.json or jsconfig.json beside the config that is
//   not a regular file (the plugin refuses it, naming it);
// - anything esbuild reports as an error, or a build not done in time: a
//   FIFO among the files esbuild reads never answers, and the plugin path,
//   which reads each file itself without blocking, refuses it;
// - a path esbuild's command line would read as something else, or one
//   through a symbolic link (esbuild names modules by the path given, Node
//   by their real path: import.meta.url and __dirname would differ).
// The executable never runs any of the config; it is ended before the
// thread that started it can end (a process left behind by an ended worker
// thread is never reaped).

import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeFirstStatement, bundleBanner, COMPUTED_IMPORT_DECLINED, computedImportIn, IMPORT_META, packageImported, PER_MODULE_NAMES, requireFromTsx, SOURCE_FILE, type BundleTokens, type ConfigBundle } from './config-bundle.js';
import { isSpecialFile } from '../fs-read.js';
import { isRealPath, readBesideCode } from './search-places.js';

// Not imported: the config worker loads this module before it starts esbuild (see ../fs-read.ts).
const { closeSync, constants, fstatSync, openSync, readSync } = process.getBuiltinModule('node:fs');

/** A build not done by then is stopped and declined: esbuild compiles a config in tens of milliseconds. */
export const BINARY_BUILD_DEADLINE_MS = 5_000;

/**
 * How long the config worker waits, once the CLI has asked for the config,
 * for a build still running: one that is not done by then is stopped, and
 * the config compiled through esbuild's API (a FIFO among the files the
 * build reads holds it; the API's compile refuses that file at once).
 */
export const BINARY_BUILD_GRACE_MS = 1_000;

/** More output than a config's bundle can need: stopped and declined. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

const SOURCE_MAP_MARK = '\n//# sourceMappingURL=data:application/json;base64,';

/** The first bytes of a native executable: ELF, Mach-O (either byte order, 32 and 64 bit) and Mach-O universal. */
const EXECUTABLE_MAGIC = [
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe],
];

/** A build of the config by esbuild's executable. */
export interface BinaryBuild {
  /** esbuild's process, while it may run; none when the command was declined before starting it. */
  pid?: number;
  /** The bundle, or why the command declined the config (never rejects); settles once the process has ended. */
  result: Promise<ConfigBundle | BinaryDeclined>;
  /** Ends the process if it still runs; settles once it has ended. */
  stop(): Promise<void>;
}

/** Why the command declined: the config is compiled through esbuild's API instead. */
export class BinaryDeclined {
  constructor(readonly reason: string) {}
}

export interface BinaryBuildOptions {
  /** esbuild's executable; found beside esbuild's package when not given. */
  executable?: string;
  deadlineMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** esbuild's own executable as installed with tsx, when it is one; undefined otherwise. */
export function esbuildExecutable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform === 'win32' || (env.ESBUILD_BINARY_PATH ?? '') !== '') return undefined;
  try {
    const executable = path.join(path.dirname(requireFromTsx().resolve('esbuild/package.json')), 'bin', 'esbuild');
    return isNativeExecutable(executable) ? executable : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `file` is a regular file that starts as a native executable does (not a script, never a FIFO). */
export function isNativeExecutable(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(4);
    if (readSync(fd, head, 0, 4, 0) !== 4) return false;
    return EXECUTABLE_MAGIC.some((magic) => magic.every((byte, i) => head[i] === byte));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Starts esbuild's executable on `file`. Never throws: what goes wrong is a
 * BinaryDeclined, and the caller compiles the config the other way.
 */
export function startBinaryBundle(file: string, tokens: BundleTokens, options: BinaryBuildOptions = {}): BinaryBuild {
  const declined = (reason: string): BinaryBuild => ({ result: Promise.resolve(new BinaryDeclined(reason)), stop: () => Promise.resolve() });
  const executable = options.executable ?? esbuildExecutable(options.env);
  if (executable === undefined) return declined("no executable of esbuild's own is installed");
  // `out=in` names an output, and `*` is a pattern esbuild expands.
  if (!path.isAbsolute(file) || /[=*]/.test(file)) return declined("esbuild's command line would not read this path as the entry");
  if (!isRealPath(file)) return declined('its path goes through a symbolic link: esbuild gives modules the path named, Node (and the plugin) their real one');
  if (readBesideCode(path.dirname(file)).some(isSpecialFile)) return declined('a file esbuild reads beside the config is not a regular file');

  const url = pathToFileURL(file).href;
  const own = (value: string) => JSON.stringify(value);
  const args = [
    file,
    '--bundle',
    '--format=esm',
    '--platform=node',
    `--target=node${process.versions.node}`,
    '--packages=external',
    `--alias:p7apps=${tokens.selfToken}`,
    '--log-level=error',
    '--sourcemap=inline',
    '--sources-content=true',
    // The config's own names, as Node gives them; a module of its own that uses them is declined below.
    `--define:import.meta.url=${own(url)}`,
    `--define:import.meta.filename=${own(file)}`,
    `--define:import.meta.dirname=${own(path.dirname(file))}`,
    `--define:__filename=${own(file)}`,
    `--define:__dirname=${own(path.dirname(file))}`,
  ];

  let child: ReturnType<typeof spawn>;
  try {
    // What esbuild says of an error is not read: the compile through its API that follows a declined build says it.
    child = spawn(executable, args, { cwd: path.dirname(file), env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
  } catch (err) {
    return declined(`esbuild could not be started: ${(err as Error).message}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let stopped: string | undefined;
  const stopWith = (why: string) => {
    stopped ??= why;
    child.kill('SIGKILL');
  };
  const closed = new Promise<number | null>((resolve) => {
    child.once('error', () => stopWith('esbuild could not be started'));
    child.once('close', (code) => resolve(code));
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_OUTPUT_BYTES) stopWith('the bundle is larger than any config needs');
    else chunks.push(chunk);
  });
  const timer = setTimeout(() => stopWith('esbuild did not finish in time'), options.deadlineMs ?? BINARY_BUILD_DEADLINE_MS);
  const result = closed.then((code) => {
    clearTimeout(timer);
    if (stopped !== undefined) return new BinaryDeclined(stopped);
    if (code !== 0) return new BinaryDeclined('esbuild reported an error');
    return bundleFromOutput(Buffer.concat(chunks).toString('utf8'), file, tokens);
  });
  return {
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    result,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) stopWith('stopped');
      await closed;
    },
  };
}


/** The bundle esbuild wrote for `file`, or why it cannot run as the plugin's would. */
export function bundleFromOutput(output: string, file: string, tokens: BundleTokens): ConfigBundle | BinaryDeclined {
  const mark = output.lastIndexOf(SOURCE_MAP_MARK);
  if (mark < 0) return new BinaryDeclined('esbuild wrote no source map');
  const code = output.slice(0, mark + 1);
  let map: { sources?: unknown; sourcesContent?: unknown };
  try {
    map = JSON.parse(Buffer.from(output.slice(mark + SOURCE_MAP_MARK.length).trim(), 'base64').toString('utf8')) as typeof map;
  } catch {
    return new BinaryDeclined("esbuild's source map cannot be read");
  }
  const { sources, sourcesContent } = map;
  if (!Array.isArray(sources) || !Array.isArray(sourcesContent) || sources.length !== sourcesContent.length) return new BinaryDeclined("esbuild's source map lists no sources");
  const inputs = new Map<string, Buffer>();
  for (const [i, source] of sources.entries()) {
    const content: unknown = sourcesContent[i];
    if (typeof source !== 'string' || typeof content !== 'string') return new BinaryDeclined("esbuild's source map lacks a source's content");
    const input = path.resolve(path.dirname(file), source);
    if (input !== file && PER_MODULE_NAMES.test(content)) return new BinaryDeclined(`${source} uses import.meta, __dirname or __filename, which only the config itself is given here`);
    if (SOURCE_FILE.test(input) && computedImportIn(content)) return new BinaryDeclined(COMPUTED_IMPORT_DECLINED);
    inputs.set(input, Buffer.from(content, 'utf8'));
  }
  if (!inputs.has(file)) return new BinaryDeclined('the config itself is not among what esbuild compiled');
  if (IMPORT_META.test(code)) return new BinaryDeclined('the config uses import.meta beyond url, dirname and filename');
  if (code.includes(`require(${JSON.stringify(tokens.selfToken)})`)) return new BinaryDeclined("require('p7apps') takes the whole entry, which the plugin gives it");
  // A package required is resolved from the config's folder here, from the requiring module's by the plugin.
  const specifier = packageImported(code, tokens);
  if (specifier !== undefined) return new BinaryDeclined(`the package import ${JSON.stringify(specifier)} is resolved from the config's folder by the plugin`);
  // After a hashbang line, which esbuild keeps first and which must stay first.
  return { code: beforeFirstStatement(code, `${bundleBanner(file, tokens.wholeToken)}\n`), selfToken: tokens.selfToken, wholeToken: tokens.wholeToken, inputs };
}
