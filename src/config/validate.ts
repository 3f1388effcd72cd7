// Checks a loaded config value against the schema and the rules that span
// several fields (unique names, declared default versions, a workspace for
// every app), and phrases every problem for a person: the place, what is
// wrong, and how to fix it. Files the config points at are checked by
// ./files.ts. Works on whatever the file produced, so it trusts no shape.

import type { z } from 'zod';
import { KEYS, configSchema, type ParsedConfig } from './schema.js';
import { closestKey, describe, isRecord, type PathSegment } from './issue-path.js';
import { checkValueMessage, isCheckPath, NEAR_KEYS } from './check-schema.js';
import { safeParseQuickly } from './quick-parse.js';

/** The schema's keys, for callers that import this module when they need it (./resolve.ts orders issues by them). */
export { KEYS };

export interface RawIssue {
  path: PathSegment[];
  message: string;
}

/** While translating: what a did-you-mean points at, and which issues are a missing key, so one can silence the other. */
interface SchemaIssue extends RawIssue {
  suggested?: PathSegment[];
  missing?: boolean;
}

const SECRET_KEY = /token|passw|secret|credential|api[-_]?key|bearer|^auth(orization)?$/i;
const SECRET_MESSAGE =
  'credentials do not belong in the config file (the value is not shown); set P7APPS_TOKEN in the environment instead (or P7APPS_USERNAME and P7APPS_PASSWORD)';
/** How deep the credential scan looks; the schema itself is four levels deep. */
const MAX_SCAN_DEPTH = 32;

/** Config keys people reach for, mostly the wire names of the publish request. */
const KEY_ALIASES: Record<string, string> = {
  allow_get_as_workflow: 'allowCopy',
  allowGetAsWorkflow: 'allowCopy',
  set_version_as_default: 'defaultVersion',
  default: 'defaultVersion',
  workflow_path: 'workflow',
  workflowPath: 'workflow',
  path: 'workflow',
  desc: 'description',
  readme: 'descriptionFile',
  image: 'thumbnail',
  icon: 'thumbnail',
  app: 'apps',
  workspaceId: 'workspace',
  workspaceName: 'workspace',
};

export interface Validation {
  issues: RawIssue[];
  /** Present when the schema accepted the value (cross-field rules may still have failed). */
  config?: ParsedConfig;
}

export function validateConfigValue(raw: unknown): Validation {
  if (!isRecord(raw)) {
    return { issues: [{ path: [], message: `expected the config to be an object with an "apps" list, got ${describe(raw)}` }] };
  }
  const secretIssues = findCredentials(raw);
  const parsed = safeParseQuickly(configSchema, raw);
  const schemaIssues = parsed.success ? [] : withoutSuggestedMissing(parsed.error.issues.flatMap((issue) => translate(issue, [], raw)));
  const issues = [...secretIssues, ...withoutShadowed([...schemaIssues, ...crossFieldIssues(raw)], secretIssues)];
  return parsed.success ? { issues, config: parsed.data } : { issues };
}

/** Nothing more is said about what sits under a key refused as a credential. */
function withoutShadowed(issues: RawIssue[], secrets: RawIssue[]): RawIssue[] {
  return issues.filter((issue) => !secrets.some((secret) => startsWith(issue.path, secret.path)));
}

/** `wokflow: unknown key; did you mean "workflow"?` says all there is; `workflow: required` beside it would be noise. */
function withoutSuggestedMissing(issues: SchemaIssue[]): RawIssue[] {
  const suggested = new Set(issues.flatMap((issue) => (issue.suggested ? [JSON.stringify(issue.suggested)] : [])));
  return issues.filter((issue) => !(issue.missing && suggested.has(JSON.stringify(issue.path)))).map(({ path, message }) => ({ path, message }));
}

function startsWith(path: PathSegment[], prefix: PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

function findCredentials(raw: Record<string, unknown>): RawIssue[] {
  const issues: RawIssue[] = [];
  const seen = new WeakSet<object>();
  // One path, grown and shrunk on the way: copied only for an issue, not for each of a large catalog's values.
  const path: PathSegment[] = [];
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null || seen.has(value) || path.length > MAX_SCAN_DEPTH) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        path.push(i);
        visit(item);
        path.pop();
      });
      return;
    }
    for (const key of Object.keys(value)) {
      if (SECRET_KEY.test(key)) {
        issues.push({ path: [...path, key], message: SECRET_MESSAGE });
      } else {
        path.push(key);
        visit((value as Record<string, unknown>)[key]);
        path.pop();
      }
    }
  };
  visit(raw);
  const url = isRecord(raw.server) ? raw.server.url : undefined;
  if (typeof url === 'string' && urlCarriesCredentials(url)) {
    issues.push({
      path: ['server', 'url'],
      message:
        'the URL must not carry a user name, password or token (the URL is not shown); credentials come from the environment: P7APPS_TOKEN, or P7APPS_USERNAME and P7APPS_PASSWORD',
    });
  }
  return issues;
}

