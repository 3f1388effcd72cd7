// The plan as its saved document (PlanDocumentV1): the same bytes `--out`
// writes and `p7apps apply FILE` reads. Colour and verbosity do not apply.

import { planDocumentText } from '../plan/document.js';
import type { PlanRenderer } from './types.js';

export const renderPlanJson: PlanRenderer = (plan, out) => {
  out.write(planDocumentText(plan));
};
