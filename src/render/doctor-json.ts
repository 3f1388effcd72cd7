// The doctor report as JSON: the DoctorReport document itself (formatVersion
// 1), pretty-printed, for scripts and CI. Characters a terminal would act on
// are written as \u escapes (./escape.ts): the same JSON, safe to print.

import { jsonText } from './escape.js';
import type { DoctorRenderer } from './types.js';

export const renderDoctorJson: DoctorRenderer = (report, out) => {
  out.write(`${jsonText(report, 2)}\n`);
};
