// Small builders for the plans the executor tests run: the same shapes the
// planner produces, written out by hand so each test states its intent.

import type { CreateAppPlan, Plan, PlannedPublish, UpdateAppPlan, AppPlan } from '../../src/plan/types.js';

export function newVersion(name: string, version: number, workflowPath: string, step: number, becomesDefault = false): PlannedPublish {
  return {
    step,
    request: { name, workspaceName: 'Toy apps', workflowPath, setVersionAsDefault: becomesDefault },
    expect: { version, creates: version === 1 && step === 1 ? 'app' : 'version', previousRevision: null, becomesDefault },
    reasons: [version === 1 && step === 1 ? { kind: 'app-missing' } : { kind: 'version-missing', version }],
  };
}

export function newRevision(name: string, version: number, previousRevision: number, workflowPath: string, step = 1, becomesDefault = false): PlannedPublish {
  return {
    step,
    request: { name, workspaceName: 'Toy apps', workflowPath, version, setVersionAsDefault: becomesDefault },
    expect: { version, creates: 'revision', previousRevision, becomesDefault },
    reasons: [{ kind: 'workflow-path-changed', version, before: '/old.p7wf', after: workflowPath }],
  };
}

/** A new app published with versions 1..n from /<name>/v<k>.p7wf. */
export function createApp(name: string, versions = 1): CreateAppPlan {
  return {
    action: 'create',
    name,
    notes: [],
    workspace: { name: 'Toy apps' },
    changes: [],
    publishes: Array.from({ length: versions }, (_, i) => newVersion(name, i + 1, `/${name}/v${i + 1}.p7wf`, i + 1, i === 0)),
  };
}

export function updateApp(name: string, appId: string, publishes: PlannedPublish[]): UpdateAppPlan {
  return { action: 'update', name, appId, workspace: { id: '7', name: 'Toy apps' }, observedFingerprint: 'fp', notes: [], changes: [], publishes };
}

export function planOf(...apps: AppPlan[]): Plan {
  const publishes = apps.reduce((n, a) => n + ('publishes' in a ? a.publishes.length : 0), 0);
  return {
    formatVersion: 1,
    serverUrl: 'https://fake.example',
    configPath: '/tmp/p7apps.config.ts',
    apps,
    unmanagedApps: [],
    summary: {
      create: apps.filter((a) => a.action === 'create').length,
      update: apps.filter((a) => a.action === 'update').length,
      conflict: apps.filter((a) => a.action === 'conflict').length,
      unchanged: apps.filter((a) => a.action === 'no-op').length,
      unmanaged: 0,
      publishes,
      republishes: apps.reduce((n, a) => n + ('publishes' in a ? a.publishes.filter((p) => p.expect.creates === 'revision').length : 0), 0),
    },
  };
}
