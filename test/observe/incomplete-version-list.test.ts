// An app's `versions` list that leaves out the default version (the guide's
// own example reports `"versions": []` for an app that has version 1) is not
// trusted: each declared version is looked up. Trusting it would plan an
// existing version as missing, and the server would publish it under the next
// number, a duplicate of what exists.

import { describe, expect, it } from 'vitest';
import { UNKNOWN } from '../../src/appshub/types.js';
import type { DesiredApp } from '../../src/config/desired.js';
import { readObservedState } from '../../src/observe/read.js';
import { computePlan } from '../../src/plan/compute.js';
import { FakeApi, appWithVersions } from './fake-api.js';

const beam: DesiredApp = {
  name: 'Beam',
  workspace: { name: 'Engineering' },
  versions: [1, 2].map((v) => ({ version: v, workflow: `/W/Beam-${v}.p7wf` })),
};

describe('an app record whose versions list is empty, as in the guide', () => {
  it('does not plan an existing version 2 as missing', async () => {
    // Versions 1 and 2 exist (both readable at apps/{id}@{v}/); the app record lists `versions: []`.
    const entry = appWithVersions('Beam', 2);
    const api = new FakeApi({
      apps: [{ ...entry.app, versions: [] }],
      versions: entry.versions,
      workflows: [1, 2].map((v) => ({ id: `w${v}`, name: 'Beam', path: `/W/Beam-${v}.p7wf`, url: UNKNOWN, fingerprint: `fp-/W/Beam-${v}.p7wf` })),
      thumbnails: {},
    });
    const desired = { configPath: '/repo/p7apps.config.ts', apps: [beam] };
    const observed = await readObservedState(api, desired, { parallelism: 2 });
    const plan = computePlan(desired, observed);

    // The reader never asked apps/{id}@2/ although the list had already shown itself incomplete (it omits the default).
    expect(api.count('getAppVersion')).toBeGreaterThan(0);
    expect(plan.apps[0]!.action).toBe('no-op');
  });
});
