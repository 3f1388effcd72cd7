// The check report for a terminal: a header naming the server, the
// environment and the config (as plan's and drift's do), then one line per
// app with its verdict, then under it each check that did not pass, with
// which result differed (expected vs got), the run's state and detail, and
// any run left behind.

import type { AppCheckResult, CheckCatalogReport } from '../checks/catalog.js';
import { plural } from '../plan/describe.js';
import { checkLabel, checkReportLines } from './check-words.js';
import { environmentSuffix, palette, terminalLine } from './text.js';
import type { CheckRenderer } from './types.js';

const MARK: Record<AppCheckResult['status'], string> = { passed: 'ok', failed: 'FAILED', 'could-not-run': 'could not run' };

export const renderCheckHuman: CheckRenderer = (report, out, options) => {
  const colors = palette(options.color);
  const lines: string[] = [colors.bold(`p7apps check for ${report.serverUrl}${environmentSuffix(report.environment)}`), `  config: ${report.configPath}`, ''];
  for (const app of report.apps) {
    const color = app.status === 'passed' ? colors.added : app.status === 'failed' ? colors.removed : colors.changed;
    const version = app.version === null ? '' : ` v${app.version}`;
    const count = app.checks.length === 0 ? '' : ` (${plural(app.checks.length, 'check')})`;
    lines.push(`${color(MARK[app.status])}  ${app.app}${version}${count}${app.detail ? `: ${app.detail}` : ''}`);
    for (const check of app.checks) {
      if (check.outcome.status === 'passed' && check.cleanup !== 'left' && !options.verbose) continue;
      const [verdict, ...more] = checkReportLines(check);
      lines.push(`      ${checkLabel(check.check, null)}: ${verdict}`);
      for (const line of more) lines.push(`        ${line}`);
    }
  }
  if (report.apps.length === 0) lines.push('No app of the config declares checks.');
  lines.push('', checkSummaryLine(report));
  out.write(lines.map(terminalLine).join('\n') + '\n');
};

export function checkSummaryLine(report: CheckCatalogReport): string {
  const { summary } = report;
  const parts = [`${summary.passed} passed`, `${summary.failed} failed`];
  if (summary.couldNotRun > 0) parts.push(`${summary.couldNotRun} could not run`);
  const left = summary.runsLeft > 0 ? `; ${plural(summary.runsLeft, 'run')} left on the server` : '';
  const interrupted = report.interrupted ? ' (interrupted)' : '';
  return `Checked ${plural(summary.apps, 'app')}${report.version === null ? '' : ` at v${report.version}`}: ${parts.join(', ')}${left}${interrupted}.`;
}
