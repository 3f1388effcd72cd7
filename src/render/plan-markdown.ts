// The plan as GitHub-flavoured Markdown, for a pull-request comment or
// $GITHUB_STEP_SUMMARY: the summary line first, conflicts where nobody can
// miss them, a table of apps, then a collapsed block per app with its
// changes, a diff of descriptions, and every publish with why it is needed.

import { plannedChecksText } from './check-words.js';
import { isUnknown } from '../appshub/types.js';
import {
  STILL_PUBLISHING_ADVICE,
  describeConflict,
  describeNote,
  describeReason,
  heldWorkflowText,
  plural,
  publishingText,
  reportedWorkflowChanges,
  summaryLine,
} from '../plan/describe.js';
import { shownNotes } from './plan-human.js';
import { PROTECTED_STEP_TEXT, protectedStepsByApp, safetyCheck, safetyLines, safetyNeedsFlags } from '../plan/safety.js';
import { planHasChanges, type AppPlan, type AttributeChange, type Plan } from '../plan/types.js';
import { changeLabel, changeValueText, expectationText, requestFields } from './plan-words.js';
import { escapeUnsafe, htmlText as escapeHtml, markdownCode as codeSpan, markdownFence, markdownText as escapeMarkdown } from './escape.js';
import { lineDiff, workspaceText } from './text.js';
import type { PlanRenderer } from './types.js';

export const renderPlanMarkdown: PlanRenderer = (plan, out, options) => {
  out.write(`${markdownLines(plan, options.verbose).join('\n')}\n`);
};

const MARKS: Record<AppPlan['action'], string> = { create: '+', update: '~', conflict: '!', 'no-op': '=', wait: '*' };
const ACTION_WORDS: Record<AppPlan['action'], string> = { create: 'create', update: 'update', conflict: 'conflict', 'no-op': 'no-op', wait: 'still publishing' };

// Every server or config string goes through one of the Markdown escapes of ./escape.ts.
export { markdownText as escapeMarkdown, htmlText as escapeHtml, markdownCode as codeSpan } from './escape.js';

/** `## p7apps plan: staging`: the environment in the title, where a pull request showing several plans tells them apart. */
export function markdownTitle(kind: 'plan' | 'drift' | 'check', environment: string | undefined): string {
  return `## p7apps ${kind}${environment === undefined ? '' : `: ${escapeMarkdown(environment)}`}`;
}

/** Which environment, server and config a plan, drift or check report is about. */
export function markdownContext(about: { environment?: string; serverUrl: string; configPath: string }): string {
  const where = `server ${codeSpan(about.serverUrl)}, config ${codeSpan(about.configPath)}`;
  return about.environment === undefined ? `S${where.slice(1)}` : `Environment ${codeSpan(about.environment)}, ${where}`;
}

