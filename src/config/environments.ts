// Environments: one config, several servers. A config may declare
// `environments: { staging: {...}, production: {...} }`, each holding the
// config's own keys as overrides; choosing one (--env NAME or P7APPS_ENV)
// merges its overrides onto the rest of the config, and the result is then
// validated and resolved like any config.
//
// The merge is generic and deterministic, so that every key the config has
// (or gains) can be overridden: objects merge key by key; `apps` (keyed by
// app name in an environment) merge onto the app of that name, or add an app
// when they give its versions; `versions` merge by version number; any other
// value replaces the config's. The merge remembers where each value came
// from, so a problem in the result is reported where it was written
// (`environments.production.apps.foo.description`).

import { UsageError } from '../errors.js';
import { closestKey, describe, isRecord, type PathSegment } from './issue-path.js';
import { ENVIRONMENT_NAME } from './environment-name.js';
import type { RawIssue } from './validate.js';

/** Chooses the environment when --env is not given. */
export const ENVIRONMENT_ENV = 'P7APPS_ENV';

/** The config as one environment sees it. */
export interface EnvironmentView {
  /** The config with the environment merged in, without `environments`. */
  value: unknown;
  /** Problems of the environment's shape that the merged value cannot show (a list where apps must be keyed by name, say). */
  issues: RawIssue[];
  /** Where a place in `value` was written in the file. */
  sourceOf(path: readonly PathSegment[]): PathSegment[];
  /** Whether the environment itself sets this place (rather than inheriting it). */
  setsPlace(path: readonly PathSegment[]): boolean;
}

/** The names the config declares, in file order; empty when it declares none. Names that are not valid are left out (./environments reports them). */
export function environmentNames(raw: unknown): string[] {
  if (!isRecord(raw) || !isRecord(raw.environments)) return [];
  return Object.keys(raw.environments).filter((name) => ENVIRONMENT_NAME.test(name));
}

