// The stale-plan guard: a saved plan is applied only to the state it was
// computed from. Each app it would publish to is compared with a fresh read
// of the server (its observed fingerprint for an existing app, its absence
// for a new one); an app that moved is left alone and the run says to plan
// again, while the others are applied.

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
      const current = observed.apps.find((o) => o.id === app.appId);
      if (!current) {
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