function urlCarriesCredentials(text: string): boolean {
  try {
    const url = new URL(text);
    return url.username !== '' || url.password !== '' || [...url.searchParams.keys()].some((key) => SECRET_KEY.test(key) || /^key$/i.test(key));
  } catch {
    return false;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function toPath(base: PathSegment[], path: readonly PropertyKey[]): PathSegment[] {
  return [...base, ...path.map((segment) => (typeof segment === 'number' ? segment : String(segment)))];
}

function translate(issue: z.core.$ZodIssue, base: PathSegment[], raw: unknown): SchemaIssue[] {
  const path = toPath(base, issue.path);
  const value = valueAt(raw, path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const suggestion = suggestKey(key, path);
        const message = suggestion === undefined ? `unknown key; expected one of: ${allowedKeys(path).join(', ')}` : `unknown key; did you mean "${suggestion}"?`;
        return { path: [...path, key], message, ...(suggestion === undefined ? {} : { suggested: [...path, suggestion] }) };
      });
    case 'invalid_union':
      if (isCheckPath(path)) return [{ path, message: checkValueMessage(path, value, describe) }];
      return translateWorkspace(issue, path, value, raw);
    case 'invalid_type':
      if (issue.expected === 'int') return [{ path, message: issue.message }];
      return [{ path, message: typeMessage(issue.expected, path, value), ...(value === undefined ? { missing: true } : {}) }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** The only union in the schema is a workspace: a name, or { name, id }. */
function translateWorkspace(issue: z.core.$ZodIssueInvalidUnion, path: PathSegment[], value: unknown, raw: unknown): SchemaIssue[] {
  const [asName = [], asObject = []] = issue.errors;
  if (typeof value === 'string') return asName.flatMap((inner) => translate(inner, path, raw));
  if (isRecord(value)) return asObject.flatMap((inner) => translate(inner, path, raw));
  const hint = typeof value === 'number' ? `; a workspace id goes in { id: "${value}" } (ids are strings)` : '';
  return [{ path, message: `expected a workspace name or { name, id }, got ${describe(value)}${hint}` }];
}

function suggestKey(key: string, objectPath: PathSegment[]): string | undefined {
  const allowed = allowedKeys(objectPath);
  const alias = KEY_ALIASES[key];
  return alias !== undefined && allowed.includes(alias) ? alias : closestKey(key, allowed);
}

function allowedKeys(objectPath: PathSegment[]): readonly string[] {
  const names = objectPath.filter((segment) => typeof segment === 'string');
  const last = names[names.length - 1];
  if (last === undefined) return KEYS.root;
  if (isCheckPath(objectPath) && objectPath[objectPath.length - 2] === 'expect') return NEAR_KEYS;
  if (last === 'checks') return KEYS.check;
  if (last === 'workspace') return KEYS.workspace;
  if (last === 'versions') return KEYS.version;
  if (last === 'apps') return KEYS.app;
  if (last === 'server') return KEYS.server;
  if (last === 'defaults') return KEYS.defaults;
  if (last === 'safety') return KEYS.safety;
  return [];
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

const REQUIRED_HINTS: Record<string, string> = {
  apps: 'list the apps to manage (an empty list is allowed)',
  name: 'every app needs a name',
  versions: 'list the versions to publish, each { version, workflow }',
  version: 'the version number, 1, 2, ...',
  workflow: 'the absolute workflow path it is published from, like /Users/1/Flow.p7wf',
  url: 'the sign-in URL of pSeven Enterprise',
};

function typeMessage(expected: string, path: PathSegment[], value: unknown): string {
  const last = path[path.length - 1];
  if (value === undefined) {
    const hint = isCheckPath(path) ? (last === 'name' ? 'every check needs a name' : undefined) : typeof last === 'string' ? REQUIRED_HINTS[last] : undefined;
    return hint === undefined ? 'required' : `required: ${hint}`;
  }
  const got = `got ${describe(value)}`;
  if (last === 'id' && path[path.length - 2] === 'workspace' && typeof value === 'number') {
    return `workspace ids are strings: write "${value}" in quotes`;
  }
  if (expected === 'number' && typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    return `expected a number, ${got}: write ${value.trim()} without quotes`;
  }
  if (expected === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value.trim())) {
    return `expected true or false, ${got}: write ${value.trim().toLowerCase()} without quotes`;
  }
  return `expected ${EXPECTED[expected] ?? expected}, ${got}`;
}

/** Rules that span fields. Each applies only where the fields have the right types: wrong types are reported by the schema. */
function crossFieldIssues(raw: Record<string, unknown>): RawIssue[] {
  const issues: RawIssue[] = [];
  const apps = raw.apps;
  if (!Array.isArray(apps)) return issues;
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  if (isRecord(defaults.workspace)) issues.push(...emptyWorkspaceIssues(defaults.workspace, ['defaults', 'workspace']));

  const firstByName = new Map<string, number>();
  apps.forEach((app, index) => {
    if (!isRecord(app)) return;
    const at = (...rest: PathSegment[]): PathSegment[] => ['apps', index, ...rest];
    if (typeof app.name === 'string' && app.name !== '') {
      const first = firstByName.get(app.name);
      if (first === undefined) firstByName.set(app.name, index);
      else issues.push({ path: at('name'), message: `duplicate app name ${JSON.stringify(app.name)}: it is also declared at apps[${first}]` });
    }
    if (app.workspace === undefined && defaults.workspace === undefined) {
      issues.push({ path: at('workspace'), message: 'required: name the workspace that hosts the app, here or in defaults.workspace' });
    }
    if (isRecord(app.workspace)) issues.push(...emptyWorkspaceIssues(app.workspace, at('workspace')));
    if (app.description !== undefined && app.descriptionFile !== undefined) {
      issues.push({ path: at('descriptionFile'), message: 'set either description or descriptionFile, not both' });
    }
    issues.push(...versionIssues(app, at));
    if (Array.isArray(app.checks)) issues.push(...checkNameIssues(app.checks, at('checks')));
    if (Array.isArray(app.versions)) app.versions.forEach((v, i) => isRecord(v) && Array.isArray(v.checks) && issues.push(...checkNameIssues(v.checks, at('versions', i, 'checks'))));
  });
  issues.push(...workspaceConflicts(raw, apps));
  return issues;
}

/** Reports name a check, so two checks of one list cannot share a name. */
function checkNameIssues(checks: unknown, path: PathSegment[]): RawIssue[] {
  if (!Array.isArray(checks)) return [];
  const first = new Map<string, number>();
  const issues: RawIssue[] = [];
  checks.forEach((check, index) => {
    const name = isRecord(check) ? check.name : undefined;
    if (typeof name !== 'string' || name === '') return;
    const seen = first.get(name);
    if (seen === undefined) first.set(name, index);
    else issues.push({ path: [...path, index, 'name'], message: `duplicate check name ${JSON.stringify(name)}: it is also used at checks[${seen}]` });
  });
  return issues;
}

/** `{}`: a workspace with neither name nor id. Other keys are reported as unknown, with what they might mean. */
function emptyWorkspaceIssues(workspace: Record<string, unknown>, path: PathSegment[]): RawIssue[] {
  if (Object.keys(workspace).length > 0) return [];
  return [{ path, message: 'give the workspace\'s name, its id, or both: { name: "Toy apps", id: "7" }' }];
}

function versionIssues(app: Record<string, unknown>, at: (...rest: PathSegment[]) => PathSegment[]): RawIssue[] {
  const issues: RawIssue[] = [];
  if (!Array.isArray(app.versions)) return issues;
  const firstByNumber = new Map<number, number>();
  let allNumbers = true;
  app.versions.forEach((entry, index) => {
    const number = isRecord(entry) ? entry.version : undefined;
    if (!isVersionNumber(number)) {
      allNumbers = false;
      return;
    }
    const first = firstByNumber.get(number);
    if (first === undefined) firstByNumber.set(number, index);
    else issues.push({ path: at('versions', index, 'version'), message: `version ${number} is declared twice (also at versions[${first}])` });
  });
  const wanted = app.defaultVersion;
  if (allNumbers && isVersionNumber(wanted) && !firstByNumber.has(wanted) && app.versions.length > 0) {
    const declared = [...firstByNumber.keys()].sort((a, b) => a - b).join(', ');
    issues.push({ path: at('defaultVersion'), message: `version ${wanted} is not among the declared versions (${declared}); declare it or pick one of those` });
  }
  return issues;
}

function isVersionNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

/** One workspace has one name and one id: the same name with two ids (or the reverse) cannot both be right. */
function workspaceConflicts(raw: Record<string, unknown>, apps: unknown[]): RawIssue[] {
  const issues: RawIssue[] = [];
  const idByName = new Map<string, string>();
  const nameById = new Map<string, string>();
  const check = (workspace: unknown, path: PathSegment[]) => {
    if (!isRecord(workspace) || typeof workspace.name !== 'string' || typeof workspace.id !== 'string') return;
    const { name, id } = workspace;
    const knownId = idByName.get(name);
    const knownName = nameById.get(id);
    if (knownId !== undefined && knownId !== id) {
      issues.push({ path: [...path, 'id'], message: `workspace ${JSON.stringify(name)} has id "${knownId}" elsewhere in this file; one workspace has one id` });
    } else if (knownName !== undefined && knownName !== name) {
      issues.push({ path: [...path, 'name'], message: `workspace id "${id}" is named ${JSON.stringify(knownName)} elsewhere in this file; one workspace has one name` });
    }
    if (knownId === undefined) idByName.set(name, id);
    if (knownName === undefined) nameById.set(id, name);
  };
  if (isRecord(raw.defaults)) check(raw.defaults.workspace, ['defaults', 'workspace']);
  apps.forEach((app, index) => {
    if (isRecord(app)) check(app.workspace, ['apps', index, 'workspace']);
  });
  return issues;
}
