// Finds the config file and turns it into a plain value. cosmiconfig walks
// the search places; every loader is our own, so that nothing is written
// beside the config (its TypeScript loader writes a temporary file), a file
// is never served from a cache, every failure names the file and line, and
// cosmiconfig's `$import` merging cannot pull in files from elsewhere.
// Its Explorer is built here directly, not through cosmiconfig(): that
// factory first looks in the working directory for cosmiconfig's own
// settings (a "cosmiconfig" key in package.json, `.config/config.*`) and
// loads them with its default loaders, which ran a `.config/config.js` or
// `.ts` of another tool, twice, in p7apps' main thread, outside the config
// worker and its time limit (a loop there hung p7apps past SIGTERM). p7apps
// takes no settings from those files and reads none of them.
// Every file that cosmiconfig, Node, tsx or esbuild would read on the way
// (package.json among them) is refused from its metadata first when it is a
// FIFO, socket or device: a read of a FIFO nobody writes to never returns.
//
// The search starts in the working directory and goes up, one directory at a
// time, stopping after the root of the git repository (a directory holding
// `.git`), the home directory or the filesystem root, whichever comes first.

import type { CosmiconfigResult, Loader } from 'cosmiconfig';
import { Explorer } from 'cosmiconfig/dist/Explorer.js';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type ConfigIssue } from './errors.js';
import { displayPath, formatBytes } from './files.js';
import type { PathSegment } from './issue-path.js';
import { locateDuplicateKey, locateJsonSyntaxError } from './json-syntax.js';
import { discardConfigWorker, evaluateConfigFile, ModuleLoadError } from './sandbox.js';
import { MAX_CONFIG_FILE_BYTES } from './limits.js';
import { isSpecialKind, NOT_A_REGULAR_FILE } from '../fs-read.js';
import { SEARCH_PLACES, specialFileBesideCode } from './search-places.js';

export { SEARCH_PLACES };

const PACKAGE_KEY = 'p7apps';
const SUPPORTED_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.yaml', '.yml'];

const NOT_REGULAR = `this is ${NOT_A_REGULAR_FILE}`;

export interface FoundConfig {
  /** Absolute path of the config file. */
  file: string;
  /** What the file declares, unchecked. */
  value: unknown;
  /** Where the config sits inside the file: `p7apps` in package.json, nothing elsewhere. */
  pathPrefix: PathSegment[];
}

export interface FindOptions {
  configPath?: string;
  cwd: string;
  /** The time limit for a TypeScript/JavaScript config (see ./sandbox.ts). */
  timeoutMs: number;
  /** Stops loading a TypeScript/JavaScript config at once. */
  signal?: AbortSignal;
  /** Called once a TypeScript/JavaScript config's evaluation has begun in its worker: this thread is free until it ends. */
  whileEvaluating?: () => void;
}

/** What a loader hands back through cosmiconfig: boxed, so that cosmiconfig sees no `$import` key to act on. */
class Loaded {
  constructor(readonly value: unknown) {}
}

export async function findConfig(options: FindOptions): Promise<FoundConfig> {
  try {
    return await findAndLoad(options);
  } finally {
    // A config worker started ahead of need (bin/p7apps.js) that the config found did not take.
    discardConfigWorker();
  }
}

