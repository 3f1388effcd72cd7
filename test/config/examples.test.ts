// The example catalogs validate, and the TypeScript and YAML ones declare
// the same thing.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/config/desired.js';
import { loadConfig } from '../../src/config/load.js';

const REPO = path.resolve(import.meta.dirname, '../..');

/** Paths made relative to the config's directory, so two copies of a catalog compare equal. */
function portable(desired: DesiredState): unknown {
  const dir = path.dirname(desired.configPath);
  return desired.apps.map((app) => ({
    ...app,
    ...(app.descriptionFile ? { descriptionFile: path.relative(dir, app.descriptionFile) } : {}),
    ...(app.thumbnail ? { thumbnail: { ...app.thumbnail, path: path.relative(dir, app.thumbnail.path) } } : {}),
  }));
}

describe('examples', () => {
  it('the TypeScript and YAML catalogs declare the same apps', async () => {
    const ts = await loadConfig({ cwd: REPO, configPath: 'examples/catalog/p7apps.config.ts' });
    const yaml = await loadConfig({ cwd: REPO, configPath: 'examples/catalog-yaml/p7apps.config.yaml' });
    expect(ts.apps.map((app) => app.name)).toEqual(['Beam calculator', 'Bolted joint', 'Heat exchanger', 'Pipe pressure drop', 'Toy app']);
    expect(portable(yaml)).toEqual(portable(ts));
    expect(yaml.serverUrl).toBe(ts.serverUrl);
  });

  it('the computed catalog lists one app per folder', async () => {
    const desired = await loadConfig({ cwd: path.join(REPO, 'examples/computed') });
    expect(desired.apps.map((app) => [app.name, app.versions.length, app.allowCopy, app.description?.split('\n')[0]])).toEqual([
      ['Fatigue life', 1, false, "Fatigue life from a load history: rainflow counting and Miner's rule."],
      ['Rotor dynamics', 2, true, 'Critical speeds and Campbell diagram of a rotor on flexible bearings.'],
    ]);
  });
});
