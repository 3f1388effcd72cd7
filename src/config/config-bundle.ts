// The fast way to run a TypeScript/JavaScript config: esbuild compiles the
// config and the local modules it imports into one ES module, in memory,
// which is then imported from a data: URL. No loader hooks, no loader
// thread, no file written: a TypeScript config costs about what its JSON
// twin does. What this path cannot run exactly as Node (with tsx) would,
// it declines before any of the config's code runs, and ./module-loader.ts
// then loads the config through tsx as before:
// - anything esbuild cannot compile or resolve (a syntax error, a missing
//   file): tsx's run reports it with file:line, as users know it;
// - a package the config imports that cannot be located from the config's
//   folder (an ES-module-only export map, say);
// - `import.meta` used for anything but url, dirname and filename;
// - an import that is not a regular file (a FIFO, a device): never opened
//   for a read that could block, which would keep the process from exiting.
// A package.json, tsconfig.json or jsconfig.json that esbuild or Node's
// resolution would read on the way and that is a FIFO, socket or device is
// refused instead (BundleRefused): tsx would block on it just the same.
//
// Each local module keeps its own identity: `import.meta.url`, `__dirname`
// and `__filename` are its own file's, packages resolve from the config's
// folder, `p7apps` is the running p7apps.

import type { ChildProcess } from 'node:child_process';
import Module, { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSpecialFile, NOT_A_REGULAR_FILE, NotARegularFile, readRegularFile as readRegular, readRegularFileSync } from '../fs-read.js';
import { readBesideCode } from './search-places.js';

/** esbuild's API, as much of it as is used here. */
interface Esbuild {
  build(options: object): Promise<{ outputFiles?: { text: string }[] }>;
  transform(code: string, options: object): Promise<{ code: string }>;
  stop(): Promise<void>;
}

interface PluginBuild {
  onResolve(options: { filter: RegExp }, callback: (args: { path: string; importer: string; kind: string; resolveDir: string }) => unknown): void;
  onLoad(options: { filter: RegExp; namespace?: string }, callback: (args: { path: string }) => Promise<unknown>): void;
}

/** require() as tsx's own modules have it: esbuild installed with tsx (a dependency of p7apps) is the copy tsx compiles with. */
export function requireFromTsx(): NodeJS.Require {
  return createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
}

/** esbuild as installed with tsx: its JavaScript API. */
export function esbuildFromTsx(): Esbuild {
  return requireFromTsx()('esbuild') as Esbuild;
}

/** esbuild with its service process started, and the way to end that process. */
export interface WarmEsbuild {
  esbuild: Esbuild;
  /**
   * Ends esbuild's process and resolves once this thread has seen it end.
   * A process started from a worker thread and still running when the
   * thread ends is never reaped: it stays behind as a zombie for as long
   * as p7apps runs.
   */
  stop(): Promise<void>;
}

/**
 * esbuild with its service process already started, so that the first build
 * does not wait for it: a worker started ahead of need (./sandbox-worker.ts)
 * calls this while the CLI is still starting. Undefined when esbuild cannot
 * be loaded (the config then loads through tsx).
 */
export function warmEsbuild(): WarmEsbuild | undefined {
  try {
    const esbuild = esbuildFromTsx();
    // esbuild starts its process within its first call and does not say which it is: seen here, as it is spawned.
    const childProcess = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
    const spawn = childProcess.spawn;
    let service: ChildProcess | undefined;
    childProcess.spawn = ((...args: Parameters<typeof spawn>) => (service = spawn(...args))) as typeof spawn;
    try {
      esbuild.transform('', { loader: 'js' }).catch(() => undefined);
    } finally {
      childProcess.spawn = spawn;
    }
    return { esbuild, stop: () => stopService(esbuild, service) };
  } catch {
    return undefined;
  }
}

async function stopService(esbuild: Esbuild, service: ChildProcess | undefined): Promise<void> {
  let ended: Promise<void> | undefined;
  if (service !== undefined && service.exitCode === null && service.signalCode === null) {
    ended = new Promise((resolve) => {
      // The thread is held until then by a timer of its own: esbuild unreferences its process
      // whenever no build is left, and a build the stop cuts short is one that ends.
      const hold = setInterval(() => undefined, 60_000);
      const done = () => {
        clearInterval(hold);
        resolve();
      };
      service.once('exit', done).once('error', done);
    });
  }
  await esbuild.stop();
  await ended;
}

