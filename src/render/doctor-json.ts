// The doctor report as JSON: the DoctorReport document itself (formatVersion
// 1), pretty-printed, for scripts and CI.

import type { DoctorRenderer } from './types.js';

export const renderDoctorJson: DoctorRenderer = (report, out) => {
  out.write(`${JSON.stringify(report, null, 2)}\n`);
};
