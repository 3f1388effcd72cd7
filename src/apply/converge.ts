// Convergence: after the publishes, the server is read again and planned
// against once more. An empty plan means the apply did what it meant to; any
// publish or conflict left over is reported, field by field, as not converged.

import { describeConflict, describeReason } from '../plan/describe.js';
import type { Plan } from '../plan/types.js';
import type { StillToDo } from './events.js';

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
