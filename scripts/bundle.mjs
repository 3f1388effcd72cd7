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
//
// Two dependencies are trimmed on the way in (plugins below), for start-up:
// - string-width (yargs' help layout, and our column widths) builds Unicode
//   property regexes and an Intl.Segmenter when its module is evaluated:
//   some 30-60 ms of every command, help or human table or not. It is
//   bundled behind a stand-in that evaluates it on the first call.
// - zod's `locales` namespace (60 translations of its messages, half of its
//   code) is replaced by English alone: p7apps phrases its own messages and
//   never switches zod's language.
// And zod stays out of start-up: it loads with the validator (imported by
// config/resolve.js when it starts loading a config) and the saved-plan
// reader; the two config modules that read limits through config/schema.js
// are pointed at config/limits.js (plugin below).

// The bundle inlines third-party code, so it ships with their licences:
// dist/bundle/THIRD_PARTY_NOTICES.md is written from esbuild's metafile
// (every package that contributed bytes, with its licence text).

import { build } from 'esbuild';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { thirdPartyNotices } from './notices.mjs';

/**
 * `import stringWidth from 'string-width'` becomes a function that evaluates
 * the module on its first call. A stand-in is named by a number, not a path:
 * it is p7apps' own code (no licence notice) and names no folder of this machine.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(build) {
    const realPaths = [];
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      // Each importer keeps the version it depends on (yargs' cliui and wrap-ansi have their own).
      const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      if (!realPaths.includes(real.path)) realPaths.push(real.path);
      return { path: `stand-in-${realPaths.indexOf(real.path)}`, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => {
      const real = realPaths[Number(args.path.slice('stand-in-'.length))];
      return {
        // esbuild bundles a require()d ES module as a function that evaluates it when first called.
        contents: `let real;\nexport default function stringWidth(text, options) {\n  real ??= require(${JSON.stringify(`./${path.basename(real)}`)}).default;\n  return real(text, options);\n}\n`,
        resolveDir: path.dirname(real),
        loader: 'js',
      };
    });
  },
};

/** zod's `locales` namespace with English only (the one locale zod itself uses). */
const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: `export { default as en } from './en.js';\n`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/bundle');

await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // Flat output: every file in dist/bundle/, so "./index.js" means the same from any of them.
  // The config worker (src/config/sandbox-worker.ts) is started by file name: an entry of its own.
  // So are the small entry configs import 'p7apps' as (src/config/config-api.ts),
  // and the CI steps bin/p7apps-ci.js runs (src/ci/main.ts), and the head start bin/p7apps.js
  // runs before the CLI loads (src/cli/head-start.ts).
  entryPoints: { 'head-start': 'dist/cli/head-start.js', p7apps: 'dist/cli/main.js', index: 'dist/index.js', 'sandbox-worker': 'dist/config/sandbox-worker.js', 'config-api': 'dist/config/config-api.js', ci: 'dist/ci/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: ['tsx', 'tsx/*', 'undici', 'undici/*', 'typescript', 'oxc-transform'],
  // CommonJS dependencies (cosmiconfig) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __p7appsCreateRequire } from 'node:module'; const require = __p7appsCreateRequire(import.meta.url);" },
  define: { __P7APPS_SELF_ENTRY__: JSON.stringify('./index.js'), __P7APPS_CONFIG_ENTRY__: JSON.stringify('./config-api.js') },
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyStringWidth, englishOnlyZodLocales],
});
await writeFile(path.join(outdir, 'THIRD_PARTY_NOTICES.md'), await thirdPartyNotices(root, result.metafile));
