// The stale-plan guard: a saved plan is applied only to the state it was
// computed from. Each app it would publish to is compared with a fresh read
// of the server (its observed fingerprint for an existing app, its absence
// for a new one); an app that moved is left alone and the run says to plan
// again, while the others are applied.
//
// A saved plan is also a file anyone could have edited, so what it would
// upload is checked again, by the config loader's own code, before anything
// is sent: each thumbnail must lie inside the config's folder (no symbolic
// link out of it), be an image by its bytes, within the size limit, and still
// have the sha256 the plan recorded.

import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ThumbnailUpload } from '../appshub/types.js';
import { readThumbnail } from '../config/files.js';
import { fingerprintObservedApp, summarisePlan } from '../plan/compute.js';
import type { ObservedState } from '../plan/observed.js';
import type { Plan } from '../plan/types.js';

export interface ChangedApp {
  app: string;
  detail: string;
}

/** The apps of `plan` that would publish but whose server state is no longer the one planned from. */
export function findChangedApps(plan: Plan, observed: ObservedState): ChangedApp[] {
  const changed: ChangedApp[] = [];
  for (const app of plan.apps) {
    if (app.action === 'create') {
      if (app.publishes.length === 0) continue;
      if (observed.apps.some((o) => o.name === app.name)) {
        changed.push({ app: app.name, detail: 'was created on the server after the plan was made; run "p7apps plan" again' });
      }
    } else if (app.action === 'update') {
      if (app.publishes.length === 0) continue;
      const sharing = observed.apps.filter((o) => o.id === app.appId);
      const current = sharing[0];
      if (sharing.length > 1) {
        changed.push({ app: app.name, detail: `shares its id ${app.appId} with ${sharing.filter((o) => o.name !== app.name).map((o) => JSON.stringify(o.name)).join(', ')} on the server now; run "p7apps plan" again` });
      } else if (!current) {
        changed.push({ app: app.name, detail: `is no longer on the server (id ${app.appId}); run "p7apps plan" again` });
      } else if (fingerprintObservedApp(current) !== app.observedFingerprint) {
        // What is read of an app depends on the config too (the details of the versions it declares, the
        // thumbnail's hash when it declares one), so a config edited since the plan moves the fingerprint
        // as a server change does; the two cannot be told apart here, so the message names both.
        changed.push({ app: app.name, detail: 'changed after the plan was made, on the server or in what the config declares for it; run "p7apps plan" again' });
      }
    }
  }
  return changed;
}

/** The plan without the named apps, its summary recounted. */
export function planWithout(plan: Plan, names: ReadonlySet<string>): Plan {
  const apps = plan.apps.filter((app) => !names.has(app.name));
  return { ...plan, apps, summary: summarisePlan(apps, plan.unmanagedApps.length) };
}

/** Names of the apps a plan would publish to. */
export function appsToPublish(plan: Plan): string[] {
  return plan.apps.filter((app) => (app.action === 'create' || app.action === 'update') && app.publishes.length > 0).map((app) => app.name);
}

/**
 * What is wrong with the files a saved plan would upload, one line per
 * publish; empty when every thumbnail passes the config loader's checks
 * again, from the folder of the config this run loaded.
 */
export async function recheckUploads(plan: Plan, configPath: string, cwd: string): Promise<string[]> {
  const configDir = await realpath(path.dirname(path.resolve(cwd, configPath)));
  const context = { configDir, realConfigDir: configDir, cwd };
  const problems: string[] = [];
  for (const app of plan.apps) {
    if (app.action !== 'create' && app.action !== 'update') continue;
    for (const publish of app.publishes) {
      const planned = publish.request.thumbnail;
      if (!planned) continue;
      const problem = await thumbnailProblem(planned, context);
      if (problem) problems.push(`${JSON.stringify(app.name)} v${publish.expect.version}: thumbnail ${problem}`);
    }
  }
  return problems;
}

async function thumbnailProblem(planned: ThumbnailUpload, context: { configDir: string; realConfigDir: string; cwd: string }): Promise<string | null> {
  if (!path.isAbsolute(planned.path)) return `${JSON.stringify(planned.path)} is not an absolute path, as a plan records it`;
  if (!/^[^/\\\u0000-\u001f\u007f]+$/.test(planned.filename) || planned.filename === '.' || planned.filename === '..') {
    return `file name ${JSON.stringify(planned.filename)} is not a plain file name`;
  }
  const read = await readThumbnail(planned.path, context);
  if (!read.ok) return read.message;
  if (read.value.sha256 !== planned.sha256.toLowerCase()) return `${JSON.stringify(planned.path)} changed since the plan was made (its sha256 differs)`;
  if (read.value.mediaType !== planned.mediaType) {
    return `${JSON.stringify(planned.path)} is ${read.value.mediaType} by its content, but the plan would upload it as ${JSON.stringify(planned.mediaType)}`;
  }
  return null;
}
