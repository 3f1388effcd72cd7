// Words for checks, shared by the check report's formats, the progress
// views and apply's summary, so each says a check's outcome the same way.
// Server text (states, details, result values) is shown quoted or escaped by
// the caller's destination (terminalLine, markdownText, xmlText).

import { formatDuration } from '../apply/clock.js';
import { stateName } from '../apply/events.js';
import type { CheckEvent } from '../checks/events.js';
import { describeExpectation, describeGot, type CheckOutcome } from '../checks/evaluate.js';
import type { CheckReport } from '../checks/run.js';
import type { PlannedChecks } from '../plan/types.js';

/** "smoke" on v2, or on the default version. */
export function checkLabel(check: string, version: number | null): string {
  return `check ${JSON.stringify(check)}${version === null ? '' : ` on v${version}`}`;
}

/** The most characters of a server's value (a result, a state's detail) a line shows; the JSON report keeps all. */
export const SHOWN_VALUE_MAX = 300;

/** `text`, or its start and how long it is: a run's 200 KB result would otherwise fill the log, twice. */
export function briefly(text: string): string {
  const chars = [...text];
  return chars.length <= SHOWN_VALUE_MAX ? text : `${chars.slice(0, SHOWN_VALUE_MAX).join('')}... (${chars.length} characters in all)`;
}

/** One line per thing to say about how a check ended; the first one is the verdict. */
export function outcomeLines(outcome: CheckOutcome): string[] {
  switch (outcome.status) {
    case 'passed':
      return ['passed'];
    case 'could-not-run':
      return [`could not run: ${briefly(outcome.detail)}`];
    case 'failed':
      switch (outcome.reason) {
        case 'results':
          return [
            `failed: the run finished but ${outcome.mismatches.length === 1 ? '1 result differs' : `${outcome.mismatches.length} results differ`}`,
            ...outcome.mismatches.map((m) => `result ${briefly(JSON.stringify(m.result))}: expected ${briefly(describeExpectation(m.expected))}, got ${briefly(describeGot(m.got))}`),
          ];
        case 'run-ended':
          return [`failed: the run ended ${briefly(stateName(outcome.state))}${outcome.detail ? `: ${briefly(outcome.detail)}` : ''}`];
        case 'timed-out':
          // Whether the run was interrupted, deleted or left behind is the cleanup's to say (a line of its own when left).
          return [`failed: the run did not end within ${formatDuration(outcome.timeoutMs)} (last state ${outcome.state === null ? 'unknown' : stateName(outcome.state)})`];
      }
  }
}

/** A check's verdict and its run's fate, as lines. */
export function checkReportLines(report: CheckReport): string[] {
  const lines = outcomeLines(report.outcome);
  if (report.cleanup === 'left') lines.push(`run left behind: ${report.cleanupDetail ?? 'not deleted'}`);
  return lines;
}

type Ev<T extends CheckEvent['type']> = Extract<CheckEvent, { type: T }>;

/** One progress line for a check event, without the app name; null: not worth a line. */
export function checkEventText(event: CheckEvent): string | null {
  const label = event.type === 'check-gate' ? '' : checkLabel(event.check, event.version);
  switch (event.type) {
    case 'check-gate':
      return gateText(event);
    case 'check-start':
      return `${label}: deploying a run${event.personal ? ' (personal resources)' : ''}, up to ${formatDuration(event.timeoutMs)}`;
    case 'check-run-deployed':
      return null;
    case 'check-run-state':
      return `${label}: run ${stateName(event.state)} after ${formatDuration(event.elapsedMs)}`;
    case 'check-done':
      return `${label} ${outcomeLines(event.outcome).join('; ')}`;
    case 'check-cleanup':
      return cleanupText(event);
  }
}

function cleanupText(event: Ev<'check-cleanup'>): string | null {
  if (event.cleanup === 'none') return null;
  if (event.cleanup === 'deleted') return `${checkLabel(event.check, event.version)}: its run was deleted`;
  return `${checkLabel(event.check, event.version)}: ${event.detail ?? 'its run was left on the server'}`;
}

function gateText(event: Ev<'check-gate'>): string {
  const failed = event.failed.map((name) => JSON.stringify(name)).join(', ');
  if (event.mode === 'canary') {
    return event.passed
      ? `v${event.version} passed its checks; making it default`
      : `v${event.version} did not pass ${failed}: it stays published but is not made default${event.keptDefault === null ? '' : `; v${event.keptDefault} stays default`}. The app's later steps are not sent.`;
  }
  return event.passed ? `v${event.version} passed its checks` : `v${event.version} is default and did not pass ${failed}`;
}

/** What a plan says a publish's checks will do. */
export function plannedChecksText(planned: PlannedChecks, version: number): string {
  const names = planned.checks.map((check) => JSON.stringify(check.name)).join(', ');
  return planned.mode === 'canary'
    ? `then runs check ${names} against v${version}, kept from being default until it passes`
    : `then runs check ${names} against v${version}, already default`;
}
