// Evaluates a TypeScript or JavaScript config file and returns the config it
// exports, without writing any file, so a read-only checkout works: from the
// modules ./thread-compile.ts compiles (the quickest way), from the
// one-module bundle ./config-bundle.ts compiles (no loader hooks either),
// or, for what both decline, through tsx, which compiles in memory too. Each load sees the file's current contents, including any helper
// modules it imports. It runs inside the config worker
// (./sandbox-worker.ts), which ./sandbox.ts stops at the time limit: nothing
// here waits with a timer of its own.
//
// A config's `import { defineConfig } from 'p7apps'` resolves to the running
// p7apps package, whether the project has p7apps installed or not and
// whether it is an ES module or CommonJS project.

import Module, { createRequire, register as registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BundleRefused, esbuildFromTsx, importBundle, type ConfigBundle } from './config-bundle.js';
import { importModules, type ConfigModules } from './thread-compile.js';
import { isRecord } from './issue-path.js';
import { ModuleLoadError } from './sandbox-protocol.js';

/** tsx namespaces of config loads start with this; the resolver hooks act only inside them. */
const NAMESPACE_PREFIX = 'p7apps-config-';
const HOOKS_INSTALLED = Symbol.for('p7apps.config.selfResolution');

/** Set by scripts/bundle.mjs: the bundle's own entry, relative to its files. */
declare const __P7APPS_SELF_ENTRY__: string | undefined;

/** Set by scripts/bundle.mjs: the bundle's light entry for configs (./config-api.ts), relative to its files. */
declare const __P7APPS_CONFIG_ENTRY__: string | undefined;

const fromSource = new URL(import.meta.url).pathname.endsWith('.ts');

/**
 * The running package's entry: the bundle's index.js when the CLI runs
 * bundled; dist/index.js when p7apps runs compiled; the TypeScript source
 * when it runs from source (tests), which tsx then compiles for ES module
 * configs.
 */
const selfEntry = new URL(typeof __P7APPS_SELF_ENTRY__ === 'string' ? __P7APPS_SELF_ENTRY__ : fromSource ? '../index.ts' : '../index.js', import.meta.url);

/** What an ES module config gets first (./config-api.ts): the whole entry only if it imports more. */
const configEntry = new URL(typeof __P7APPS_CONFIG_ENTRY__ === 'string' ? __P7APPS_CONFIG_ENTRY__ : fromSource ? './config-api.ts' : './config-api.js', import.meta.url);

/** In the namespace of a load that needs the whole entry. */
const FULL_ENTRY_MARK = 'full-';

const RESOLVE_HOOK = `
let entry;
let light;
let prefix;
let full;
export function initialize(data) { entry = data.entry; light = data.light; prefix = data.prefix; full = data.full; }
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'p7apps' && context.parentURL && context.parentURL.includes('namespace=' + prefix)) {
    const url = new URL(context.parentURL.includes('namespace=' + prefix + full) ? entry : light);
    if (url.pathname.endsWith('.ts')) {
      for (const [key, value] of new URL(context.parentURL).searchParams) if (key.endsWith('namespace')) url.searchParams.set(key, value);
    }
    // Through the hooks registered before this one, so that a tsx among them compiles a TypeScript entry.
    return nextResolve(url.href, context);
  }
  return nextResolve(specifier, context);
}
`;

/**
 * Runs `register` with Node's deprecation warnings held back. Node 26
 * deprecates module.register() (DEP0205), which tsx and the resolution of
 * `p7apps` below use, and would print its warning among p7apps' own
 * messages: nothing a user can act on. A warning the config's own code
 * causes is printed as ever.
 */
function quietly<T>(register: () => T): T {
  const before = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return register();
  } finally {
    process.noDeprecation = before;
  }
}

/** Once per process: send `p7apps` imported by a config (ESM import or CommonJS require) to the running package. */
function installSelfResolution(): void {
  const state = globalThis as { [HOOKS_INSTALLED]?: boolean };
  if (state[HOOKS_INSTALLED]) return;
  state[HOOKS_INSTALLED] = true;
  quietly(() =>
    registerHooks(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, {
      data: { entry: selfEntry.href, light: configEntry.href, prefix: NAMESPACE_PREFIX, full: FULL_ENTRY_MARK },
    }),
  );
  const internal = Module as unknown as { _resolveFilename: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string };
  const resolveFilename = internal._resolveFilename;
  const entryPath = selfEntry.pathname;
  internal._resolveFilename = function (request, parent, ...rest) {
    const fromConfig = parent?.filename?.includes(`namespace=${NAMESPACE_PREFIX}`) === true;
    if (request === 'p7apps' && fromConfig) return entryPath;
    try {
      return resolveFilename.call(this, request, parent, ...rest);
    } catch (err) {
      // tsx lets TypeScript import './apps.js' for apps.ts, but in a CommonJS project it does not know
      // the config itself for TypeScript: its name carries the namespace query. Same mapping here.
      const typescript = fromConfig && /^\.\.?\//.test(request) ? typeScriptNames(request) : [];
      for (const candidate of typescript) {
        try {
          return resolveFilename.call(this, candidate, parent, ...rest);
        } catch {
          // Try the next one; the original error is what is reported.
        }
      }
      throw err;
    }
  };
}

