// The plan for a person at a terminal, shaped like `terraform plan` and
// octoDNS output: a block per app marked + (create), ~ (update) or
// ! (conflict), field-level before -> after, a diff for descriptions, every
// publish with the exact fields it sends and why, then one summary line.
// Unchanged apps are counted, and listed only when verbose or when something
// about them could not be verified.

import { describeConflict, describeNote, describeReason, plural, summaryLine } from '../plan/describe.js';
import { PROTECTED_STEP_TEXT, protectedStepsByApp, safetyCheck, safetyLines } from '../plan/safety.js';
import { planHasChanges, type AppPlan, type AttributeChange, type Plan, type PlannedPublish } from '../plan/types.js';
import { changeLabel, changeValueText, expectationText, requestFields } from './plan-words.js';
import { isMultiline, lineDiff, palette, quote, terminalLines, workspaceText, wordDiff, type Palette } from './text.js';
import type { PlanRenderer, RenderOptions } from './types.js';

export const renderPlanHuman: PlanRenderer = (plan, out, options) => {
  out.write(`${terminalLines(humanLines(plan, options))}\n`);
};

function humanLines(plan: Plan, options: RenderOptions): string[] {
  const c = palette(options.color);
  const lines: string[] = [c.bold(`p7apps plan for ${plan.serverUrl}`), `  config: ${plan.configPath}`, ''];

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
      lines.push(...app.changes.flatMap((change) => changeLines(change, '+', options, c)));
      lines.push(...publishLines(app.publishes, c));
      break;
    case 'update':
      lines.push(c.changed(`~ app ${quote(app.name)}${id} will be updated`));
      lines.push(...app.changes.flatMap((change) => changeLines(change, '~', options, c)));
      lines.push(...publishLines(app.publishes, c, guarded));
      break;
    case 'conflict':
      lines.push(c.conflict(`! app ${quote(app.name)}${id} cannot be planned:`));
      for (const conflict of app.conflicts) {
        const text = describeConflict(conflict);
        lines.push(c.conflict(`    ! ${text.problem}`), `      to do: ${text.resolution}`);
      }
      break;
    case 'no-op': {
      const unverifiable = app.notes.some((n) => n.kind === 'unverifiable');
      if (!options.verbose && !unverifiable) return [];
      lines.push(unverifiable ? `? app ${quote(app.name)}${id}: no changes found, but not everything could be verified` : `= app ${quote(app.name)}${id} is up to date`);
      break;
    }
  }
  const notes = options.verbose || app.action !== 'no-op' ? app.notes : app.notes.filter((n) => n.kind === 'unverifiable');
  if (notes.length > 0) {
    lines.push('    notes:');
    for (const note of notes) lines.push(c.dim(`      - ${describeNote(note)}`));
  }
  return lines;
}

export function changeLines(change: AttributeChange, mark: '+' | '~', options: RenderOptions, c: Palette): string[] {
  const label = `    ${mark} ${changeLabel(change)}:`;
  if (change.field !== 'description') return [`${label} ${changeValueText(change)}`];
  const before = typeof change.before === 'string' ? change.before : change.before === null ? null : '';
  if (!isMultiline(before, change.after)) {
    if (before === null) return [`${label} ${quote(change.after)}`];
    return [`${label} "${wordDiff(before, change.after, c, options.color)}"`];
  }
  const lines = [label];
  for (const line of lineDiff(before ?? '', change.after)) {
    const text = `        ${line.sign} ${line.text}`.trimEnd();
    lines.push(line.sign === '+' ? c.added(text) : line.sign === '-' ? c.removed(text) : text);
  }
  return lines;
}

function publishLines(publishes: PlannedPublish[], c: Palette, guarded: ReadonlySet<number> = new Set()): string[] {
  const lines = ['    publishes, in order:'];
  for (const publish of publishes) {
    const fields = requestFields(publish).map(([name, value]) => `${name}=${value}`);
    lines.push(`      ${publish.step}. ${c.bold(`POST apps/ ${fields.slice(0, 2).join(' ')}`)}  -> ${expectationText(publish.expect)}`);
    lines.push(`         ${fields.slice(2).join(' ')}`);
    for (const reason of publish.reasons) lines.push(c.dim(`         because ${describeReason(reason)}`));
    if (guarded.has(publish.step)) lines.push(c.conflict(`         ${PROTECTED_STEP_TEXT}`));
  }
  return lines;
}
