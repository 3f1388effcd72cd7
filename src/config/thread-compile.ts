// Compiles a TypeScript/JavaScript config in the calling thread with oxc's
// transform (a native library: no process is started), one module at a
// time, and links the modules from memory. Why: esbuild's executable
// compiles a config in about 10 ms, but starting it means libuv forking the
// whole of p7apps, and on a machine that charges for page-table work (a
// virtual machine's, say) the copy-on-write faults that follow cost the
// CLI's own thread more than the compile itself (docs/performance.md).
//
// It takes only what it compiles as esbuild (./binary-bundle.ts,
// ./config-bundle.ts) would, and leaves everything else to esbuild before
// any of the config runs:
// - .ts, .mts, .js and .mjs modules with import or export syntax, imported
//   by a relative path that names one regular file by its real path (no
//   symbolic link on the way: Node and esbuild name a module by its real
//   path), found as esbuild finds it (`./apps`, `./apps.js` for apps.ts),
//   never through node_modules;
// - imports of `p7apps` and of Node's built-ins, and of nothing else (a
//   package, a JSON file: esbuild resolves those);
// - no import(), import.meta, and no free name require, module, exports,
//   __dirname or __filename (esbuild gives each module its own); no cycle;
// - nothing a tsconfig.json setting compiles differently (./tsconfig-emit.ts:
//   an import TypeScript elides, under verbatimModuleSyntax; a class field,
//   where fields are assigned), no decorators, no TypeScript namespace (oxc
//   does not let one declaration of a merged namespace see another's
//   members), no `import {} from` (esbuild drops it), nothing needing a
//   helper;
// - nothing oxc reports as an error (esbuild's message names file:line),
//   and no package.json with "sideEffects" on the way (esbuild may drop a
//   module it marks).
// - before Node 22.15, whose in-thread module hooks take each module's text,
//   a graph whose data: URLs, each holding those of the modules it imports,
//   would grow far past its code (a deep chain, many paths to one module).
// Node then parses and links the modules (importModules): what it rejects
// before any module runs (syntax newer than this Node, an import that does
// not match) is compiled by esbuild after all (./module-loader.ts). Where
// esbuild's one-module bundle departs from Node's own module semantics (a
// module awaiting at the top level lets its siblings run meanwhile; each
// module's top-level `const`, names and namespace objects are its own),
// this path keeps Node's, as loading the file through tsx does.

