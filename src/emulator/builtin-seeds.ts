// The seeds that ship with p7apps (examples/seeds/ in the package), so that
// `p7apps emulator --seed toy` works from any install, not only from a clone:
// a bare name that is not a file in the current directory means the
// packaged seed of that name.

import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * examples/seeds/ of this package. Two folders up from this module in every
 * layout p7apps runs from: src/emulator/ (tests), dist/emulator/ (the
 * library) and dist/bundle/ (the CLI).
 */
const SEEDS_DIR = fileURLToPath(new URL('../../examples/seeds/', import.meta.url));
const SEED_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** The built-in seed names, sorted (e.g. `guide`, `toy`). */
export function builtinSeedNames(): string[] {
  let entries: string[];
  try {
    entries = readdirSync(SEEDS_DIR);
  } catch {
    return [];
  }
  return entries
    .filter((name) => SEED_EXTENSIONS.includes(extname(name)))
    .map((name) => name.slice(0, -extname(name).length))
    .sort();
}

/** The packaged file of a built-in seed named `name`, or undefined when `name` is not a bare built-in name. */
export function builtinSeedFile(name: string): string | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return undefined;
  for (const ext of SEED_EXTENSIONS) {
    const file = `${name}${ext}`;
    try {
      if (readdirSync(SEEDS_DIR).includes(file)) return join(SEEDS_DIR, file);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
