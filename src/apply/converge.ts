// Convergence: after the publishes, the server is read again and planned
// against once more. An empty plan means the apply did what it meant to; any
// publish or conflict left over is reported, field by field, as not converged.
// An empty plan says nothing about fields the server does not show: the
// verification that goes with it says which those are.

import { describeConflict, describeReason } from '../plan/describe.js';
import type { Plan } from '../plan/types.js';
import { planVerification, verifiedText, type Verification } from '../plan/verification.js';
import type { StillToDo } from './events.js';

/** The convergence read's verdict for a person: "converged: 12 apps verified; description of 3 apps cannot be verified on this server". */
export function convergedText(verification: Verification): string {
  return `converged: ${verifiedText(verification)}`;
}

/** What the fresh plan after an apply left to do and what it could verify. */
export function convergence(plan: Plan): { remaining: StillToDo[]; verification: Verification } {
  return { remaining: stillToDo(plan), verification: planVerification(plan) };
}

/** What a fresh plan still wants to do, per app, in words; empty when converged. */
export function stillToDo(plan: Plan): StillToDo[] {
  const remaining: StillToDo[] = [];
  for (const app of plan.apps) {
    const reasons =
      app.action === 'create' || app.action === 'update'
        ? [...new Set(app.publishes.flatMap((p) => p.reasons.map(describeReason)))]
        : [];
    const conflicts = app.action === 'conflict' ? app.conflicts.map((c) => describeConflict(c).problem) : [];
    if (app.action === 'create' && reasons.length === 0) reasons.push(describeReason({ kind: 'app-missing' }));
    if (reasons.length > 0 || conflicts.length > 0) remaining.push({ app: app.name, reasons, conflicts });
  }
  return remaining;
}
