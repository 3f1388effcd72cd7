// Where a config file may be, by name, and which of those names are code
// (TypeScript/JavaScript, run in the config worker). Free of dependencies:
// bin/p7apps.js reads it before the CLI's own modules load, to guess whether
// the command will run a config (../cli/head-start.ts).

import os from 'node:os';
import path from 'node:path';
import { isSpecialFile } from '../fs-read.js';
import { MAX_CONFIG_FILE_BYTES } from './limits.js';

// Not imported: the config worker loads this module before it starts esbuild (see ../fs-read.ts).
const { existsSync, realpathSync, statSync } = process.getBuiltinModule('node:fs');

/** In order of preference. Two of them in one directory is an error, not a silent choice. */
export const SEARCH_PLACES = [
  'p7apps.config.ts',
  'p7apps.config.mts',
  'p7apps.config.js',
  'p7apps.config.mjs',
  'p7apps.config.cjs',
  'p7apps.config.json',
  'p7apps.config.yaml',
  'p7apps.config.yml',
  '.p7appsrc',
  '.p7appsrc.json',
  '.p7appsrc.yaml',
  '.p7appsrc.yml',
  '.p7appsrc.js',
  '.p7appsrc.mjs',
  '.p7appsrc.cjs',
  '.p7appsrc.ts',
  '.p7appsrc.mts',
  'package.json',
] as const;

/** Config files that are code: evaluated in the config worker (./sandbox.ts). */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'] as const;

/**
 * What Node, tsx and esbuild read on a TypeScript/JavaScript config's behalf
 * in its folder and in every folder above it: package.json (whether the
 * folder is an ES module project, a package's own name), tsconfig.json and
 * jsconfig.json (compiler settings). tsx looks for tsconfig.json from the
 * working directory upwards too.
 */
export const READ_BESIDE_CODE = ['package.json', 'tsconfig.json', 'jsconfig.json'] as const;


/**
 * The first file that loading the TypeScript/JavaScript config `file`, from
 * `cwd`, would make Node, tsx or esbuild read and that is a FIFO, socket or
 * device (READ_BESIDE_CODE); undefined when there is none. They cannot be
 * told to pass such a file over: it must be refused before they start.
 */
export function specialFileBesideCode(file: string, cwd: string): string | undefined {
  const besideCwd = directoriesUp(path.resolve(cwd)).map((dir) => path.join(dir, 'tsconfig.json'));
  return [...readBesideCode(path.dirname(path.resolve(cwd, file))), ...besideCwd].find(isSpecialFile);
}

/** The READ_BESIDE_CODE files of `dir` and of every directory above it. */
export function readBesideCode(dir: string): string[] {
  return directoriesUp(dir).flatMap((up) => READ_BESIDE_CODE.map((name) => path.join(up, name)));
}

/** Whether `file` is its own real path: no symbolic link on the way (false when it cannot be looked at). */
export function isRealPath(file: string): boolean {
  try {
    return realpathSync.native(file) === file;
  } catch {
    return false;
  }
}

/** `dir` and every directory above it, up to the filesystem root. */
export function directoriesUp(dir: string): string[] {
  const dirs = [dir];
  for (let parent = path.dirname(dir); parent !== dirs.at(-1); parent = path.dirname(parent)) dirs.push(parent);
  return dirs;
}

/** How many directories up the guess looks at most; the real search (./find.ts) has no such bound. */
const MAX_GUESS_DEPTH = 64;

export function isModuleConfig(file: string): boolean {
  return (MODULE_EXTENSIONS as readonly string[]).includes(path.extname(file));
}

/**
 * The config file that `--config` names, or that the search from `cwd` would
 * find, when it is code (TypeScript/JavaScript); undefined otherwise. A guess
 * for starting work early, never a decision: it looks only at whether names
 * exist (never lists a directory, however large) and at the guessed file's
 * size, passes over
 * package.json (whose "p7apps" key it does not read), and answers undefined
 * on any error. ./find.ts alone decides which file is the config.
 *
 * Only a regular file within the config size limit is guessed, and only
 * when none of the files compiling it reads beside it is a FIFO, socket or
 * device (specialFileBesideCode): the work started early reads them, and
 * such a file must be refused by ./find.ts before anything reads it, not
 * block a reader.
 */
export function likelyModuleConfig(configPath: string | undefined, cwd: string): string | undefined {
  try {
    const file = configPath !== undefined ? path.resolve(cwd, configPath) : searchedName(cwd);
    if (file === undefined || !isModuleConfig(file)) return undefined;
    const info = statSync(file);
    if (!info.isFile() || info.size > MAX_CONFIG_FILE_BYTES) return undefined;
    return specialFileBesideCode(file, cwd) === undefined ? file : undefined;
  } catch {
    return undefined; // Missing, unreadable: no guess.
  }
}

/** The first config name the search from `cwd` meets (package.json passed over). */
function searchedName(cwd: string): string | undefined {
  const home = os.homedir();
  let dir = path.resolve(cwd);
  for (let depth = 0; depth < MAX_GUESS_DEPTH; depth += 1) {
    const first = SEARCH_PLACES.find((place) => place !== 'package.json' && existsSync(path.join(dir, place)));
    if (first !== undefined) return path.join(dir, first);
    const parent = path.dirname(dir);
    // Where ./find.ts stops: the root of the git repository, the home directory, the filesystem root.
    if (existsSync(path.join(dir, '.git')) || dir === home || parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}
