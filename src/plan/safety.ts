// The guard against plans that change more than anyone meant, computed from
// the plan alone so that plan, show, apply and the library's applyPlan() all
// reach the same verdict:
//
// - The large-change guard, after octoDNS's update threshold: a plan that
//   would put new revisions on a large share of the existing apps is more
//   likely a mistake (a wrong config, a mass edit of workflows) than an
//   intent, and a revision replaces what users run. Such a plan needs
//   --force. The limits come from the config's `safety`.
// - Protected apps (`protect: true` in the config): a publish that would
//   change what an existing protected app offers (a new revision of one of
//   its versions, another default version, or its description, thumbnail or
//   copy permission) needs --allow-protected naming the app. Adding a version
//   that does not become the default, and creating the app, need nothing.

import type { DesiredState } from '../config/desired.js';
import { P7appsError } from '../errors.js';
import { joinWords, plural } from './describe.js';
import { compareCodePoints } from './order.js';
import type { Plan, SafetyPolicy } from './types.js';

/** The limits when the config sets none: more than 30% of the existing apps, and more than 5 of them. */
export const DEFAULT_SAFETY_POLICY: Readonly<SafetyPolicy> = Object.freeze({ maxRepublishPercent: 30, maxRepublishApps: 5, protectedApps: [] });

export const SAFETY_FORMAT_VERSION = 1 as const;

/** Why a publish to a protected app needs --allow-protected. */
export type ProtectedChange = 'revision' | 'default' | 'settings';

export interface ProtectedStep {
  app: string;
  /** The publish's step among the app's publishes (1-based). */
  step: number;
  version: number;
  change: ProtectedChange;
}

/** The guard's verdict; part of the plan's JSON document as `safety` (versioned by its own formatVersion). */
export interface SafetyVerdict {
  formatVersion: typeof SAFETY_FORMAT_VERSION;
  /** apply refuses the plan without --force (or, in the library, `force: true`). */
  needsForce: boolean;
  /** Existing apps that would get a new revision of some version, in plan order. */
  republishedApps: string[];
  /** Apps of the plan that exist on the server (the base of the share). */
  existingApps: number;
  limits: { maxRepublishPercent: number; maxRepublishApps: number };
  /** Apps the config protects, sorted. */
  protectedApps: string[];
  /** Publishes that need --allow-protected naming their app, in plan order. */
  protectedSteps: ProtectedStep[];
}

/** The policy a config sets: its `safety` limits (the defaults where absent) and its protected apps. */
export function safetyPolicy(desired: Pick<DesiredState, 'apps' | 'safety'>): SafetyPolicy {
  return {
    maxRepublishPercent: desired.safety?.maxRepublishPercent ?? DEFAULT_SAFETY_POLICY.maxRepublishPercent,
    maxRepublishApps: desired.safety?.maxRepublishApps ?? DEFAULT_SAFETY_POLICY.maxRepublishApps,
    protectedApps: desired.apps
      .filter((app) => app.protect === true)
      .map((app) => app.name)
      .sort(compareCodePoints),
  };
}

/**
 * The verdict on `plan` under `policy` (default: the policy the plan was made
 * with). Large: more than `maxRepublishApps` existing apps would get a new
 * revision AND they are more than `maxRepublishPercent` of the existing apps
 * the plan covers.
 */
export function safetyCheck(plan: Plan, policy: SafetyPolicy = plan.safety ?? DEFAULT_SAFETY_POLICY): SafetyVerdict {
  const existing = plan.apps.filter((app) => app.action === 'update' || app.action === 'no-op' || app.action === 'wait' || (app.action === 'conflict' && app.appId !== undefined));
  const republishedApps = plan.apps
    .filter((app) => app.action === 'update' && app.publishes.some((p) => p.expect.creates === 'revision'))
    .map((app) => app.name);
  // Compared in whole numbers where the limit is one: 6 of 20 is not more than 30%.
  const needsForce =
    republishedApps.length > policy.maxRepublishApps && existing.length > 0 && republishedApps.length * 100 > policy.maxRepublishPercent * existing.length;
  const protectedSet = new Set(policy.protectedApps);
  const protectedSteps: ProtectedStep[] = [];
  for (const app of plan.apps) {
    if (app.action !== 'update' || !protectedSet.has(app.name)) continue;
    const settingsChange = app.changes.some((c) => c.field === 'description' || c.field === 'thumbnail' || c.field === 'allowCopy');
    for (const publish of app.publishes) {
      const { creates, becomesDefault, version } = publish.expect;
      const change: ProtectedChange | null =
        creates === 'revision' ? 'revision' : becomesDefault ? 'default' : settingsChange ? 'settings' : null;
      if (change) protectedSteps.push({ app: app.name, step: publish.step, version, change });
    }
  }
  return {
    formatVersion: SAFETY_FORMAT_VERSION,
    needsForce,
    republishedApps,
    existingApps: existing.length,
    limits: { maxRepublishPercent: policy.maxRepublishPercent, maxRepublishApps: policy.maxRepublishApps },
    protectedApps: [...policy.protectedApps],
    protectedSteps,
  };
}

