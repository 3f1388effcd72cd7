// loadConfig: the public way from a config file to the DesiredState the
// planner reads. The machinery (cosmiconfig, tsx, zod) is imported on first
// use, so that `import { defineConfig } from 'p7apps'` in a config file, which
// loads the package's entry, stays cheap.

import { UsageError } from '../errors.js';
import type { DesiredState } from './desired.js';

export { ConfigError, formatConfigIssue, type ConfigIssue } from './errors.js';

export const DEFAULT_CONFIG_TIMEOUT_MS = 30_000;
/** Sets the time limit when `timeoutMs` is not given. */
export const CONFIG_TIMEOUT_ENV = 'P7APPS_CONFIG_TIMEOUT_MS';

export interface LoadConfigOptions {
  /** A config file to use instead of searching, relative to `cwd`. */
  configPath?: string;
  /** Where the search starts: this directory, then its parents up to the git root or the home directory. */
  cwd: string;
  /**
   * Bound on evaluating a TypeScript/JavaScript config, an async config function included; the config runs
   * in a worker thread that is stopped at the limit. Default: P7APPS_CONFIG_TIMEOUT_MS from the environment, else 30 s.
   */
  timeoutMs?: number;
  /** Stops loading at once (a TypeScript/JavaScript config's worker is terminated); the load then fails. */
  signal?: AbortSignal;
  /** The environment whose overrides to merge in; required when the config declares environments, an error when it declares none. */
  environment?: string;
  /** Where `environment` came from, for messages (default "--env"). */
  environmentSource?: string;
}

/** The time limit in P7APPS_CONFIG_TIMEOUT_MS, or the default; a value that is not a positive whole number is a usage error. */
export function configTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const given = env[CONFIG_TIMEOUT_ENV];
  if (given === undefined || given.trim() === '') return DEFAULT_CONFIG_TIMEOUT_MS;
  const ms = Number(given.trim());
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`${CONFIG_TIMEOUT_ENV} must be a whole number of milliseconds greater than 0 (got ${JSON.stringify(given.slice(0, 40))})`, {
      hint: `For example ${CONFIG_TIMEOUT_ENV}=60000 allows a config one minute to load.`,
    });
  }
  return ms;
}

/**
 * Finds, loads, validates and resolves the config. Throws a ConfigError
 * listing every problem (file, path inside it, message) when there is any.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<DesiredState> {
  const { loadDesiredState } = await import('./resolve.js');
  return loadDesiredState(resolveOptions(options));
}

/**
 * The desired state of every environment the config declares, or of the
 * config itself when it declares none (what `p7apps validate` checks without
 * --env). One ConfigError lists the problems of all of them.
 */
export async function loadConfigEnvironments(options: Omit<LoadConfigOptions, 'environment' | 'environmentSource'>): Promise<DesiredState[]> {
  const { loadEveryEnvironment } = await import('./resolve.js');
  return loadEveryEnvironment(resolveOptions(options));
}

/** The options with the time limit settled and absent ones left out. */
function resolveOptions(options: LoadConfigOptions) {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as LoadConfigOptions;
  return { ...defined, timeoutMs: options.timeoutMs ?? configTimeoutFromEnv() };
}