async function findAndLoad(options: FindOptions): Promise<FoundConfig> {
  const cwd = path.resolve(options.cwd);
  const fail = (file: string, message: string, position?: { line?: number; column?: number; at?: string }): never => {
    // A directory (nothing found) is named in full: "." would say little.
    const issue: ConfigIssue = { file: file === cwd ? cwd : displayPath(file, cwd), path: position?.at ?? '', message };
    if (position?.line !== undefined) issue.line = position.line;
    if (position?.column !== undefined) issue.column = position.column;
    throw new ConfigError([issue]);
  };

  const checkText = (file: string, content: string) => {
    if (content.length > MAX_CONFIG_FILE_BYTES) fail(file, `the file is too large (${formatBytes(content.length)}; at most ${formatBytes(MAX_CONFIG_FILE_BYTES)})`);
    if (content.includes('\u0000') || content.includes('\uFFFD')) fail(file, 'this is not a text file (binary content or invalid UTF-8)');
  };

  const loadModule: Loader = async (file, content) => {
    checkText(file, content);
    // Node, tsx and esbuild read these without asking; a FIFO among them would block the load for ever.
    const special = specialFileBesideCode(file, cwd);
    if (special !== undefined) fail(special, `${NOT_REGULAR}, and loading ${displayPath(file, cwd)} reads it (as Node and TypeScript do); make it a regular file or remove it`);
    try {
      const evaluating = evaluateConfigFile(file, content, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      options.whileEvaluating?.();
      return new Loaded(await evaluating);
    } catch (err) {
      if (err instanceof ModuleLoadError) return fail(file, err.message, err);
      throw err;
    }
  };

  const loadJson: Loader = (file, content) => {
    checkText(file, content);
    const text = content.replace(/^\uFEFF/, '');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const problem = locateJsonSyntaxError(text);
      return fail(file, `invalid JSON: ${problem.message}`, problem);
    }
    const manifest = path.basename(file) === 'package.json';
    // In a package.json only the "p7apps" key is the config's: the rest is npm's business.
    const duplicate = locateDuplicateKey(text, value, manifest ? PACKAGE_KEY : undefined);
    if (duplicate !== undefined) return fail(file, duplicate.message, duplicate);
    if (!manifest) return new Loaded(value);
    const hasKey = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, PACKAGE_KEY);
    return hasKey ? { [PACKAGE_KEY]: new Loaded((value as Record<string, unknown>)[PACKAGE_KEY]) } : {};
  };

  const loadYaml: Loader = async (file, content) => {
    checkText(file, content);
    // Loaded for YAML configs only: the parser adds about 20 ms to every start-up otherwise.
    const { parseDocument } = await import('./yaml-document.js');
    const document = parseDocument(content, { prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      // A stack overflow surfaces once per level the parser unwinds: one report says it.
      const overflow = document.errors.find((error) => isStackOverflow(error.message));
      const issues = (overflow ? [overflow] : document.errors).map((error): ConfigIssue => {
        const where = error.linePos?.[0];
        const message = yamlProblem(error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
        return { file: displayPath(file, cwd), path: '', message: `invalid YAML: ${message}`, ...(where ? { line: where.line, column: where.col } : {}) };
      });
      throw new ConfigError(issues);
    }
    try {
      return new Loaded(document.toJS({ maxAliasCount: 100 }));
    } catch (err) {
      return fail(file, `invalid YAML: ${yamlProblem(err instanceof Error ? err.message : String(err))}`);
    }
  };

  const explorer = new Explorer({
    moduleName: PACKAGE_KEY,
    metaConfigFilePath: null,
    transform: (result) => result,
    mergeImportArrays: true,
    mergeSearchPlaces: false,
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'none',
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: {
      '.ts': loadModule,
      '.mts': loadModule,
      '.js': loadModule,
      '.mjs': loadModule,
      '.cjs': loadModule,
      '.json': loadJson,
      '.yaml': loadYaml,
      '.yml': loadYaml,
      noExt: loadYaml,
    },
  });

  let result: Awaited<ReturnType<typeof explorer.load>>;
  if (options.configPath !== undefined) {
    const file = path.resolve(cwd, options.configPath);
    const extension = path.extname(file);
    if (extension !== '' && !SUPPORTED_EXTENSIONS.includes(extension)) {
      fail(file, `unsupported config file type "${extension}"; use one of ${SUPPORTED_EXTENSIONS.join(', ')}`);
    }
    await refuseSpecialFile(file, fail);
    try {
      result = await explorer.load(file);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') fail(file, 'config file not found');
      if (code === 'EISDIR') fail(file, 'this is a directory; --config takes the path of the config file');
      if (code === 'EACCES' || code === 'EPERM') fail(file, 'the config file cannot be read: permission denied');
      throw err;
    }
    if (result === null && path.basename(file) === 'package.json') fail(file, `package.json has no "${PACKAGE_KEY}" key`);
  } else {
    result = await search(cwd, (dir) => explorer.search(dir), fail);
  }

  if (result === null) return fail(cwd, 'no config file found');
  if (result.isEmpty) return fail(result.filepath, `the file is empty; declare the config in it, e.g. ${emptyConfigExample(result.filepath)}`);
  const file = result.filepath;
  const loaded = result.config;
  if (!(loaded instanceof Loaded)) throw new Error(`config loader for ${file} returned an unexpected value`);
  return { file, value: loaded.value, pathPrefix: path.basename(file) === 'package.json' ? [PACKAGE_KEY] : [] };
}

/** The smallest config in the format of `file`, for the message about an empty one. */
function emptyConfigExample(file: string): string {
  switch (path.extname(file).toLowerCase()) {
    case '.json':
      return '`{ "apps": [] }`';
    case '.cjs':
      return '`module.exports = { apps: [] }`';
    case '.ts':
    case '.mts':
    case '.cts':
    case '.js':
    case '.mjs':
      return "`import { defineConfig } from 'p7apps'` and `export default defineConfig({ apps: [] })`";
    default:
      // .yaml, .yml, and .p7appsrc, which is read as YAML.
      return '`apps: []`';
  }
}

type SearchResult = CosmiconfigResult;

async function search(
  cwd: string,
  searchDir: (dir: string) => Promise<SearchResult>,
  fail: (file: string, message: string) => never,
): Promise<SearchResult> {
  const home = os.homedir();
  let dir = cwd;
  for (;;) {
    for (const place of SEARCH_PLACES) await refuseSpecialFile(path.join(dir, place), fail);
    const result = await searchDir(dir);
    if (result !== null) {
      await refuseAmbiguity(dir, result.filepath, fail);
      return result;
    }
    const parent = path.dirname(dir);
    const stop = (await exists(path.join(dir, '.git'))) ? 'the root of the git repository' : dir === home ? 'the home directory' : parent === dir ? 'the filesystem root' : undefined;
    if (stop !== undefined) {
      const where = dir === cwd ? `here (the search stops at ${stop})` : `here or in the directories above up to ${dir} (${stop}, where the search stops)`;
      return fail(cwd, `no p7apps config file ${where}; create p7apps.config.ts (or .yaml, .json, a "p7apps" key in package.json, ...) or pass --config PATH`);
    }
    dir = parent;
  }
}

async function refuseAmbiguity(dir: string, chosen: string, fail: (file: string, message: string) => never): Promise<void> {
  const present: string[] = [];
  for (const place of SEARCH_PLACES) {
    if (place !== 'package.json' && (await exists(path.join(dir, place)))) present.push(place);
  }
  if (present.length > 1) {
    fail(chosen, `more than one config file in ${dir} (${present.join(', ')}); keep one, or choose with --config PATH`);
  }
}

/**
 * cosmiconfig reads a file whole before any loader sees it, so what is not a
 * regular file, or is far too large, is refused from its metadata first: a
 * FIFO would block for ever and /dev/zero would read until memory runs out.
 * A path that does not exist is left to the caller.
 */
async function refuseSpecialFile(file: string, fail: (file: string, message: string) => never): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch {
    return;
  }
  if (info.isDirectory()) return;
  if (isSpecialKind(info)) fail(file, path.basename(file) === 'package.json' ? `${NOT_REGULAR}, and p7apps reads its "${PACKAGE_KEY}" key; make it a regular file or remove it` : `${NOT_REGULAR}; a config must be a file`);
  if (info.size > MAX_CONFIG_FILE_BYTES) fail(file, `the file is too large (${formatBytes(info.size)}; at most ${formatBytes(MAX_CONFIG_FILE_BYTES)})`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** The parser recurses per level of nesting; a file nested thousands deep exhausts the stack. */
function isStackOverflow(message: string): boolean {
  return /Maximum call stack size exceeded/i.test(message);
}

/** The parser's words, except where they describe the parser rather than the file. */
function yamlProblem(message: string): string {
  return isStackOverflow(message) ? 'nested too deeply to read; no config needs more than a few levels' : message;
}