/**
 * The config compiled (bundleConfig), or undefined when this path declines it
 * or esbuild is missing or broken: tsx's run then reports whatever is wrong
 * with the file.
 */
export async function bundleOrNone(file: string, tokens: BundleTokens, esbuild?: Esbuild): Promise<ConfigBundle | BundleRefused | undefined> {
  try {
    return await bundleConfig(file, tokens, esbuild ?? esbuildFromTsx());
  } catch (err) {
    return err instanceof BundleRefused ? err : undefined;
  }
}

export const BUILTINS = new Set(builtinModules);
/** A module of code (not JSON or text), by its name. */
export const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/**
 * `import.meta`, also as `import /* … *\/ .meta` or over lines: JavaScript
 * allows space and comments around the dot. Comments holding a `*` are not
 * looked into: it keeps the test linear in the text on any input.
 */
const IMPORT_META_SOURCE = String.raw`\bimport(?:\s|\/\*[^*]*\*\/)*\.(?:\s|\/\*[^*]*\*\/)*meta\b`;
export const IMPORT_META = new RegExp(IMPORT_META_SOURCE);
/**
 * Whether `source` (a module of the config's own, as written) calls
 * `import()` with anything but one quoted path: esbuild leaves such a call
 * as it is, and from a bundle run from memory it would resolve against the
 * bundle, not the file that wrote it, so such a config is declined (tsx,
 * which loads each file from its place, resolves it as Node does). A small
 * scan, not a parser: strings, template literals and comments are skipped,
 * so a description saying "import (CSV)" is not a call, nor is
 * `notes.import(x)`; a regular expression holding `import(` would be taken
 * for one, which only costs the slower compile.
 */
export function computedImportIn(source: string): boolean {
  // Most modules call no import() at all: one native search says so, and the scan below runs only for the rest.
  if (!/\bimport\s*\(/.test(source)) return false;
  const n = source.length;
  const space = (at: number) => {
    while (at < n && /\s/.test(source[at]!)) at += 1;
    return at;
  };
  /** The index after the quoted string (or template literal) opening at `at`. */
  const afterString = (at: number) => {
    const quote = source[at]!;
    let depth = 0;
    for (let i = at + 1; i < n; i += 1) {
      const c = source[i];
      if (c === '\\') i += 1;
      else if (quote === '`' && c === '$' && source[i + 1] === '{') depth += 1;
      else if (quote === '`' && c === '}' && depth > 0) depth -= 1;
      else if (c === quote && depth === 0) return i + 1;
      else if (c === '\n' && quote !== '`') return i + 1;
    }
    return n;
  };
  const identifier = (c: string | undefined) => c !== undefined && /[\w$]/.test(c);
  let previous = '';
  for (let i = 0; i < n; ) {
    const c = source[i]!;
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      i = afterString(i);
      previous = c;
    } else if (/\s/.test(c)) {
      i += 1;
    } else if (source.startsWith('import', i) && !identifier(source[i - 1]) && !identifier(source[i + 6]) && previous !== '.') {
      let at = space(i + 6);
      if (source[at] === '(') {
        at = space(at + 1);
        if (source[at] !== '"' && source[at] !== "'") return true;
        at = space(afterString(at));
        if (source[at] !== ')' && source[at] !== ',') return true;
      }
      i += 6;
      previous = 't';
    } else {
      previous = c;
      i += 1;
    }
  }
  return false;
}
export const COMPUTED_IMPORT_DECLINED = 'the config imports a module whose name is computed (import() of something other than a quoted path)';
/** Names that differ per module: replaced by each module's own values. */
export const PER_MODULE_NAMES = new RegExp(String.raw`${IMPORT_META_SOURCE}|\b(?:__dirname|__filename)\b`);

/**
 * What stands for p7apps in a bundle until importBundle() replaces it:
 * random, so that no text of the config can look like it, and made by the
 * caller (the CLI's thread; ./sandbox.ts bundleTokens).
 */
