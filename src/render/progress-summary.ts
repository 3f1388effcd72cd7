// The end of an apply, for people: what was published (and how long it took
// to become READY), what failed and why, what was not sent, and whether the
// server converged, with what it could not verify. Written once, after the
// progress output.

import type { Writable } from 'node:stream';
import { checkLabel, checkReportLines } from './check-words.js';
import { formatDuration } from '../apply/clock.js';
import { stateName, type StillToDo, type PublishReport } from '../apply/events.js';
import type { ApplyResult } from '../apply/execute.js';
import { checksNotPassed } from '../apply/checks.js';
import { convergedText } from '../apply/converge.js';
import type { Verification } from '../plan/verification.js';
import { escapeUnsafe } from './escape.js';
import { revisionText, withoutAppName } from './progress-words.js';
import { styleMark, terminalLine } from './text.js';
import { displayWidth, padEndToWidth } from './width.js';

/** The executor's messages start with "App v3 "; the summary's rows already say so. */
function withoutLabel(p: PublishReport, message: string): string {
  return withoutAppName(`${p.app} v${p.version}`, message);
}

/** The publishing states p7apps does not know that a publish went through, for its row. */
function unknownStatesText(p: PublishReport): string {
  if (!p.unknownStates || p.unknownStates.length === 0) return '';
  return ` (went through ${p.unknownStates.length === 1 ? 'state' : 'states'} ${p.unknownStates.map(stateName).join(', ')}, unknown to p7apps)`;
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
  convergence: { remaining: StillToDo[]; verification?: Verification } | { error: string } | null;
}

export function renderApplySummary(summary: ApplySummary, out: Pick<Writable, 'write'>, options: { color: boolean }): void {
  const paint = (text: string, code: number) => (options.color ? `${styleMark(code)}${text}${styleMark(0)}` : text);
  // Every line goes through terminalLine: app names, errors and details are server or config text.
  const write = (...lines: string[]) => out.write(lines.map((line) => `${terminalLine(line)}\n`).join(''));
  const name = (app: string) => escapeUnsafe(app);
  const { result } = summary;
  const width = Math.min(30, Math.max(4, ...result.publishes.map((p) => displayWidth(name(p.app))), ...summary.refused.map((r) => displayWidth(name(r.app)))));
  const row = (p: PublishReport, text: string) => `  ${padEndToWidth(name(p.app), width)}  v${String(p.version).padEnd(3)} ${text}`;
  const section = (title: string, code: number, lines: string[]) => {
    if (lines.length === 0) return;
    write('', paint(title, code), ...lines);
  };
  const having = (...outcomes: PublishReport['outcome'][]) => result.publishes.filter((p) => outcomes.includes(p.outcome));

  section(
    'Published:',
    32,
    having('ready').map((p) =>
      row(
        p,
        `READY${revisionText(p.revision)} after ${formatDuration(p.timeToReadyMs ?? 0)}${p.resends > 0 ? ` (sent ${p.resends + 1} times)` : ''}${unknownStatesText(p)}`,
      ),
    ),
  );
  section('Failed:', 31, having('failed', 'timed-out').map((p) => row(p, withoutLabel(p, p.error ?? 'failed'))));
  section(
    'Checks:',
    result.publishes.some((p) => (p.checks ?? []).some((c) => c.outcome.status !== 'passed')) ? 31 : 32,
    result.publishes.flatMap((p) => (p.checks ?? []).map((c) => row(p, `${checkLabel(c.check, null)}: ${checkReportLines(c).join('; ')}`))),
  );
  section(
    'Sent, not yet confirmed READY:',
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
    ...summary.refused.map((r) => `  ${padEndToWidth(name(r.app), width)}  ${r.detail}`),
    ...result.skippedApps.map((s) => `  ${padEndToWidth(name(s.app), width)}  ${s.detail}`),
  ]);

  const convergence = summary.convergence;
  if (convergence && 'error' in convergence) {
    write('', `${paint('Could not check convergence:', 31)} ${convergence.error}`);
  } else if (convergence && convergence.remaining.length > 0) {
    write('', paint('Did not converge: the server still differs from the config:', 31));
    for (const app of convergence.remaining) {
      write(`  ${app.app}`, ...app.reasons.map((reason) => `    - ${reason}`), ...app.conflicts.map((conflict) => `    ! ${conflict}`));
    }
  }
  write('', verdict(summary));
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
  if (t.unconfirmed > 0) problems.push(`${t.unconfirmed} not confirmed (run "p7apps apply" again)`);
  // A check run after its version became default (a new app's first version, say) fails the app with every publish READY.
  const notPassed = checksNotPassed(result);
  if (notPassed > 0) problems.push(`${notPassed} ${notPassed === 1 ? 'check' : 'checks'} did not pass`);
  if (refused.length > 0) problems.push(`${refused.length} ${refused.length === 1 ? 'app' : 'apps'} changed since the plan (run "p7apps plan" again)`);
  if (convergence && 'error' in convergence) problems.push('convergence not checked');
  else if (convergence && convergence.remaining.length > 0) problems.push('did not converge');
  if (problems.length > 0) return `Apply failed: ${published}; ${problems.join(', ')}.`;
  // "Converged" only about what the server showed back; the rest is named.
  const verification = convergence && 'remaining' in convergence ? convergence.verification : undefined;
  return verification ? `Apply complete: ${published}; ${convergedText(verification)}.` : `Apply complete: ${published}.`;
}
