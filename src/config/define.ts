// defineConfig: the typed entry point of a user's p7apps.config.ts. It does
// nothing at run time; its job is to give editors the config's types, which
// are the input types of the zod schema in ./schema.ts (the one definition).
// Only type imports here, so `import { defineConfig } from 'p7apps'` stays
// cheap.

import type { z } from 'zod';
import type { appSchema, configFileSchema, defaultsSchema, versionSchema, workspaceSchema } from './schema.js';

/** What a config file declares (before defaults are inherited and files are read). */
export type P7appsConfig = z.input<typeof configFileSchema>;
export type AppConfig = z.input<typeof appSchema>;
export type VersionConfig = z.input<typeof versionSchema>;
export type DefaultsConfig = z.input<typeof defaultsSchema>;
export type WorkspaceConfig = z.input<typeof workspaceSchema>;
/** A config computed at load time, for example from a directory listing. */
export type P7appsConfigFunction = () => P7appsConfig | Promise<P7appsConfig>;

/**
 * Declare the desired state, with type checking and editor completion:
 * `export default defineConfig({ apps: [...] })`, or a function (possibly
 * async) returning the config.
 */
export function defineConfig(config: P7appsConfig | P7appsConfigFunction): P7appsConfig | P7appsConfigFunction {
  return config;
}
