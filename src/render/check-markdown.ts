// The check report as GitHub-flavoured Markdown, for $GITHUB_STEP_SUMMARY and
// pull-request comments: the summary, a table of apps, then what failed.

import type { AppCheckResult } from '../checks/catalog.js';
import { checkLabel, checkReportLines } from './check-words.js';
import { checkSummaryLine } from './check-human.js';
import { markdownText as escapeMarkdown } from './escape.js';
import { markdownContext, markdownTitle } from './plan-markdown.js';
import type { CheckRenderer } from './types.js';

const STATUS: Record<AppCheckResult['status'], string> = { passed: 'passed', failed: '**failed**', 'could-not-run': '**could not run**' };

export const renderCheckMarkdown: CheckRenderer = (report, out, options) => {
  const lines = [markdownTitle('check', report.environment), '', `**${escapeMarkdown(checkSummaryLine(report))}**`, '', markdownContext(report), ''];
  if (report.apps.length > 0) {
    lines.push('| App | Version | Checks | Status |', '|---|---|---|---|');
    for (const app of report.apps) {
      lines.push(`| ${escapeMarkdown(app.app)} | ${app.version === null ? 'default' : `v${app.version}`} | ${app.checks.length} | ${STATUS[app.status]} |`);
    }
    lines.push('');
  }
  for (const app of report.apps) {
    const shown = app.checks.filter((c) => options.verbose || c.outcome.status !== 'passed' || c.cleanup === 'left');
    if (shown.length === 0 && app.detail === null) continue;
    lines.push(`### ${escapeMarkdown(app.app)}`, '');
    if (app.detail !== null) lines.push(`- ${escapeMarkdown(app.detail)}`);
    for (const check of shown) {
      const [verdict, ...more] = checkReportLines(check);
      lines.push(`- ${escapeMarkdown(`${checkLabel(check.check, null)}: ${verdict}`)}`);
      for (const line of more) lines.push(`  - ${escapeMarkdown(line)}`);
    }
    lines.push('');
  }
  while (lines[lines.length - 1] === '') lines.pop();
  out.write(`${lines.join('\n')}\n`);
};
