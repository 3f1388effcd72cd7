// Starts the config worker before the CLI has loaded, when the command will
// most likely load a TypeScript or JavaScript config: bin/p7apps.js calls
// this first thing, so that the worker starts and esbuild compiles the
// config on the other core while this thread loads the CLI (about as long
// as both take). A YAML config is read by a thread of its own the same way,
// when a core is likely to be free for it.
// It is a guess from the command line and the files present, made with a
// few stat calls: the CLI still finds its config as always (./find.ts), and
// a worker started for another file compiles that file instead; for a JSON
// config, or a command that loads none, nothing is started. Nothing of the
// config runs before the CLI asks for it.

import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWorkerEarly, startYamlEarly } from './sandbox-start.js';
import { MODULE_EXTENSIONS, PACKAGE_KEY, SEARCH_PLACES } from './search-places.js';

/** The commands that load the config, and the others: the first of them on the command line is the command. */
const LOADING_COMMANDS = new Set(['validate', 'plan', 'apply', 'drift', 'check', 'doctor']);
const OTHER_COMMANDS = new Set(['show', 'import', 'emulator', 'completion']);

/** A config file and how it is read: run in the config worker, or parsed as YAML. */
export interface GuessedConfig {
  file: string;
  kind: 'module' | 'yaml';
}

/**
 * The config the command given by `argv` (the CLI's arguments) will most
 * likely load, when it is TypeScript/JavaScript or YAML; undefined when the
 * command loads none, or JSON, or it cannot be told cheaply.
 */
export function guessConfig(argv: readonly string[], cwd: string): GuessedConfig | undefined {
  const command = argv.find((arg) => LOADING_COMMANDS.has(arg) || OTHER_COMMANDS.has(arg));
  if (command === undefined || !LOADING_COMMANDS.has(command)) return undefined;
  const given = configArgument(argv);
  const file = given === undefined ? searchFrom(path.resolve(cwd)) : path.resolve(cwd, given);
  if (file === undefined) return undefined;
  const extension = path.extname(file);
  if (MODULE_EXTENSIONS.includes(extension)) return { file, kind: 'module' };
  // .p7appsrc, without an extension, is YAML too.
  if (extension === '.yaml' || extension === '.yml' || path.basename(file) === '.p7appsrc') return { file, kind: 'yaml' };
  return undefined;
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

/**
 * Whether a core is likely to be free for reading YAML beside the CLI:
 * that thread is work a YAML config does not otherwise need (a TypeScript
 * config's worker is started in any case), which only pays when it runs
 * beside the CLI rather than in turn with it. `load` is the one-minute load
 * average (0 where the system has none).
 */
export function hasSpareCore(cores: number, load: number): boolean {
  return cores > 1 && load < cores;
}

function coreCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Starts the worker for the config the command will most likely load, if that is TypeScript, JavaScript or YAML. Never throws. */
export function startConfigWorkerEarly(argv: readonly string[], cwd: string = process.cwd()): void {
  try {
    const guessed = guessConfig(argv, cwd);
    if (guessed?.kind === 'module') startWorkerEarly(guessed.file);
    if (guessed?.kind === 'yaml' && hasSpareCore(coreCount(), os.loadavg()[0]!)) startYamlEarly(guessed.file);
  } catch {
    // Only a head start: the CLI starts the worker itself when it needs one.
  }
}