export interface BundleTokens {
  selfToken: string;
  wholeToken: string;
}

export interface ConfigBundle {
  /** One ES module: the config and its local imports; `p7apps` is imported from `selfToken`, required from `wholeToken`. */
  code: string;
  /** Stands for the running p7apps' entry in `code` (random, so that no text of the config can look like it). */
  selfToken: string;
  /** Stands for its whole entry, which `require('p7apps')` gets (as Node's require would). */
  wholeToken: string;
  /**
   * Every file compiled into `code` (the config, the modules it imports, a
   * JSON file it imports), as read: a bundle made ahead of need is used only
   * if they all still read the same (compiledFromCurrent).
   */
  inputs?: Map<string, Buffer>;
}

/** Why the fast path declined: the config is loaded through tsx instead. */
export class BundleDeclined extends Error {}

/** Why the config cannot be loaded at all: a file that any way of loading it reads would block the reader. */
export class BundleRefused extends Error {}

/** A file's bytes, read without blocking (../fs-read.ts); declined unless it is a regular file. */
async function readRegularFile(file: string): Promise<Buffer> {
  try {
    return await readRegular(file);
  } catch (err) {
    throw err instanceof NotARegularFile ? new BundleDeclined(err.message) : err;
  }
}

/** The package.json files Node's require.resolve() reads to find the package `specifier` names, imported by `importer`. */
function packageManifests(specifier: string, importer: string): string[] {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  try {
    return (createRequire(importer).resolve.paths(specifier) ?? []).map((dir) => path.join(dir, name, 'package.json'));
  } catch {
    return [];
  }
}

const isBare = (specifier: string) => !specifier.startsWith('.') && !path.isAbsolute(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);

/**
 * The first lines of a bundle of `file`: CommonJS modules in it require()
 * through this, packages and built-ins as Node's require does from the
 * config's folder, p7apps as the whole entry (imported, since require()
 * takes no URL).
 */
/** `code` with `text` put before its first statement: after a hashbang line, which must stay first. */
export function beforeFirstStatement(code: string, text: string): string {
  if (!code.startsWith('#!')) return text + code;
  const lineEnd = code.search(/[\n\r\u2028\u2029]/);
  return lineEnd < 0 ? `${code}\n${text}` : code.slice(0, lineEnd + 1) + text + code.slice(lineEnd + 1);
}

export function bundleBanner(file: string, wholeToken: string): string {
  return [
    "import { createRequire as __p7appsCreateRequire } from 'node:module';",
    `const __p7appsNodeRequire = __p7appsCreateRequire(${JSON.stringify(pathToFileURL(file).href)});`,
    `const require = Object.assign((id) => (id === ${JSON.stringify(wholeToken)} ? __p7appsWhole : __p7appsNodeRequire(id)), __p7appsNodeRequire);`,
  ].join('\n');
}

/**
 * Compiles `file` and what it imports locally into one ES module whose
 * imports are absolute (file: URLs, node: built-ins; a package required, its
 * path), so that it runs from
 * memory; `import ... from 'p7apps'` imports the bundle's selfToken, which
 * importBundle() replaces. Throws BundleDeclined when the config is not for
 * this path.
 */
