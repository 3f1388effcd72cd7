// Counts what a desired state declares, for the one-line summaries people
// read (`Valid: 5 apps, 11 versions, 2 workspaces`).

import type { DesiredState, WorkspaceRef } from './desired.js';

export interface DesiredCounts {
  apps: number;
  versions: number;
  /** Distinct workspaces: references sharing a name or an id are one workspace. */
  workspaces: number;
}

export function countDesired(desired: DesiredState): DesiredCounts {
  return {
    apps: desired.apps.length,
    versions: desired.apps.reduce((sum, app) => sum + app.versions.length, 0),
    workspaces: countWorkspaces(desired.apps.map((app) => app.workspace)),
  };
}

function countWorkspaces(refs: WorkspaceRef[]): number {
  const parent = refs.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  const firstWith = new Map<string, number>();
  refs.forEach((ref, i) => {
    for (const key of [ref.name === undefined ? undefined : `name:${ref.name}`, ref.id === undefined ? undefined : `id:${ref.id}`]) {
      if (key === undefined) continue;
      const first = firstWith.get(key);
      if (first === undefined) firstWith.set(key, i);
      else parent[root(i)] = root(first);
    }
  });
  return new Set(refs.map((_, i) => root(i))).size;
}
