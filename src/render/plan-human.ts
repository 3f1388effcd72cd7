// The plan for a person at a terminal, shaped like `terraform plan` and
// octoDNS output: a block per app marked + (create), ~ (update) or
// ! (conflict), * (still publishing: plan again), field-level before -> after, a diff for descriptions, every
// publish with the exact fields it sends and why, then one summary line.
// Unchanged apps are counted, and listed only when verbose or when something
// about them could not be verified.

import { plannedChecksText } from './check-words.js';
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
import { PROTECTED_STEP_TEXT, protectedStepsByApp, safetyCheck, safetyLines } from '../plan/safety.js';
import { planHasChanges, type AppPlan, type AttributeChange, type Plan, type PlanNote, type PlannedPublish } from '../plan/types.js';
import { changeLabel, changeValueText, expectationText, requestFields } from './plan-words.js';
import { environmentSuffix, isMultiline, lineDiff, palette, quote, terminalLines, workspaceText, wordDiff, type Palette } from './text.js';
import type { PlanRenderer, RenderOptions } from './types.js';

export const renderPlanHuman: PlanRenderer = (plan, out, options) => {
  out.write(`${terminalLines(humanLines(plan, options))}\n`);
};

function humanLines(plan: Plan, options: RenderOptions): string[] {
  const c = palette(options.color);
  const lines: string[] = [c.bold(`p7apps plan for ${plan.serverUrl}${environmentSuffix(plan.environment)}`), `  config: ${plan.configPath}`, ''];

  const guarded = protectedStepsByApp(plan);
  let hidden = 0;
  for (const app of plan.apps) {
    const shown = appLines(app, options, c, guarded.get(app.name));
    if (shown.length === 0) hidden += 1;
    else lines.push(...shown, '');
  }
  if (hidden > 0) lines.push(c.dim(`${plural(hidden, 'app')} unchanged (--verbose lists them).`), '');

  if (plan.unmanagedApps.length > 0) {
    lines.push(`Apps on the server that the config does not declare (left alone):`);
    for (const app of plan.unmanagedApps) lines.push(`  - ${quote(app.name)} (id ${app.appId}) in workspace ${workspaceText(app.workspace)}`);
    lines.push('');
  }

  if (planHasChanges(plan)) {
    const verdict = safetyCheck(plan);
    for (const line of safetyLines(verdict)) lines.push(line.startsWith('apply will need') ? c.conflict(line) : line);
  }
  const summary = summaryLine(plan);
  lines.push(c.bold(plan.summary.conflict > 0 ? c.conflict(summary) : summary));
  return lines;
}

function appLines(app: AppPlan, options: RenderOptions, c: Palette, guarded: ReadonlySet<number> = new Set()): string[] {
  const id = 'appId' in app && app.appId !== undefined ? ` (id ${app.appId})` : '';
  const lines: string[] = [];
  switch (app.action) {
    case 'create':
      lines.push(c.added(`+ app ${quote(app.name)} will be created in workspace ${workspaceText(app.workspace)}`));
      lines.push(...app.changes.flatMap((change) => changeLines(change, planWording('+', options, c), c)));
      lines.push(...publishLines(app.publishes, c));
      break;
    case 'update':
      lines.push(c.changed(`~ app ${quote(app.name)}${id} will be updated`));
      lines.push(...app.changes.flatMap((change) => changeLines(change, planWording('~', options, c), c)));
      lines.push(...publishLines(app.publishes, c, guarded));
      break;
    case 'conflict':
      lines.push(c.conflict(`! app ${quote(app.name)}${id} cannot be planned:`));
      for (const conflict of app.conflicts) {
        const text = describeConflict(conflict);
        lines.push(c.conflict(`    ! ${text.problem}`), `      to do: ${text.resolution}`);
      }
      break;
    case 'wait':
      lines.push(c.changed(`* app ${quote(app.name)}${id}: ${STILL_PUBLISHING_ADVICE}`));
      for (const version of app.publishing) lines.push(`    * ${publishingText(version)}`);
      break;
    case 'no-op': {
      const unverifiable = app.notes.some((n) => n.kind === 'unverifiable');
      const reported = reportedWorkflowChanges(app).length;
      if (!options.verbose && !unverifiable && reported === 0) return [];
      if (reported > 0) lines.push(`= app ${quote(app.name)}${id}: nothing to publish; ${plural(reported, 'difference')} reported`);
      else lines.push(unverifiable ? `? app ${quote(app.name)}${id}: no changes found, but not everything could be verified` : `= app ${quote(app.name)}${id} is up to date`);
      break;
    }
  }
  // Reported differences are said as differences, not as notes.
  for (const note of reportedWorkflowChanges(app)) lines.push(`    ~ reported: ${heldWorkflowText(note)}`);
  const notes = shownNotes(app, options.verbose);
  if (notes.length > 0) {
    lines.push('    notes:');
    for (const note of notes) lines.push(c.dim(`      - ${describeNote(note)}`));
  }
  return lines;
}

