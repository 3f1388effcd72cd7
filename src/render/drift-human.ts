// The drift report for a person at a terminal: one line per app with its
// status, the differing fields below it (old -> new, descriptions diffed as
// in a plan), then one summary line. In-sync apps are counted, not listed,
// unless verbose.

import type { AppDrift } from '../plan/drift.js';
import { driftSummaryLine, partlyVerifiedStatus } from '../plan/drift.js';
import { plural, unverifiableText } from '../plan/describe.js';
import { changeLines } from './plan-human.js';
import { environmentSuffix, palette, quote, terminalLines, type Palette } from './text.js';
import type { DriftRenderer, RenderOptions } from './types.js';

const HEADLINE: Record<AppDrift['status'], string> = {
  'in-sync': 'in sync',
  drifted: 'drifted',
  missing: 'missing on the server',
  conflict: 'in conflict',
  unmanaged: 'not in the config (unmanaged)',
};

const MARK: Record<AppDrift['status'], string> = { 'in-sync': '=', drifted: '~', missing: '+', conflict: '!', unmanaged: '?' };

export const renderDriftHuman: DriftRenderer = (report, out, options) => {
  const c = palette(options.color);
  const lines = [c.bold(`p7apps drift for ${report.serverUrl}${environmentSuffix(report.environment)}`), `  config: ${report.configPath}`, ''];
  let hidden = 0;
  for (const app of report.apps) {
    const details = detailLines(app, options, c);
    if (app.status === 'in-sync' && details.length === 0 && !options.verbose) {
      hidden += 1;
      continue;
    }
    const headline = partlyVerifiedStatus(app) ?? HEADLINE[app.status];
    lines.push(colour(app, c)(`${MARK[app.status]} ${quote(app.name)}${app.appId ? ` (id ${app.appId})` : ''}: ${headline}`), ...details, '');
  }
  if (hidden > 0) lines.push(c.dim(`${plural(hidden, 'app')} in sync (--verbose lists them).`), '');
  const summary = driftSummaryLine(report);
  lines.push(c.bold(report.drift ? c.changed(summary) : summary));
  out.write(`${terminalLines(lines)}\n`);
};

function colour(app: AppDrift, c: Palette): (text: string) => string {
  if (!app.counts) return (text) => text;
  return app.status === 'conflict' ? c.conflict : app.status === 'missing' ? c.added : c.changed;
}

function detailLines(app: AppDrift, options: RenderOptions, c: Palette): string[] {
  const lines: string[] = [];
  for (const change of app.changes) lines.push(...changeLines(change, '~', options, c));
  for (const edited of app.editedWorkflows) lines.push(`    ~ workflow ${edited.workflow} was edited since version ${edited.version} was published`);
  for (const conflict of app.conflicts) lines.push(c.conflict(`    ! ${conflict.problem}`), `      to do: ${conflict.resolution}`);
  for (const v of app.unmanagedVersions) lines.push(c.dim(`    - version ${v.version} is on the server but not in the config`));
  for (const u of app.unverifiable) lines.push(c.dim(`    ? ${unverifiableText(u)}`));
  return lines;
}
