// cosmiconfig's own settings files in the folder p7apps runs in (a
// "cosmiconfig" key in package.json, `.config/config.*`): other tools use
// them, p7apps takes nothing from them, and never reads or runs one. Its
// cosmiconfig() factory used to load them with its default loaders, in the
// CLI's own thread, before every search: a `.config/config.js` ran twice,
// outside the config worker and its time limit, and one that loops hung
// p7apps past SIGTERM. Checked on the real process: a file that ran would
// leave its mark, or keep the process from ending (then it is killed).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settlesWithin, startCli } from '../helpers/process.js';
import { makeProject } from './project.js';

const CONFIGS = {
  json: ['p7apps.config.json', '{"apps": []}\n'],
  ts: ['p7apps.config.ts', "import { defineConfig } from 'p7apps';\nexport default defineConfig({ apps: [] });\n"],
} as const;

/** A settings file that, if run, writes `ran-<name>` beside itself in the project. */
const marking = (name: string) => `require('node:fs').writeFileSync(require('node:path').join(__dirname, '..', 'ran-${name}'), 'x');\nmodule.exports = { searchPlaces: ['elsewhere.json'] };\n`;
const markingEsm = (name: string) =>
  `import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('../ran-${name}', import.meta.url), 'x');\nexport default { searchPlaces: ['elsewhere.json'] };\n`;

const SETTINGS: [string, Record<string, string>, string | undefined][] = [
  ['.config/config.js that records it ran', { '.config/config.js': marking('js') }, 'ran-js'],
  ['.config/config.cjs that records it ran', { '.config/config.cjs': marking('cjs') }, 'ran-cjs'],
  ['.config/config.mjs that records it ran', { '.config/config.mjs': markingEsm('mjs') }, 'ran-mjs'],
  ['.config/config.ts that records it ran', { '.config/config.ts': markingEsm('ts') }, 'ran-ts'],
  ['.config/config.js that never ends', { '.config/config.js': 'while (true) {}\n' }, undefined],
  ['.config/config.json pointing the search elsewhere', { '.config/config.json': '{"cosmiconfig": {"searchPlaces": ["elsewhere.json"]}}\n' }, undefined],
  ['.config/config.yaml that is not YAML', { '.config/config.yaml': 'cosmiconfig: [unclosed\n' }, undefined],
  ['package.json with a "cosmiconfig" key pointing the search elsewhere', { 'package.json': '{"cosmiconfig": {"searchPlaces": ["elsewhere.json"]}}\n' }, undefined],
];

describe("cosmiconfig's settings files where p7apps runs", () => {
  it.each(
    SETTINGS.flatMap(([name, files, mark]) =>
      (['json', 'ts'] as const).map((format) => [`${name}, beside a ${format} config`, files, mark, format] as const),
    ),
  )('%s: neither read nor run', async (_name, files, mark, format) => {
    const [configName, configText] = CONFIGS[format];
    const dir = await makeProject({ ...files, [configName]: configText, 'elsewhere.json': '{"apps": "the search must not find this"}\n' });
    const cli = startCli(['validate'], { cwd: dir });
    const ended = await settlesWithin(cli.done, 20_000);
    if (!ended) cli.child.kill('SIGKILL');
    const run = await cli.done;
    expect(ended).toBe(true);
    expect(run).toMatchObject({ code: 0, stdout: `Valid: 0 apps, 0 versions, 0 workspaces (${configName})\n`, stderr: '' });
    if (mark !== undefined) expect(existsSync(path.join(dir, mark))).toBe(false);
  });
});
