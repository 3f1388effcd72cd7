// Whether the server runs a given version of an app (ASSUMPTION A26 in the
// run client), learnt before planning when the config declares checks: the
// planner holds a new default back for its checks only where the version can
// be run before it is default (src/plan/canary.ts). One read-only request, on
// the first app with checks that the server has; nothing to probe, or a probe
// that fails, leaves it assumed (the guide says any version can be run).

import { isUnknown } from '../appshub/types.js';
import type { DesiredState } from '../config/desired.js';
import type { ObservedState } from '../plan/observed.js';
import type { AppRunsApi, VersionRunsSupport } from '../runs/types.js';

export async function probeVersionRunsFor(
  api: Pick<AppRunsApi, 'probeVersionRuns'>,
  desired: DesiredState,
  observed: ObservedState,
  signal?: AbortSignal,
): Promise<VersionRunsSupport | undefined> {
  const checked = desired.apps.filter((app) => (app.checks?.length ?? 0) > 0 || app.versions.some((v) => (v.checks?.length ?? 0) > 0));
  for (const app of checked) {
    const found = observed.apps.find((a) => a.name === app.name);
    const version = found?.versions.find((v) => !isUnknown(v.state))?.version ?? found?.versions[0]?.version;
    if (found === undefined || version === undefined) continue;
    try {
      return await api.probeVersionRuns(found.id, version, signal);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