import { isUtf8 } from 'node:buffer';
import Module, { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import { initSync as initLexer, parse as parseImports } from 'es-module-lexer';
import { readRegularFileSync } from '../fs-read.js';
import { beforeFirstStatement, type RegisterHooks } from './config-bundle.js';
import { directoriesUp, isRealPath } from './search-places.js';
import { emitSettingsFor, UnreadableSettings, type EmitSettings } from './tsconfig-emit.js';

const { lstatSync } = process.getBuiltinModule('node:fs');

/** A place in a module's code that names another module: a string literal, its quotes included. */
export interface ModuleLink {
  start: number;
  end: number;
  /** The module named (an index into ConfigModules.modules), or the running p7apps. */
  to: number | 'p7apps';
}

export interface CompiledModule {
  /** The module's file: its key among ConfigModules.inputs. */
  file: string;
  /** Its JavaScript; its links name modules by the paths its author wrote, which importModules() replaces. */
  code: string;
  /** In the order they appear in `code`. */
  links: ModuleLink[];
}

/** A config compiled module by module. */
export interface ConfigModules {
  /** Each module after the modules it imports: the config itself last. */
  modules: CompiledModule[];
  /**
   * Every file read to compile them (the modules, and the tsconfig.json and
   * package.json files that could change the compile), as read: a compile
   * made ahead of need is used only if they all still read the same.
   */
  inputs?: Map<string, Buffer>;
}

/** Why this compile left the config to esbuild; it says so before running any of the config. */
export class ThreadCompileDeclined extends Error {}

interface Oxc {
  transformSync(file: string, source: string, options: object): { code: string; errors: unknown[]; helpersUsed?: Record<string, string> };
}

/** oxc's transform, loaded once; null where it is not installed for this platform. */
let oxc: Oxc | null | undefined;

function loadOxc(): Oxc | null {
  if (oxc !== undefined) return oxc;
  try {
    oxc = createRequire(import.meta.url)('oxc-transform') as Oxc;
    initLexer();
  } catch {
    oxc = null;
  }
  return oxc;
}

/** The module kinds compiled here: ES modules, TypeScript or JavaScript. */
const COMPILED_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

/** esbuild's resolveExtensions, in its order: an import without an extension takes the first file found. */
const RESOLVE_EXTENSIONS = ['.tsx', '.ts', '.jsx', '.js', '.css', '.json'];

/** esbuild's TypeScript rule: `./apps.js` names apps.ts when apps.js is not there. */
const REWRITTEN_EXTENSIONS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/**
 * Names esbuild gives each module a value of its own for (or CommonJS
 * does): a module using one as a free name is left to esbuild. Found by
 * oxc's define, which replaces free names only (not a property, a string or
 * a binding of the module's own), with a stand-in no text can hold.
 */
const PER_MODULE_NAMES = ['require', 'module', 'exports', '__dirname', '__filename'];
const FREE_NAME_MARK = `p7apps_free_name_${Math.random().toString(36).slice(2)}`;
const FREE_NAMES_DEFINED = Object.fromEntries(PER_MODULE_NAMES.map((name) => [name, FREE_NAME_MARK]));

const STATIC_IMPORT = 1;

/**
 * `import {} from` or `export {} from` in TypeScript: esbuild drops it, oxc
 * makes it `import "..."` (and so runs the module). Looked for in the
 * source, where the two still differ; wide (a string with such words is
 * declined too).
 */
const EMPTY_IMPORT = /\b(?:import|export)(?:\s|\/\*[^*]*\*\/)*\{(?:\s|\/\*[^*]*\*\/)*\}(?:\s|\/\*[^*]*\*\/)*from\b/;

/**
 * Before in-thread module hooks, each module's data: URL holds the URLs of
 * the modules it imports, base64 (4/3) at every level: a graph whose URLs
 * come to more than this many times its code (and this many bytes) is
 * left to esbuild.
 */
const MAX_NESTED_GROWTH = 8;
const NESTED_SLACK_BYTES = 256 * 1024;

/** The config `file` (an absolute path) compiled module by module, or why it is left to esbuild. Never throws. */
export function compileInThread(file: string): ConfigModules | ThreadCompileDeclined {
  try {
    return compileModules(file);
  } catch (err) {
    return err instanceof ThreadCompileDeclined ? err : new ThreadCompileDeclined(`the compile failed: ${(err as Error).message}`);
  }
}

function decline(reason: string): never {
  throw new ThreadCompileDeclined(reason);
}

function compileModules(file: string): ConfigModules {
  if (process.platform === 'win32') decline('not compiled in the thread on Windows');
  if (!path.isAbsolute(file)) decline('the path is not absolute');
  if (!isRealPath(file)) decline('its path goes through a symbolic link');
  const transformer = loadOxc() ?? decline("oxc's transform is not installed for this platform");
  const inputs = new Map<string, Buffer>();
  const settingsByDir = new Map<string, EmitSettings>();
  const settingsFor = (dir: string): EmitSettings => {
    let settings = settingsByDir.get(dir);
    if (settings === undefined) {
      try {
        settings = emitSettingsFor(dir, inputs);
      } catch (err) {
        if (err instanceof UnreadableSettings) decline(err.message);
        throw err;
      }
      refuseSideEffectsField(dir, inputs);
      settingsByDir.set(dir, settings);
    }
    return settings;
  };
  const modules: CompiledModule[] = [];
  const indexOf = new Map<string, number>();
  const visiting = new Set<string>();

  const visit = (moduleFile: string): number => {
    const known = indexOf.get(moduleFile);
    if (known !== undefined) return known;
    if (visiting.has(moduleFile)) decline('its modules import each other in a cycle');
    if (moduleFile.split(path.sep).includes('node_modules')) decline('a module is inside node_modules');
    const extension = path.extname(moduleFile);
    if (!COMPILED_EXTENSIONS.has(extension)) decline(`a ${extension || 'extensionless'} module is left to esbuild`);
    visiting.add(moduleFile);
    let bytes: Buffer;
    try {
      bytes = readRegularFileSync(moduleFile);
    } catch {
      decline('a module cannot be read as a regular file');
    }
    inputs.set(moduleFile, bytes);
    if (!isUtf8(bytes)) decline('a module is not UTF-8');
    const settings = settingsFor(path.dirname(moduleFile));
    const code = compiledCode(transformer, moduleFile, bytes.toString('utf8'), settings);
    const links: ModuleLink[] = [];
    for (const { specifier, start, end } of staticImports(code, moduleFile)) {
      // baseUrl and paths can send a bare name elsewhere, moduleSuffixes a relative one.
      if (settings.resolvesImports) decline('a tsconfig.json resolves imports (paths, baseUrl or moduleSuffixes)');
      if (specifier === 'p7apps') links.push({ start, end, to: 'p7apps' });
      if (specifier === 'p7apps' || isBuiltin(specifier)) continue;
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) decline(`the import ${JSON.stringify(specifier)} is resolved by esbuild`);
      links.push({ start, end, to: visit(resolveRelative(specifier, moduleFile)) });
    }
    visiting.delete(moduleFile);
    modules.push({ file: moduleFile, code, links });
    indexOf.set(moduleFile, modules.length - 1);
    return modules.length - 1;
  };
  visit(file);
  if (typeof (Module as { registerHooks?: unknown }).registerHooks !== 'function') refuseNestedGrowth(modules);
  return { modules, inputs };
}