/** The TypeScript files an import of a JavaScript file may mean: `./a.js` -> `./a.ts`, `./a.tsx`; `.mjs` -> `.mts`; `.cjs` -> `.cts`. */
function typeScriptNames(request: string): string[] {
  const match = /^(.*)\.([cm]?)js$/.exec(request);
  if (!match) return [];
  const [, stem, kind] = match;
  return kind === '' ? [`${stem}.ts`, `${stem}.tsx`] : [`${stem}.${kind}ts`];
}

/**
 * CommonJS modules are cached by file name whatever the tsx namespace, so a
 * second load of the same config would see the first one's contents: forget
 * the ones from the config's own directory tree (not its node_modules).
 */
function forgetCommonJsModules(configDir: string): void {
  const cache = createRequire(import.meta.url).cache;
  const prefix = configDir.endsWith(path.sep) ? configDir : configDir + path.sep;
  for (const file of Object.keys(cache)) {
    if (file.startsWith(prefix) && !file.slice(prefix.length).split(path.sep).includes('node_modules')) delete cache[file];
  }
}

/** How far a load got: what a load stopped at the time limit (or never settling) was doing. */
export type LoadStage = 'loading' | 'calling';

/** The config compiled to run from memory: module by module (./thread-compile.ts), or as one bundle (./config-bundle.ts). */
export type CompiledConfig = ConfigModules | ConfigBundle;

/**
 * esbuild's compile of the config, for modules Node rejected before any of
 * them ran: a bundle, none (then tsx loads it), or why it must not be loaded.
 */
export type Recompile = () => Promise<ConfigBundle | BundleRefused | undefined>;

/**
 * The config `file` exports. With `compiled` (which the caller can make
 * while this thread starts), it runs from memory; without, through tsx.
 * Modules that Node rejects before any of them runs are compiled again by
 * `recompile` (esbuild), which then reports what is wrong as users know it.
 */
export async function importConfigModule(file: string, source: string, onStage: (stage: LoadStage) => void = () => {}, compiled?: CompiledConfig, recompile?: Recompile): Promise<unknown> {
  if (compiled === undefined) return importThroughTsx(file, source, onStage);
  if ('code' in compiled) return awaitedConfig(await importBundled(file, source, compiled, onStage), onStage);
  onStage('loading');
  const linked = await importLinked(file, source, compiled);
  if (linked !== undefined) return awaitedConfig(linked.namespace, onStage);
  const bundle = recompile === undefined ? undefined : await recompile();
  if (bundle instanceof BundleRefused) throw new ModuleLoadError(bundle.message);
  // The time limit runs from the first 'loading': told once.
  const later = (stage: LoadStage) => {
    if (stage !== 'loading') onStage(stage);
  };
  return importConfigModule(file, source, later, bundle);
}

/**
 * The config module's namespace, with the light `p7apps` entry or the whole
 * one if it imports more; undefined when Node rejected the modules before
 * any of them ran.
 */
async function importLinked(file: string, source: string, compiled: ConfigModules): Promise<{ namespace: unknown } | undefined> {
  for (const entry of ['light', 'full'] as const) {
    const url = selfUrl(entry);
    const { namespace, evaluating } = importModules(compiled, url);
    try {
      return { namespace: await namespace };
    } catch (err) {
      // Its modules were parsed and linked: a SyntaxError now is one the config threw (JSON.parse, say).
      if (evaluating()) throw err instanceof SyntaxError ? new ModuleLoadError(`the file threw an error while loading: ${errorText(err)}`) : toLoadError(err, file, source);
      const wantsWhole = entry === 'light' && err instanceof SyntaxError && /does not provide an export named/.test(err.message) && err.message.includes(url);
      if (!wantsWhole) return undefined;
    }
  }
  return undefined;
}

/** `p7apps` for a bundled config: the light entry, or the whole one; from source (tests), compiled by the tsx that runs this worker. */
function selfUrl(entry: 'light' | 'full'): string {
  const url = new URL(entry === 'full' ? selfEntry : configEntry);
  if (fromSource) for (const [key, value] of new URL(import.meta.url).searchParams) if (key.endsWith('namespace')) url.searchParams.set(key, value);
  return url.href;
}

