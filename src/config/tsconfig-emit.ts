// What of a tsconfig.json (or jsconfig.json) changes how esbuild compiles a
// module, read for ./thread-compile.ts: that compile takes only modules that
// no such setting concerns, so that it gives what esbuild would. Like
// esbuild, it reads the nearest tsconfig.json or jsconfig.json above a
// module, with what that file extends. What it cannot read with certainty (a
// file that is not JSON with comments, an `extends` naming a package rather
// than a file, a FIFO) leaves the module to esbuild: it is never guessed.

import path from 'node:path';
import { readRegularFileSync } from '../fs-read.js';
import { locateDuplicateKey } from './json-syntax.js';
import { directoriesUp } from './search-places.js';

const { lstatSync } = process.getBuiltinModule('node:fs');

/** The settings esbuild takes from a tsconfig.json that change its output or its resolution, as one folder's modules get them. */
export interface EmitSettings {
  /** verbatimModuleSyntax, preserveValueImports, or importsNotUsedAsValues other than "remove": imports TypeScript elides are kept. */
  keepsImports: boolean;
  /** Class fields are assigned, not defined: useDefineForClassFields false, or a target before ES2022 without it. */
  assignsClassFields: boolean;
  /** paths, baseUrl or moduleSuffixes: esbuild resolves imports through them. */
  resolvesImports: boolean;
}

/** Why a folder's settings could not be read with certainty. */
export class UnreadableSettings extends Error {}

/** Files read while settling a folder's settings, with their bytes: a compile made ahead of need is used only if they read the same. */
export type FilesRead = Map<string, Buffer>;

const DEFAULTS: EmitSettings = { keepsImports: false, assignsClassFields: false, resolvesImports: false };

/** `extends` chains longer than this are not followed: the module is left to esbuild. */
const MAX_EXTENDS_DEPTH = 8;

/**
 * The settings for modules in `dir`: from the nearest tsconfig.json or
 * jsconfig.json in `dir` or above it, or esbuild's defaults when there is
 * none. Throws UnreadableSettings.
 */
export function emitSettingsFor(dir: string, read: FilesRead): EmitSettings {
  for (const up of directoriesUp(dir)) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const file = path.join(up, name);
      if (kindOf(file) === 'file') return settingsOf(compilerOptions(file, read, 0));
    }
  }
  return DEFAULTS;
}

/** 'file' for a regular file, 'none' when nothing (or a folder) is there; UnreadableSettings for anything else. */
function kindOf(file: string): 'file' | 'none' {
  let info;
  try {
    info = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return 'none';
    throw new UnreadableSettings(`${file} cannot be looked at`);
  }
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'none';
  throw new UnreadableSettings(`${file} is a symbolic link or not a regular file`);
}

/** The compilerOptions of `file`, merged over those of what it extends. */
function compilerOptions(file: string, read: FilesRead, depth: number): Record<string, unknown> {
  if (depth > MAX_EXTENDS_DEPTH) throw new UnreadableSettings(`${file} extends too many files`);
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(file);
  } catch {
    throw new UnreadableSettings(`${file} cannot be read`);
  }
  read.set(file, bytes);
  const config = parseJsonWithComments(bytes.toString('utf8'));
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new UnreadableSettings(`${file} is not an object`);
  const { extends: extended, compilerOptions: own = {} } = config as { extends?: unknown; compilerOptions?: unknown };
  if (own === null || typeof own !== 'object' || Array.isArray(own)) throw new UnreadableSettings(`${file}: compilerOptions is not an object`);
  const bases = extended === undefined ? [] : typeof extended === 'string' ? [extended] : extended;
  if (!Array.isArray(bases) || !bases.every((base): base is string => typeof base === 'string')) throw new UnreadableSettings(`${file}: extends is neither a name nor a list of names`);
  const merged: Record<string, unknown> = {};
  for (const base of bases) Object.assign(merged, compilerOptions(extendedFile(base, path.dirname(file)), read, depth + 1));
  return Object.assign(merged, own);
}

/** The file an `extends` entry names: a path, or a package's file named with its .json extension. */
function extendedFile(name: string, from: string): string {
  if (name.startsWith('./') || name.startsWith('../') || path.isAbsolute(name)) {
    const file = path.resolve(from, name);
    if (kindOf(file) === 'file') return file;
    if (!file.endsWith('.json') && kindOf(`${file}.json`) === 'file') return `${file}.json`;
    throw new UnreadableSettings(`${name}, which a tsconfig extends, is not a file`);
  }
  // A package's own file (`@tsconfig/node20/tsconfig.json`); a bare package name is resolved through its manifest, which is not read here.
  if (name.endsWith('.json') && !name.includes('\\') && !name.split('/').includes('..')) {
    for (const up of directoriesUp(from)) {
      const file = path.join(up, 'node_modules', name);
      if (kindOf(file) === 'file') return file;
    }
  }
  throw new UnreadableSettings(`${name}, which a tsconfig extends, is left to esbuild to find`);
}

function settingsOf(options: Record<string, unknown>): EmitSettings {
  const target = typeof options.target === 'string' ? options.target.toLowerCase() : undefined;
  // esbuild's rule: without useDefineForClassFields, fields are defined for ES2022 and later, and without a target.
  const definesFields = options.useDefineForClassFields === undefined ? target === undefined || target === 'esnext' || /^es20(?:2[2-9]|[3-9]\d)$/.test(target) : options.useDefineForClassFields === true;
  return {
    keepsImports:
      options.verbatimModuleSyntax === true ||
      options.preserveValueImports === true ||
      (options.importsNotUsedAsValues !== undefined && options.importsNotUsedAsValues !== 'remove'),
    assignsClassFields: !definesFields,
    resolvesImports: options.paths !== undefined || options.baseUrl !== undefined || options.moduleSuffixes !== undefined,
  };
}

/**
 * JSON with comments and trailing commas, as TypeScript reads a tsconfig;
 * throws UnreadableSettings for anything else, and for a key given twice in
 * one object (JSON.parse keeps the last one, esbuild the first).
 */
export function parseJsonWithComments(text: string): unknown {
  let plain = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  /** Index of the next character that is neither white space nor part of a comment. */
  const nextSignificant = (from: number): number => {
    let j = from;
    for (;;) {
      if (/\s/.test(text[j] ?? '')) j += 1;
      else if (text.startsWith('//', j)) {
        const end = text.indexOf('\n', j);
        j = end < 0 ? text.length : end;
      } else if (text.startsWith('/*', j)) {
        const end = text.indexOf('*/', j + 2);
        if (end < 0) throw new UnreadableSettings('a comment is not closed');
        j = end + 2;
      } else return j;
    }
  };
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      plain += text.slice(i, j + 1);
      i = j + 1;
    } else if (/\s/.test(char) || text.startsWith('//', i) || text.startsWith('/*', i)) {
      plain += ' ';
      i = nextSignificant(i);
    } else if (char === ',') {
      const next = nextSignificant(i + 1);
      if (text[next] !== '}' && text[next] !== ']') plain += ',';
      i = next;
    } else {
      plain += char;
      i += 1;
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain);
  } catch {
    throw new UnreadableSettings('not JSON with comments');
  }
  if (locateDuplicateKey(plain, parsed) !== undefined) throw new UnreadableSettings('a key is given twice in one object');
  return parsed;
}
