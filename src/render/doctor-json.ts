// The doctor report as JSON: the DoctorReport document itself (formatVersion
// 1), pretty-printed, for scripts and CI. Characters a terminal would act on
// that JSON.stringify leaves raw (C1 controls, bidirectional overrides) are
// written as \u escapes too: the same JSON, safe to print.

import { terminalSafe } from './doctor-text.js';
import type { DoctorRenderer } from './types.js';

export const renderDoctorJson: DoctorRenderer = (report, out) => {
  // Line by line: the newlines are the pretty-printing's own; strings inside hold none raw.
  out.write(`${JSON.stringify(report, null, 2).split('\n').map(terminalSafe).join('\n')}\n`);
};
