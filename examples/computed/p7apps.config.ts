// A config computed when it is loaded: every folder under apps/ is one app,
// declared by its app.json (name, versions, ...) and described by its APP.md.
// Adding an app is adding a folder; nothing here needs editing.
//
// A config function may be async; p7apps waits for it (30 s at most).
// Check it with `p7apps validate --config examples/computed/p7apps.config.ts`.

import { readdir, readFile } from 'node:fs/promises';
import { defineConfig, type AppConfig } from 'p7apps';

const appsDir = new URL('apps/', import.meta.url);

export default defineConfig(async () => {
  const folders = (await readdir(appsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const apps: AppConfig[] = [];
  for (const folder of folders) {
    const manifest = JSON.parse(await readFile(new URL(`${folder}/app.json`, appsDir), 'utf8')) as AppConfig;
    // Paths in the config are relative to this file.
    apps.push({ ...manifest, descriptionFile: `apps/${folder}/APP.md` });
  }
  return {
    defaults: { workspace: 'Simulation', allowCopy: true },
    apps,
  };
});
