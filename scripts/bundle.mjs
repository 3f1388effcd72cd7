// Bundles the compiled CLI (dist/, from tsc) into dist/bundle/, which
// bin/p7apps.js runs. Why: Node 20 loads an ES module graph file by file,
// and p7apps' graph (yargs, zod, cosmiconfig, diff and its own ~100
// modules) took about 200 ms of every command's start; one bundle loads in
// about 100 ms. Only the CLI runs from the bundle: `import ... from
// 'p7apps'` still gets dist/index.js with its types.
//
// The bundle's `index.js` is the package entry for configs run by the
// bundled CLI (see src/config/module-loader.ts): it shares its modules with
// the CLI, so a config's `defineConfig` is the CLI's own, loaded once.
//
// Kept outside the bundle:
// - tsx, which registers loader hooks from its own files;
// - undici, whose Agent p7apps loads from its own module to skip the rest
//   of the package (src/appshub/http.ts);
// - typescript, which cosmiconfig's TypeScript loader (unused: p7apps loads
//   configs with tsx) would otherwise drag in.
// Modules imported only when needed (the emulator, import, a YAML parser,
// each command's implementation) stay separate chunks, loaded when needed.

// The bundle inlines third-party code, so it ships with their licences:
// dist/bundle/THIRD_PARTY_NOTICES.md is written from esbuild's metafile
// (every package that contributed bytes, with its licence text).

import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { thirdPartyNotices } from './notices.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/bundle');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // Flat output: every file in dist/bundle/, so "./index.js" means the same from any of them.
  // The config worker (src/config/sandbox-worker.ts) is started by file name: an entry of its own.
  // So are the small entry configs import 'p7apps' as (src/config/config-api.ts),
  // and the CI steps bin/p7apps-ci.js runs (src/ci/main.ts).
  entryPoints: { p7apps: 'dist/cli/main.js', index: 'dist/index.js', 'sandbox-worker': 'dist/config/sandbox-worker.js', 'config-api': 'dist/config/config-api.js', ci: 'dist/ci/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['tsx', 'tsx/*', 'undici', 'undici/*', 'typescript'],
  // CommonJS dependencies (cosmiconfig) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __p7appsCreateRequire } from 'node:module'; const require = __p7appsCreateRequire(import.meta.url);" },
  define: { __P7APPS_SELF_ENTRY__: JSON.stringify('./index.js'), __P7APPS_CONFIG_ENTRY__: JSON.stringify('./config-api.js') },
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
await writeFile(path.join(outdir, 'THIRD_PARTY_NOTICES.md'), await thirdPartyNotices(root, result.metafile));
