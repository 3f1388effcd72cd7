// Convergence: after the publishes, the server is read again and planned
// against once more. An empty plan means the apply did what it meant to; any
// publish or conflict left over is reported, field by field, as not converged.
// So is a version the config never declared that appeared during the apply in
// an app it published to: a publish committed twice (a late commit, or another
// apply at the same time) leaves the plan empty but the server not as asked.
// An empty plan says nothing about fields the server does not show: the
// verification that goes with it says which those are.

import { describeConflict, describeReason, publishingText } from '../plan/describe.js';
import type { AppPlan, Plan } from '../plan/types.js';
import { planVerification, verifiedText, type Verification } from '../plan/verification.js';
import type { StillToDo } from './events.js';
import { duplicateAdvice } from './late-commit.js';

/** The convergence read's verdict for a person: "converged: 12 apps verified; description of 3 apps cannot be verified on this server". */
export function convergedText(verification: Verification): string {
  return `converged: ${verifiedText(verification)}`;
}

/**
 * What the fresh plan after an apply left to do and what it could verify.
 * With `before` (the plan that was applied), versions that appeared in an app
 * it published to without being declared count as not converged too.
 */
export function convergence(plan: Plan, before?: Plan): { remaining: StillToDo[]; verification: Verification } {
  return { remaining: stillToDo(plan, before), verification: planVerification(plan) };
}

/**
 * What a fresh plan still wants to do, per app, in words; empty when converged.
 * With `before`, undeclared versions that appeared during the apply count too.
 */
export function stillToDo(plan: Plan, before?: Plan): StillToDo[] {
  const remaining: StillToDo[] = [];
  for (const app of plan.apps) {
    const reasons =
      app.action === 'create' || app.action === 'update'
        ? [...new Set(app.publishes.flatMap((p) => p.reasons.map(describeReason)))]
        : app.action === 'wait'
          ? app.publishing.map(publishingText)
          : [];
    const conflicts = app.action === 'conflict' ? app.conflicts.map((c) => describeConflict(c).problem) : [];
    const planned = before?.apps.find((b) => b.name === app.name);
    if (planned) conflicts.push(...appearedVersions(planned, app));
    if (app.action === 'create' && reasons.length === 0) reasons.push(describeReason({ kind: 'app-missing' }));
    if (reasons.length > 0 || conflicts.length > 0) remaining.push({ app: app.name, reasons, conflicts });
  }
  return remaining;
}

/** Undeclared versions in `after` that `before` did not show, for an app `before` published to. */
function appearedVersions(before: AppPlan, after: AppPlan): string[] {
  if ((before.action !== 'create' && before.action !== 'update') || before.publishes.length === 0) return [];
  const undeclared = (plan: AppPlan) => plan.notes.flatMap((n) => (n.kind === 'unmanaged-version' ? [n.version] : []));
  const known = new Set(undeclared(before));
  return undeclared(after)
    .filter((v) => !known.has(v))
    .map(
      (v) =>
        `v${v} appeared during this apply but the config does not declare it: a publish was probably committed twice ` +
        `(a late commit after a lost answer, or another apply at the same time). ${duplicateAdvice(after.name)}`,
    );
}
