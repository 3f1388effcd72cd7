// Where a config file may be, by name, and which of those names are code
// (TypeScript/JavaScript, run in the config worker). Free of dependencies:
// bin/p7apps.js reads it before the CLI's own modules load, to guess whether
// the command will run a config (../cli/head-start.ts).

import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_CONFIG_FILE_BYTES } from './limits.js';

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
 * Only a regular file within the config size limit is guessed: the work
 * started early reads it, and a FIFO or device under a config's name must
 * be refused by ./find.ts before anything reads it, not block a reader.
 */
export function likelyModuleConfig(configPath: string | undefined, cwd: string): string | undefined {
  try {
    const file = configPath !== undefined ? path.resolve(cwd, configPath) : searchedName(cwd);
    if (file === undefined || !isModuleConfig(file)) return undefined;
    const info = statSync(file);
    return info.isFile() && info.size <= MAX_CONFIG_FILE_BYTES ? file : undefined;
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
