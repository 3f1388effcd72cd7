// loadConfig: the public way from a config file to the DesiredState the
// planner reads. The machinery (cosmiconfig, tsx, zod) is imported on first
// use, so that `import { defineConfig } from 'p7apps'` in a config file, which
// loads the package's entry, stays cheap.

import type { DesiredState } from './desired.js';

export { ConfigError, formatConfigIssue, type ConfigIssue } from './errors.js';

export const DEFAULT_CONFIG_TIMEOUT_MS = 30_000;

export interface LoadConfigOptions {
  /** A config file to use instead of searching, relative to `cwd`. */
  configPath?: string;
  /** Where the search starts: this directory, then its parents up to the git root or the home directory. */
  cwd: string;
  /** Bound on evaluating a TypeScript/JavaScript config, an async config function included. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Finds, loads, validates and resolves the config. Throws a ConfigError
 * listing every problem (file, path inside it, message) when there is any.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<DesiredState> {
  const { loadDesiredState } = await import('./resolve.js');
  return loadDesiredState({
    cwd: options.cwd,
    timeoutMs: options.timeoutMs ?? DEFAULT_CONFIG_TIMEOUT_MS,
    ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
  });
}
