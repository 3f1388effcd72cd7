// Starts the config worker before the CLI has loaded, when the command will
// most likely load a TypeScript or JavaScript config: bin/p7apps.js calls
// this first thing, so that the worker starts and esbuild compiles the
// config on the other core while this thread loads the CLI (about as long
// as both take). It is a guess from the command line and the files present,
// made with a few stat calls: the CLI still finds its config as always
// (./find.ts), and a worker started for another file compiles that file
// instead; for a JSON or YAML config, or a command that loads none, no
// worker is started. Nothing of the config runs before the CLI asks for it.

import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWorkerEarly } from './sandbox-start.js';
import { MODULE_EXTENSIONS, PACKAGE_KEY, SEARCH_PLACES } from './search-places.js';

/** The commands that load the config, and the others: the first of them on the command line is the command. */
const LOADING_COMMANDS = new Set(['validate', 'plan', 'apply', 'drift', 'check', 'doctor']);
const OTHER_COMMANDS = new Set(['show', 'import', 'emulator', 'completion']);

/**
 * The TypeScript/JavaScript config the command given by `argv` (the CLI's
 * arguments) will most likely load, or undefined when it loads none, or
 * another kind, or it cannot be told cheaply.
 */
export function guessModuleConfig(argv: readonly string[], cwd: string): string | undefined {
  const command = argv.find((arg) => LOADING_COMMANDS.has(arg) || OTHER_COMMANDS.has(arg));
  if (command === undefined || !LOADING_COMMANDS.has(command)) return undefined;
  const given = configArgument(argv);
  const file = given === undefined ? searchFrom(path.resolve(cwd)) : path.resolve(cwd, given);
  return file !== undefined && MODULE_EXTENSIONS.includes(path.extname(file)) ? file : undefined;
}

/** The value of --config / -c, in the forms people write it. */
function configArgument(argv: readonly string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length && argv[i] !== '--'; i += 1) {
    const arg = argv[i]!;
    const joined = /^(?:--config|-c)=(.*)$/.exec(arg);
    if (joined) value = joined[1];
    else if (arg === '--config' || arg === '-c') value = argv[i + 1];
  }
  return value;
}

/** The file ./find.ts's search would most likely choose, found with stat calls only (package.json is read when it is the one candidate). */
function searchFrom(cwd: string): string | undefined {
  const home = os.homedir();
  for (let dir = cwd; ; ) {
    const place = SEARCH_PLACES.find((name) => isFile(path.join(dir, name)));
    if (place !== undefined && (place !== 'package.json' || declaresConfig(path.join(dir, place)))) return path.join(dir, place);
    const parent = path.dirname(dir);
    if (isPresent(path.join(dir, '.git')) || dir === home || parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}

function isPresent(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false }) !== undefined;
}

function declaresConfig(file: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof manifest === 'object' && manifest !== null && Object.prototype.hasOwnProperty.call(manifest, PACKAGE_KEY);
  } catch {
    return false;
  }
}

/** Starts the config worker for the config the command will most likely load, if that is TypeScript or JavaScript. Never throws. */
export function startConfigWorkerEarly(argv: readonly string[], cwd: string = process.cwd()): void {
  try {
    const file = guessModuleConfig(argv, cwd);
    if (file !== undefined) startWorkerEarly(file);
  } catch {
    // Only a head start: the CLI starts the worker itself when it needs one.
  }
}