/** The bundled config's module, with the light `p7apps` entry, or the whole one if it imports more. */
async function importBundled(file: string, source: string, bundle: ConfigBundle, onStage: (stage: LoadStage) => void): Promise<unknown> {
  onStage('loading');
  const light = selfUrl('light');
  try {
    return await importBundle(bundle, light, selfUrl('full'));
  } catch (err) {
    // Linking failed before any of the config ran: loading it again runs it once.
    if (!(err instanceof SyntaxError && /does not provide an export named/.test(err.message) && err.message.includes(light))) throw toLoadError(err, file, source);
  }
  try {
    return await importBundle(bundle, selfUrl('full'), selfUrl('full'));
  } catch (err) {
    throw toLoadError(err, file, source);
  }
}

/**
 * A tsx namespace need only be new to this thread: a count of loads, and a
 * mark of this copy of the module (tests load it from source beside the
 * compiled one). Not node:crypto, which the worker would load for this alone.
 */
const THIS_COPY = Math.random().toString(36).slice(2, 10);
let tsxLoads = 0;

async function importThroughTsx(file: string, source: string, onStage: (stage: LoadStage) => void): Promise<unknown> {
  installSelfResolution();
  forgetCommonJsModules(path.dirname(file));
  // Both loaded before either registers, so that nothing stays registered if one cannot be loaded.
  const [{ register }, commonJs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
  const registered: { unregister: () => Promise<void> }[] = [];
  const load = (entry: 'light' | 'full') => {
    tsxLoads += 1;
    const tsx = quietly(() => register({ namespace: `${NAMESPACE_PREFIX}${entry === 'full' ? FULL_ENTRY_MARK : ''}${THIS_COPY}-${tsxLoads}` }));
    registered.push(tsx);
    // Imported as if from the config's own folder: tsx's namespace, not that of whatever runs this module, applies.
    return tsx.import(pathToFileURL(file).href, pathToFileURL(file).href);
  };
  // A TypeScript config in a CommonJS project is compiled to CommonJS, and Node's require then loads what
  // it imports: without tsx's CommonJS hooks, `import './lib/apps'` (a .ts file) is not found.
  const unregisterCommonJs = commonJs.register();
  try {
    let namespace: unknown;
    // From here on the time is the config's own.
    onStage('loading');
    try {
      namespace = await load('light').catch((err: unknown) => {
        // Linking failed before any of the config ran: loading it again runs it once.
        if (err instanceof SyntaxError && /module 'p7apps' does not provide an export named/.test(err.message)) return load('full');
        throw err;
      });
    } catch (err) {
      throw toLoadError(err, file, source);
    }
    return await awaitedConfig(namespace, onStage);
  } finally {
    unregisterCommonJs();
    for (const tsx of registered) await tsx.unregister();
  }
}

/** The config a loaded module exports: its default export, called and awaited when it is a function or a promise. */
async function awaitedConfig(namespace: unknown, onStage: (stage: LoadStage) => void): Promise<unknown> {
  let value = exportedConfig(namespace);
  if (typeof value === 'function') {
    onStage('calling');
    try {
      value = (value as () => unknown)();
    } catch (err) {
      throw new ModuleLoadError(`the config function threw an error: ${errorText(err)}`);
    }
  }
  if (isThenable(value)) {
    onStage('calling');
    try {
      value = await value;
    } catch (err) {
      throw new ModuleLoadError(`the config function failed: ${errorText(err)}`);
    }
  }
  if (value === undefined) {
    throw new ModuleLoadError('the file exports no config: write `export default defineConfig({ apps: [...] })`');
  }
  return value;
}

/**
 * The default export. A TypeScript file compiled as CommonJS (in a project
 * without "type": "module") arrives wrapped once more, as
 * `{ default: { __esModule: true, default: config } }`.
 */
function exportedConfig(namespace: unknown): unknown {
  if (!isRecord(namespace)) return undefined;
  let value = namespace.default;
  if (isRecord(value) && value.__esModule === true) value = value.default;
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const MAX_ERROR_TEXT = 500;

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : `a thrown ${err === null ? 'null' : typeof err}`;
  const firstLines = text.split('\n').slice(0, 3).join(' ').trim();
  return firstLines.length > MAX_ERROR_TEXT ? `${firstLines.slice(0, MAX_ERROR_TEXT)}…` : firstLines;
}

/** A path or file URL from Node's message as a plain path, without the query tsx adds (`?namespace=…`). */
function plainPath(where: string): string {
  const plain = where.replace(/\?.*$/, '');
  if (!plain.startsWith('file://')) return plain;
  try {
    return fileURLToPath(plain);
  } catch {
    return plain;
  }
}

/** A path as messages show it: relative to the config's folder when inside it. */
function shownPath(where: string, file: string): string {
  const plain = plainPath(where);
  if (!path.isAbsolute(plain)) return plain;
  const relative = path.relative(path.dirname(file), plain);
  return relative.startsWith('..') ? plain : `./${relative}`;
}

/**
 * What cannot be found, and from where, in words a person can act on:
 * Node's own message names tsx's internal query and a require stack.
 */
function missingImport(text: string, file: string): string {
  const what = /Cannot find (?:module|package) '([^']+)'/.exec(text)?.[1];
  if (what === undefined) return `an import cannot be found: ${errorText(text)}`;
  const importedFrom = /imported from (\S+)/.exec(text)?.[1] ?? /Require stack:\s*-\s*(\S+)/.exec(text)?.[1];
  const importer = importedFrom === undefined ? file : plainPath(importedFrom);
  const from = importer === file ? '' : ` (imported by ${shownPath(importer, file)})`;
  if (what.startsWith('.') || what.startsWith('/') || what.startsWith('file:')) {
    // CommonJS names the import as written, ES modules as resolved: shown alike, from the config's folder.
    const target = what.startsWith('.') ? path.resolve(path.dirname(importer), what) : what;
    return `an import cannot be found: ${shownPath(target, file)}${from}; check the path, relative to the file that imports it, and its extension`;
  }
  const name = what.startsWith('@') ? what.split('/').slice(0, 2).join('/') : what.split('/')[0]!;
  return `an import cannot be found: the package "${name}"${from} is not installed where the config is; install it there (npm install ${name})`;
}

