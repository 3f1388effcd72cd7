// From a config file to the DesiredState the planner reads: finds and loads
// the file (./find.ts), checks it (./validate.ts) and the files it points at
// (./files.ts), and reports every problem at once in one ConfigError. Only a
// config without problems is resolved: defaults inherited, descriptions
// read, thumbnails hashed, paths absolute, apps sorted by name and versions
// by number. A config that declares environments is resolved for one of
// them, its overrides merged in first (./environments.ts). Reads only;
// writes nothing.

import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { DesiredApp, DesiredState, DesiredThumbnail, DesiredVersion, WorkspaceRef } from './desired.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { displayPath, normalizeDescription, readDescriptionFile, readThumbnail, type DescriptionText, type FileContext, type FileResult } from './files.js';
import { baseView, chooseEnvironment, environmentNames, environmentsIssues, environmentView } from './environments.js';
import { findConfig, type FoundConfig } from './find.js';
import { appLabels, formatPath, isRecord, type PathSegment } from './issue-path.js';
import { MAX_FILE_PATH_LENGTH } from './limits.js';
import type { ParsedConfig, ParsedWorkspace } from './schema.js';
import type { RawIssue, Validation } from './validate.js';
import { checkSpecs } from '../checks/from-config.js';

export interface DesiredStateLoad {
  configPath?: string;
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The environment chosen (--env or P7APPS_ENV); required when the config declares environments. */
  environment?: string;
  /** Where `environment` came from, for messages: "--env" (default) or "P7APPS_ENV". */
  environmentSource?: string;
}

export async function loadDesiredState(options: DesiredStateLoad): Promise<DesiredState> {
  const loaded = await loadFound(options);
  const environment = chooseEnvironment(loaded.found.value, options.environment, options.environmentSource ?? '--env', displayPath(loaded.found.file, loaded.cwd));
  return desiredFor(loaded, environment);
}

/**
 * The desired state of every environment the config declares (the config
 * as it stands when it declares none), for `validate`: one ConfigError
 * lists the problems of them all, each problem once, with the environments
 * it shows in.
 */
export async function loadEveryEnvironment(options: Omit<DesiredStateLoad, 'environment' | 'environmentSource'>): Promise<DesiredState[]> {
  const loaded = await loadFound(options);
  const names = environmentNames(loaded.found.value);
  if (names.length === 0) return [await desiredFor(loaded, undefined)];
  const states: DesiredState[] = [];
  const problems = new Map<string, ConfigIssue>();
  for (const name of names) {
    try {
      states.push(await desiredFor(loaded, name));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const issue of err.issues) {
        const { environments, ...place } = issue;
        const key = JSON.stringify(place);
        const seen = problems.get(key);
        if (seen === undefined) problems.set(key, issue);
        else if (seen.environments !== undefined && environments !== undefined) seen.environments = [...seen.environments, ...environments];
      }
    }
  }
  if (problems.size > 0) {
    // A problem every environment shares is the config's own: it needs no environment named.
    throw new ConfigError([...problems.values()].map(({ environments, ...issue }) => (environments === undefined || environments.length === names.length ? issue : { ...issue, environments })));
  }
  return states;
}

interface Loaded {
  found: FoundConfig;
  cwd: string;
  fileContext: FileContext;
  validator: typeof import('./validate.js');
}

async function loadFound(options: Omit<DesiredStateLoad, 'environment' | 'environmentSource'>): Promise<Loaded> {
  // The validator and its schema (zod) load while a TypeScript config's
  // worker evaluates it, which leaves this thread waiting; not before (the
  // worker would start later) and not at every command's start.
  let validating: Promise<Loaded['validator']> | undefined;
  const loadValidator = () => {
    if (validating !== undefined) return validating;
    validating = import('./validate.js');
    validating.catch(() => undefined); // awaited below; a config that fails to load first must not leave it unhandled
    return validating;
  };
  const cwd = path.resolve(options.cwd);
  const found = await findConfig({ ...options, cwd, whileEvaluating: loadValidator });
  const configDir = path.dirname(found.file);
  const fileContext = { configDir, realConfigDir: await realpath(configDir), cwd };
  return { found, cwd, fileContext, validator: await loadValidator() };
}

