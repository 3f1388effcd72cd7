// The drift report as GitHub-flavoured Markdown, for $GITHUB_STEP_SUMMARY and
// pull-request comments: the summary first, a table of apps that need a look,
// then a collapsed block per app with what differs.

import type { AppDrift } from '../plan/drift.js';
import { driftSummaryLine, partlyVerifiedStatus } from '../plan/drift.js';
import { plural, publishingText, unverifiableText } from '../plan/describe.js';
import type { DriftRenderer } from './types.js';
import { changeItem, codeSpan, escapeHtml, escapeMarkdown, markdownContext, markdownTitle, type MarkdownChangeWording } from './plan-markdown.js';
import { sidesText } from './plan-words.js';

/** A difference with both sides named; a description as a diff, - server, + config. */
const DRIFT_WORDING: MarkdownChangeWording = { oneLine: (change) => sidesText(change), diffSides: ' (`-` server, `+` config)' };

const STATUS_TEXT: Record<AppDrift['status'], string> = {
  'in-sync': 'in sync',
  drifted: 'drifted',
  missing: 'missing',
  conflict: 'conflict',
  publishing: 'still publishing',
  unmanaged: 'unmanaged',
};

export const renderDriftMarkdown: DriftRenderer = (report, out, options) => {
  const lines = [markdownTitle('drift', report.environment), '', `**${driftSummaryLine(report)}**`, '', markdownContext(report), ''];
  const listed = report.apps.filter((app) => options.verbose || app.status !== 'in-sync' || hasDetails(app));
  if (listed.length > 0) {
    lines.push('| App | Status | Counts as drift |', '|---|---|---|');
    for (const app of listed) lines.push(`| ${escapeMarkdown(app.name)} | ${statusText(app)} | ${app.counts ? 'yes' : 'no'} |`);
    lines.push('');
  }
  const hidden = report.apps.length - listed.length;
  if (hidden > 0) lines.push(`${plural(hidden, 'app')} in sync.`, '');
  for (const app of listed.filter(hasDetails)) {
    lines.push(`<details${app.counts ? ' open' : ''}><summary><b>${escapeHtml(app.name)}</b>: ${statusText(app)}</summary>`, '');
    for (const change of app.changes) lines.push(...changeItem(change, DRIFT_WORDING));
    for (const edited of app.editedWorkflows) {
      const held = edited.policy === 'report' ? '; not republished by apply (onWorkflowChange: report)' : '';
      lines.push(`- workflow ${codeSpan(edited.workflow)} was edited since version ${edited.version} was published${held}`);
    }
    for (const version of app.publishing ?? []) lines.push(`- ${escapeMarkdown(publishingText(version))}: run drift again later`);
    for (const conflict of app.conflicts) lines.push(`- **Conflict**: ${escapeMarkdown(conflict.problem)}.`, `  **To do**: ${escapeMarkdown(conflict.resolution)}.`);
    for (const v of app.unmanagedVersions) lines.push(`- version ${v.version} is on the server but not in the config`);
    for (const u of app.unverifiable) lines.push(`- ${escapeMarkdown(unverifiableText(u))}`);
    lines.push('', '</details>', '');
  }
  while (lines[lines.length - 1] === '') lines.pop();
  out.write(`${lines.join('\n')}\n`);
};

function statusText(app: AppDrift): string {
  return partlyVerifiedStatus(app) ?? STATUS_TEXT[app.status];
}

function hasDetails(app: AppDrift): boolean {
  return app.changes.length + app.editedWorkflows.length + app.conflicts.length + app.unmanagedVersions.length + app.unverifiable.length + (app.publishing?.length ?? 0) > 0;
}
