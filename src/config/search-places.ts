// The names a config file may have, in order of preference: shared by the
// search (./find.ts) and the early guess (./early-start.ts), which must not
// load the search's machinery.

/** In order of preference. Two of them in one directory is an error, not a silent choice. */
export const SEARCH_PLACES = [
  'p7apps.config.ts',
  'p7apps.config.mts',
  'p7apps.config.js',
  'p7apps.config.mjs',
  'p7apps.config.cjs',
  'p7apps.config.json',
  'p7apps.config.yaml',
  'p7apps.config.yml',
  '.p7appsrc',
  '.p7appsrc.json',
  '.p7appsrc.yaml',
  '.p7appsrc.yml',
  '.p7appsrc.js',
  '.p7appsrc.mjs',
  '.p7appsrc.cjs',
  '.p7appsrc.ts',
  '.p7appsrc.mts',
  'package.json',
] as const;

/** The key of package.json that holds a config. */
export const PACKAGE_KEY = 'p7apps';

/** Extensions of the config files that are programs, run in the config worker. */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
