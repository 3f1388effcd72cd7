// What `import ... from 'p7apps'` gives a config file while p7apps runs it:
// defineConfig and the limits, which load in an instant in the config
// worker, where the whole library (server client, emulator, importers)
// would add a few hundred milliseconds to every TypeScript config. A config
// importing anything else from 'p7apps' gets the whole library instead
// (./module-loader.ts retries with it).

export { defineConfig } from './define.js';
// The limits the package entry exports (src/index.ts), no more: a config works the same either way.
export { MAX_THUMBNAIL_BYTES, MAX_DESCRIPTION_FILE_BYTES, MAX_DESCRIPTION_LENGTH, MAX_APP_NAME_LENGTH } from './limits.js';
