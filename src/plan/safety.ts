// The churn guard, after octoDNS's update threshold: a plan that would put new
// revisions on a large share of the existing apps is more likely a mistake
// (a wrong config, a mass edit of workflows) than an intent, and a revision
// replaces what users run. apply refuses such a plan unless --force is given.

import { plural } from './describe.js';
import type { Plan } from './types.js';

export interface SafetyOptions {
  /** Share of the existing apps in the plan above which churn counts as large (0.3 = 30%). */
  maxFraction: number;
  /** Number of revised apps at or below which the plan is never refused. */
  minCount: number;
}

export const DEFAULT_SAFETY: SafetyOptions = Object.freeze({ maxFraction: 0.3, minCount: 5 });

export interface SafetyVerdict {
  /** true: apply must refuse without --force. */
  refuse: boolean;
  /** Existing apps that would get a new revision of some version, sorted as in the plan. */
  revisedApps: string[];
  /** Apps of the plan that exist on the server (the base of the fraction). */
  existingApps: number;
  /** Why apply refuses; set only when it does. */
  reason?: string;
}

/**
 * Refuses when more than `minCount` existing apps would get a new revision
 * AND they are more than `maxFraction` of the existing apps the plan covers.
 */
export function safetyCheck(plan: Plan, options: SafetyOptions = DEFAULT_SAFETY): SafetyVerdict {
  const existing = plan.apps.filter((app) => app.action === 'update' || app.action === 'no-op' || app.action === 'wait' || (app.action === 'conflict' && app.appId !== undefined));
  const revisedApps = plan.apps
    .filter((app) => app.action === 'update' && app.publishes.some((p) => p.expect.creates === 'revision'))
    .map((app) => app.name);
  const fraction = existing.length === 0 ? 0 : revisedApps.length / existing.length;
  const refuse = revisedApps.length > options.minCount && fraction > options.maxFraction;
  const verdict: SafetyVerdict = { refuse, revisedApps, existingApps: existing.length };
  if (refuse) {
    verdict.reason =
      `the plan puts new revisions on ${plural(revisedApps.length, 'existing app')} of ${existing.length} ` +
      `(${Math.round(fraction * 100)}%, more than ${Math.round(options.maxFraction * 100)}% and more than ${options.minCount}); ` +
      'a revision replaces what users run. Check the plan, then apply it with --force if it is what you mean';
  }
  return verdict;
}
