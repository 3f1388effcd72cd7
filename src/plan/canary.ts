// Canary publishing, planned: a publish that would make a checked version
// default instead publishes it with set_version_as_default=False, apply runs
// the version's checks against it once READY, and a further publish of the
// same version (a new revision, the only way to move the default) promotes
// it, sent only when every check passed. The promotion's cost is in the plan
// like any publish. Pure: it rewrites the publishes the planner built.
//
// Where it cannot hold the new version back, the checks run right after the
// publish instead ('after'): a new app's first version is always default, a
// new revision of the version that is already default goes live at once, and
// a server that cannot run a given version can only check the default one.

import type { DesiredApp } from '../config/desired.js';
import type { PlannedPublish } from './types.js';

export interface CanaryContext {
  /** The default version the server reports now; undefined when unknown or for a new app. */
  observedDefault: number | undefined;
  /** Whether the server runs a given version (apps/{id}@{v}/runs/); undefined: assumed, as the guide says it can. */
  versionRuns: 'supported' | 'unsupported' | undefined;
}

export function withChecks(app: DesiredApp, publishes: readonly PlannedPublish[], context: CanaryContext): PlannedPublish[] {
  const out: PlannedPublish[] = [];
  for (const publish of publishes) {
    const checks = app.versions.find((v) => v.version === publish.expect.version)?.checks ?? [];
    const n = publish.expect.version;
    if (checks.length === 0 || !publish.expect.becomesDefault) {
      out.push(publish);
      continue;
    }
    const canHoldBack =
      publish.request.setVersionAsDefault && publish.expect.creates !== 'app' && context.observedDefault !== n && context.versionRuns !== 'unsupported';
    if (!canHoldBack) {
      out.push({ ...publish, checks: { mode: 'after', checks } });
      continue;
    }
    out.push({
      ...publish,
      request: { ...publish.request, setVersionAsDefault: false },
      expect: { ...publish.expect, becomesDefault: false },
      checks: { mode: 'canary', checks },
    });
    // The promotion: the same version again, now as default. Its revision is the one the canary made (known at apply).
    const { thumbnail: _sentAlready, ...request } = publish.request;
    out.push({
      step: 0,
      request: { ...request, version: n, setVersionAsDefault: true },
      expect: { version: n, creates: 'revision', previousRevision: null, becomesDefault: true },
      reasons: [{ kind: 'promote-after-checks', version: n }],
    });
  }
  return out.map((publish, index) => ({ ...publish, step: index + 1 }));
}