/** Declines when the modules' nested data: URLs (importModules) would grow far past their code. */
function refuseNestedGrowth(modules: CompiledModule[]): void {
  const sizes: number[] = [];
  let code = 0;
  let total = 0;
  for (const module of modules) {
    code += module.code.length;
    const linked = module.links.reduce((size, link) => size - (link.end - link.start) + (link.to === 'p7apps' ? 0 : sizes[link.to]! + 2), module.code.length);
    sizes.push(Math.ceil(linked / 3) * 4 + 64);
    total += sizes.at(-1)!;
    if (total > code * MAX_NESTED_GROWTH + NESTED_SLACK_BYTES) decline('its modules import each other too deeply to link from memory on this Node');
  }
}


/** The module's JavaScript, as esbuild would compile it with `settings`; declined where the two could differ. */
function compiledCode(transformer: Oxc, file: string, source: string, settings: EmitSettings): string {
  const typescript = file.endsWith('.ts') || file.endsWith('.mts');
  if (typescript && EMPTY_IMPORT.test(source)) decline('a module has `import {} from` or `export {} from`, which esbuild drops');
  const base = { lang: typescript ? 'ts' : 'js', sourceType: 'module', sourcemap: false };
  const result = transformer.transformSync(file, source, base);
  if (result.errors.length > 0) decline('oxc reports an error in a module (esbuild names it)');
  if (Object.keys(result.helpersUsed ?? {}).length > 0) decline('a module needs a runtime helper');
  const differs = (options: object): boolean => {
    const other = transformer.transformSync(file, source, { ...base, ...options });
    return other.errors.length > 0 || other.code !== result.code;
  };
  // Legacy decorators compile the module otherwise when it has decorators; without namespaces allowed, oxc reports one.
  if (differs({ decorator: { legacy: true }, typescript: { allowNamespaces: false } })) decline('a module has decorators or a TypeScript namespace');
  // Only looked for: define also drops calls it takes to have no effect (String(x)), which esbuild keeps.
  if (transformer.transformSync(file, source, { ...base, define: FREE_NAMES_DEFINED }).code.includes(FREE_NAME_MARK)) {
    decline(`a module uses ${PER_MODULE_NAMES.join(', ')} (esbuild gives each module its own)`);
  }
  if (typescript && settings.keepsImports && differs({ typescript: { onlyRemoveTypeImports: true } })) {
    decline('a tsconfig.json keeps imports TypeScript would elide, and a module has one');
  }
  // Lowered to ES2021, a module with class fields (or newer syntax) reads differently: where fields are assigned, esbuild compiles those.
  if (settings.assignsClassFields && differs({ target: 'es2021', typescript: { removeClassFieldsWithoutInitializer: true } })) {
    decline('a tsconfig.json has class fields assigned, and a module may have one');
  }
  return result.code;
}

/** Every import of `code`, each a static import of a string (declined otherwise), with its literal's span. */
function staticImports(code: string, file: string): { specifier: string; start: number; end: number }[] {
  let parsed: ReturnType<typeof parseImports>;
  try {
    parsed = parseImports(code, file);
  } catch {
    decline("a module's imports cannot be read");
  }
  const [imports, , , hasModuleSyntax] = parsed;
  // esbuild runs a module without import or export as CommonJS (not in strict mode).
  if (!hasModuleSyntax) decline('a module has no import or export');
  return imports.map((entry) => {
    if (entry.t !== STATIC_IMPORT || entry.d !== -1) decline('a module uses import() or import.meta');
    if (entry.a !== -1) decline('a module imports with attributes (a JSON module)');
    const specifier = entry.n ?? decline('an import names a module in a way not read here');
    const quote = code[entry.s - 1];
    if ((quote !== '"' && quote !== "'") || code[entry.e] !== quote) decline('an import names a module in a way not read here');
    return { specifier, start: entry.s - 1, end: entry.e + 1 };
  });
}

