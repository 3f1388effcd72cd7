// The check report as JSON: the CheckCatalogReport document itself
// (formatVersion 1, src/checks/catalog.ts), pretty-printed, for scripts and
// dashboards. Result values are the server's, kept exactly (escaped as JSON).

import { jsonText } from './escape.js';
import type { CheckRenderer } from './types.js';

export const renderCheckJson: CheckRenderer = (report, out) => {
  out.write(`${jsonText(report, 2)}\n`);
};