function markdownLines(plan: Plan, verbose: boolean): string[] {
  const lines = [markdownTitle('plan', plan.environment), '', `**${summaryLine(plan)}**`, '', markdownContext(plan), ''];
  if (planHasChanges(plan)) {
    const verdict = safetyCheck(plan);
    const said = safetyLines(verdict).map(escapeMarkdown);
    if (safetyNeedsFlags(verdict)) lines.push('> [!WARNING]', ...said.map((line) => `> - ${line}`), '');
    else if (said.length > 0) lines.push(...said, '');
  }

  const conflicted = plan.apps.filter((a): a is Extract<AppPlan, { action: 'conflict' }> => a.action === 'conflict');
  if (conflicted.length > 0) {
    const count = conflicted.reduce((n, a) => n + a.conflicts.length, 0);
    lines.push('> [!CAUTION]', `> **${plural(count, 'conflict')}** must be resolved by a person; nothing is applied to these apps until then.`);
    for (const app of conflicted) {
      for (const conflict of app.conflicts) {
        const text = describeConflict(conflict);
        lines.push(`> - **${escapeMarkdown(app.name)}**: ${escapeMarkdown(text.problem)}.<br>To do: ${escapeMarkdown(text.resolution)}.`);
      }
    }
    lines.push('');
  }

  const waiting = plan.apps.filter((a): a is Extract<AppPlan, { action: 'wait' }> => a.action === 'wait');
  if (waiting.length > 0) {
    lines.push('> [!NOTE]', `> **${plural(waiting.length, 'app')}** still publishing: not planned yet, and not a conflict. Plan again once ${waiting.length === 1 ? 'it is' : 'they are'} READY (\`plan --wait\` waits).`);
    for (const app of waiting) lines.push(`> - **${escapeMarkdown(app.name)}**: ${escapeMarkdown(app.publishing.map(publishingText).join('; '))}.`);
    lines.push('');
  }

  const listed = plan.apps.filter((a) => verbose || a.action !== 'no-op' || a.notes.some((n) => n.kind === 'unverifiable') || reportedWorkflowChanges(a).length > 0);
  if (listed.length > 0) {
    lines.push('| | App | Action | Publishes |', '|---|---|---|---|');
    for (const app of listed) {
      const count = app.action === 'create' || app.action === 'update' ? String(app.publishes.length) : '';
      const reported = reportedWorkflowChanges(app).length;
      const action = reported > 0 ? `${ACTION_WORDS[app.action]}, ${plural(reported, 'difference')} reported` : ACTION_WORDS[app.action];
      lines.push(`| ${MARKS[app.action]} | ${escapeMarkdown(app.name)} | ${action} | ${count} |`);
    }
    lines.push('');
  }
  const hidden = plan.apps.length - listed.length;
  if (hidden > 0) lines.push(`${plural(hidden, 'app')} unchanged.`, '');

  const guarded = protectedStepsByApp(plan);
  for (const app of listed) lines.push(...appBlock(app, verbose, guarded.get(app.name)), '');

  if (plan.unmanagedApps.length > 0) {
    lines.push(`<details><summary>${plural(plan.unmanagedApps.length, 'app')} on the server not in the config (left alone)</summary>`, '');
    for (const app of plan.unmanagedApps) lines.push(`- ${escapeMarkdown(app.name)} (${codeSpan(app.appId)}) in workspace ${escapeMarkdown(workspaceText(app.workspace))}`);
    lines.push('', '</details>', '');
  }
  // No trailing blank line: the renderer adds the final newline.
  while (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function appBlock(app: AppPlan, verbose: boolean, guarded: ReadonlySet<number> = new Set()): string[] {
  const publishes = app.action === 'create' || app.action === 'update' ? app.publishes : [];
  const what =
    app.action === 'conflict' || app.action === 'wait'
      ? ACTION_WORDS[app.action]
      : app.action === 'no-op'
        ? reportedWorkflowChanges(app).length > 0
          ? 'nothing to publish, differences reported'
          : 'no changes'
        : `${app.action}, ${plural(publishes.length, 'publish', 'publishes')}`;
  const lines = [`<details${app.action === 'conflict' ? ' open' : ''}><summary><b>${MARKS[app.action]} ${escapeHtml(app.name)}</b>: ${what}</summary>`, ''];
  if ('appId' in app && app.appId !== undefined) lines.push(`App id ${codeSpan(app.appId)}.`, '');

  if (app.action === 'create' || app.action === 'update') {
    for (const change of app.changes) lines.push(...changeItem(change, PLAN_WORDING));
    lines.push('', '| # | Request | Expected | Why |', '|---|---|---|---|');
    for (const p of publishes) {
      // A | splits a table cell even inside a code span, unless escaped.
      const request = requestFields(p)
        .map(([name, value]) => codeSpan(`${name}=${value}`).replace(/\|/g, '\\|'))
        .join(' ');
      const why = [
        ...p.reasons.map((r) => escapeMarkdown(describeReason(r))),
        ...(p.checks ? [escapeMarkdown(plannedChecksText(p.checks, p.expect.version))] : []),
        ...(guarded.has(p.step) ? [`**${escapeMarkdown(PROTECTED_STEP_TEXT)}**`] : []),
      ].join('; ');
      lines.push(`| ${p.step} | ${request} | ${escapeMarkdown(expectationText(p.expect))} | ${why} |`);
    }
    lines.push('');
  }
  if (app.action === 'conflict') {
    for (const conflict of app.conflicts) {
      const text = describeConflict(conflict);
      lines.push(`- **Conflict**: ${escapeMarkdown(text.problem)}.`, `  **To do**: ${escapeMarkdown(text.resolution)}.`);
    }
    lines.push('');
  }
  if (app.action === 'wait') {
    for (const version of app.publishing) lines.push(`- ${escapeMarkdown(publishingText(version))}.`);
    lines.push(`  **To do**: ${escapeMarkdown(STILL_PUBLISHING_ADVICE)}.`, '');
  }
  const reported = reportedWorkflowChanges(app);
  if (reported.length > 0) lines.push('Reported, not published:', ...reported.map((n) => `- ${escapeMarkdown(heldWorkflowText(n))}`), '');
  const notes = shownNotes(app, verbose);
  if (notes.length > 0) {
    lines.push('Notes:', ...notes.map((n) => `- ${escapeMarkdown(describeNote(n))}`), '');
  }
  lines.push('</details>');
  return lines;
}

/** How a change is worded in Markdown: a plan says before -> after, a drift report names both sides. */
export interface MarkdownChangeWording {
  /** A change other than a description, after "field:". */
  oneLine: (change: Exclude<AttributeChange, { field: 'description' }>) => string;
  /** Said after the field of a description diff, e.g. " (`-` server, `+` config)"; or nothing. */
  diffSides: string;
}

const PLAN_WORDING: MarkdownChangeWording = { oneLine: changeValueText, diffSides: '' };

/** One attribute change as a list item; a description as a fenced diff below it. */
export function changeItem(change: AttributeChange, wording: MarkdownChangeWording): string[] {
  const label = `- **${escapeMarkdown(changeLabel(change))}**`;
  if (change.field !== 'description') return [`${label}: ${escapeMarkdown(wording.oneLine(change))}`];
  return [`${label}${wording.diffSides}:`, ...descriptionDiff(change)];
}

/** A description change as a fenced diff block, indented under a list item. */
function descriptionDiff(change: Extract<AttributeChange, { field: 'description' }>): string[] {
  const before = typeof change.before === 'string' ? change.before : '';
  const diff = lineDiff(isUnknown(change.before) ? '' : before, change.after).map((l) => `  ${l.sign}${escapeUnsafe(l.text)}`);
  // Longer than any run of backticks in the diff, so no line of the description can close it.
  const fence = markdownFence(diff);
  return ['', `  ${fence}diff`, ...diff, `  ${fence}`, ''];
}