async function desiredFor({ found, cwd, fileContext, validator }: Loaded, environment: string | undefined): Promise<DesiredState> {
  const view = environment === undefined ? baseView(found.value) : environmentView(found.value as Record<string, unknown>, environment);
  const file = displayPath(found.file, cwd);
  let validation: Validation;
  try {
    validation = validator.validateConfigValue(view.value);
  } catch (err) {
    // A computed config can hold getters or proxies that throw when read.
    const message = `reading the config's values failed: ${err instanceof Error ? err.message : String(err)}`;
    throw new ConfigError([{ file, path: '', message }]);
  }
  const files = await readReferencedFiles(view.value, fileContext);
  // Problems of the merged config are reported where the file says it: in the environment, or in the config itself.
  const merged = [...validation.issues, ...files.issues].map((issue) => ({ ...issue, path: view.sourceOf(issue.path) }));
  const issues = onePerPlace([...environmentsIssues(found.value), ...view.issues, ...merged]);
  if (issues.length > 0 || validation.config === undefined) {
    const labels = appLabels(found.value);
    throw new ConfigError(
      inFileOrder(issues, found.value, validator.KEYS).map((issue): ConfigIssue => {
        const inEnvironment = environment !== undefined && issue.path[0] !== 'environments';
        return {
          file,
          path: withPrefix(found.pathPrefix, formatPath(issue.path, labels)),
          message: issue.message,
          ...(inEnvironment ? { environments: [environment] } : {}),
        };
      }),
    );
  }
  const state = resolve(validation.config, files, found.file);
  if (environment !== undefined) {
    state.environment = environment;
    if (view.setsPlace(['server', 'url']) && state.serverUrl !== undefined) state.environmentServerUrl = state.serverUrl;
  }
  return state;
}

/** `p7apps.apps["X"]` for a config under package.json's "p7apps" key. */
function withPrefix(prefix: PathSegment[], path: string): string {
  if (prefix.length === 0) return path;
  const head = formatPath(prefix, new Map());
  return path === '' || path.startsWith('[') ? `${head}${path}` : `${head}.${path}`;
}

interface ReferencedFiles {
  issues: RawIssue[];
  defaultThumbnail?: DesiredThumbnail;
  thumbnails: Map<number, DesiredThumbnail>;
  descriptions: Map<number, DescriptionText>;
}

/** A path worth looking up: the schema reports every other value. */
function usablePath(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_FILE_PATH_LENGTH && !/[\u0000-\u001f]/.test(value);
}

async function readReferencedFiles(raw: unknown, ctx: FileContext): Promise<ReferencedFiles> {
  const out: ReferencedFiles = { issues: [], thumbnails: new Map(), descriptions: new Map() };
  if (!isRecord(raw)) return out;
  const thumbnails = new Map<string, Promise<FileResult<DesiredThumbnail>>>();
  const thumbnail = (declared: string) => {
    const key = path.resolve(ctx.configDir, declared);
    let pending = thumbnails.get(key);
    if (pending === undefined) thumbnails.set(key, (pending = readThumbnail(declared, ctx)));
    return pending;
  };
  const collect = async <T>(declared: unknown, at: PathSegment[], read: (declared: string) => Promise<FileResult<T>>): Promise<T | undefined> => {
    if (!usablePath(declared)) return undefined;
    const result = await read(declared);
    if (result.ok) return result.value;
    out.issues.push({ path: at, message: result.message });
    return undefined;
  };

  if (isRecord(raw.defaults)) {
    const value = await collect(raw.defaults.thumbnail, ['defaults', 'thumbnail'], thumbnail);
    if (value) out.defaultThumbnail = value;
  }
  if (!Array.isArray(raw.apps)) return out;
  for (const [index, app] of raw.apps.entries()) {
    if (!isRecord(app)) continue;
    const image = await collect(app.thumbnail, ['apps', index, 'thumbnail'], thumbnail);
    if (image) out.thumbnails.set(index, image);
    if (app.description !== undefined) continue; // both set is an error of its own; the file is not worth reading
    const description = await collect(app.descriptionFile, ['apps', index, 'descriptionFile'], (declared) => readDescriptionFile(declared, ctx));
    if (description) out.descriptions.set(index, description);
  }
  return out;
}