/** The file a relative import names, found as esbuild finds it; declined unless that is one regular file. */
function resolveRelative(specifier: string, importer: string): string {
  const name = specifier.split('/').at(-1)!;
  if (/[?#%\\\0]/.test(specifier) || name === '' || name === '.' || name === '..') decline(`the import ${JSON.stringify(specifier)} is resolved by esbuild`);
  const base = path.resolve(path.dirname(importer), specifier);
  const extension = path.extname(base);
  const candidates = [base, ...RESOLVE_EXTENSIONS.map((added) => base + added), ...(REWRITTEN_EXTENSIONS[extension] ?? []).map((other) => base.slice(0, -extension.length) + other)];
  for (const candidate of candidates) {
    let info;
    try {
      info = lstatSync(candidate);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      decline(`an imported file cannot be looked at (${code ?? 'error'})`);
    }
    // A folder by that name is tried last by esbuild (its index file), after every file.
    if (info.isDirectory()) continue;
    if (!info.isFile()) decline('an imported file is a symbolic link or not a regular file');
    if (!isRealPath(candidate)) decline('an imported file is reached through a symbolic link');
    return candidate;
  }
  return decline(`the import ${JSON.stringify(specifier)} names no file (esbuild resolves or reports it)`);
}

/** Declines when the nearest package.json above `dir` says "sideEffects" (esbuild may leave out a module it marks), or cannot be read. */
function refuseSideEffectsField(dir: string, inputs: Map<string, Buffer>): void {
  for (const up of directoriesUp(dir)) {
    const manifest = path.join(up, 'package.json');
    let info;
    try {
      info = lstatSync(manifest);
    } catch {
      continue;
    }
    if (info.isDirectory()) continue;
    let parsed: unknown;
    try {
      const bytes = readRegularFileSync(manifest);
      inputs.set(manifest, bytes);
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      decline(`${manifest} cannot be read as JSON`);
    }
    if (parsed !== null && typeof parsed === 'object' && 'sideEffects' in parsed) decline(`${manifest} says "sideEffects"`);
    return;
  }
}

let links = 0;

/**
 * Links `compiled` into modules run from memory, `p7apps` being
 * `p7appsUrl`. The import settles with the config module's namespace;
 * `evaluating()` says whether any of the config's code has begun to run, so
 * that a failure before that (Node rejecting a module's syntax, an import
 * that does not match) can be left to esbuild's compile with nothing run
 * twice.
 *
 * Each module is a data: URL, which every supported Node imports. Where
 * Node has module hooks that run in the thread itself (22.15 and later),
 * the URLs are short and a hook hands the loader each module's text: Node
 * decodes a data: URL in JavaScript, 5 ms for a 25 KB module. The modules
 * import nothing but each other, Node's built-ins and p7apps, so the hook
 * sees no other module load (see importBundle in ./config-bundle.ts).
 */
export function importModules(compiled: ConfigModules, p7appsUrl: string): { namespace: Promise<unknown>; evaluating: () => boolean } {
  links += 1;
  const registerHooks = (Module as { registerHooks?: RegisterHooks }).registerHooks;
  const sources = new Map<string, string>();
  // Each link its own modules: the same text twice would be one module, already run.
  const urlOf = (code: string, name: string): string => {
    if (typeof registerHooks !== 'function') return `data:text/javascript;base64,${Buffer.from(`${code}\n// p7apps config link ${links}, ${name}\n`).toString('base64')}`;
    const url = `data:text/javascript,/* p7apps config link ${links}, ${name} */`;
    sources.set(url, code);
    return url;
  };
  // Evaluated before any module of the config: the config's first import is this one, and a module's imports run in order, first to last.
  const key = `p7apps config ${links} evaluating ${Math.random().toString(36).slice(2)}`;
  const marker = urlOf(`Object.defineProperty(globalThis, ${JSON.stringify(key)}, { value: true });\n`, 'start');
  const urls: string[] = [];
  const last = compiled.modules.length - 1;
  compiled.modules.forEach((module, index) => {
    let code = '';
    let at = 0;
    for (const link of module.links) {
      code += module.code.slice(at, link.start) + JSON.stringify(link.to === 'p7apps' ? p7appsUrl : urls[link.to]);
      at = link.end;
    }
    code += module.code.slice(at);
    urls.push(urlOf(index === last ? withFirstImport(code, marker) : code, `module ${index}`));
  });
  const evaluating = () => Object.hasOwn(globalThis, key);
  if (typeof registerHooks !== 'function') return { namespace: import(urls[last]!), evaluating };
  const hooks = registerHooks({
    resolve: (specifier, context, next) => (sources.has(specifier) ? { url: specifier, format: 'module', shortCircuit: true } : next(specifier, context)),
    load: (url, context, next) => (sources.has(url) ? { format: 'module', source: sources.get(url), shortCircuit: true } : next(url, context)),
  });
  // The modules are loaded by the time the config is imported (or has failed to be); later imports pass no hook.
  return { namespace: import(urls[last]!).finally(() => hooks.deregister()), evaluating };
}

/** `code` with an import of `url` before any other statement, its lines unmoved. */
function withFirstImport(code: string, url: string): string {
  return beforeFirstStatement(code, `import ${JSON.stringify(url)};`);
}