/** A compile error names file:line:column; anything thrown while the file runs is reported with its message. */
function toLoadError(err: unknown, file: string, source: string): ModuleLoadError {
  const text = err instanceof Error ? err.message : String(err);
  const esbuild = /^(.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(text);
  if (esbuild) {
    // esbuild counts columns from 0.
    const [, where, line, column] = esbuild;
    if (path.resolve(where!) === file) return new ModuleLoadError(`syntax error: ${esbuild[4]}`, Number(line), Number(column) + 1);
    // tsx compiles an .mts or .cts file under the name of its .ts twin, which its message then names.
    const own = path.resolve(where!) === file.replace(/\.[cm]ts$/, '.ts') ? locateSyntaxError(file, source) : undefined;
    if (own) return new ModuleLoadError(`syntax error: ${own.message}`, own.line, own.column);
    return new ModuleLoadError(`a module it imports does not compile: ${where}:${line}:${Number(column) + 1}: ${esbuild[4]}`);
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return new ModuleLoadError(missingImport(text, file));
  }
  // A package.json on the way (Node's, or tsx's "Error parsing: FILE") that is not JSON: not the config's doing.
  const manifest = code === 'ERR_INVALID_PACKAGE_CONFIG' ? /(\S*package\.json)/.exec(text)?.[1] : /^Error parsing: (\S*package\.json)$/.exec(text)?.[1];
  if (manifest !== undefined) {
    return new ModuleLoadError(`${shownPath(plainPath(manifest), file)}, which Node reads to tell how to load the config, is not valid JSON; fix it`);
  }
  if (err instanceof SyntaxError) {
    if (/does not provide an export named/.test(err.message)) return new ModuleLoadError(`an import does not match: ${errorText(err)}`);
    const where = locateSyntaxError(file, source);
    if (where) return new ModuleLoadError(`syntax error: ${where.message}`, where.line, where.column);
    return new ModuleLoadError(`a module it imports has a syntax error: ${errorText(err)}`);
  }
  return new ModuleLoadError(`the file threw an error while loading: ${errorText(err)}`);
}

interface EsbuildFailure {
  errors?: Array<{ text: string; location?: { line: number; column: number } | null }>;
}

/**
 * Node does not say where a syntax error in an ES module is, so the source is
 * parsed again with esbuild (tsx's compiler, resolved from tsx so that it is
 * the copy installed with it). Undefined when the file itself parses: the
 * error is then in something it imports.
 */
function locateSyntaxError(file: string, source: string): { message: string; line: number; column: number } | undefined {
  const esbuild = esbuildFromTsx() as ReturnType<typeof esbuildFromTsx> & { transformSync: (code: string, options: object) => unknown };
  const typescript = /\.[cm]?ts$/.test(file);
  try {
    esbuild.transformSync(source, { loader: typescript ? 'ts' : 'js', sourcefile: file, format: file.endsWith('.cjs') ? 'cjs' : 'esm' });
    return undefined;
  } catch (err) {
    const first = (err as EsbuildFailure).errors?.[0];
    if (!first?.location) return undefined;
    return { message: first.text, line: first.location.line, column: first.location.column + 1 };
  }
}
