// Small builders for desired and observed states, so each planner test states
// only what it is about. Everything else is in sync by default: an app built
// from the same arguments on both sides plans as no-op.

import { UNKNOWN, type Maybe, type VersionRecord, type WorkflowRecord, type Workspace } from '../../src/appshub/types.js';
import type { DesiredApp, DesiredState, DesiredThumbnail } from '../../src/config/desired.js';
import type { ObservedApp, ObservedState } from '../../src/plan/observed.js';

export const SERVER = 'https://pseven.example.com';
export const CONFIG = '/repo/p7apps.config.ts';
export const WORKSPACE: Workspace = { id: '7', name: 'Engineering' };

/** Workflow path for a short name: wf('Beam') -> /Users/1/Beam.p7wf. */
export const wf = (name: string) => `/Users/1/${name}.p7wf`;

export function sha(seed: string): string {
  return seed.repeat(64).slice(0, 64);
}

export function desiredThumbnail(seed = 'a'): DesiredThumbnail {
  return { path: `/repo/assets/${seed}.png`, filename: `${seed}.png`, mediaType: 'image/png', sha256: sha(seed), declaredAs: `assets/${seed}.png`, size: 1234 };
}

/** A desired app; `versions` maps number -> workflow short name. */
export function desiredApp(name: string, versions: Record<number, string>, extra: Partial<DesiredApp> = {}): DesiredApp {
  return {
    name,
    workspace: { name: WORKSPACE.name },
    versions: Object.entries(versions)
      .map(([n, w]) => ({ version: Number(n), workflow: wf(w) }))
      .sort((a, b) => a.version - b.version),
    ...extra,
  };
}

export function desiredState(...apps: DesiredApp[]): DesiredState {
  return { configPath: CONFIG, apps };
}

export interface VersionSpec {
  workflow: string;
  revision?: Maybe<number>;
  state?: Maybe<string>;
  /** Fingerprint the version was published with; default: the workflow's current one. */
  fingerprint?: Maybe<string | null>;
  path?: Maybe<string>;
}

export function fp(workflow: string): string {
  return `fp-${workflow}`;
}

export function versionRecord(appId: string, version: number, spec: VersionSpec): VersionRecord {
  return {
    appId,
    version,
    revision: spec.revision ?? 0,
    state: spec.state ?? 'READY',
    stateDetail: null,
    workflowPath: spec.path ?? wf(spec.workflow),
    workflowFingerprint: spec.fingerprint === undefined ? fp(spec.workflow) : spec.fingerprint,
    url: `${SERVER}/appshub/.rest/v2/apps/${appId}@${version}/`,
    updated: '2024-02-02T10:23:19.995035Z',
  };
}

/** An observed app; `versions` maps number -> workflow short name or a full spec. */
export function observedApp(name: string, versions: Record<number, string | VersionSpec>, extra: Partial<ObservedApp> = {}): ObservedApp {
  const id = extra.id ?? `id-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const records = Object.entries(versions).map(([n, spec]) => versionRecord(id, Number(n), typeof spec === 'string' ? { workflow: spec } : spec));
  return {
    id,
    name,
    workspace: WORKSPACE,
    description: null,
    allowCopy: true,
    thumbnail: null,
    defaultVersion: records[0]?.version ?? 1,
    versions: records,
    ...extra,
  };
}

/** Every workflow the tests use, with its current fingerprint fp(name). */
export function workflowsFor(names: string[], overrides: Record<string, Maybe<string | null>> = {}): Record<string, WorkflowRecord> {
  const out: Record<string, WorkflowRecord> = {};
  for (const name of names) {
    out[wf(name)] = {
      id: `wf-${name}`,
      name,
      path: wf(name),
      url: UNKNOWN,
      fingerprint: name in overrides ? (overrides[name] as Maybe<string | null>) : fp(name),
    };
  }
  return out;
}

export const ALL_WORKFLOWS = ['A', 'B', 'C', 'D', 'E', 'Beam', 'Beam2', 'Beam3', 'Gear', 'Gear2', 'Old', 'New'];

export function observedState(apps: ObservedApp[], workflows: ObservedState['workflows'] = workflowsFor(ALL_WORKFLOWS)): ObservedState {
  return { serverUrl: SERVER, apps, workflows };
}
