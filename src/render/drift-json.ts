// The drift report as JSON: the DriftReport document itself (formatVersion 1),
// pretty-printed, for scripts and dashboards.

import { jsonText } from './escape.js';
import type { DriftRenderer } from './types.js';

export const renderDriftJson: DriftRenderer = (report, out) => {
  out.write(`${jsonText(report, 2)}\n`);
};
