// Words for the applier's progress, shared by the live TTY view, the CI lines
// and the end-of-run summary, so each says a thing the same way.

import { stateName, type ApplyEvent, type PublishKind } from '../apply/events.js';
import { formatDuration } from '../apply/clock.js';
import { plural as count } from '../plan/describe.js';
import { convergedText } from '../apply/converge.js';
import { checkEventText } from './check-words.js';

export function kindText(kind: PublishKind): string {
  switch (kind) {
    case 'app':
      return 'creates the app';
    case 'version':
      return 'new version';
    case 'revision':
      return 'new revision';
  }
}

type Ev<T extends ApplyEvent['type']> = Extract<ApplyEvent, { type: T }>;

/** One line for an event, without app name or timestamp; null: not worth a line on its own. */
export function eventText(event: ApplyEvent): string | null {
  switch (event.type) {
    case 'check-start':
    case 'check-run-deployed':
    case 'check-run-state':
    case 'check-done':
    case 'check-cleanup':
    case 'check-gate':
      return checkEventText(event);
    case 'apply-start':
      return (
        `Applying ${count(event.publishes, 'publish', 'publishes')} to ${count(event.apps.length, 'app')} ` +
        `(${event.parallelism} at once, each may take up to ${formatDuration(event.timeoutMs)} to become READY)`
      );
    case 'app-start':
      return null;
    case 'publish-start':
      return `publishing v${event.version} (step ${event.step}/${event.of}: ${kindText(event.creates)}${event.setAsDefault ? ', becomes default' : ''}) from ${event.workflowPath}`;
    case 'publish-sent':
      return `v${event.version} sent; the server answered v${event.response.version}${revisionText(event.response.revision)}, ${event.response.state ?? 'state unknown'}`;
    case 'publish-ambiguous':
      return event.committed
        ? `v${event.version}: ${event.error}; reading the app back (it is not sent again)`
        : `v${event.version}: the response was lost (${event.error}); checking whether it was committed`;
    case 'publish-recheck':
      return `checked the server: ${event.detail}`;
    case 'publish-resend':
      return `v${event.version}: sending again${event.waitMs > 0 ? ` in ${formatDuration(event.waitMs)}` : ''} (attempt ${event.attempt}, ${RESEND_WHY[event.reason]})`;
    case 'poll':
      return event.error
        ? `v${event.version}: could not read its state (${event.error}); trying again`
        : `v${event.version} is ${event.state === null ? 'in an unknown state' : stateName(event.state)}${revisionText(event.revision)} after ${formatDuration(event.elapsedMs)}`;
    case 'publish-state-unknown':
      return `v${event.version} is in state ${stateName(event.state)}, which p7apps does not know; waiting while it changes (at most ${formatDuration(event.limitMs)} unchanged)`;
    case 'publish-ready':
      return `v${event.version} is READY${revisionText(event.revision)} after ${formatDuration(event.elapsedMs)}`;
    case 'publish-failed':
      return withoutAppName(event.app, event.error);
    case 'publish-unconfirmed':
      return withoutAppName(event.app, event.detail);
    case 'app-done':
      return appDoneText(event);
    case 'app-skipped':
      return `not applied: ${event.detail}`;
    case 'interrupted':
      return event.inFlight.length === 0
        ? 'Interrupted: starting nothing new.'
        : `Interrupted: letting the requests in flight finish (${event.inFlight.join(', ')}), starting nothing new.`;
    case 'apply-done':
      return applyDoneText(event);
    case 'converge-start':
      return `Reading the server again to check that nothing is left to do (${count(event.apps, 'app')})`;
    case 'converge-done':
      return event.converged
        ? event.verification
          ? `${capitalised(convergedText(event.verification))}.`
          : 'Converged: nothing left to do.'
        : `Did not converge: ${count(event.remaining.length, 'app')} still ${event.remaining.length === 1 ? 'differs' : 'differ'} from the config (${event.remaining.map((r) => r.app).join(', ')}).`;
  }
}

function appDoneText(event: Ev<'app-done'>): string {
  const skipped = event.skipped.length === 0 ? '' : `; step ${event.skipped.join(', ')} not sent`;
  switch (event.outcome) {
    case 'done':
      return `done (${count(event.ready, 'publish', 'publishes')} READY)`;
    case 'failed':
      return `stopped after a failure${skipped}`;
    case 'interrupted':
      return `interrupted${skipped}`;
  }
}

function applyDoneText(event: Ev<'apply-done'>): string {
  const t = event.totals;
  const parts = [`${t.ready} READY`];
  if (t.failed) parts.push(`${t.failed} failed`);
  if (t.timedOut) parts.push(`${t.timedOut} timed out`);
  if (t.unconfirmed) parts.push(`${t.unconfirmed} not yet confirmed`);
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  if (t.notStarted) parts.push(`${t.notStarted} not started`);
  const resends = t.resends ? `; ${count(t.resends, 'publish was', 'publishes were')} sent again` : '';
  return `${event.interrupted ? 'Interrupted' : 'Finished'} after ${formatDuration(event.elapsedMs)}: ${parts.join(', ')} of ${t.planned}${resends}.`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function revisionText(revision: number | null): string {
  return revision === null ? '' : ` (revision ${revision})`;
}

/** A message that starts with the app's name, as the executor's do, without it: for rows already labelled. */
export function withoutAppName(app: string, message: string): string {
  return message.startsWith(`${app} `) ? message.slice(app.length + 1) : message;
}

/** The app an event is about, if any. */
export function eventApp(event: ApplyEvent): string | null {
  return 'app' in event ? event.app : null;
}

/** Why a publish is sent again, in words; shared by the line and terminal views. */
export const RESEND_WHY: Record<'response-lost' | 'server-busy' | 'server-unreachable', string> = {
  'response-lost': 'the lost publish was not committed',
  'server-busy': 'the server was busy',
  'server-unreachable': 'the server could not be reached, so nothing was sent',
};