/** The apps whose protected steps `allowed` does not name, each with its steps, in plan order. */
export function unallowedProtected(verdict: SafetyVerdict, allowed: readonly string[] = []): Map<string, ProtectedStep[]> {
  const byApp = new Map<string, ProtectedStep[]>();
  for (const step of verdict.protectedSteps) {
    if (allowed.includes(step.app)) continue;
    byApp.set(step.app, [...(byApp.get(step.app) ?? []), step]);
  }
  return byApp;
}

/** "step 1 republishes version 2 (a new revision)". */
export function protectedStepText(step: ProtectedStep): string {
  switch (step.change) {
    case 'revision':
      return `step ${step.step} republishes version ${step.version} (a new revision)`;
    case 'default':
      return `step ${step.step} makes version ${step.version} the default`;
    case 'settings':
      return `step ${step.step} publishes version ${step.version} with changed app settings`;
  }
}

function limitsText(verdict: SafetyVerdict): string {
  return `limit: ${verdict.limits.maxRepublishPercent}% / ${plural(verdict.limits.maxRepublishApps, 'app')}`;
}

/**
 * The verdict in words, one line each, for every plan format: whether apply
 * will need --force, then each protected app apply will need named. A plan
 * that republishes no existing app cannot meet the large-change guard, so
 * nothing is said about --force then (the JSON `safety` field still has it all).
 */
export function safetyLines(verdict: SafetyVerdict): string[] {
  const lines: string[] = [];
  if (verdict.republishedApps.length > 0) {
    const share = `${verdict.republishedApps.length} of ${plural(verdict.existingApps, 'existing app')} republished (${limitsText(verdict)})`;
    lines.push(verdict.needsForce ? `apply will need --force: ${share}` : `apply needs no --force: ${share}`);
  }
  for (const [app, steps] of unallowedProtected(verdict)) {
    lines.push(`apply will need --allow-protected for protected app ${JSON.stringify(app)}: ${joinWords(steps.map(protectedStepText))}`);
  }
  return lines;
}

/** The note under a publish that needs --allow-protected, in every plan format. */
export const PROTECTED_STEP_TEXT = 'needs --allow-protected: the app is protected';

/** Per app, the steps that need --allow-protected, for the renderers to mark. */
export function protectedStepsByApp(plan: Plan): Map<string, Set<number>> {
  const byApp = new Map<string, Set<number>>();
  for (const step of safetyCheck(plan).protectedSteps) byApp.set(step.app, new Set([...(byApp.get(step.app) ?? []), step.step]));
  return byApp;
}

/** Whether the verdict asks for any flag: then the plan formats show it as a warning. */
export function safetyNeedsFlags(verdict: SafetyVerdict): boolean {
  return verdict.needsForce || verdict.protectedSteps.length > 0;
}

/** apply's (and applyPlan()'s) refusal of a plan the guard stops; nothing was sent. */
export class PlanRefusedError extends P7appsError {
  /** 'large-change': --force (force: true) is needed; 'protected': --allow-protected (allowProtected) naming `apps`. */
  readonly kind: 'large-change' | 'protected';
  readonly verdict: SafetyVerdict;
  /** The protected apps not allowed ('protected' only). */
  readonly apps: string[];

  constructor(kind: 'large-change' | 'protected', verdict: SafetyVerdict, message: string, hint: string, apps: string[] = []) {
    super(message, { hint });
    this.kind = kind;
    this.verdict = verdict;
    this.apps = apps;
  }
}

export interface GuardOptions {
  /** Apply a plan that republishes more than the limits allow. */
  force?: boolean;
  /** Protected apps that may be changed this time, by name. */
  allowProtected?: readonly string[];
  /** How the names are written in the hint (the CLI quotes them for a shell). Default: JSON-quoted. */
  quote?: (name: string) => string;
}

/** Throws PlanRefusedError unless the plan passes the guard under `options`; returns the verdict otherwise. */
export function enforceSafety(plan: Plan, options: GuardOptions = {}, policy?: SafetyPolicy): SafetyVerdict {
  const verdict = safetyCheck(plan, policy);
  const quote = options.quote ?? ((name: string) => JSON.stringify(name));
  if (verdict.needsForce && options.force !== true) {
    const { maxRepublishPercent, maxRepublishApps } = verdict.limits;
    const share = Math.round((verdict.republishedApps.length / verdict.existingApps) * 100);
    throw new PlanRefusedError(
      'large-change',
      verdict,
      `refusing to apply: the plan puts new revisions on ${plural(verdict.republishedApps.length, 'existing app')} of ${verdict.existingApps} ` +
        `(${share}%, more than ${maxRepublishPercent}% and more than ${maxRepublishApps}); a revision replaces what users run. ` +
        'Check the plan, then apply it with --force if it is what you mean',
      `Apps that would get a new revision: ${verdict.republishedApps.join(', ')}. If that is intended, run again with --force.`,
    );
  }
  const refused = unallowedProtected(verdict, options.allowProtected);
  if (refused.size > 0) {
    const apps = [...refused.keys()];
    const what = [...refused].map(([app, steps]) => `${JSON.stringify(app)}: ${joinWords(steps.map(protectedStepText))}`);
    throw new PlanRefusedError(
      'protected',
      verdict,
      `refusing to apply: the plan changes protected ${apps.length === 1 ? 'app' : 'apps'} ${what.join('; ')}`,
      `If that is intended, run again with ${apps.map((app) => `--allow-protected ${quote(app)}`).join(' ')}.`,
      apps,
    );
  }
  return verdict;
}
