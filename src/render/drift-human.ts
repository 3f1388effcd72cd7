// The drift report for a person at a terminal: one line per app with its
// status, the differing fields below it with both sides named ("server: X,
// config: Y"; descriptions diffed, - server, + config), then one summary line.
// In-sync apps are counted, not listed, unless verbose.

import type { AppDrift } from '../plan/drift.js';
import { driftSummaryLine, partlyVerifiedStatus } from '../plan/drift.js';
import { plural, publishingText, unverifiableText } from '../plan/describe.js';
import { changeLines, type ChangeWording } from './plan-human.js';
import { editedWorkflowText, sidesText } from './plan-words.js';
import { environmentSuffix, palette, quote, terminalLines, type Palette } from './text.js';
import type { DriftRenderer } from './types.js';

const HEADLINE: Record<AppDrift['status'], string> = {
  'in-sync': 'in sync',
  drifted: 'drifted',
  missing: 'missing on the server',
  conflict: 'in conflict',
  publishing: 'still publishing, run drift again later',
  unmanaged: 'not in the config (unmanaged)',
};

/** A difference with both sides named; a multi-line description as a diff, - server, + config. */
const DRIFT_WORDING: ChangeWording = { mark: '~', oneLine: (change) => sidesText(change), diffSides: ' (- server, + config)' };

const MARK: Record<AppDrift['status'], string> = { 'in-sync': '=', drifted: '~', missing: '+', conflict: '!', publishing: '*', unmanaged: '?' };

export const renderDriftHuman: DriftRenderer = (report, out, options) => {
  const c = palette(options.color);
  const lines = [c.bold(`p7apps drift for ${report.serverUrl}${environmentSuffix(report.environment)}`), `  config: ${report.configPath}`, ''];
  let hidden = 0;
  for (const app of report.apps) {
    const details = detailLines(app, c);
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

function detailLines(app: AppDrift, c: Palette): string[] {
  const lines: string[] = [];
  for (const change of app.changes) lines.push(...changeLines(change, DRIFT_WORDING, c));
  for (const edited of app.editedWorkflows) lines.push(`    ~ ${editedWorkflowText(edited)}`);
  for (const version of app.publishing ?? []) lines.push(`    * ${publishingText(version)}`);
  for (const conflict of app.conflicts) lines.push(c.conflict(`    ! ${conflict.problem}`), `      to do: ${conflict.resolution}`);
  for (const v of app.unmanagedVersions) lines.push(c.dim(`    - version ${v.version} is on the server but not in the config`));
  for (const u of app.unverifiable) lines.push(c.dim(`    ? ${unverifiableText(u)}`));
  return lines;
}