function resolve(config: ParsedConfig, files: ReferencedFiles, configPath: string): DesiredState {
  const defaults = config.defaults ?? {};
  const apps = config.apps.map((app, index): DesiredApp => {
    const workspace = app.workspace ?? defaults.workspace;
    if (workspace === undefined) throw new Error(`app ${app.name} has no workspace after validation`);
    const desired: DesiredApp = {
      name: app.name,
      workspace: workspaceRef(workspace),
      versions: [...app.versions]
        .sort((a, b) => a.version - b.version)
        .map(({ version, workflow, checks, onWorkflowChange }) => {
          const resolved: DesiredVersion = { version, workflow };
          const specs = checkSpecs(checks ?? app.checks);
          if (specs.length > 0) resolved.checks = specs;
          // The most specific level that says something wins.
          const policy = onWorkflowChange ?? app.onWorkflowChange ?? defaults.onWorkflowChange;
          if (policy !== undefined) resolved.onWorkflowChange = policy;
          return resolved;
        }),
    };
    const fromFile = files.descriptions.get(index);
    if (app.description !== undefined) desired.description = normalizeDescription(app.description);
    else if (fromFile !== undefined) {
      desired.description = fromFile.text;
      desired.descriptionFile = fromFile.path;
    }
    const thumbnail = app.thumbnail !== undefined ? files.thumbnails.get(index) : files.defaultThumbnail;
    if (thumbnail !== undefined) desired.thumbnail = thumbnail;
    const allowCopy = app.allowCopy ?? defaults.allowCopy;
    if (allowCopy !== undefined) desired.allowCopy = allowCopy;
    if (app.defaultVersion !== undefined) desired.defaultVersion = app.defaultVersion;
    if (app.protect === true) desired.protect = true;
    const appChecks = checkSpecs(app.checks);
    if (appChecks.length > 0) desired.checks = appChecks;
    return desired;
  });
  apps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const state: DesiredState = { configPath, apps };
  if (config.server?.url !== undefined) state.serverUrl = config.server.url;
  if (config.strict !== undefined) state.strict = config.strict;
  if (config.safety !== undefined) state.safety = { ...config.safety };
  return state;
}

function workspaceRef(workspace: ParsedWorkspace): WorkspaceRef {
  if (typeof workspace === 'string') return { name: workspace };
  const ref: WorkspaceRef = {};
  if (workspace.name !== undefined) ref.name = workspace.name;
  if (workspace.id !== undefined) ref.id = workspace.id;
  return ref;
}

function onePerPlace(issues: RawIssue[]): RawIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify(issue.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * In the order of the file: keys as the file lists them (a loaded object
 * keeps its keys' order), list entries by position, and keys the file lacks
 * (a required one missing) after those it has, in the schema's order.
 */
function inFileOrder(issues: RawIssue[], raw: unknown, KEYS: typeof import('./schema.js').KEYS): RawIssue[] {
  const schemaOrder = [...new Set([...KEYS.root, ...KEYS.app, ...KEYS.version, ...KEYS.workspace, ...KEYS.server, ...KEYS.defaults, ...KEYS.safety])];
  const rank = (parent: unknown, key: string): number => {
    const present = isRecord(parent) ? Object.keys(parent).indexOf(key) : -1;
    if (present >= 0) return present;
    const known = schemaOrder.indexOf(key);
    return 1_000_000 + (known < 0 ? schemaOrder.length : known);
  };
  const compare = (a: PathSegment[], b: PathSegment[]): number => {
    let parent = raw;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (x === y) {
        parent = isRecord(parent) || Array.isArray(parent) ? (parent as Record<PathSegment, unknown>)[x] : undefined;
        continue;
      }
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (typeof x === 'number') return -1;
      if (typeof y === 'number') return 1;
      return rank(parent, x) - rank(parent, y) || (x < y ? -1 : 1);
    }
    return a.length - b.length;
  };
  return [...issues].sort((a, b) => compare(a.path, b.path));
}