/** Problems of `environments` as a whole: not an object, or a name that cannot be chosen. */
export function environmentsIssues(raw: unknown): RawIssue[] {
  if (!isRecord(raw) || raw.environments === undefined) return [];
  if (!isRecord(raw.environments)) {
    return [
      {
        path: ['environments'],
        message: `expected an object of environments by name, like { staging: { server: { url: "..." } }, production: { ... } }, got ${describe(raw.environments)}`,
      },
    ];
  }
  return Object.keys(raw.environments)
    .filter((name) => !ENVIRONMENT_NAME.test(name))
    .map((name) => ({
      path: ['environments', name],
      message: 'an environment name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    }));
}

/**
 * The environment a run is about. `chosen` comes from --env or P7APPS_ENV
 * (`source` names which, for messages). When the config declares
 * environments, one must be chosen (like a Terraform workspace, but with no
 * silent default: the base config alone would talk to the wrong server);
 * when it declares none, choosing one is an error too.
 */
export function chooseEnvironment(raw: unknown, chosen: string | undefined, source: string, configFile: string): string | undefined {
  const names = environmentNames(raw);
  if (chosen === undefined) {
    if (names.length === 0) return undefined;
    throw new UsageError(`${configFile} declares environments (${quoted(names)}): choose one with --env NAME or ${ENVIRONMENT_ENV}`, {
      hint: `For example: p7apps plan --env ${names[0]}`,
    });
  }
  if (names.includes(chosen)) return chosen;
  const shown = JSON.stringify(chosen.length > 64 ? `${chosen.slice(0, 64)}…` : chosen);
  if (names.length === 0) {
    throw new UsageError(`${source} ${shown}: ${configFile} declares no environments`, {
      hint: `Leave out ${source === '--env' ? '--env' : ENVIRONMENT_ENV}, or declare environments in the config (see docs/environments.md).`,
    });
  }
  const near = closestKey(chosen, names);
  throw new UsageError(`${source} ${shown}: no such environment in ${configFile}${near === undefined ? '' : `; did you mean "${near}"?`}`, {
    hint: `The config declares: ${quoted(names)}.`,
  });
}

function quoted(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}

/** The config without its environments: what the base alone declares. */
export function withoutEnvironments(raw: unknown): unknown {
  if (!isRecord(raw) || !Object.hasOwn(raw, 'environments')) return raw;
  const { environments: _environments, ...rest } = raw;
  return rest;
}

/** The config as it stands, for a run without environments. */
export function baseView(raw: unknown): EnvironmentView {
  return { value: withoutEnvironments(raw), issues: [], sourceOf: (path) => [...path], setsPlace: () => false };
}

/** The config with the environment `name` merged in (it must be one of environmentNames(raw)). */
export function environmentView(raw: Record<string, unknown>, name: string): EnvironmentView {
  const merge = new Merge(['environments', name]);
  const base = withoutEnvironments(raw) as Record<string, unknown>;
  const overlay = (raw.environments as Record<string, unknown>)[name];
  let value: unknown = base;
  if (!isRecord(overlay)) {
    merge.issue([], `expected an object of overrides (server, defaults, apps, ...), got ${describe(overlay)}`);
  } else {
    value = merge.config(base, overlay);
  }
  return {
    value,
    issues: merge.issues,
    sourceOf: (path) => merge.sourceOf(path),
    setsPlace: (path) => merge.sourceOf(path)[0] === 'environments',
  };
}

/** Keys that belong to the file, not to an environment. */
const NOT_OVERRIDABLE: Record<string, string> = {
  $schema: 'the $schema reference belongs at the top of the file, not in an environment',
  environments: 'environments do not nest',
};

class Merge {
  readonly issues: RawIssue[] = [];
  /** Merged place (JSON of its path) -> where the environment wrote it. */
  private readonly origins = new Map<string, PathSegment[]>();

  constructor(private readonly root: PathSegment[]) {}

  issue(at: PathSegment[], message: string): void {
    this.issues.push({ path: [...this.root, ...at], message });
  }

  sourceOf(path: readonly PathSegment[]): PathSegment[] {
    for (let length = path.length; length >= 0; length--) {
      const origin = this.origins.get(JSON.stringify(path.slice(0, length)));
      if (origin !== undefined) return [...origin, ...path.slice(length)];
    }
    return [...path];
  }

  config(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
    const out = copyRecord(base);
    for (const [key, item] of Object.entries(overlay)) {
      const refused = Object.hasOwn(NOT_OVERRIDABLE, key) ? NOT_OVERRIDABLE[key] : undefined;
      if (refused !== undefined) this.issue([key], refused);
      else if (key === 'apps') setOwn(out, key, this.apps(base.apps, item));
      else setOwn(out, key, this.value(base[key], item, [key], [key]));
    }
    return out;
  }

  /** Objects merge key by key; anything else replaces. `at` is the merged place, `from` the place in the environment. */
  private value(base: unknown, over: unknown, at: PathSegment[], from: PathSegment[]): unknown {
    if (!isRecord(base) || !isRecord(over)) {
      this.origins.set(JSON.stringify(at), [...this.root, ...from]);
      return over;
    }
    const out = copyRecord(base);
    for (const [key, item] of Object.entries(over)) setOwn(out, key, this.value(base[key], item, [...at, key], [...from, key]));
    return out;
  }

  private apps(base: unknown, over: unknown): unknown {
    if (!isRecord(over)) {
      this.issue(['apps'], `in an environment, apps is an object keyed by app name, like { "Toy app": { description: "..." } }; got ${describe(over)}`);
      return base;
    }
    if (!Array.isArray(base)) return base; // the config's own apps are reported by the schema
    const out = [...base];
    const declared = base.flatMap((app) => (isRecord(app) && typeof app.name === 'string' ? [app.name] : []));
    for (const [name, override] of Object.entries(over)) {
      const from: PathSegment[] = ['apps', name];
      if (!isRecord(override)) {
        this.issue(from, `expected an object of overrides for the app ${JSON.stringify(name)}, got ${describe(override)}`);
        continue;
      }
      if (Object.hasOwn(override, 'name')) {
        this.issue([...from, 'name'], 'the app is named by its key here; an environment cannot rename an app');
        continue;
      }
      const index = base.findIndex((app) => isRecord(app) && app.name === name);
      if (index >= 0) {
        out[index] = this.app(base[index] as Record<string, unknown>, override, ['apps', index], from);
      } else if (override.versions !== undefined) {
        // An app only this environment has: the whole entry is the environment's.
        this.origins.set(JSON.stringify(['apps', out.length]), [...this.root, ...from]);
        this.origins.set(JSON.stringify(['apps', out.length, 'name']), [...this.root, ...from]);
        const added: Record<string, unknown> = { name };
        for (const [key, item] of Object.entries(override)) setOwn(added, key, item);
        out.push(added);
      } else {
        const near = closestKey(name, declared);
        this.issue(
          from,
          `no app named ${JSON.stringify(name)} in apps${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}; an environment adjusts the apps the config declares, or adds one when it gives its versions`,
        );
      }
    }
    return out;
  }

  private app(base: Record<string, unknown>, over: Record<string, unknown>, at: PathSegment[], from: PathSegment[]): Record<string, unknown> {
    const out = copyRecord(base);
    for (const [key, item] of Object.entries(over)) {
      if (key === 'versions' && Array.isArray(base.versions) && Array.isArray(item)) setOwn(out, key, this.versions(base.versions, item, [...at, key], [...from, key]));
      else setOwn(out, key, this.value(base[key], item, [...at, key], [...from, key]));
    }
    return out;
  }

  /** By number: an entry whose number the app declares merges onto it; another is added after the app's own. */
  private versions(base: unknown[], over: unknown[], at: PathSegment[], from: PathSegment[]): unknown[] {
    const out = [...base];
    over.forEach((entry, i) => {
      const number = isRecord(entry) ? entry.version : undefined;
      const index = typeof number === 'number' ? out.findIndex((version) => isRecord(version) && version.version === number) : -1;
      if (index >= 0) {
        out[index] = this.value(out[index], entry, [...at, index], [...from, i]);
      } else {
        this.origins.set(JSON.stringify([...at, out.length]), [...this.root, ...from, i]);
        out.push(entry);
      }
    });
    return out;
  }
}

function copyRecord(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) setOwn(out, key, item);
  return out;
}

/** An own property even for a key such as "__proto__", which plain assignment would turn into a prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
