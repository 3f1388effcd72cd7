// The end of an apply, for people: what was published (and how long it took
// to become READY), what failed and why, what was not sent, and whether the
// server now matches the config. Written once, after the progress output.

import type { Writable } from 'node:stream';
import { formatDuration } from '../apply/clock.js';
import type { StillToDo, PublishReport } from '../apply/events.js';
import type { ApplyResult } from '../apply/execute.js';
import { revisionText, withoutAppName } from './progress-words.js';
import { displayWidth, padEndToWidth } from './width.js';

/** The executor's messages start with "App v3 "; the summary's rows already say so. */
function withoutLabel(p: PublishReport, message: string): string {
  return withoutAppName(`${p.app} v${p.version}`, message);
}

export interface RefusedApp {
  app: string;
  detail: string;
}

export interface ApplySummary {
  result: ApplyResult;
  /** Apps of a saved plan not touched because they changed since (on the server, or in what the config declares). */
  refused: RefusedApp[];
  /** null: not checked (interrupted, or nothing was sent). */
  convergence: { remaining: StillToDo[] } | { error: string } | null;
}

export function renderApplySummary(summary: ApplySummary, out: Pick<Writable, 'write'>, options: { color: boolean }): void {
  const paint = (text: string, code: number) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const { result } = summary;
  const width = Math.min(30, Math.max(4, ...result.publishes.map((p) => displayWidth(p.app)), ...summary.refused.map((r) => displayWidth(r.app))));
  const row = (p: PublishReport, text: string) => `  ${padEndToWidth(p.app, width)}  v${String(p.version).padEnd(3)} ${text}\n`;
  const section = (title: string, code: number, lines: string[]) => {
    if (lines.length === 0) return;
    out.write(`\n${paint(title, code)}\n${lines.join('')}`);
  };
  const having = (...outcomes: PublishReport['outcome'][]) => result.publishes.filter((p) => outcomes.includes(p.outcome));

  section(
    'Published:',
    32,
    having('ready').map((p) =>
      row(p, `READY${revisionText(p.revision)} after ${formatDuration(p.timeToReadyMs ?? 0)}${p.resends > 0 ? ` (sent ${p.resends + 1} times)` : ''}`),
    ),
  );
  section('Failed:', 31, having('failed', 'timed-out').map((p) => row(p, withoutLabel(p, p.error ?? 'failed'))));
  section(
    'Published, not yet confirmed READY:',
    33,
    having('unconfirmed').map((p) => row(p, withoutLabel(p, p.error ?? 'interrupted before READY was confirmed'))),
  );
  section(
    'Not sent:',
    33,
    having('skipped', 'not-started').map((p) =>
      row(p, p.outcome === 'skipped' ? 'an earlier publish of this app did not succeed' : p.error ?? 'interrupted before it was sent'),
    ),
  );
  section('Not applied:', 33, [
    ...summary.refused.map((r) => `  ${padEndToWidth(r.app, width)}  ${r.detail}\n`),
    ...result.skippedApps.map((s) => `  ${padEndToWidth(s.app, width)}  ${s.detail}\n`),
  ]);

  const convergence = summary.convergence;
  if (convergence && 'error' in convergence) {
    out.write(`\n${paint('Could not check convergence:', 31)} ${convergence.error}\n`);
  } else if (convergence && convergence.remaining.length > 0) {
    out.write(`\n${paint('Did not converge: the server still differs from the config:', 31)}\n`);
    for (const app of convergence.remaining) {
      out.write(`  ${app.app}\n`);
      for (const reason of app.reasons) out.write(`    - ${reason}\n`);
      for (const conflict of app.conflicts) out.write(`    ! ${conflict}\n`);
    }
  }
  out.write(`\n${verdict(summary)}\n`);
}

/** The last line: what happened, and what to do next. */
export function verdict(summary: ApplySummary): string {
  const { result, refused, convergence } = summary;
  const t = result.totals;
  const published = `${t.ready} of ${t.planned} ${t.planned === 1 ? 'publish' : 'publishes'} READY`;
  if (result.interrupted) {
    return `Apply interrupted: ${published}. Run "p7apps apply" again to finish; it plans afresh from the server's state.`;
  }
  const problems: string[] = [];
  if (t.failed + t.timedOut > 0) problems.push(`${t.failed + t.timedOut} failed`);
  if (t.skipped > 0) problems.push(`${t.skipped} not sent`);
  if (refused.length > 0) problems.push(`${refused.length} ${refused.length === 1 ? 'app' : 'apps'} changed since the plan (run "p7apps plan" again)`);
  if (convergence && 'error' in convergence) problems.push('convergence not checked');
  else if (convergence && convergence.remaining.length > 0) problems.push('did not converge');
  if (problems.length > 0) return `Apply failed: ${published}; ${problems.join(', ')}.`;
  return `Apply complete: ${published}. The server matches the config.`;
}
