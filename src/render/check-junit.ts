// The check report as JUnit XML: one test case per check (and one per app
// that could not be checked at all), so CI dashboards show a broken app as a
// failed test without knowing anything about p7apps.

import { checkReportLines } from './check-words.js';
import { checkSummaryLine } from './check-human.js';
import { JUNIT_CLOSING, junitCase, junitOpening } from './junit.js';
import type { CheckRenderer } from './types.js';

interface Case {
  classname: string;
  name: string;
  kind: 'passed' | 'failure' | 'error';
  lines: string[];
}

export const renderCheckJunit: CheckRenderer = (report, out) => {
  const cases: Case[] = [];
  for (const app of report.apps) {
    const classname = `p7apps.check.${app.app}`;
    if (app.checks.length === 0 || app.detail !== null) cases.push({ classname, name: '(app)', kind: app.status === 'passed' ? 'passed' : 'error', lines: [app.detail ?? 'no checks ran'] });
    for (const check of app.checks) {
      const kind = check.outcome.status === 'passed' ? 'passed' : check.outcome.status === 'failed' ? 'failure' : 'error';
      cases.push({ classname, name: `${check.check}${app.version === null ? '' : ` (v${app.version})`}`, kind, lines: checkReportLines(check) });
    }
  }
  const lines = junitOpening({
    name: 'p7apps check',
    serverUrl: report.serverUrl,
    configPath: report.configPath,
    ...(report.environment === undefined ? {} : { environment: report.environment }),
    summary: checkSummaryLine(report),
    tests: cases.length,
    failures: cases.filter((c) => c.kind === 'failure').length,
    errors: cases.filter((c) => c.kind === 'error').length,
  });
  for (const c of cases) {
    const message = c.lines[0] ?? '';
    lines.push(
      ...junitCase({
        classname: c.classname,
        name: c.name,
        ...(c.kind === 'failure' ? { outcome: { element: 'failure', type: 'check-failed', message, lines: c.lines } } : {}),
        ...(c.kind === 'error' ? { outcome: { element: 'error', type: 'could-not-run', message, lines: c.lines } } : {}),
        ...(c.kind === 'passed' && c.lines.length > 1 ? { output: c.lines } : {}),
      }),
    );
  }
  lines.push(...JUNIT_CLOSING);
  out.write(`${lines.join('\n')}\n`);
};
