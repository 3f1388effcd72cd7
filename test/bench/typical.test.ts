// The benchmark's typical measurements compare config formats and builds:
// that comparison is fair only if the .ts, .yaml and .json configs declare
// the same catalog, and the targets are judged from the right figures.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCatalog, type CatalogShape } from '../../bench/catalog.js';
import { typicalTargets, writeConfigAs, type measureTypical } from '../../bench/typical.js';
import { loadConfig } from '../../src/config/load.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('the 50-app catalog as .ts, .yaml and .json', () => {
  it('declares the same desired state in each format, thumbnails included', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'p7apps-bench-test-'));
    dirs.push(dir);
    const shape: CatalogShape = { apps: 50, versions: 3, thumbnailShare: 0.1, newAppChains: [] };
    const catalog = await writeCatalog(dir, shape, { token: 'bench-token-0123456789', controlToken: 'bench-control-0123456789' });
    const states = [];
    for (const kind of ['ts', 'yaml', 'json'] as const) {
      const configPath = await writeConfigAs(catalog, shape, kind);
      expect(path.basename(configPath)).toBe(`p7apps.config.${kind}`);
      const { configPath: _file, ...state } = await loadConfig({ cwd: dir, configPath });
      states.push(state);
    }
    expect(states[0]!.apps).toHaveLength(50);
    expect(states[0]!.apps.filter((app) => app.thumbnail !== undefined)).toHaveLength(5);
    expect(states[1]).toEqual(states[0]);
    expect(states[2]).toEqual(states[0]);
  });
});

type Figures = Awaited<ReturnType<typeof measureTypical>>;

const planFigure = (fixed: number) => ({ apps: 50, wall_s: fixed + 0.24, wall_runs_s: [], floor_s: 0.24, fixed_s: fixed, requests: 105, cpu_s: 0.3 });
const formatFigure = (wall: number, overJsonMs?: number) => ({ wall_s: wall, wall_runs_s: [], cpu_s: 0.2, ...(overJsonMs === undefined ? {} : { over_json_ms: overJsonMs }) });
const lanFigure = (wall: number, cpu: number) => ({ apps: 1000, wall_s: wall, wall_runs_s: [], floor_s: 0.2, requests: 2102, plan_cpu_s: 1, validate_cpu_s: 0.3, cpu_per_request_ms: cpu });

function figures(mine: { fixed: number; ts: number; tsPairedMs?: number; lan: number; cpu: number }, base: { fixed: number; lan: number }): Figures {
  return {
    typical: {
      plan: { '50': { v20: { new: planFigure(mine.fixed), base: planFigure(base.fixed) } } },
      config_formats: {
        ts: { v20: { new: formatFigure(mine.ts, mine.tsPairedMs), base: formatFigure(0.6) } },
        yaml: { v20: { new: formatFigure(0.2), base: formatFigure(0.2) } },
        json: { v20: { new: formatFigure(0.19), base: formatFigure(0.19) } },
      },
    },
    lan: { v20: { new: lanFigure(mine.lan, mine.cpu), base: lanFigure(base.lan, 0.5) } },
    lan_reference: { node: 'v20', cpu_per_request_ms: 0.25, cpu_per_request_runs_ms: [0.25], requests: 2102 },
  };
}

describe('the targets of the typical measurements', () => {
  const contenders = [
    { label: 'new', cli: 'bin/p7apps.js' },
    { label: 'base', cli: '/tmp/base/bin/p7apps.js' },
  ];
  it.each([
    ['all met', { fixed: 0.25, ts: 0.24, lan: 1.0, cpu: 0.25 }, [true, true, true, true]],
    ['each missed', { fixed: 0.3, ts: 0.26, lan: 1.1, cpu: 0.35 }, [false, false, false, false]],
  ])('%s', (_name, mine, met) => {
    const judged = typicalTargets(figures(mine, { fixed: 0.8, lan: 1.7 }), contenders);
    expect(judged.map((f) => f.target)).toEqual([
      "v20: 50-app plan at 20 ms, fixed part at most a third of base's (0.80 s)",
      'v20: the .ts config at most 60 ms over .json (ms)',
      'v20: LAN plan at most 0.3 ms client CPU per request',
      'v20: LAN plan at least 1.6x faster than base',
    ]);
    expect(judged.map((f) => f.met)).toEqual(met);
  });

  it.each([
    ['met in pairs, though the medians lie 110 ms apart', 55, true],
    ['missed in pairs, though the medians lie 50 ms apart', 65, false],
  ])('the .ts cost over .json is the paired figure where there is one: %s', (_name, pairedMs, met) => {
    const judged = typicalTargets(figures({ fixed: 0.25, ts: pairedMs === 55 ? 0.3 : 0.24, tsPairedMs: pairedMs, lan: 1.0, cpu: 0.25 }, { fixed: 0.8, lan: 1.7 }), contenders);
    expect(judged.find((f) => f.target.includes('.ts config'))).toMatchObject({ measured: pairedMs, met });
  });

  it('judges only what needs no baseline when there is none', () => {
    const judged = typicalTargets(figures({ fixed: 0.25, ts: 0.24, lan: 1.0, cpu: 0.25 }, { fixed: 0.8, lan: 1.7 }), contenders.slice(0, 1));
    expect(judged.map((f) => f.target)).toEqual(['v20: the .ts config at most 60 ms over .json (ms)', 'v20: LAN plan at most 0.3 ms client CPU per request']);
  });
});
