// Planning CPU: computePlan alone, given everything it compares. The data is
// real: the config is loaded as the CLI loads it and the server is read
// from an emulator (in-process, no latency), then computePlan runs again and
// again on the same inputs.

import { createAppsHubClient } from '../src/appshub/client.js';
import { startEmulator } from '../src/emulator/index.js';
import { readObservedState } from '../src/observe/read.js';
import { loadDesiredState } from '../src/operations.js';
import { computePlan } from '../src/plan/compute.js';
import { planHasChanges } from '../src/plan/types.js';
import type { Catalog } from './catalog.js';
import { median } from './floor.js';

export interface PlanCpu {
  apps: number;
  runs: number;
  /** The first call: code not yet optimised by the JIT, as in one CLI run. */
  firstMs: number;
  medianMs: number;
  minMs: number;
}

export async function measurePlanCpu(catalog: Catalog, runs: number): Promise<PlanCpu> {
  const emulator = await startEmulator({ seed: catalog.seedPath, token: catalog.token, readyAfterMs: 0 });
  const api = createAppsHubClient({ serverUrl: emulator.url, token: catalog.token, connections: 10 });
  try {
    const desired = await loadDesiredState({ config: catalog.configPath });
    const observed = await readObservedState(api, desired, { parallelism: 10 });
    const times: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const started = performance.now();
      const plan = computePlan(desired, observed);
      times.push(performance.now() - started);
      if (planHasChanges(plan)) throw new Error('the CPU measurement expects a plan without changes: the catalog and the seed disagree');
    }
    const [first, ...rest] = times;
    return { apps: desired.apps.length, runs, firstMs: first!, medianMs: median(rest), minMs: Math.min(...rest) };
  } finally {
    await api.close();
    await emulator.close();
  }
}