/**
 * The notes worth a line: all of them when verbose; otherwise, for an app
 * that changes, all but the quiet ones (an ignored workflow edit), and for an
 * unchanged one only what could not be verified.
 */
export function shownNotes(app: AppPlan, verbose: boolean): PlanNote[] {
  const notes = app.notes.filter((n) => !(n.kind === 'workflow-changed' && n.policy === 'report'));
  if (verbose) return notes;
  if (app.action === 'no-op') return notes.filter((n) => n.kind === 'unverifiable');
  return notes.filter((n) => n.kind !== 'workflow-changed');
}

/**
 * How an attribute change is worded, the one thing that differs between a
 * plan ("before -> after") and a drift report ("server: X, config: Y").
 */
export interface ChangeWording {
  /** The mark before the field: + (new) or ~ (changed). */
  mark: '+' | '~';
  /** The change on one line, after "field:"; a description only when both sides fit on one line. */
  oneLine: (change: AttributeChange) => string;
  /** Said after the field of a multi-line description diff, e.g. " (- server, + config)"; or nothing. */
  diffSides: string;
}

/** A plan's wording: before -> after, a one-line description as a word diff. */
function planWording(mark: '+' | '~', options: RenderOptions, c: Palette): ChangeWording {
  const oneLine = (change: AttributeChange): string => {
    if (change.field !== 'description') return changeValueText(change);
    const before = describedBefore(change);
    return before === null ? quote(change.after) : `"${wordDiff(before, change.after, c, options.color)}"`;
  };
  return { mark, oneLine, diffSides: '' };
}

/** One attribute change for the terminal; a multi-line description as a line diff, - before, + after. */
export function changeLines(change: AttributeChange, wording: ChangeWording, c: Palette): string[] {
  const label = `    ${wording.mark} ${changeLabel(change)}`;
  const before = change.field === 'description' ? describedBefore(change) : null;
  if (change.field !== 'description' || !isMultiline(before, change.after)) return [`${label}: ${wording.oneLine(change)}`];
  const lines = [`${label}${wording.diffSides}:`];
  for (const line of lineDiff(before ?? '', change.after)) {
    const text = `        ${line.sign} ${line.text}`.trimEnd();
    lines.push(line.sign === '+' ? c.added(text) : line.sign === '-' ? c.removed(text) : text);
  }
  return lines;
}

/** The description the server had: null for none, and an unreadable one diffed as empty. */
function describedBefore(change: Extract<AttributeChange, { field: 'description' }>): string | null {
  return typeof change.before === 'string' ? change.before : change.before === null ? null : '';
}

function publishLines(publishes: PlannedPublish[], c: Palette, guarded: ReadonlySet<number> = new Set()): string[] {
  const lines = ['    publishes, in order:'];
  for (const publish of publishes) {
    const fields = requestFields(publish).map(([name, value]) => `${name}=${value}`);
    lines.push(`      ${publish.step}. ${c.bold(`POST apps/ ${fields.slice(0, 2).join(' ')}`)}  -> ${expectationText(publish.expect)}`);
    lines.push(`         ${fields.slice(2).join(' ')}`);
    for (const reason of publish.reasons) lines.push(c.dim(`         because ${describeReason(reason)}`));
    if (guarded.has(publish.step)) lines.push(c.conflict(`         ${PROTECTED_STEP_TEXT}`));
    if (publish.checks) lines.push(c.dim(`         ${plannedChecksText(publish.checks, publish.expect.version)}`));
  }
  return lines;
}