export async function bundleConfig(file: string, { selfToken, wholeToken }: BundleTokens, esbuild: Esbuild = esbuildFromTsx()): Promise<ConfigBundle> {
  let required = false;
  // A file: URL for an import; the file's path for a require(), which takes no URL.
  const packageOf = (specifier: string, importer: string, forRequire: boolean): string => {
    try {
      const resolved = createRequire(importer).resolve(specifier);
      return forRequire ? resolved : pathToFileURL(resolved).href;
    } catch {
      throw new BundleDeclined(`the package import ${JSON.stringify(specifier)} is left to Node's own resolution`);
    }
  };
  let declined: BundleDeclined | undefined;
  let refused: BundleRefused | undefined;
  const looked = new Set<string>();
  /** What esbuild or Node's resolution reads next is checked first: the build fails on a FIFO, socket or device among `files`. */
  const refuseSpecial = (files: string[]) => {
    for (const candidate of files) {
      if (looked.has(candidate)) continue;
      looked.add(candidate);
      if (!isSpecialFile(candidate)) continue;
      const shown = path.relative(path.dirname(file), candidate);
      refused = new BundleRefused(
        `${shown.startsWith('..') || path.isAbsolute(shown) ? candidate : `./${shown}`} is ${NOT_A_REGULAR_FILE}, and loading the config reads it; make it a regular file or remove it`,
      );
      return { errors: [{ text: refused.message }] };
    }
    return undefined;
  };
  const inputs = new Map<string, Buffer>();
  const readInput = async (input: string): Promise<Buffer> => {
    try {
      const bytes = await readRegularFile(input);
      inputs.set(input, bytes);
      return bytes;
    } catch (err) {
      if (err instanceof BundleDeclined) declined = err;
      throw err;
    }
  };
  const plugin = {
    name: 'p7apps-config',
    setup(build: PluginBuild) {
      build.onResolve({ filter: /.*/ }, (args) => {
        // esbuild reads these in the folder of the file (or folder) imported and in each one above it.
        if (args.kind === 'entry-point' || !isBare(args.path)) return refuseSpecial(readBesideCode(path.resolve(args.resolveDir || path.dirname(file), args.path)));
        if (args.path.startsWith('node:') || BUILTINS.has(args.path)) return { path: args.path, external: true };
        if (args.path === 'p7apps' && args.kind.startsWith('require')) {
          required = true;
          return { path: wholeToken, external: true };
        }
        if (args.path === 'p7apps') return { path: selfToken, external: true };
        const refusal = refuseSpecial(packageManifests(args.path, args.importer));
        if (refusal !== undefined) return refusal;
        try {
          return { path: packageOf(args.path, args.importer, args.kind.startsWith('require')), external: true };
        } catch (err) {
          declined = err as BundleDeclined;
          return { errors: [{ text: declined.message }] };
        }
      });
      build.onLoad({ filter: SOURCE_FILE }, async (args) => {
        const contents = (await readInput(args.path)).toString('utf8');
        const loader = /\.[cm]?tsx?$/.test(args.path) ? (args.path.endsWith('x') ? 'tsx' : 'ts') : args.path.endsWith('x') ? 'jsx' : 'js';
        if (!PER_MODULE_NAMES.test(contents)) return { contents, loader };
        // This module's own names, as Node would give them; anything else of import.meta has no stand-in.
        const url = pathToFileURL(args.path).href;
        const own = (value: string) => JSON.stringify(value);
        const define = {
          'import.meta.url': own(url),
          'import.meta.filename': own(args.path),
          'import.meta.dirname': own(path.dirname(args.path)),
          __filename: own(args.path),
          __dirname: own(path.dirname(args.path)),
        };
        const { code } = await esbuild.transform(contents, { loader, define, sourcefile: args.path, logLevel: 'silent' });
        if (IMPORT_META.test(code)) {
          declined = new BundleDeclined('the config uses import.meta beyond url, dirname and filename');
          return { errors: [{ text: declined.message }] };
        }
        return { contents: code, loader: 'js' };
      });
      // Any other file bundled (JSON, text): recorded only, then loaded by esbuild as usual.
      build.onLoad({ filter: /.*/, namespace: 'file' }, async (args) => {
        await readInput(args.path);
        return undefined;
      });
    },
  };
  let output: { text: string }[] | undefined;
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: path.dirname(file),
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      // A config's own tsconfig.json may set paths or JSX: esbuild reads it as tsx does.
      logLevel: 'silent',
      plugins: [plugin],
      banner: { js: bundleBanner(file, wholeToken) },
    });
    output = result.outputFiles;
  } catch (err) {
    throw refused ?? declined ?? new BundleDeclined(`esbuild could not compile it: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const code = output?.[0]?.text;
  if (code === undefined) throw new BundleDeclined('esbuild produced no output');
  for (const [input, bytes] of inputs) {
    if (SOURCE_FILE.test(input) && computedImportIn(bytes.toString('utf8'))) throw new BundleDeclined(COMPUTED_IMPORT_DECLINED);
  }
  // Only a config that requires p7apps loads the whole entry.
  const whole = required ? `import * as __p7appsWhole from ${JSON.stringify(wholeToken)};\n` : '';
  return { code: whole + code, selfToken, wholeToken, inputs };
}

/**
 * Whether `bundle` is `file` as the CLI read it (`source`) and every other
 * file compiled into it as it reads now: a bundle made ahead of need (the
 * config worker's head start) must not run a module as it was before an
 * edit the CLI's own compile would see. Read in the calling thread: the
 * config worker waits on nothing else then, and a read through Node's pool
 * for each module cost it a few milliseconds of round trips.
 */
export function compiledFromCurrent(bundle: { inputs?: Map<string, Buffer> }, file: string, source: string): boolean {
  const inputs = bundle.inputs;
  if (inputs?.get(file)?.toString('utf8') !== source) return false;
  try {
    return [...inputs].every(([input, bytes]) => input === file || bytes.equals(readRegularFileSync(input)));
  } catch {
    return false; // Gone or unreadable now: compiled afresh, which reports it.
  }
}

let loads = 0;

/** The first thing `code` imports or requires that is neither one of Node's built-ins nor p7apps (by `tokens`), if any. */
export function packageImported(code: string, tokens: BundleTokens): string | undefined {
  return importedSpecifiers(code).find((specifier) => specifier !== tokens.selfToken && specifier !== tokens.wholeToken && !specifier.startsWith('node:') && !BUILTINS.has(specifier));
}

/**
 * Every string the bundle imports or requires from as esbuild prints it
 * (`from "x"`, `import "x"`, `import("x")`, `__require("x")`, with double
 * quotes): wider than the imports themselves (a config's own text may read
 * so), so a caller uses it only to decline.
 */
function importedSpecifiers(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom|\bimport|require)\s*\(?\s*"((?:[^"\\\n]|\\.)*)"/g)].map((match) => {
    try {
      return JSON.parse(`"${match[1]}"`) as string;
    } catch {
      return match[1]!;
    }
  });
}

/** Node's module hooks that run in the thread itself (Node 22.15 and later), as much of them as importBundle() uses. */
export type RegisterHooks = (hooks: {
  resolve: (specifier: string, context: object, next: (specifier: string, context?: object) => unknown) => unknown;
  load: (url: string, context: object, next: (url: string, context?: object) => unknown) => unknown;
}) => { deregister(): void };

/**
 * Imports the bundle from memory, with `p7apps` imported from `selfUrl` and
 * required from `wholeUrl`; every call runs it afresh. The module is a
 * data: URL either way, so it resolves what it imports as it always has.
 * Where Node has in-thread module hooks, the URL is short and a hook hands
 * the loader the text itself: Node decodes a data: URL in JavaScript, which
 * cost a 25 KB config 5 ms where the hook costs nothing. Only for a bundle
 * that imports nothing but Node's built-ins and p7apps (what esbuild's
 * executable makes): the hooks see every module loaded while they are in
 * place, and Node has had faults where in-thread and off-thread hooks (a
 * loader given with --import, tsx) meet on a CommonJS module
 * (nodejs/node#57327). The URL is resolved by the hook too, so that no
 * other hook can change it (tsx adds a namespace after a #).
 */
export function importBundle(bundle: ConfigBundle, selfUrl: string, wholeUrl: string): Promise<unknown> {
  loads += 1;
  // The same text twice would be the same module, already run: a counter keeps each load its own.
  const source = `${bundle.code.replaceAll(bundle.selfToken, selfUrl).replaceAll(bundle.wholeToken, wholeUrl)}\n// p7apps config load ${loads}\n`;
  const registerHooks = (Module as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks !== 'function' || packageImported(bundle.code, bundle) !== undefined) return import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
  const url = `data:text/javascript,/* p7apps config load ${loads} */`;
  const hooks = registerHooks({
    resolve: (specifier, context, next) => (specifier === url ? { url, format: 'module', shortCircuit: true } : next(specifier, context)),
    load: (requested, context, next) => (requested === url ? { format: 'module', source, shortCircuit: true } : next(requested, context)),
  });
  const imported = import(url);
  // The bundle's own imports are loaded by the time it is imported (or has failed to be); later ones pass no hook.
  return imported.finally(() => hooks.deregister());
}
